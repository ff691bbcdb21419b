/**
 * Serves /cairn/mailbox/1.0.0. Anyone may deposit (rate limited per remote peer, quota per
 * recipient), take a bundle, or offer a handover; fetch, ack, put-bundle and status are answered
 * only on a connection whose Noise-authenticated remote peer is the mailbox's owner. When the
 * recipient is connected, new mail is pushed to it at once over /cairn/direct.
 */
import type { Connection, IdentifyResult, PeerId } from '@libp2p/interface'
import { DirectRequest, DirectResponse, DirectStatus, MailboxRequest, MailboxResponse, MailboxStatus, type Envelope } from '../../proto/cairn.js'
import { verifyBundle } from '../shared/bundle.js'
import { describeError } from '../shared/errors.js'
import { peerIdFromBytes } from '../shared/peer-id.js'
import { DIRECT_PROTOCOL, DIRECT_VERSION, KAD_PROTOCOL, MAILBOX_PAGE_IDS, MAILBOX_PROTOCOL, mailboxAnswerBudget } from '../shared/protocols/ids.js'
import { request, serve } from '../shared/protocols/rpc.js'
import { MailboxRefusal, type RefusalReason } from './errors.js'
import type { MailboxParts } from './handover.js'
import { RateLimiter } from './rate-limiter.js'

const STATUS: Record<RefusalReason, MailboxStatus> = {
  'bad-request': MailboxStatus.MAILBOX_BAD_REQUEST,
  'too-large': MailboxStatus.MAILBOX_TOO_LARGE,
  'quota-exceeded': MailboxStatus.MAILBOX_QUOTA_EXCEEDED,
  'rate-limited': MailboxStatus.MAILBOX_RATE_LIMITED,
  'not-owner': MailboxStatus.MAILBOX_NOT_OWNER,
  expired: MailboxStatus.MAILBOX_EXPIRED,
  'bad-signature': MailboxStatus.MAILBOX_BAD_SIGNATURE,
  'not-found': MailboxStatus.MAILBOX_NOT_FOUND
}

export interface MailboxServiceInit extends MailboxParts {
  /** Called after a deposit is stored, so handover can copy it to the rest of the replica set. */
  onStored?: (recipient: string, envelope: Envelope) => void
  /** Called after the owner acknowledged mail, so handover spreads the tombstones soon. */
  onAcked?: (recipient: string) => void
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/** A recipient named in a request; malformed bytes are the requester's fault, not ours. */
function recipientOf (bytes: Uint8Array): string {
  try {
    return peerIdFromBytes(bytes).toString()
  } catch {
    throw new MailboxRefusal('bad-request', 'malformed recipient')
  }
}

export class MailboxService {
  private readonly deposits: RateLimiter
  private readonly handovers: RateLimiter
  private readonly inFlight = new Set<Promise<unknown>>()
  private readonly dhtServers = new Set<string>()
  private accepting = false

  constructor (private readonly init: MailboxServiceInit) {
    const m = init.config.mailbox
    this.deposits = new RateLimiter(m.depositsPerMinute, m.depositBurst)
    // holders copy in bulk; allow them far more, but not without bound
    this.handovers = new RateLimiter(m.depositsPerMinute * 20, m.depositBurst * 20)
  }

  async start (): Promise<void> {
    const { config, log } = this.init
    this.accepting = true
    this.init.node.addEventListener('peer:identify', this.onIdentify)
    this.init.node.addEventListener('peer:disconnect', this.onDisconnect)
    await this.init.node.handle(MAILBOX_PROTOCOL, serve<MailboxRequest, MailboxResponse>({
      protocol: MAILBOX_PROTOCOL,
      maxBytes: config.mailbox.frameBytes,
      timeoutMs: config.limits.requestTimeoutMs,
      codecs: { req: MailboxRequest, res: MailboxResponse },
      log,
      handle: async (req, connection) => {
        if (!this.accepting) return { status: MailboxStatus.MAILBOX_INTERNAL, detail: 'shutting down' }
        const work = this.answer(req, connection)
        this.inFlight.add(work)
        try { return await work } finally { this.inFlight.delete(work) }
      },
      answerError: (err) => {
        if (err instanceof MailboxRefusal) {
          this.init.metrics?.rejection(err.reason)
          return { status: STATUS[err.reason], detail: err.message }
        }
        const name = (err as Error | undefined)?.name
        if (name === 'InvalidDataLengthError') { this.init.metrics?.rejection('too-large'); return { status: MailboxStatus.MAILBOX_TOO_LARGE, detail: 'frame too large' } }
        if (name === 'UnexpectedEOFError' || name === 'TimeoutError' || name === 'AbortError') return undefined
        if (err instanceof RangeError || name === 'MaxLengthError' || /invalid|index out of range/i.test(describeError(err))) {
          this.init.metrics?.rejection('bad-request')
          return { status: MailboxStatus.MAILBOX_BAD_REQUEST, detail: 'malformed request' }
        }
        log.warn({ err: describeError(err) }, 'mailbox request failed')
        return { status: MailboxStatus.MAILBOX_INTERNAL, detail: 'internal error' }
      }
    }), { maxInboundStreams: config.limits.maxInboundStreams, runOnLimitedConnection: true })
  }

  /** Stop taking new requests, let those in flight finish (bounded), then unregister. */
  async stop (): Promise<void> {
    this.accepting = false
    const deadline = new Promise(resolve => setTimeout(resolve, this.init.config.mailbox.drainTimeoutMs).unref())
    await Promise.race([Promise.allSettled([...this.inFlight]), deadline])
    await this.init.node.unhandle(MAILBOX_PROTOCOL).catch(() => {})
    this.init.node.removeEventListener('peer:identify', this.onIdentify)
    this.init.node.removeEventListener('peer:disconnect', this.onDisconnect)
  }

  private async answer (req: MailboxRequest, connection: Connection): Promise<Partial<MailboxResponse>> {
    const { store, clock, config, metrics } = this.init
    const now = clock.now()
    const from = connection.remotePeer
    if (req.deposit !== undefined) {
      const env = req.deposit.envelope
      if (env === undefined) throw new MailboxRefusal('bad-request', 'deposit without an envelope')
      if (!this.deposits.take(from.toString(), now)) throw new MailboxRefusal('rate-limited', 'too many deposits; slow down')
      const result = await store.deposit(env, now)
      metrics?.deposit(result, env.sealed.length)
      if (result === 'stored') this.afterStored(env)
      return { status: result === 'stored' ? MailboxStatus.MAILBOX_OK : MailboxStatus.MAILBOX_DUPLICATE }
    }
    if (req.handover !== undefined) {
      // holders copy in bulk, but only DHT servers are holders: anyone else gets the deposit budget
      const limiter = this.isDhtServer(from) ? this.handovers : this.deposits
      let stored = 0
      for (const env of req.handover.envelopes) {
        if (!limiter.take(from.toString(), now)) throw new MailboxRefusal('rate-limited', 'handover too fast')
        try {
          if (await store.deposit(env, now) === 'stored') { stored++; this.afterStored(env, false) }
        } catch (err) {
          if (!(err instanceof MailboxRefusal)) throw err // one refused copy does not spoil the batch
        }
      }
      metrics?.handoverReceived(stored)
      return { status: MailboxStatus.MAILBOX_OK }
    }
    if (req.offer !== undefined) return this.answerOffer(req.offer, now)
    if (req.takeBundle !== undefined) {
      const r = recipientOf(req.takeBundle.recipient)
      const bundle = await store.takeBundle(r)
      if (bundle === undefined) throw new MailboxRefusal('not-found', `no bundle for ${r}`)
      metrics?.bundleTaken(bundle.preKeys.length > 0)
      return { status: MailboxStatus.MAILBOX_OK, bundle }
    }
    // everything below is for the owner only
    const owner = from.toString()
    if (req.fetch !== undefined) {
      const f = req.fetch
      // what fits in one response frame, ours and the asker's, with room to spare (config makes a
      // frame hold two envelopes; a page always carries at least one)
      const own = mailboxAnswerBudget(config.mailbox.frameBytes)
      const maxBytes = f.maxBytes > 0 ? Math.min(own, f.maxBytes) : own
      if (f.ids.some(id => id.length !== 16)) throw new MailboxRefusal('bad-request', 'fetch ids must be 16 bytes')
      const page = f.ids.length > 0
        ? await store.fetchIds(owner, f.ids, now, { maxBytes })
        : await store.fetch(owner, f.after, Math.min(Math.max(1, f.limit), f.idsOnly ? MAILBOX_PAGE_IDS : config.mailbox.pageSize), now, { maxBytes, idsOnly: f.idsOnly })
      metrics?.fetch(f.idsOnly && f.ids.length === 0 ? 0 : page.envelopes.length)
      return { status: MailboxStatus.MAILBOX_OK, envelopes: page.envelopes, more: page.more }
    }
    if (req.ack !== undefined) {
      if (req.ack.discard.some(id => id.length !== 16)) throw new MailboxRefusal('bad-request', 'discarded ids must be 16 bytes')
      const discarded = await store.discard(owner, req.ack.discard.map(hex))
      const { removed, refused } = await store.ack(owner, req.ack.acked.map(t => ({ id: hex(t.id), signature: t.signature })), now)
      metrics?.discarded(discarded)
      if (refused > 0) throw new MailboxRefusal('bad-signature', `${refused} acknowledgements are not signed by ${owner}`)
      metrics?.ack(removed)
      this.init.onAcked?.(owner)
      return { status: MailboxStatus.MAILBOX_OK }
    }
    if (req.putBundle !== undefined) {
      const bundle = req.putBundle.bundle
      if (bundle === undefined) throw new MailboxRefusal('bad-request', 'put without a bundle')
      await this.verifyOwnBundle(bundle, from)
      await store.putBundle(owner, bundle)
      metrics?.bundleStored()
      return { status: MailboxStatus.MAILBOX_OK }
    }
    if (req.status !== undefined) {
      const u = store.usageOf(owner)
      const bundle = await store.getBundle(owner)
      return {
        status: MailboxStatus.MAILBOX_OK,
        info: { envelopes: u.count, bytes: u.bytes, oneTimePreKeys: bundle?.preKeys.length ?? 0, oneTimeKyberPreKeys: bundle?.kyberPreKeys.length ?? 0, hasBundle: bundle !== undefined }
      }
    }
    throw new MailboxRefusal('bad-request', 'empty request')
  }

  private async answerOffer (offer: NonNullable<MailboxRequest['offer']>, now: number): Promise<Partial<MailboxResponse>> {
    const { store } = this.init
    const r = recipientOf(offer.recipient)
    // tombstones only count with the owner's signature (checked in the store): no holder can delete mail
    await store.applyTombstones(r, offer.tombstones.map(t => ({ id: hex(t.id), expiresAt: t.expiresAt, signature: t.signature })), now)
    if (offer.bundle !== undefined) {
      // a handed-over bundle never carries one-time prekeys: those stay with the replica they were given to
      await verifyBundle(offer.bundle).then(async v => {
        if (v.peerId.toString() === r) await store.mergeBundle(r, { ...offer.bundle as NonNullable<typeof offer.bundle>, preKeys: [], kyberPreKeys: [] })
      }, () => {})
    }
    const held = new Set(await store.ids(r))
    const tombs = new Map((await store.tombstones(r)).map(t => [t.id, t]))
    const wanted = offer.ids.filter(id => !held.has(hex(id)) && !tombs.has(hex(id)))
    // tell the offerer which of its copies were acked here, so a holder that was away deletes them
    const acked = offer.ids.flatMap(id => {
      const t = tombs.get(hex(id))
      return t === undefined ? [] : [{ id, expiresAt: t.expiresAt, signature: new Uint8Array(t.signature) }]
    })
    return { status: MailboxStatus.MAILBOX_OK, wanted, tombstones: acked }
  }

  private async verifyOwnBundle (bundle: NonNullable<MailboxRequest['putBundle']>['bundle'] & object, from: PeerId): Promise<void> {
    try {
      await verifyBundle(bundle, from)
    } catch (err) {
      throw new MailboxRefusal('bad-signature', `bundle refused: ${describeError(err)}`)
    }
  }

  /**
   * Whether a peer said, in identify, that it serves the DHT. (The peer store's protocol list is no
   * guide: libp2p adds a protocol there as soon as the peer merely opens a stream with it.)
   */
  private isDhtServer (peer: PeerId): boolean {
    return this.dhtServers.has(peer.toString())
  }

  private readonly onIdentify = (evt: CustomEvent<IdentifyResult>): void => {
    const peer = evt.detail.peerId.toString()
    if (evt.detail.protocols.includes(KAD_PROTOCOL)) this.dhtServers.add(peer)
    else this.dhtServers.delete(peer)
  }

  private readonly onDisconnect = (evt: CustomEvent<PeerId>): void => {
    this.dhtServers.delete(evt.detail.toString())
  }

  /** New mail: push it to the recipient if it is connected here, and let handover spread it. */
  private afterStored (env: Envelope, spread = true): void {
    const recipient = peerIdFromBytes(env.recipient)
    if (spread) this.init.onStored?.(recipient.toString(), env)
    if (this.init.node.getConnections(recipient).length === 0) return
    void this.push(recipient, env)
  }

  private async push (recipient: PeerId, env: Envelope): Promise<void> {
    const { config, log, metrics } = this.init
    try {
      const res = await request(this.init.node, recipient, DIRECT_PROTOCOL, { version: DIRECT_VERSION, deliver: env }, { req: DirectRequest, res: DirectResponse }, {
        maxBytes: config.limits.directFrameBytes, timeoutMs: config.delivery.directTimeoutMs, runOnLimitedConnection: true
      })
      if (res.status === DirectStatus.DIRECT_OK || res.status === DirectStatus.DIRECT_DUPLICATE) {
        // the receipt is not the owner's signature, so the copy stays until the owner acks it (its
        // next collection does, as a duplicate): no unauthenticated path deletes mail
        metrics?.pushed()
      }
    } catch (err) {
      log.debug({ peer: recipient.toString(), err: describeError(err) }, 'live push failed; mail stays for fetch')
    }
  }
}
