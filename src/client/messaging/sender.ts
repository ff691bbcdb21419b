/**
 * The sending half of the messenger: seals bodies into envelopes and delivers them by the first
 * route that takes them (direct, then mailbox), keeping what no route took in the durable outbox.
 * Bundles for a first message are fetched before the crypto lock is taken, never under it.
 */
import { randomBytes } from 'node:crypto'
import type { PeerId } from '@libp2p/interface'
import { Attachment, Content, Envelope, type PreKeyBundle } from '../../../proto/cairn.js'
import { Backoff } from '../../shared/backoff.js'
import { BoundedMap } from '../../shared/bounded-map.js'
import { verifyBundle } from '../../shared/bundle.js'
import { settleWithin } from '../../shared/clock.js'
import { CairnError, MessageTooLargeError, UntrustedIdentityError, describeError } from '../../shared/errors.js'
import { envelopeId } from '../../shared/envelope-id.js'
import { parsePeerId, peerIdBytes } from '../../shared/peer-id.js'
import { CONTENT_FEATURES, CONTENT_VERSION, ENVELOPE_VERSION } from '../../shared/protocols/ids.js'
import type { Contacts } from '../contacts.js'
import { carrySessions } from '../crypto/signal-stores.js'
import { decodeNumber, encodeNumber, keys, type Kv } from '../crypto/kv.js'
import type { DeliveryRoute, SendResult } from '../delivery.js'
import { asCopy, deliveredOps, envelopeToSend, keptResult, listOutbox, needsNewSeal, putOutbox, type OutboxEntry } from '../outbox.js'
import { sendPipelined, type PipelineDeps } from '../outbox-pipeline.js'
import { ID_BYTES, bodyOf, decodeBody, encodeBody, hex, type ContentBody } from './content-body.js'
import type { CairnConfig } from '../../shared/config.js'
import type { MessagingComponents } from './context.js'

/** Messages sealed on the current session with a peer: a fresh session starts past delivery.maxMessagesPerSession. */
const sealedKey = (peer: string): string => keys.meta(`session-sealed/${peer}`)
const sealedOnSession = async (kv: Kv, peer: string): Promise<number> => decodeNumber(await kv.get(sealedKey(peer)), 0)

export interface SenderComponents extends MessagingComponents {
  /** Names resolved to PeerIds, and each contact's accepted identity key. */
  contacts: Contacts
}

/** The sender's slice of the configuration (defaults applied in config.ts). */
export interface SenderInit {
  /** textBytes (@default 61,440) and envelopeBytes (@default 65,536): a message over either is refused before anything is queued. */
  limits: Pick<CairnConfig['limits'], 'textBytes' | 'envelopeBytes'>
  /**
   * ttlMs (@default 14 days): an envelope's expiry; maxMessagesPerSession (@default 1,000): a fresh
   * session past it; retryIntervalMs (@default 30 s) and syncIntervalMs (@default 5 min): how long
   * a queued message waits before its flush asks again for a bundle no route had (fetchBundle).
   */
  delivery: Pick<CairnConfig['delivery'], 'ttlMs' | 'maxMessagesPerSession' | 'retryIntervalMs' | 'syncIntervalMs'>
  /** sealedParts (@default true): every Content we send says we open sealed group parts. */
  groups: Pick<CairnConfig['groups'], 'sealedParts'>
}

/** A sealed group part for one member, and the 1:1 copy (an encoded body) sent if the part cannot be. */
export interface SealedPart { sealed: Uint8Array<ArrayBuffer>, fallback: string }

export interface SendEachOptions {
  signal?: AbortSignal
  /** Runs once the entries are on disk, before any is delivered. */
  onQueued?: () => void
  /** The delivery-log record these copies carry (a group message's id). */
  tracks?: string
  /** The message id a peer's copy carries in its Content (OutboxEntry.messageId); else each entry's own id. */
  messageIdFor?: (peer: string) => string
  /**
   * Which of the peers get a copy, decided first in the sealing transaction (what it writes
   * commits with the copies; bundles are fetched beforehand for all of `peers`).
   */
  select?: (tx: Kv) => Promise<string[]>
  /**
   * Parts sealed already (sealed group parts), per peer, made in the same transaction
   * after the selected peers' bodies: each becomes an outbox entry with its envelope and its 1:1
   * copy, delivered like the rest, except that a part never waits: one no route took, or that its
   * recipient refused, goes as its 1:1 copy instead (deliverEntry). Their results follow the
   * selected peers' in the same order.
   */
  sealed?: (tx: Kv) => Promise<Map<string, SealedPart>>
}

/** What `send` takes besides the text. */
export interface SendOptions {
  signal?: AbortSignal
  /** A file sent with the text (its caption). */
  attachment?: Attachment
  /**
   * Not in the delivery log (the sent list; no delivery state is kept): a message its recipient
   * never shows, such as a file's second message (attachments/index.ts sendFullDescriptor).
   */
  unlisted?: true
}

/** The most recipients whose bundle waits are remembered (the oldest is forgotten first). */
const BUNDLE_WAITS = 1024

/** How a bundle is asked for: `queued`, for a message waiting in the outbox (a flush), which respects the recipient's wait. */
interface BundleAsk { signal?: AbortSignal, queued?: true }

export class Sender {
  private routes: DeliveryRoute[] = []
  private lastSentAt = 0
  /**
   * Outbox entries being delivered outside a flush (deliverOnce), until what a route took has left
   * the outbox: a flush waits for them and does not send them twice.
   */
  private readonly inFlight = new Map<string, Promise<unknown>>()
  /** What a route took, leaving the outbox in the write that records its new state (deliverEntry), until written. */
  private readonly leaving = new Map<string, Promise<void>>()
  /** While above 0 (a sync collecting mail), deliverSoon leaves entries for the flush that follows. */
  private held = 0
  /** The flush under way (flushOutbox): the next one starts after it. */
  private flushing: Promise<void> = Promise.resolve()
  /** Aborts background deliveries when the client stops. */
  private background = new AbortController()
  /** Recipients no route had a bundle for, and when a flush may ask again (fetchBundle). */
  private readonly bundleWaits = new BoundedMap<string, Backoff>(BUNDLE_WAITS)

  constructor (private readonly ctx: SenderComponents, private readonly init: SenderInit) {}

  private get now (): number { return this.ctx.clock.now() }

  /** The routes to try, in order; none (no network): everything waits in the outbox. */
  useRoutes (routes: DeliveryRoute[]): void {
    this.routes = routes
  }

  /** Seal `text` for `to` (a contact name or PeerId) and deliver it by the first route that works. */
  async send (to: string, text: string, options: SendOptions = {}): Promise<SendResult> {
    const peerId = await this.sendable(to, [text])
    const entry: OutboxEntry = { id: hex(randomBytes(ID_BYTES)), to: peerId, createdAt: this.now, attempts: 0 }
    if (options.unlisted !== true) entry.tracks = entry.id
    const bundle = await this.bundleIfNeeded(entry.to, 1, options)
    await this.ctx.lock.run(async () => {
      const tx = this.ctx.store.transaction()
      if (options.unlisted !== true) this.ctx.deliveries.record(tx, { id: entry.id, to: peerId, text: text !== '' ? text : options.attachment?.name ?? '', sentAt: this.now }, [peerId])
      if (options.attachment !== undefined) entry.attachment = Buffer.from(Attachment.encode(options.attachment)).toString('base64')
      if (!await this.trySeal(tx, entry, bodyOf(text, entry.attachment), bundle)) {
        entry.text = text
        this.noteUnsealed(entry)
      }
      putOutbox(tx, entry)
      await tx.commit()
    })
    return this.deliverOnce(entry, options)
  }

  /**
   * Seal a body for each of `peers` in one transaction under the crypto lock, then deliver each.
   * `bodyFor` runs in that transaction too, so what it advances (a group's sender key, what each
   * member was sent) commits with the outbox entries that carry it. A peer that cannot be sealed
   * for yet (no bundle, an identity change not accepted) keeps its body in the outbox. `tracks`:
   * the delivery-log record these copies carry (a group message's id).
   */
  async sendEach (peers: string[], bodyFor: (tx: Kv, peer: string) => Promise<ContentBody>, options: SendEachOptions = {}): Promise<SendResult[]> {
    const entries = await this.queueEach(peers, bodyFor, options)
    options.onQueued?.() // on disk: what it triggers (a gossip publish) can no longer be undone by a crash
    return Promise.all(entries.map(async e => this.deliverOnce(e, options)))
  }

  /**
   * Seal (where a session exists or can start) and write to the outbox, one body per peer; deliver
   * nothing. With `select`, only the peers it returns (of `peers`, decided in the transaction).
   */
  async queueEach (peers: string[], bodyFor: (tx: Kv, peer: string) => Promise<ContentBody>, options: SendEachOptions & { receipt?: boolean } = {}): Promise<OutboxEntry[]> {
    const bundles = new Map<string, PreKeyBundle | undefined>()
    // one read-only Kv for every peer's session check: the transaction below starts with the records it parsed
    const checked = this.ctx.store.transaction()
    // a receipt never waits on the network for a bundle: without a session it waits in the outbox
    if (options.receipt !== true) await Promise.all([...new Set(peers)].map(async p => { bundles.set(p, await this.bundleIfNeeded(p, peers.filter(x => x === p).length, options, checked).catch(() => undefined)) }))
    return this.ctx.lock.run(async () => {
      const tx = this.ctx.store.transaction()
      carrySessions(checked, tx)
      const out: OutboxEntry[] = []
      for (const to of options.select === undefined ? peers : await options.select(tx)) {
        const entry: OutboxEntry = { id: hex(randomBytes(ID_BYTES)), to, createdAt: this.now, attempts: 0, ...(options.tracks === undefined ? {} : { tracks: options.tracks }), ...(options.messageIdFor === undefined ? {} : { messageId: options.messageIdFor(to) }), ...(options.receipt === true ? { receipt: true as const } : {}) }
        const body = await bodyFor(tx, to)
        const mark = tx.checkpoint()
        let refused: unknown
        const sealed = await this.trySeal(tx, entry, body, bundles.get(to)).catch((err: unknown) => {
          if (!CairnError.is(err, 'UNTRUSTED_IDENTITY')) throw err
          tx.rollback(mark)
          this.ctx.log.warn({ to }, 'identity key changed and not accepted: kept in the outbox')
          refused = err
          return false
        })
        if (!sealed) {
          entry.body = encodeBody(body)
          this.noteUnsealed(entry, refused)
        }
        putOutbox(tx, entry)
        out.push(entry)
      }
      for (const [to, { sealed, fallback }] of await options.sealed?.(tx) ?? []) {
        const entry: OutboxEntry = { id: hex(randomBytes(ID_BYTES)), to, createdAt: this.now, attempts: 0, fallback, ...(options.tracks === undefined ? {} : { tracks: options.tracks }) }
        this.lastSentAt = Math.max(this.now, this.lastSentAt + 1)
        entry.envelope = Buffer.from(Envelope.encode(this.envelopeOf(entry, sealed, this.lastSentAt))).toString('base64')
        putOutbox(tx, entry)
        out.push(entry)
      }
      await tx.commit()
      return out
    })
  }

  /**
   * Deliver queued entries in the background when there are routes (receipts: nobody waits for
   * them); with none they wait in the outbox for the next flush. A flush waits for these first.
   */
  deliverSoon (entries: OutboxEntry[]): void {
    if (this.routes.length === 0 || this.held > 0) return
    for (const e of entries) {
      if (this.inFlight.has(e.id)) continue
      this.deliverOnce(e, { signal: this.background.signal }).catch((err: unknown) => { this.ctx.log.info({ id: e.id, err: describeError(err) }, 'background delivery failed') })
    }
  }

  /**
   * Deliver `entry`, known meanwhile as in flight: a flush that starts before it is done waits for
   * it rather than sending the same entry a second time (a send, a group send and a daemon retry
   * can overlap).
   */
  private async deliverOnce (entry: OutboxEntry, options: { signal?: AbortSignal }): Promise<SendResult> {
    const delivering = this.deliverEntry(entry, options)
    const tracked: Promise<unknown> = delivering.then(async () => this.leaving.get(entry.id)).catch(() => {}).finally(() => { if (this.inFlight.get(entry.id) === tracked) this.inFlight.delete(entry.id) })
    this.inFlight.set(entry.id, tracked)
    return delivering
  }

  /**
   * Run `fn` (a sync's collect) with background deliveries held: what it queues (delivery
   * receipts, one per sender and page) waits for the outbox flush after it, which sends it in
   * batches, rather than competing with the collect for the network one envelope at a time.
   */
  async holdingBackground<T> (fn: () => Promise<T>): Promise<T> {
    this.held++
    try { return await fn() } finally { this.held-- }
  }

  /** Wait for the background deliveries of `entries`, at most `ms` (the client is stopping: what is still going stays in the outbox). */
  async settleBackground (entries: OutboxEntry[], ms: number): Promise<void> {
    const going = entries.flatMap(e => this.inFlight.get(e.id) ?? [])
    if (going.length === 0) return
    await settleWithin(this.ctx.clock, Promise.all(going), ms)
  }

  /** Abort background deliveries (the client is stopping); what they carried stays in the outbox. */
  stopBackground (): void {
    this.background.abort()
    this.background = new AbortController()
  }

  /**
   * Seal many texts for one contact and deliver them, pipelined (outbox-pipeline.ts): sealed and
   * written to the outbox in groups, each group deposited in batches while the next is sealed.
   * One result per text, in order.
   */
  async sendMany (to: string, texts: string[], options: { signal?: AbortSignal } = {}): Promise<SendResult[]> {
    const peerId = await this.sendable(to, texts)
    const createdAt = this.now
    const entries: OutboxEntry[] = texts.map(text => {
      const id = hex(randomBytes(ID_BYTES))
      return { id, to: peerId, createdAt, attempts: 0, text, tracks: id }
    })
    const results = await sendPipelined(this.pipeline(async (peer, count) => this.bundleIfNeeded(peer, count, options), true), entries, options)
    await this.ctx.deliveries.routed(entries.map((entry, i) => ({ entry, result: results[i] as SendResult })))
    return results
  }

  /**
   * Try every outbox entry again, in groups (outbox-pipeline.ts); returns how many messages left
   * the outbox (receipts go too, uncounted). Entries being delivered in the background
   * (deliverSoon) are waited for, not sent twice. One flush at a time: a second waits for the
   * first, then lists the outbox again. `only`: just these entries (by id).
   */
  async flushOutbox (options: { signal?: AbortSignal, only?: ReadonlySet<string> } = {}): Promise<number> {
    // one flush at a time: two would race for the same entries (the start-up flush, a sync's, the daemon's retry)
    const mine = this.flushing.then(async () => this.flushNow(options))
    this.flushing = mine.then(() => {}, () => {})
    return mine
  }

  private async flushNow (options: { signal?: AbortSignal, only?: ReadonlySet<string> }): Promise<number> {
    // a peer with no bundle to be had is asked once a flush, not once a group, and not again
    // until its wait is over (queued: fetchBundle)
    const none = new Set<string>()
    const bundleFor = async (to: string, count: number): Promise<PreKeyBundle | undefined> => {
      if (none.has(to)) return undefined
      const b = await this.bundleIfNeeded(to, count, { ...options, queued: true }).catch(() => undefined)
      if (b === undefined) none.add(to)
      return b
    }
    await Promise.all([...this.inFlight.values()])
    const entries = (await this.pending()).filter(e => !this.inFlight.has(e.id) && (options.only === undefined || options.only.has(e.id)))
    // a part still here did not go at once (its send was cut short): its 1:1 copy, sealed below, goes instead
    for (const e of entries) asCopy(e)
    const results = await sendPipelined(this.pipeline(bundleFor, false), entries, options)
    await this.ctx.deliveries.routed(entries.map((entry, i) => ({ entry, result: results[i] as SendResult })))
    return results.filter((r, i) => r.route !== 'outbox' && entries[i]?.receipt !== true).length
  }

  /** What the outbox holds, once what routes took before this call has left it. */
  async pending (): Promise<OutboxEntry[]> {
    await this.ctx.deliveries.settled()
    return listOutbox(this.ctx.store)
  }

  /** The PeerId behind `to`, once the texts fit and its identity key is not a changed one awaiting acceptance. */
  private async sendable (to: string, texts: string[]): Promise<string> {
    const { peerId, contact } = await this.ctx.contacts.resolve(to)
    const limit = this.init.limits.textBytes
    for (const text of texts) {
      const size = Buffer.byteLength(text, 'utf8')
      if (size > limit) throw new MessageTooLargeError(size, limit)
    }
    const { accepted, seen } = await this.ctx.contacts.identityKeys(peerId)
    if (accepted !== undefined && seen !== undefined && !accepted.equals(seen)) throw new UntrustedIdentityError(contact?.name ?? peerId)
    return peerId
  }

  /**
   * What the pipeline needs from the sender: routes, and a seal step that seals a group's text
   * entries in one transaction under the crypto lock (bundles fetched before, outside it). New
   * entries (`fresh`) are all written and a seal failure is thrown, as `send` does; queued ones
   * are rewritten only when sealed now, and one that cannot be sealed yet waits.
   */
  private pipeline (bundleFor: (to: string, count: number) => Promise<PreKeyBundle | undefined>, fresh: boolean): PipelineDeps {
    return {
      routes: this.routes,
      store: this.ctx.store,
      log: this.ctx.log,
      now: () => this.now,
      ttlMs: this.init.delivery.ttlMs,
      seal: async (group) => {
        const unsealed = group.filter(e => e.envelope === undefined && (e.text !== undefined || e.body !== undefined))
        const bundles = new Map(await Promise.all([...new Set(unsealed.map(e => e.to))].map(async to => [to, await bundleFor(to, unsealed.filter(e => e.to === to).length)] as const)))
        await this.ctx.lock.run(async () => {
          const tx = this.ctx.store.transaction()
          for (const entry of group) {
            if (needsNewSeal(entry, this.now, this.init.delivery.ttlMs)) {
              // one entry that cannot be sealed again (a damaged record) goes as it is, and holds up no other
              await this.sealAgain(tx, entry).catch((err: unknown) => { this.ctx.log.warn({ id: entry.id, err: describeError(err) }, 'cannot seal again under a newer certificate') })
            }
            if (entry.envelope !== undefined || (entry.text === undefined && entry.body === undefined)) continue
            const body = entry.text !== undefined ? bodyOf(entry.text, entry.attachment) : decodeBody(entry.body as string)
            if (fresh && entry.tracks !== undefined && entry.text !== undefined) this.ctx.deliveries.record(tx, { id: entry.tracks, to: entry.to, text: entry.text, sentAt: entry.createdAt }, [entry.to])
            const mark = tx.checkpoint()
            let failure: unknown
            const sealed = await this.trySeal(tx, entry, body, bundles.get(entry.to)).catch((err: unknown) => {
              if (fresh) throw err
              this.ctx.log.warn({ id: entry.id, err: describeError(err) }, 'cannot seal queued message yet')
              tx.rollback(mark)
              failure = err
              return false
            })
            // a queued entry is written again only when sealed, or when why it waits changed
            const newReason = !sealed && this.noteUnsealed(entry, failure)
            if (sealed || fresh || newReason) putOutbox(tx, entry)
          }
          await tx.commit()
        })
      }
    }
  }

  /**
   * A bundle when one is needed for the next `count` messages to `peerId`: no session yet, or one
   * that would carry more than `delivery.maxMessagesPerSession` (a fresh session then starts).
   * Fetched before taking the crypto lock: holding it across the network would deadlock two users
   * who write to each other for the first time at the same moment (each serves the other's request).
   * `kv`: a read-only Kv the session is looked up in (queueEach shares one across its peers).
   */
  private async bundleIfNeeded (peerId: string, count: number, options: BundleAsk, kv: Kv = this.ctx.store.transaction()): Promise<PreKeyBundle | undefined> {
    if (await this.ctx.session.hasSession(kv, peerId, this.now) && await sealedOnSession(kv, peerId) + count <= this.init.delivery.maxMessagesPerSession) return undefined
    return this.fetchBundle(parsePeerId(peerId), options)
  }

  /**
   * Why `entry` could not be sealed, kept on it (outbox.ts, WaitReason): the recipient's identity
   * key changed and is not accepted (`err`), or the mailboxes were asked for a bundle and had none
   * (a lookup that was never made, with no network up yet, says nothing). Whether that changed.
   */
  private noteUnsealed (entry: OutboxEntry, err?: unknown): boolean {
    const before = entry.waiting
    const why = CairnError.is(err, 'UNTRUSTED_IDENTITY') ? 'identity' : err === undefined && this.bundleWaits.has(entry.to) ? 'keys' : undefined
    if (why === undefined) delete entry.waiting
    else entry.waiting = why
    return entry.waiting !== before
  }

  /**
   * Seal `body` for `entry.to` into `entry` (its envelope, and what sealing it again takes; the
   * unsealed text or body goes). False, entry untouched: no session, and no bundle to start one.
   */
  private async trySeal (tx: Kv, entry: OutboxEntry, body: ContentBody, bundle: PreKeyBundle | undefined): Promise<boolean> {
    const peer = parsePeerId(entry.to)
    let onSession = await sealedOnSession(tx, entry.to)
    if (!await this.ctx.session.hasSession(tx, entry.to, this.now)) {
      if (bundle === undefined) return false
      await this.ctx.session.startSession(tx, entry.to, bundle, this.now)
      onSession = 0
    } else if (onSession >= this.init.delivery.maxMessagesPerSession && bundle !== undefined) {
      // a fresh session (the old one is archived, and still opens what was sealed on it): no chain
      // grows past what the recipient can open in any order (delivery.maxMessagesPerSession). From
      // the signed and last-resort keys only: a one-time prekey replayed by a replica would make
      // the recipient refuse everything sealed on the new session, and none is needed here
      await this.ctx.session.startSession(tx, entry.to, { ...bundle, preKeys: [], kyberPreKeys: [] }, this.now)
      onSession = 0
      this.ctx.log.info({ to: entry.to }, 'fresh session after many messages')
    }
    tx.put(sealedKey(entry.to), encodeNumber(onSession + 1))
    const seqKey = keys.meta(`conversation-seq/${entry.to}`)
    const seq = decodeNumber(await tx.get(seqKey), 0) + 1
    tx.put(seqKey, encodeNumber(seq))
    this.lastSentAt = Math.max(this.now, this.lastSentAt + 1)
    const id = Buffer.from(entry.messageId ?? entry.id, 'hex')
    const features = (this.init.groups.sealedParts ? CONTENT_FEATURES.groupSealedParts : 0) | CONTENT_FEATURES.groupCheckpoints | CONTENT_FEATURES.streamedAttachments
    const content = Content.encode({ version: CONTENT_VERSION, id, sentAt: this.lastSentAt, seq, senderCertificate: this.ctx.identity.certificate, features, ...body })
    const { sealed, inner, certExpires } = await this.ctx.session.seal(tx, entry.to, content, this.now)
    entry.envelope = Buffer.from(Envelope.encode(this.envelopeOf(entry, sealed, this.lastSentAt, peer))).toString('base64')
    entry.inner = Buffer.from(inner).toString('base64')
    entry.certExpires = certExpires
    delete entry.text
    delete entry.attachment
    delete entry.body
    delete entry.waiting
    return true
  }

  /**
   * The same ratchet message under our current certificate (needsNewSeal), written to the outbox
   * with `tx`: a new envelope id (it names the sealed bytes), expiring `ttlMs` from now, still in
   * its chain's place (created_at stays). A copy of the old envelope at a mailbox is refused by the
   * recipient once its certificate has expired; before that, the ratchet lets only one copy open.
   */
  private async sealAgain (tx: Kv, entry: OutboxEntry): Promise<void> {
    if (this.ctx.session.certificateExpiry(this.now) <= (entry.certExpires as number)) return // no newer certificate to be had (a TTL longer than its renewal window)
    const old = Envelope.decode(Buffer.from(entry.envelope as string, 'base64'))
    const { sealed, certExpires } = await this.ctx.session.reseal(tx, entry.to, Buffer.from(entry.inner as string, 'base64'), this.now)
    const envelope = { ...old, sealed, id: envelopeId({ version: old.version, recipient: old.recipient, sealed }), expiresAt: this.now + this.init.delivery.ttlMs }
    entry.envelope = Buffer.from(Envelope.encode(envelope)).toString('base64')
    entry.certExpires = certExpires
    putOutbox(tx, entry)
    this.ctx.log.info({ id: entry.id, to: entry.to }, 'sealed again under a newer sender certificate')
  }

  /** The envelope carrying `sealed` to `entry.to`, made at `createdAt` (the sealing time). */
  private envelopeOf (entry: OutboxEntry, sealed: Uint8Array<ArrayBuffer>, createdAt: number, peer: PeerId = parsePeerId(entry.to)): Envelope {
    const limit = this.init.limits.envelopeBytes
    if (sealed.length > limit) throw new MessageTooLargeError(sealed.length, limit)
    const recipient = peerIdBytes(peer)
    // created_at is the sealing time, strictly increasing here: a recipient opens its mail in this
    // order, which is each chain's own (mailbox-collect.ts)
    return { version: ENVELOPE_VERSION, id: envelopeId({ version: ENVELOPE_VERSION, recipient, sealed }), recipient, sealed, createdAt, expiresAt: entry.createdAt + this.init.delivery.ttlMs }
  }

  /**
   * Seal a part's 1:1 copy on the pairwise session, in place of the part (the same outbox entry),
   * and deliver it. One that cannot be sealed now waits in the outbox unsealed (the next flush).
   */
  private async deliverCopyInstead (entry: OutboxEntry, options: { signal?: AbortSignal }): Promise<SendResult> {
    const body = decodeBody(entry.fallback as string)
    asCopy(entry)
    await this.ctx.lock.run(async () => {
      const tx = this.ctx.store.transaction()
      const mark = tx.checkpoint()
      let failure: unknown
      const sealed = await this.trySeal(tx, entry, body, undefined).catch((err: unknown) => {
        this.ctx.log.warn({ id: entry.id, err: describeError(err) }, 'cannot seal a refused part\'s copy yet')
        tx.rollback(mark)
        failure = err
        return false
      })
      if (!sealed) this.noteUnsealed(entry, failure)
      putOutbox(tx, entry)
      await tx.commit()
    })
    return this.deliverEntry(entry, options)
  }

  /**
   * A verified bundle from the first route that has one. A bad bundle (a replica's forgery, a
   * tampered copy) only rules out where it came from: the next route is tried, and the signature
   * error surfaces only when no route had a good one. When the routes that look the recipient's
   * mailboxes up had none, the recipient's wait starts or doubles (Backoff): until it is over, a
   * queued message (a flush's) asks only the routes that ask the recipient itself (they keep
   * their own record of who is unreachable). A new message asks every route.
   */
  private async fetchBundle (peer: PeerId, options: BundleAsk): Promise<PreKeyBundle | undefined> {
    const to = peer.toString()
    const wait = this.bundleWaits.get(to)
    const waiting = options.queued === true && wait !== undefined && !wait.due(this.now)
    const routes = waiting ? this.routes.filter(r => r.asksRecipient === true) : this.routes
    // no route, or none but the recipient's own (the network not up yet, or inside the wait): no miss to count
    const looksUp = routes.some(r => r.asksRecipient !== true)
    try {
      const bundle = await this.bundleByRoutes(peer, routes, options)
      if (bundle !== undefined) this.bundleWaits.delete(to)
      else if (looksUp) this.bundleMissed(to, wait)
      return bundle
    } catch (err) {
      if (looksUp) this.bundleMissed(to, wait)
      throw err
    }
  }

  private bundleMissed (to: string, wait: Backoff | undefined): void {
    const w = wait ?? new Backoff({ firstMs: this.init.delivery.retryIntervalMs, maxMs: this.init.delivery.syncIntervalMs })
    w.failed(this.now)
    this.bundleWaits.set(to, w)
  }

  private async bundleByRoutes (peer: PeerId, routes: readonly DeliveryRoute[], options: { signal?: AbortSignal }): Promise<PreKeyBundle | undefined> {
    let forged: unknown
    for (const route of routes) {
      try {
        const bundle = await route.takeBundle(peer, options)
        if (bundle === undefined) continue
        await verifyBundle(bundle, peer)
        return bundle
      } catch (err) {
        if (CairnError.is(err, 'BAD_SIGNATURE')) forged ??= err
        this.ctx.log.info({ route: route.name, peer: peer.toString(), err: describeError(err) }, 'no bundle by this route')
      }
    }
    if (forged !== undefined) throw forged
    return undefined
  }

  /**
   * `entry`, taken by a route, leaves the outbox in the write that records its new state (one
   * write, not waiting for the disk), behind the result: the caller has its answer once the route
   * has it (the write starts after the caller's turn: DeliveryLog.routed `later`), and whoever
   * reads the outbox or the delivery log waits for the write (DeliveryLog settled; a flush, for
   * the entry's in-flight mark). Lost to a crash, or failed, it is the write a crash could always
   * lose: the entry goes again, the recipient answers DUPLICATE (a replica keeps one copy), and
   * the state is recorded then.
   */
  private leave (entry: OutboxEntry, sent: SendResult): void {
    const written = this.ctx.deliveries.routed([{ entry, result: sent }], deliveredOps([entry]), { later: true }).catch((err: unknown) => {
      this.ctx.log.warn({ id: entry.id, err: describeError(err) }, 'delivered, but still in the outbox: it goes again with the next flush')
    }).finally(() => { if (this.leaving.get(entry.id) === written) this.leaving.delete(entry.id) })
    this.leaving.set(entry.id, written)
  }

  private async deliverEntry (entry: OutboxEntry, options: { signal?: AbortSignal }): Promise<SendResult> {
    if (entry.envelope === undefined) return keptResult(entry)
    const envelope = envelopeToSend(entry, this.now, this.init.delivery.ttlMs)
    const peer = parsePeerId(entry.to)
    const errors: string[] = []
    for (const route of this.routes) {
      const result = await route.deliver(envelope, peer, options).catch((err: unknown) => ({ ok: false as const, code: 'unreachable' as const, error: describeError(err) }))
      if (result.ok) {
        const sent: SendResult = { id: entry.id, route: route.name, ...(result.replicas === undefined ? {} : { replicas: result.replicas }) }
        this.leave(entry, sent)
        // the routes tried first and why they failed: what a post-mortem of a slow machine asks first
        this.ctx.log.info({ id: entry.id, to: entry.to, route: route.name, ...(errors.length > 0 ? { before: errors } : {}) }, 'delivered')
        return sent
      }
      errors.push(`${route.name}: ${result.code} (${result.error})`)
      // the member itself refused a part (it cannot open it: no chain for it, say): its 1:1 copy now,
      // never the part to its mailboxes, where it would be refused the same way
      if (entry.fallback !== undefined && route.name === 'direct' && result.code === 'refused') {
        this.ctx.log.info({ id: entry.id, to: entry.to }, 'group part refused: its 1:1 copy instead')
        return this.deliverCopyInstead(entry, options)
      }
    }
    asCopy(entry) // a part never waits: what waits is its 1:1 copy, sealed by the next flush
    entry.attempts++
    entry.lastError = errors.join('; ')
    const tx = this.ctx.store.transaction()
    putOutbox(tx, entry)
    await tx.commit()
    this.ctx.log.info({ id: entry.id, to: entry.to, errors }, 'kept in outbox')
    return keptResult(entry)
  }
}
