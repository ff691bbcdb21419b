/**
 * The mailbox route: deposit the sealed envelope at every one of the k DHT servers closest to the
 * recipient's mailbox key, in parallel; it is delivered once at least one acknowledges it durably.
 * Bundles for recipients we have no session with come from the same replicas (2k of them asked).
 */
import type { Libp2p, PeerId } from '@libp2p/interface'
import { MailboxStatus, type Envelope, type PreKeyBundle } from '../../../proto/cairn.js'
import { BoundedMap } from '../../shared/bounded-map.js'
import type { Clock } from '../../shared/clock.js'
import type { CairnConfig } from '../../shared/config.js'
import { verifyBundle } from '../../shared/bundle.js'
import { describeError } from '../../shared/errors.js'
import { inParallel } from '../../shared/in-parallel.js'
import type { Logger } from '../../shared/logger.js'
import type { CairnNode } from '../../shared/node/create-node.js'
import { peerIdBytes } from '../../shared/peer-id.js'
import { closestPeers, lookupDeadline, mailboxKey } from '../../shared/placement.js'
import type { DeliveryResult, DeliveryRoute } from '../delivery.js'
import type { DepositHost } from '../anonymous/ephemeral-hosts.js'
import { askMailbox, type MailboxRpcConfig } from './mailbox-rpc.js'
import { askAt, batchBudget, cutBatches, depositBatchAt } from './deposit-batch.js'

/** How long a looked-up replica set is reused for further deposits to the same recipient. */
const REPLICA_CACHE_MS = 60_000
/** Batch requests in flight at once (each to every replica): bounds memory and the replicas' queues. */
const BATCHES_IN_FLIGHT = 3

export interface MailboxRouteComponents {
  node: CairnNode
  clock: Clock
  log: Logger
  /** Resolves once the node has joined the DHT (lookups before that come back short). @default resolved */
  ready?: () => Promise<void>
  /** Where requests to others' replicas go out from (client/anonymous). @default this node */
  depositHost?: DepositHost
}

/** The mailbox route's slice of the configuration (defaults applied in config.ts). */
export interface MailboxRouteInit extends MailboxRpcConfig {
  /** replicas (@default 5) deposited at, at most replicasPerSubnet (@default 2) of them in one subnet. */
  mailbox: MailboxRpcConfig['mailbox'] & Pick<CairnConfig['mailbox'], 'replicas' | 'replicasPerSubnet'>
  /** mailboxTimeoutMs (@default 15,000): a replica lookup gives up after twice this with no server's answer or failure. */
  delivery: Pick<CairnConfig['delivery'], 'mailboxTimeoutMs'>
}

export class MailboxRoute implements DeliveryRoute {
  readonly name = 'mailbox' as const
  private readonly replicaCache = new BoundedMap<string, { peers: PeerId[], until: number }>(1000)

  private readonly node: CairnNode
  private readonly clock: Clock
  private readonly log: Logger
  private readonly ready: () => Promise<void>
  private readonly depositHost?: DepositHost

  constructor (components: MailboxRouteComponents, private readonly init: MailboxRouteInit) {
    this.node = components.node
    this.clock = components.clock
    this.log = components.log
    this.ready = components.ready ?? (async () => {})
    this.depositHost = components.depositHost
  }

  private async hostFor (peer: PeerId): Promise<CairnNode | Libp2p> {
    return this.depositHost === undefined ? this.node : this.depositHost.hostFor(peer)
  }

  /**
   * Someone else's replicas: looked up from the deposit host when there is one, so that no DHT
   * server sees the user's PeerId ask for the mailbox key of someone it is about to write to.
   */
  private async lookUp (key: Uint8Array, count: number, signal: AbortSignal, onProgress: () => void): Promise<PeerId[]> {
    const perSubnet = this.init.mailbox.replicasPerSubnet
    if (this.depositHost !== undefined) return this.depositHost.closestPeers(key, count, { perSubnet, signal, onProgress })
    return closestPeers(this.node, key, count, { clock: this.clock, signal, perSubnet, onProgress, log: this.log })
  }

  /**
   * A replica lookup's idle deadline: twice `delivery.mailboxTimeoutMs` of no server answering or
   * failing, the time a lookup request's own deadline takes to cut off a stalled server (silence,
   * then an unanswered ping). With the single deadline, a fresh ephemeral host whose first requests
   * (a dial and a handshake each) were all still under way after 15 s at a fifth of a core gave up
   * on servers that were answering: "bundle lookup found no replica", a stranger's first message
   * to the outbox.
   */
  private lookupIdle (signal?: AbortSignal): ReturnType<typeof lookupDeadline> {
    return lookupDeadline(this.clock, signal, 2 * this.init.delivery.mailboxTimeoutMs, 'replica lookup')
  }

  /**
   * The recipient's replica set; a burst of messages to one person costs one DHT lookup. The
   * lookup's deadline is an idle one (lookupIdle): it is given up when the query makes no
   * progress for a while, not when a slow machine takes that long in all.
   */
  private async replicasOf (recipient: PeerId, options: { signal?: AbortSignal }): Promise<PeerId[]> {
    const cached = this.replicaCache.get(recipient.toString())
    if (cached !== undefined && cached.until > this.clock.now()) return cached.peers
    const idle = this.lookupIdle(options.signal)
    let peers: PeerId[]
    try {
      peers = await this.lookUp(mailboxKey(recipient), this.init.mailbox.replicas, idle.signal, () => { idle.touch() })
    } finally {
      idle.clear()
    }
    if (peers.length >= this.init.mailbox.replicas) {
      this.replicaCache.set(recipient.toString(), { peers, until: this.clock.now() + REPLICA_CACHE_MS })
    }
    return peers
  }

  async deliver (envelope: Envelope, recipient: PeerId, options: { signal?: AbortSignal }): Promise<DeliveryResult> {
    await this.ready() // lookups work from here on
    const replicas = await this.replicasOf(recipient, options)
    if (replicas.length === 0) return { ok: false, code: 'no-replicas', error: 'no mailbox nodes reachable' }
    // each deposit has its own idle deadline (rpc.ts): one that is being answered is not abandoned
    const results = await Promise.all(replicas.map(async peer => {
      try {
        const res = await askMailbox(await this.hostFor(peer), this.init, peer, { deposit: { envelope } }, { ...options, clock: this.clock })
        if (res.status === MailboxStatus.MAILBOX_OK || res.status === MailboxStatus.MAILBOX_DUPLICATE) return true
        this.log.info({ peer: peer.toString(), status: res.status, detail: res.detail }, 'mailbox refused deposit')
        return res.status
      } catch (err) {
        this.log.debug({ peer: peer.toString(), err: describeError(err) }, 'deposit failed')
        return describeError(err)
      }
    }))
    const ok = results.filter(r => r === true).length
    if (ok < replicas.length) this.replicaCache.delete(recipient.toString()) // someone left: look again next time
    if (ok === 0) return { ok: false, code: 'not-stored', error: results.join(', ') }
    return { ok: true, replicas: ok }
  }

  /**
   * Deposit many envelopes: per recipient, in batch requests cut to fit a frame, each sent to all
   * of its replicas in parallel, a few batches in flight. One result per item, in order; an item
   * is delivered once at least one replica holds it durably.
   */
  async deliverMany (items: Array<{ envelope: Envelope, recipient: PeerId }>, options: { signal?: AbortSignal }): Promise<DeliveryResult[]> {
    await this.ready()
    const out: DeliveryResult[] = new Array(items.length)
    const byRecipient = new Map<string, number[]>()
    items.forEach((item, i) => { byRecipient.set(item.recipient.toString(), [...(byRecipient.get(item.recipient.toString()) ?? []), i]) })
    for (const [key, indices] of byRecipient) {
      const recipient = (items[indices[0] as number] as { recipient: PeerId }).recipient
      let replicas: PeerId[]
      try {
        replicas = await this.replicasOf(recipient, options)
      } catch (err) {
        for (const i of indices) out[i] = { ok: false, code: 'no-replicas', error: `replica lookup failed: ${describeError(err)}` }
        continue
      }
      if (replicas.length === 0) { for (const i of indices) out[i] = { ok: false, code: 'no-replicas', error: 'no mailbox nodes reachable' }; continue }
      const held = new Map<Envelope, number>()
      const errors = new Map<Envelope, string[]>()
      const batches = cutBatches(indices.map(i => (items[i] as { envelope: Envelope }).envelope), batchBudget(this.init))
      await inParallel(batches, BATCHES_IN_FLIGHT, async batch => {
        const answers = await Promise.all(replicas.map(async peer => depositBatchAt(askAt(await this.hostFor(peer), this.init, peer, { ...options, clock: this.clock }), batch)))
        answers.forEach((perPeer, p) => {
          perPeer.forEach((a, j) => {
            const env = batch[j] as Envelope
            if (a === true) held.set(env, (held.get(env) ?? 0) + 1)
            else {
              errors.set(env, [...(errors.get(env) ?? []), a])
              this.log.debug({ peer: replicas[p]?.toString(), err: a }, 'batched deposit refused')
            }
          })
        })
      })
      let short = false
      for (const i of indices) {
        const env = (items[i] as { envelope: Envelope }).envelope
        const ok = held.get(env) ?? 0
        if (ok < replicas.length) short = true
        out[i] = ok === 0 ? { ok: false, code: 'not-stored', error: (errors.get(env) ?? []).join(', ') } : { ok: true, replicas: ok }
      }
      if (short) this.replicaCache.delete(key) // someone left: look again next time
    }
    return out
  }

  async takeBundle (recipient: PeerId, options: { signal?: AbortSignal }): Promise<PreKeyBundle | undefined> {
    await this.ready()
    const idle = this.lookupIdle(options.signal)
    const replicas = await this.lookUp(mailboxKey(recipient), this.init.mailbox.replicas * 2, idle.signal, () => { idle.touch() })
      .finally(() => { idle.clear() })
    if (replicas.length === 0) this.log.info({ recipient: recipient.toString(), connections: this.node.getConnections().length, idle: idle.stalled() }, 'bundle lookup found no replica')
    // prefer a bundle that still carries a one-time prekey (forward secrecy for the first message);
    // with every replica's share used up, the signed and last-resort prekeys still start a session.
    // A replica that serves a bundle the owner did not sign is passed over for the next one.
    let fallback: PreKeyBundle | undefined
    const misses: string[] = []
    for (const peer of replicas) {
      try {
        const res = await askMailbox(await this.hostFor(peer), this.init, peer, { takeBundle: { recipient: peerIdBytes(recipient) } }, { ...options, clock: this.clock })
        if (res.status !== MailboxStatus.MAILBOX_OK || res.bundle === undefined) { misses.push(res.status); continue }
        try {
          await verifyBundle(res.bundle, recipient)
        } catch (err) {
          this.log.info({ peer: peer.toString(), err: describeError(err) }, 'replica served a bad bundle; trying the next')
          continue
        }
        if (res.bundle.preKeys.length > 0) return res.bundle
        fallback ??= res.bundle
      } catch (err) {
        misses.push(describeError(err))
      }
    }
    if (fallback === undefined) this.log.info({ recipient: recipient.toString(), asked: replicas.length, misses }, 'no bundle at the replicas')
    return fallback
  }
}
