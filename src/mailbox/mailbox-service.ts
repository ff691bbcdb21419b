/**
 * Serves /cairn/mailbox/1.0.0. Anyone may deposit (rate limited per remote peer in requests and
 * bytes, quota per recipient, a node-wide byte cap) for a recipient this node is plausibly a
 * replica of, or take a bundle (limited per peer; one-time prekeys limited per recipient); only a
 * recipient's replica peers get the handover budget, reconciliation and the whole answer to an
 * offer (anyone else's offer is taken on a deposit's terms); fetch, ack,
 * put-bundle and status are answered only on a connection whose Noise-authenticated remote peer
 * is the mailbox's owner. When the recipient is connected, new mail is pushed to it at once.
 */
import type { Connection, PeerId } from '@libp2p/interface'
import { DirectRequest, DirectResponse, DirectStatus, MailboxRequest, MailboxResponse, MailboxStatus, type Envelope, type PreKeyBundle } from '../../proto/cairn.js'
import { verifyBundle } from '../shared/bundle.js'
import type { Envelope as Env } from '../../proto/cairn.js'
import { CairnError, FrameError, describeError } from '../shared/errors.js'
import { peerIdFromBytes } from '../shared/peer-id.js'
import { DIRECT_PROTOCOL, DIRECT_VERSION, MAILBOX_LIST_IDS, MAILBOX_PROTOCOL, MAILBOX_VERSIONS_SUPPORTED, mailboxAnswerBudget } from '../shared/protocols/ids.js'
import { request, serve } from '../shared/protocols/rpc.js'
import { MailboxRefusal, type RefusalReason } from './errors.js'
import type { MailboxComponents } from './components.js'
import { NetworkBudget } from './network-budget.js'
import { RateLimiter } from './rate-limiter.js'
import { answerReconcile } from './reconcile-answer.js'
import { AskedCopies } from './asked-copies.js'
import { answerChunkOffer, answerChunkReconcile } from './chunk-reconcile-answer.js'
import { ChunkRequests } from './chunk-requests.js'
import { DhtServers } from './dht-servers.js'
import type { CairnConfig } from '../shared/config.js'
import { Responsibility } from './responsibility.js'

const STATUS: Record<RefusalReason, MailboxStatus> = {
  'bad-request': MailboxStatus.MAILBOX_BAD_REQUEST,
  'too-large': MailboxStatus.MAILBOX_TOO_LARGE,
  'quota-exceeded': MailboxStatus.MAILBOX_QUOTA_EXCEEDED,
  'rate-limited': MailboxStatus.MAILBOX_RATE_LIMITED,
  'not-owner': MailboxStatus.MAILBOX_NOT_OWNER,
  expired: MailboxStatus.MAILBOX_EXPIRED,
  'bad-signature': MailboxStatus.MAILBOX_BAD_SIGNATURE,
  'not-found': MailboxStatus.MAILBOX_NOT_FOUND,
  'not-responsible': MailboxStatus.MAILBOX_NOT_RESPONSIBLE,
  'node-full': MailboxStatus.MAILBOX_NODE_FULL
}

export interface MailboxServiceComponents extends MailboxComponents {
  /** Called after a deposit is stored, so handover can copy it to the rest of the replica set. */
  onStored?: (recipient: string, envelope: Envelope) => void
  /** Called after the owner acknowledged mail, so handover spreads the tombstones soon. */
  onAcked?: (recipient: string) => void
  /** Called after an attachment chunk new here was stored, so handover spreads it once the upload goes quiet. */
  onChunkStored?: (recipient: string) => void
  // chunks (MailboxComponents): put_chunk / get_chunk are BAD_REQUEST without them
}

/**
 * The service's slice of the configuration (defaults applied in config.ts): the mailbox section
 * (rate limits and budgets, frame and page sizes, placement, the drain on stop), a request's
 * limits, and for the prekey bundles and the push to an online owner, two delivery settings.
 */
export interface MailboxServiceInit {
  mailbox: CairnConfig['mailbox']
  limits: Pick<CairnConfig['limits'], 'requestTimeoutMs' | 'maxInboundStreams' | 'directFrameBytes'>
  delivery: Pick<CairnConfig['delivery'], 'signedPreKeyGraceMs' | 'directTimeoutMs'>
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
/** Offers are taken from holders up to this many times the storage window away (a holder back after others joined closer). */
const OFFER_WINDOW = 2

/** A holder's promise to send what a reconciliation answer asked of it holds others back this many request deadlines. */
export const ASKED_HOLD_REQUESTS = 4
/** The most such promises remembered (mail and chunks each). */
const ASKED_MAX = 20_000

/** A recipient named in a request; malformed bytes are the requester's fault, not ours. */
function recipientOf (bytes: Uint8Array): PeerId {
  try {
    return peerIdFromBytes(bytes)
  } catch {
    throw new MailboxRefusal('bad-request', 'malformed recipient')
  }
}

export class MailboxService {
  private readonly deposits: RateLimiter
  private readonly handovers: RateLimiter
  private readonly depositBytes: RateLimiter
  private readonly offers: RateLimiter
  private readonly bundleTakes: RateLimiter
  private readonly oneTimePreKeys: RateLimiter
  /** The same budgets per network: depositors' PeerIds are ephemeral (network-budget.ts). */
  private readonly networks: NetworkBudget
  private readonly responsibility: Responsibility
  private readonly inFlight = new Set<Promise<unknown>>()
  private readonly dhtServers: DhtServers
  private accepting = false
  private readonly chunkRequests?: ChunkRequests
  /** Envelopes and chunks this replica just asked holders for: the holders reconciling beside them are not asked too. */
  private readonly asked: { mail: AskedCopies, chunks: AskedCopies }

  constructor (private readonly components: MailboxServiceComponents, private readonly init: MailboxServiceInit) {
    const m = init.mailbox
    this.deposits = new RateLimiter(m.depositsPerMinute, m.depositBurst)
    // a recipient's replica peers copy in bulk; allow them far more, but not without bound
    this.handovers = new RateLimiter(m.depositsPerMinute * 20, m.depositBurst * 20)
    this.depositBytes = new RateLimiter(m.depositBytesPerMinute, m.depositBytesPerMinute)
    this.offers = new RateLimiter(m.offersPerMinute, m.offersPerMinute)
    this.bundleTakes = new RateLimiter(m.bundleTakesPerMinute, m.bundleTakesPerMinute)
    this.oneTimePreKeys = new RateLimiter(m.oneTimePreKeysPerHour / 60, m.oneTimePreKeysPerHour)
    this.networks = new NetworkBudget(m)
    const promises = { holdMs: ASKED_HOLD_REQUESTS * init.limits.requestTimeoutMs, maxEntries: ASKED_MAX }
    this.asked = { mail: new AskedCopies(promises), chunks: new AskedCopies(promises) }
    this.dhtServers = new DhtServers({ node: components.node, clock: components.clock }, { identifyTimeoutMs: init.limits.requestTimeoutMs })
    this.responsibility = new Responsibility({ node: components.node, now: () => components.clock.now() }, init)
    if (components.chunks !== undefined) this.chunkRequests = new ChunkRequests({ chunks: components.chunks, networks: this.networks, mustHold: async r => { await this.mustHold(r) }, ...(components.onChunkStored === undefined ? {} : { onStored: components.onChunkStored }) }, init)
  }

  async start (): Promise<void> {
    const { log } = this.components
    const config = this.init
    this.accepting = true
    this.dhtServers.start()
    await this.components.node.handle(MAILBOX_PROTOCOL, serve<MailboxRequest, MailboxResponse>({
      protocol: MAILBOX_PROTOCOL,
      maxBytes: config.mailbox.frameBytes,
      timeoutMs: config.limits.requestTimeoutMs,
      clock: this.components.clock,
      version: { supported: MAILBOX_VERSIONS_SUPPORTED, of: req => req.version },
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
          this.components.metrics?.rejection(err.reason)
          return { status: STATUS[err.reason], detail: err.message }
        }
        if (err instanceof FrameError) {
          const reason = err.reason === 'too-large' ? 'too-large' : 'bad-request'
          this.components.metrics?.rejection(reason)
          return { status: STATUS[reason], detail: err.message }
        }
        const name = (err as Error | undefined)?.name
        if (name === 'UnexpectedEOFError' || name === 'TimeoutError' || name === 'AbortError') return undefined
        log.warn({ err: describeError(err) }, 'mailbox request failed')
        return { status: MailboxStatus.MAILBOX_INTERNAL, detail: 'internal error' }
      }
    }), { maxInboundStreams: config.limits.maxInboundStreams, runOnLimitedConnection: true })
  }

  /** Stop taking new requests, let those in flight finish (bounded), then unregister. */
  async stop (): Promise<void> {
    this.accepting = false
    const deadline = new Promise(resolve => { this.components.clock.setTimeout(() => { resolve(undefined) }, this.init.mailbox.drainTimeoutMs).unref() })
    await Promise.race([Promise.allSettled([...this.inFlight]), deadline])
    await this.components.node.unhandle(MAILBOX_PROTOCOL).catch(() => {})
    this.dhtServers.stop()
  }

  private async answer (req: MailboxRequest, connection: Connection): Promise<Partial<MailboxResponse>> {
    const { store, clock, metrics } = this.components
    const config = this.init
    const now = clock.now()
    const from = connection.remotePeer
    if (req.deposit !== undefined) {
      const env = req.deposit.envelope
      if (env === undefined) throw new MailboxRefusal('bad-request', 'deposit without an envelope')
      await this.admitDeposit(env, from, now, connection)
      const result = await store.deposit(env, now)
      metrics?.deposit(result, env.sealed.length)
      if (result === 'stored') this.afterStored(env)
      return { status: result === 'stored' ? MailboxStatus.MAILBOX_OK : MailboxStatus.MAILBOX_DUPLICATE }
    }
    const chunkAnswer = await this.chunkRequests?.answer(req, connection, now)
    if (chunkAnswer !== undefined) return chunkAnswer
    if (req.depositBatch !== undefined) return this.answerDepositBatch(req.depositBatch.envelopes, from, now, connection)
    if (req.handover !== undefined) {
      let stored = 0
      for (const env of req.handover.envelopes) {
        try {
          if (await this.takeHandedOver(env, from, now, connection)) { stored++; this.afterStored(env, false) }
        } catch (err) {
          if (!(err instanceof MailboxRefusal) || err.reason === 'rate-limited') throw err // one refused copy does not spoil the batch
          metrics?.rejection(err.reason)
        }
      }
      metrics?.handoverReceived(stored)
      return { status: MailboxStatus.MAILBOX_OK }
    }
    if (req.offer !== undefined) {
      if (!this.offers.take(from.toString(), now)) throw new MailboxRefusal('rate-limited', 'too many offers; slow down')
      return this.answerOffer(req.offer, from, now, connection)
    }
    if (req.reconcile !== undefined) {
      // every round is an offer: the same budget, the same replica-peer check
      if (!this.offers.take(from.toString(), now)) throw new MailboxRefusal('rate-limited', 'too many offers; slow down')
      const recipient = await this.offeredBy(req.reconcile.recipient, from)
      return answerReconcile(store, recipient.toString(), req.reconcile, now, this.mayAsk(this.asked.mail, recipient, from, now))
    }
    if (req.reconcileChunks !== undefined) {
      // chunk handover: the same budget and replica-peer check as any reconciliation round
      if (this.components.chunks === undefined) throw new MailboxRefusal('bad-request', 'this node holds no attachment chunks')
      if (!this.offers.take(from.toString(), now)) throw new MailboxRefusal('rate-limited', 'too many offers; slow down')
      const recipient = await this.offeredBy(req.reconcileChunks.recipient, from)
      return answerChunkReconcile(this.components.chunks, recipient.toString(), req.reconcileChunks, this.mayAsk(this.asked.chunks, recipient, from, now))
    }
    if (req.offerChunks !== undefined) {
      // chunk handover by list, from a holder refused reconciliation: an offer, on a deposit's terms from outside the set
      if (!this.offers.take(from.toString(), now)) throw new MailboxRefusal('rate-limited', 'too many offers; slow down')
      return this.answerChunkOffer(req.offerChunks, from, now, connection)
    }
    if (req.takeBundle !== undefined) {
      if (!this.bundleTakes.take(from.toString(), now) || !this.networks.takeBundle(connection, now)) throw new MailboxRefusal('rate-limited', 'too many bundle requests; slow down')
      const r = recipientOf(req.takeBundle.recipient).toString()
      // one-time prekeys are the scarce part: past the recipient's hourly allowance a sender still
      // gets the signed and last-resort prekeys, which start a session as well
      const bundle = await store.takeBundle(r, { oneTime: this.oneTimePreKeys.take(r, now) })
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
        : await store.fetch(owner, f.after, Math.min(Math.max(1, f.limit), f.idsOnly ? MAILBOX_LIST_IDS : config.mailbox.pageSize), now, { maxBytes, idsOnly: f.idsOnly })
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
      this.components.onAcked?.(owner)
      return { status: MailboxStatus.MAILBOX_OK }
    }
    if (req.putBundle !== undefined) {
      const bundle = req.putBundle.bundle
      if (bundle === undefined) throw new MailboxRefusal('bad-request', 'put without a bundle')
      await this.verifyOwnBundle(bundle, from, now)
      await this.mustHold(from)
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

  /**
   * The checks a deposit passes before it is stored, in this order: a deposit's terms
   * (chargeDeposit, with the envelope's own checks: version, size, expiry, recipient), then this
   * node's responsibility for the recipient. Throws MailboxRefusal. The id's binding to the bytes
   * is left to the store, which checks it as it takes the envelope: once, not here and again there.
   */
  private async admitDeposit (env: Envelope, from: PeerId, now: number, connection: Connection): Promise<void> {
    this.chargeDeposit(from, connection, now, 'deposits', () => { this.components.store.precheck(env, now); return env.sealed.length })
    await this.mustHold(recipientOf(env.recipient))
  }

  /**
   * A deposit's terms, for anyone who leaves mail here without being one of the recipient's replica
   * peers (a sender; a holder outside the replica set handing over or offering), in this order: one
   * request against its PeerId's budget; `admit`, the envelope's own checks if any, returning its
   * size (junk still cost its request, so a flood of it is slowed as any other); those bytes
   * against its PeerId's budget; the request and bytes against its network's, or a flooder with a
   * fresh PeerId per request would get past the first. Throws MailboxRefusal naming `what` was too much.
   */
  private chargeDeposit (from: PeerId, connection: Connection, now: number, what: string, admit: () => number = () => 0): void {
    const peer = from.toString()
    if (!this.deposits.take(peer, now)) throw new MailboxRefusal('rate-limited', `too many ${what}; slow down`)
    const bytes = admit()
    if (bytes > 0 && !this.depositBytes.take(peer, now, bytes)) throw new MailboxRefusal('rate-limited', `too many bytes in ${what}; slow down`)
    if (!this.networks.deposit(connection, now, bytes)) throw new MailboxRefusal('rate-limited', `too many ${what} from your network; slow down`)
  }

  /**
   * Many deposits in one request: each envelope checked as a single deposit is (admitDeposit, then
   * the store's duplicate, quota and node-cap checks), those admitted written in one durable batch,
   * and one status per envelope answered, in order, after that batch is on disk.
   */
  private async answerDepositBatch (envelopes: Envelope[], from: PeerId, now: number, connection: Connection): Promise<Partial<MailboxResponse>> {
    const { store, metrics } = this.components
    if (envelopes.length === 0) throw new MailboxRefusal('bad-request', 'deposit batch without envelopes')
    const deposited: Array<{ status: MailboxStatus, detail: string }> = envelopes.map(() => ({ status: MailboxStatus.MAILBOX_OK, detail: '' }))
    const refuse = (i: number, err: unknown): void => {
      const reason = err instanceof MailboxRefusal ? err.reason : 'bad-request'
      metrics?.rejection(reason)
      deposited[i] = { status: STATUS[reason], detail: describeError(err) }
    }
    const admitted: number[] = []
    for (const [i, env] of envelopes.entries()) {
      try {
        await this.admitDeposit(env, from, now, connection)
        admitted.push(i)
      } catch (err) {
        if (!(err instanceof MailboxRefusal)) throw err
        refuse(i, err)
      }
    }
    const outcomes = admitted.length === 0 ? [] : await store.depositMany(admitted.map(i => envelopes[i] as Envelope), now)
    admitted.forEach((i, j) => {
      const outcome = outcomes[j]
      const env = envelopes[i] as Envelope
      if (outcome === undefined || outcome instanceof Error) { refuse(i, outcome); return }
      metrics?.deposit(outcome, env.sealed.length)
      if (outcome === 'stored') this.afterStored(env)
      else deposited[i] = { status: MailboxStatus.MAILBOX_DUPLICATE, detail: '' }
    })
    return { status: MailboxStatus.MAILBOX_OK, deposited }
  }

  /** Refuse a recipient this node is not plausibly a replica of (its disk is not for everyone's mail). */
  private async mustHold (recipient: PeerId): Promise<void> {
    if (!await this.responsibility.holds(recipient)) throw new MailboxRefusal('not-responsible', `this node is not among the replicas of ${recipient.toString()}`)
  }

  /**
   * Whether `peer` is one of `recipient`'s replicas as far as this node can tell (a DHT server,
   * near the key). `widen` > 1 for holders offering what they hold (see Responsibility).
   */
  private async isReplicaPeer (recipient: PeerId, peer: PeerId, widen = 1): Promise<boolean> {
    return this.isDhtServer(peer) && await this.responsibility.isReplica(recipient, peer, widen)
  }

  /**
   * One handed-over envelope: the bulk budget only for the recipient's replica peers, a deposit's
   * terms for anyone else (chargeDeposit: or a flooder would hand over what it may not deposit).
   */
  private async takeHandedOver (env: Env, from: PeerId, now: number, connection: Connection): Promise<boolean> {
    const { store } = this.components
    store.precheck(env, now) // the id is checked by store.deposit
    const recipient = recipientOf(env.recipient)
    const replicaPeer = await this.isReplicaPeer(recipient, from, OFFER_WINDOW)
    if (!replicaPeer) this.chargeDeposit(from, connection, now, 'envelopes handed over', () => env.sealed.length)
    else if (!this.handovers.take(from.toString(), now)) throw new MailboxRefusal('rate-limited', 'handover too fast')
    await this.mustHold(recipient)
    return await store.deposit(env, now) === 'stored'
  }

  /**
   * "For this recipient I hold these ids and tombstones: which do you lack?" A recipient's replica
   * peers get the whole answer: their tombstones applied, and the signed tombstones of offered ids
   * acknowledged here. Anyone else (a holder that ranks further out now, because the network grew
   * closer to the key while it held on) is taken on a deposit's terms: charged to the deposit
   * budgets, its bundle merged if the owner signed it, and told only which ids this node lacks,
   * which depositing them would tell it too. Its tombstones are not checked (no signature work for
   * strangers) and none are returned (nobody else learns what the owner acknowledged).
   */
  private async answerOffer (offer: NonNullable<MailboxRequest['offer']>, from: PeerId, now: number, connection: Connection): Promise<Partial<MailboxResponse>> {
    const { store } = this.components
    const { recipient, replicaPeer } = await this.offerFrom(offer.recipient, from, connection, now, 'offers from outside the replica set')
    const r = recipient.toString()
    // tombstones only count with the owner's signature (checked in the store): no holder can delete mail
    if (replicaPeer) await store.applyTombstones(r, offer.tombstones.map(t => ({ id: hex(t.id), expiresAt: t.expiresAt, signature: t.signature })), now)
    if (offer.bundle !== undefined) await this.mergeHandedBundle(recipient, offer.bundle, now)
    const held = new Set(await store.ids(r))
    const tombs = new Map((await store.tombstones(r)).map(t => [t.id, t]))
    const wanted = offer.ids.filter(id => !held.has(hex(id)) && !tombs.has(hex(id)))
    // tell a replica peer which of its copies were acked here, so a holder that was away deletes them
    const acked = !replicaPeer
      ? []
      : offer.ids.flatMap(id => {
        const t = tombs.get(hex(id))
        return t === undefined ? [] : [{ id, expiresAt: t.expiresAt, signature: new Uint8Array(t.signature) }]
      })
    return { status: MailboxStatus.MAILBOX_OK, wanted, tombstones: acked }
  }

  /**
   * "For this recipient I hold these chunk ids: which do you lack?" From a replica peer, what a
   * reconciliation round's listed range would get; from anyone else too, on a deposit's terms, as
   * a mail offer from outside the set is (answerOffer): the answer tells it no more than a put_chunk
   * of each chunk would, and the chunks then come as put_chunk, each on its own budget.
   */
  private async answerChunkOffer (offer: NonNullable<MailboxRequest['offerChunks']>, from: PeerId, now: number, connection: Connection): Promise<Partial<MailboxResponse>> {
    const { chunks } = this.components
    if (chunks === undefined) throw new MailboxRefusal('bad-request', 'this node holds no attachment chunks')
    const { recipient } = await this.offerFrom(offer.recipient, from, connection, now, 'chunk offers from outside the replica set')
    return answerChunkOffer(chunks, recipient.toString(), offer.ids, this.mayAsk(this.asked.chunks, recipient, from, now))
  }

  /**
   * A bundle handed over by a holder: it never carries one-time prekeys (those stay with the
   * replica they were given to), and is merged only as the owner's signed word, not dated ahead,
   * and not so old that its signed prekey may be gone. Anything else is dropped without a word.
   */
  private async mergeHandedBundle (recipient: PeerId, offered: PreKeyBundle, now: number): Promise<void> {
    if (offered.publishedAt < now - this.init.delivery.signedPreKeyGraceMs) return
    const bundle = { ...offered, preKeys: [], kyberPreKeys: [] }
    await verifyBundle(bundle, recipient, { now }).then(async () => {
      await this.components.store.mergeBundle(recipient.toString(), bundle)
    }, () => {})
  }

  /** Whether `from` is to be asked for a copy of `recipient`'s id now (asked-copies.ts). */
  private mayAsk (asked: AskedCopies, recipient: PeerId, from: PeerId, now: number): (id: Uint8Array) => boolean {
    const r = recipient.toString()
    const holder = from.toString()
    return id => asked.ask(`${r}/${hex(id)}`, holder, now)
  }

  /**
   * The recipient an offer (of mail or of chunks) is about, and whether `from` is one of its replica
   * peers; anyone else is charged a deposit's terms (`what`: what it sends too many of). Throws
   * MailboxRefusal unless this node holds the recipient.
   */
  private async offerFrom (bytes: Uint8Array, from: PeerId, connection: Connection, now: number, what: string): Promise<{ recipient: PeerId, replicaPeer: boolean }> {
    const recipient = recipientOf(bytes)
    const replicaPeer = await this.isReplicaPeer(recipient, from, OFFER_WINDOW)
    if (!replicaPeer) this.chargeDeposit(from, connection, now, what)
    await this.mustHold(recipient)
    return { recipient, replicaPeer }
  }

  /** The recipient a reconciliation round is about, if `from` may make one and this node holds it. */
  private async offeredBy (bytes: Uint8Array, from: PeerId): Promise<PeerId> {
    const recipient = recipientOf(bytes)
    if (!await this.isReplicaPeer(recipient, from, OFFER_WINDOW)) throw new MailboxRefusal('not-responsible', `reconciliation for ${recipient.toString()} is only with its replica peers`)
    await this.mustHold(recipient)
    return recipient
  }

  private async verifyOwnBundle (bundle: NonNullable<MailboxRequest['putBundle']>['bundle'] & object, from: PeerId, now: number): Promise<void> {
    try {
      await verifyBundle(bundle, from, { now })
    } catch (err) {
      throw new MailboxRefusal(CairnError.is(err, 'BAD_SIGNATURE') ? 'bad-signature' : 'bad-request', `bundle refused: ${describeError(err)}`)
    }
  }

  /** Whether a peer said, in identify, that it serves the DHT (dht-servers.ts). */
  private isDhtServer (peer: PeerId): boolean {
    return this.dhtServers.has(peer)
  }

  /** New mail: push it to the recipient if it is connected here, and let handover spread it. */
  private afterStored (env: Envelope, spread = true): void {
    const recipient = peerIdFromBytes(env.recipient)
    if (spread) this.components.onStored?.(recipient.toString(), env)
    if (this.components.node.getConnections(recipient).length === 0) return
    void this.push(recipient, env)
  }

  private async push (recipient: PeerId, env: Envelope): Promise<void> {
    const { log, metrics, clock } = this.components
    const config = this.init
    try {
      const res = await request(this.components.node, recipient, DIRECT_PROTOCOL, { version: DIRECT_VERSION, deliver: env }, { req: DirectRequest, res: DirectResponse }, {
        maxBytes: config.limits.directFrameBytes, timeoutMs: config.delivery.directTimeoutMs, clock, runOnLimitedConnection: true
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
