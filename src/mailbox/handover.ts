/**
 * Replica handover: a holder re-checks who the k closest DHT servers to each recipient's mailbox
 * key are now, and copies to each whatever it lacks — envelopes, the bundle (without one-time
 * prekeys, which stay with the replica they were given to) and tombstones, so acknowledged mail is
 * deleted rather than re-delivered — and the recipient's attachment chunks (chunk-handover.ts), so
 * a file outlives its first replicas as its descriptor message does. Runs right after a deposit
 * (debounced), on a timer, and once when the node starts (a holder coming back online). Time comes
 * from the injected clock, so a test or simulation can run "every hour" by calling runOnce().
 */
import { Handover as HandoverMsg, MailboxRequest, MailboxResponse, MailboxStatus, type Envelope, type Offer } from '../../proto/cairn.js'
import type { Timer } from '../shared/clock.js'
import type { CairnConfig } from '../shared/config.js'
import { describeError } from '../shared/errors.js'
import { parsePeerId, peerIdBytes } from '../shared/peer-id.js'
import { closestPeers, mailboxKey } from '../shared/placement.js'
import { MAILBOX_PROTOCOL, MAILBOX_VERSION } from '../shared/protocols/ids.js'
import { request } from '../shared/protocols/rpc.js'
import type { PeerId } from '@libp2p/interface'
import { handChunksOver } from './chunk-handover.js'
import type { MailboxComponents } from './components.js'
import type { MailboxStore, SignedTombstone } from './mailbox-store.js'
import { reconcile, type ByList } from './reconcile-offer.js'

const OFFER_CHUNK = 1000

/** What this holder has for one recipient: the envelope ids, live tombstones and the bundle it offers. */
interface Held { ids: string[], tombstones: SignedTombstone[], bundle: Awaited<ReturnType<MailboxStore['getBundle']>> }
/** A recipient's pass starts this long after the last deposit or ack for it... */
const DEBOUNCE_MS = 1000
/** ...but no later than this after the first one waiting (a steady stream of acks still spreads). */
const MAX_WAIT_MS = 10_000

export type HandoverComponents = MailboxComponents

/** Handover's slice of the configuration (defaults applied in config.ts). */
export interface HandoverInit {
  /**
   * handoverIntervalMs (@default 1 hour): a full pass; chunkHandoverQuietMs (@default 30 s): a
   * recipient's pass after chunks stop arriving for it; replicas (@default 5) and replicasPerSubnet
   * (@default 2): the set each recipient's mail is copied to; frameBytes (@default 1 MiB): a request's size.
   */
  mailbox: Pick<CairnConfig['mailbox'], 'handoverIntervalMs' | 'chunkHandoverQuietMs' | 'replicas' | 'replicasPerSubnet' | 'frameBytes'>
  /** requestTimeoutMs (@default 15,000): a lookup's idle deadline and a request's. */
  limits: Pick<CairnConfig['limits'], 'requestTimeoutMs'>
}

export class Handover {
  private timer?: Timer
  /** Recipients whose pass is scheduled; `quiet`: only for chunks, waiting for their upload to go quiet. */
  private readonly pending = new Map<string, { timer: Timer, first: number, quiet?: true }>()
  /** Each recipient's pass running: a change meanwhile schedules one more after it, never a second beside it. */
  private readonly passing = new Map<string, Promise<number>>()
  private running = false
  /** Aborted by stop: a pass in flight ends at its next request, and none starts. */
  private stopping = new AbortController()
  /** Passes and per-recipient runs in flight (stop waits for them). */
  private readonly inFlight = new Set<Promise<unknown>>()

  constructor (private readonly components: HandoverComponents, private readonly init: HandoverInit) {}

  start (): void {
    this.stopping = new AbortController()
    this.timer = this.components.clock.setInterval(() => { void this.runOnce() }, this.init.mailbox.handoverIntervalMs).unref()
  }

  async stop (): Promise<void> {
    this.timer?.clear()
    for (const p of this.pending.values()) p.timer.clear()
    this.pending.clear()
    this.stopping.abort(new Error('handover stopping'))
    await Promise.allSettled([...this.inFlight])
  }

  private track<T> (work: Promise<T>): Promise<T> {
    this.inFlight.add(work)
    void work.finally(() => this.inFlight.delete(work)).catch(() => {})
    return work
  }

  /**
   * A deposit or an ack just landed: bring the rest of the replica set up to date shortly (batched
   * per recipient), so copies and tombstones spread in seconds rather than at the next hourly pass.
   */
  soon (recipient: string): void {
    const now = this.components.clock.now()
    const waiting = this.pending.get(recipient)
    waiting?.timer.clear()
    const first = waiting?.quiet === undefined ? waiting?.first ?? now : now
    const timer = this.components.clock.setTimeout(() => { this.due(recipient) }, Math.max(0, Math.min(DEBOUNCE_MS, first + MAX_WAIT_MS - now))).unref()
    this.pending.set(recipient, { timer, first })
  }

  /**
   * A chunk was stored for `recipient`: its pass (chunks included) once no chunk has arrived for it
   * for chunkHandoverQuietMs. Each chunk pushes the pass back — the sender is still uploading to
   * the other replicas itself — and an earlier pass already scheduled by a deposit or an ack stays.
   */
  afterUpload (recipient: string): void {
    const waiting = this.pending.get(recipient)
    if (waiting !== undefined && waiting.quiet === undefined) return
    waiting?.timer.clear()
    const timer = this.components.clock.setTimeout(() => { this.due(recipient) }, this.init.mailbox.chunkHandoverQuietMs).unref()
    this.pending.set(recipient, { timer, first: this.components.clock.now(), quiet: true })
  }

  /** A recipient's wait is over: its pass now, or right after the one running. */
  private due (recipient: string): void {
    if (this.passing.has(recipient)) {
      const timer = this.components.clock.setTimeout(() => { this.due(recipient) }, DEBOUNCE_MS).unref()
      this.pending.set(recipient, { timer, first: this.components.clock.now() })
      return
    }
    this.pending.delete(recipient)
    void this.track(this.forRecipient(recipient))
  }

  /**
   * Runs every recipient's scheduled pass now and resolves once none is scheduled or running here
   * (passes this one triggers at other replicas are theirs to drain). For tests and simulations
   * that need the replica set settled rather than waiting out the debounce.
   */
  async drain (): Promise<void> {
    while (!this.stopping.signal.aborted && (this.pending.size > 0 || this.inFlight.size > 0)) {
      for (const [r, waiting] of [...this.pending]) {
        if (this.passing.has(r)) continue // it runs once the pass in flight ends
        waiting.timer.clear()
        this.due(r)
      }
      await Promise.allSettled([...this.inFlight])
    }
  }

  /** Whether a pass is scheduled or running here. */
  get busy (): boolean {
    return this.pending.size > 0 || this.inFlight.size > 0
  }

  /** One full pass over every recipient held here. Returns how many envelopes were copied. */
  async runOnce (): Promise<number> {
    if (this.running || this.stopping.signal.aborted) return 0
    this.running = true
    let copied = 0
    try {
      if (this.components.metrics !== undefined) this.components.metrics.handoverRuns++
      const pass = async (): Promise<void> => {
        const recipients = new Set([...await this.components.store.recipients(), ...this.components.chunks?.recipients() ?? []])
        for (const r of recipients) {
          if (this.stopping.signal.aborted) break
          // one already running (a deposit's) covers this one
          if (this.passing.has(r)) continue
          copied += await this.forRecipient(r)
        }
      }
      await this.track(pass())
    } finally {
      this.running = false
    }
    return copied
  }

  /**
   * A pass for `r` now, or right after the one running: never two at once (each would reconcile
   * with the same replicas and send the same copies). Returns how many envelopes were copied.
   */
  async forRecipient (r: string): Promise<number> {
    for (let running = this.passing.get(r); running !== undefined; running = this.passing.get(r)) await running.catch(() => 0)
    const pass = this.passFor(r)
    this.passing.set(r, pass)
    try {
      return await pass
    } finally {
      this.passing.delete(r)
    }
  }

  private async passFor (r: string): Promise<number> {
    const { node, log, clock } = this.components
    const config = this.init
    let peers: PeerId[]
    try {
      const recipient = parsePeerId(r)
      peers = (await closestPeers(node, mailboxKey(recipient), config.mailbox.replicas, { includeSelf: true, perSubnet: config.mailbox.replicasPerSubnet, clock, signal: this.stopping.signal, idleMs: config.limits.requestTimeoutMs }))
        .filter(p => !p.equals(node.peerId) && !p.equals(recipient))
    } catch (err) {
      log.debug({ recipient: r, err: describeError(err) }, 'handover: no replica set')
      return 0
    }
    let copied = 0
    // a replica that reconciles costs what differs; one that predates it gets the full lists, read
    // once for the whole replica set, and again only when a replica's answer changed them
    // (tombstones it knew of delete copies here and travel on to the next)
    let held: Held | undefined
    for (const peer of peers) {
      try {
        const synced = await this.reconcileWith(r, peer)
        if (typeof synced !== 'string') {
          copied += synced.copied
          if (synced.changed) held = undefined
        } else {
          // a replica that does not count this holder among the recipient's replica peers takes an
          // offer by list on a deposit's terms, without tombstones (it would not check them)
          if (synced === 'outside') log.debug({ recipient: r, peer: peer.toString() }, 'handover: the replica counts this holder outside the set; offering by list')
          held ??= await this.held(r)
          const { copied: n, changed } = await this.toPeer(r, peer, synced === 'outside' ? { ...held, tombstones: [] } : held)
          copied += n
          if (changed) held = undefined
        }
      } catch (err) {
        if (notServingYet(err)) {
          // a node still starting (its mailbox not yet registered) or not a mailbox at all: no
          // failure of the peer's, nothing was applied; it gets this recipient's copies at the next
          // pass (a deposit's, or the hourly one), and no chunk request is made to it meanwhile
          log.debug({ recipient: r, peer: peer.toString() }, 'handover: replica does not serve mailboxes (yet); next pass')
          continue
        }
        held = undefined // it may have failed after applying an answer: read again
        log.debug({ recipient: r, peer: peer.toString(), err: describeError(err) }, 'handover to peer failed')
      }
      await this.chunksTo(r, peer)
    }
    return copied
  }

  /** The recipient's attachment chunks that `peer` lacks, if any are held here (chunk-handover.ts). */
  private async chunksTo (r: string, peer: PeerId): Promise<void> {
    const { chunks, clock, log, metrics } = this.components
    if (chunks === undefined || chunks.bytesOf(r) === 0 || this.stopping.signal.aborted) return
    try {
      const outcome = await handChunksOver({
        chunks, recipient: r, recipientBytes: peerIdBytes(parsePeerId(r)), peer: peer.toString(), now: () => clock.now(), ask: async req => this.ask(peer, req), log, metrics
      })
      if (outcome === 'unsupported') log.debug({ recipient: r, peer: peer.toString() }, 'chunk handover: replica predates it')
    } catch (err) {
      log.debug({ recipient: r, peer: peer.toString(), err: describeError(err) }, 'chunk handover to peer failed')
    }
  }

  private async held (r: string): Promise<Held> {
    const { store, clock } = this.components
    const now = clock.now()
    return { ids: await store.ids(r), tombstones: (await store.tombstones(r)).filter(t => t.expiresAt > now), bundle: await store.getBundle(r) }
  }

  /**
   * Set reconciliation with one replica (reconcile-offer.ts), then what it found: the tombstones
   * the replica lacks (signed, by Offer), the bundle if newer here, the envelopes it lacks.
   */
  private async reconcileWith (r: string, peer: PeerId): Promise<{ copied: number, changed: boolean } | ByList> {
    const { store, clock, metrics } = this.components
    const recipient = peerIdBytes(parsePeerId(r))
    const bundle = await store.getBundle(r)
    const outcome = await reconcile({
      store, recipient: r, recipientBytes: recipient, bundlePublishedAt: bundle?.publishedAt ?? 0, now: () => clock.now(), ask: async req => this.ask(peer, req)
    })
    if (typeof outcome === 'string') return outcome
    if (metrics !== undefined) metrics.reconcileRounds += outcome.rounds
    const now = clock.now()
    const tombstones = (await store.tombstonesOf(r, outcome.wantTombstones)).filter(t => t.expiresAt > now)
    for (let i = 0; i < tombstones.length || (i === 0 && outcome.wantBundle); i += OFFER_CHUNK) {
      const offer: Offer = {
        recipient,
        ids: [],
        tombstones: tombstones.slice(i, i + OFFER_CHUNK).map(t => ({ id: Buffer.from(t.id, 'hex'), expiresAt: t.expiresAt, signature: new Uint8Array(t.signature) })),
        ...(i === 0 && outcome.wantBundle && bundle !== undefined ? { bundle: { ...bundle, preKeys: [], kyberPreKeys: [] } } : {})
      }
      await this.ask(peer, { version: MAILBOX_VERSION, offer })
    }
    return { copied: await this.send(r, peer, outcome.wanted), changed: outcome.changed }
  }

  private async toPeer (r: string, peer: PeerId, { ids, tombstones, bundle }: Held): Promise<{ copied: number, changed: boolean }> {
    const { store, clock } = this.components
    const recipient = peerIdBytes(parsePeerId(r))
    let changed = false
    const wanted: string[] = []
    const chunks = Math.max(1, Math.ceil(Math.max(ids.length, tombstones.length) / OFFER_CHUNK))
    for (let i = 0; i < chunks; i++) {
      const offer: Offer = {
        recipient,
        ids: ids.slice(i * OFFER_CHUNK, (i + 1) * OFFER_CHUNK).map(id => Buffer.from(id, 'hex')),
        tombstones: tombstones.slice(i * OFFER_CHUNK, (i + 1) * OFFER_CHUNK).map(t => ({ id: Buffer.from(t.id, 'hex'), expiresAt: t.expiresAt, signature: new Uint8Array(t.signature) })),
        ...(i === 0 && bundle !== undefined ? { bundle: { ...bundle, preKeys: [], kyberPreKeys: [] } } : {})
      }
      const res = await this.ask(peer, { version: MAILBOX_VERSION, offer })
      wanted.push(...res.wanted.map(w => Buffer.from(w).toString('hex')))
      if (res.tombstones.length > 0) {
        await store.applyTombstones(r, res.tombstones.map(t => ({ id: Buffer.from(t.id).toString('hex'), expiresAt: t.expiresAt, signature: t.signature })), clock.now())
        changed = true
      }
    }
    return { copied: await this.send(r, peer, wanted), changed }
  }

  private async send (r: string, peer: PeerId, wanted: string[]): Promise<number> {
    const budget = this.init.mailbox.frameBytes / 2
    let batch: Envelope[] = []
    let size = 0
    let sent = 0
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return
      const res = await this.ask(peer, { version: MAILBOX_VERSION, handover: { envelopes: batch } satisfies HandoverMsg })
      if (res.status === MailboxStatus.MAILBOX_OK) {
        sent += batch.length
        this.components.metrics?.handoverSent(batch.length, size)
      }
      batch = []
      size = 0
    }
    for (const id of wanted) {
      const env = await this.components.store.get(r, id)
      if (env === undefined) continue
      if (batch.length >= 64 || size + env.sealed.length > budget) await flush()
      batch.push(env)
      size += env.sealed.length + 64
    }
    await flush()
    return sent
  }

  private async ask (peer: PeerId, req: Partial<MailboxRequest>): Promise<MailboxResponse> {
    const { node, metrics, clock } = this.components
    const config = this.init
    if (metrics !== undefined && req.handover === undefined && req.putChunk === undefined) metrics.handoverOfferBytes += MailboxRequest.encode(req).length
    return request(node, peer, MAILBOX_PROTOCOL, req, { req: MailboxRequest, res: MailboxResponse }, {
      maxBytes: config.mailbox.frameBytes, timeoutMs: config.limits.requestTimeoutMs, clock, signal: this.stopping.signal
    })
  }
}

/** libp2p's answer when the peer does not (or not yet) handle /cairn/mailbox: "Protocol selection failed". */
function notServingYet (err: unknown): boolean {
  return (err as Error | undefined)?.name === 'UnsupportedProtocolError'
}
