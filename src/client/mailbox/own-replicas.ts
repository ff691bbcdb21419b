/**
 * Our own mailbox's replicas: the 2k DHT servers closest to our mailbox key, as the last lookup
 * found them. A periodic sync may use the remembered set instead of a lookup while it is
 * plausible: younger than delivery.replicaCacheMs, and the local routing table has learnt of no
 * DHT server closer to the key than the set's farthest member since that lookup. The collect looks
 * up again when a remembered replica does not answer (mailbox-collect.ts). What a stale set can
 * cost (a delay, never mail) is in docs/DECISIONS.md, "a periodic sync re-uses its replica set".
 */
import type { PeerId } from '@libp2p/interface'
import type { Clock } from '../../shared/clock.js'
import type { CairnConfig } from '../../shared/config.js'
import type { Logger } from '../../shared/logger.js'
import type { CairnNode } from '../../shared/node/create-node.js'
import { describeError } from '../../shared/errors.js'
import { parsePeerId } from '../../shared/peer-id.js'
import { closer, kadId, lookupClosest, mailboxKey, routingTableByDistance } from '../../shared/placement.js'

export interface OwnReplicasComponents {
  node: CairnNode
  clock: Clock
  log: Logger
  /** Where the last lookup's set is kept across restarts (the client's store), if anywhere. */
  saved?: SavedSet
}

/** A place for one small record: the last lookup's set, for the next process's first collect. */
export interface SavedSet {
  load: () => Promise<Uint8Array | undefined>
  /** Not durable: a set lost in a crash only means the next collect waits for its lookup. */
  save: (bytes: Uint8Array) => Promise<void>
}

export interface OwnReplicasInit {
  mailbox: Pick<CairnConfig['mailbox'], 'replicas' | 'replicasPerSubnet'>
  delivery: Pick<CairnConfig['delivery'], 'replicaCacheMs' | 'ttlMs'>
}

/** What the last lookup found. */
interface Remembered {
  peers: PeerId[]
  /** Clock time of the lookup. */
  at: number
  /** Whether a peer is as close to the key as the farthest of `peers` (any peer, when the lookup found fewer than asked). */
  within: (peer: PeerId) => boolean
  /** Every peer within that the lookup or the routing table knew of then: none of them is news. */
  known: Set<string>
}

/**
 * Where the last collect's replica set came from (the simulation counts them): the remembered set,
 * or a lookup and why (`asked`: the caller wanted one; `none`: nothing remembered or the reuse is
 * off; `stale`: older than the bound; `newcomer`: the routing table knows a closer server); and
 * whether a remembered replica that did not answer made the collect look up after all.
 */
export interface ReplicaSetChoice {
  source: 'remembered' | 'asked' | 'none' | 'stale' | 'newcomer'
  lookedUpAgain: boolean
  /**
   * A lookup's set, but the collect began at the set saved by the last process's lookup while
   * that lookup ran (a fresh process's first collect: `saved`), then went on at any replica the
   * lookup found and the saved set lacked.
   */
  saved?: true
}

export class OwnReplicas {
  private remembered?: Remembered
  private readonly key: Uint8Array

  constructor (readonly components: OwnReplicasComponents, private readonly init: OwnReplicasInit) {
    this.key = mailboxKey(components.node.peerId)
  }

  /** How many replicas a collect asks: twice the deposit's k, so a set one newcomer shifted is still covered. */
  get count (): number { return this.init.mailbox.replicas * 2 }

  /**
   * The replicas, closest first: the remembered ones when `reuse` and they are still plausible
   * (`remembered` true), else a lookup's.
   */
  async find (options: { reuse: boolean, signal?: AbortSignal }): Promise<{ peers: PeerId[], remembered: boolean, source: ReplicaSetChoice['source'] }> {
    const plausible = options.reuse ? this.plausible() : 'asked'
    if (Array.isArray(plausible)) return { peers: plausible, remembered: true, source: 'remembered' }
    return { peers: await this.lookup(options.signal), remembered: false, source: plausible }
  }

  /** Look the replicas up, and remember what was found. */
  async lookup (signal?: AbortSignal): Promise<PeerId[]> {
    const { node, clock, log } = this.components
    const started = clock.now()
    const { picked, ranked } = await lookupClosest(node, this.key, this.count, { clock, log, perSubnet: this.init.mailbox.replicasPerSubnet, ...(signal === undefined ? {} : { signal }) })
    // a short set on a slow machine (a lookup cut off, a cold routing table) is what a post-mortem asks first
    log.debug({ picked: picked.length, found: ranked.length, wanted: this.count, ms: clock.now() - started, aborted: signal?.aborted === true }, 'own replicas looked up')
    const last = picked.at(-1)
    if (last === undefined) {
      this.remembered = undefined
      return picked
    }
    const target = kadId(this.key)
    const reach = kadId(last.toMultihash().bytes)
    // fewer found than asked: any server we learn of would have been one of them
    const within = picked.length < this.count ? () => true : (p: PeerId) => closer(target, kadId(p.toMultihash().bytes), reach) <= 0
    // a peer the routing table held then, but the lookup did not find (gone, or not a server any
    // more: kad-dht keeps a table entry until a full bucket evicts it), is no reason to look again
    const known = new Set([...ranked, ...routingTableByDistance(node, this.key)].filter(within).map(p => p.toString()))
    this.remembered = { peers: picked, at: clock.now(), within, known }
    const saved = this.components.saved
    if (saved !== undefined) {
      const record = new TextEncoder().encode(JSON.stringify({ at: clock.now(), peers: picked.map(p => p.toString()) }))
      await saved.save(record).catch((err: unknown) => { log.info({ err: describeError(err) }, 'could not keep the replica set for the next start') })
    }
    return picked
  }

  /**
   * The set the last lookup found and saved, if nothing is remembered in this process and the set
   * is younger than mail lives (delivery.ttlMs: an older one can hold none of ours): a fresh
   * process's first collect may begin there while it looks the replicas up (mailbox-collect.ts).
   * Unlike the remembered set, it never stands in for the lookup, so it may be far older: a
   * replica gone since costs a failed dial beside the lookup. A damaged record is no set.
   */
  async saved (): Promise<PeerId[] | undefined> {
    const bound = this.init.delivery.ttlMs
    if (this.remembered !== undefined || this.components.saved === undefined) return undefined
    try {
      const bytes = await this.components.saved.load()
      if (bytes === undefined) return undefined
      const record = JSON.parse(new TextDecoder().decode(bytes)) as { at?: unknown, peers?: unknown }
      const age = this.components.clock.now() - Number(record.at)
      if (!(age >= 0 && age <= bound) || !Array.isArray(record.peers)) return undefined
      const peers = record.peers.slice(0, this.count).map(p => parsePeerId(String(p)))
      return peers.length > 0 ? peers : undefined
    } catch (err) {
      this.components.log.info({ err: describeError(err) }, 'the saved replica set is unreadable: looking them up')
      return undefined
    }
  }

  /** The remembered set, if it is young enough and the routing table knows of no newcomer within it; else why not. */
  private plausible (): PeerId[] | 'none' | 'stale' | 'newcomer' {
    const r = this.remembered
    const bound = this.init.delivery.replicaCacheMs
    if (r === undefined || bound === 0) return 'none'
    const age = this.components.clock.now() - r.at
    if (age < 0 || age > bound) return 'stale'
    for (const peer of routingTableByDistance(this.components.node, this.key)) {
      if (!r.within(peer)) break
      if (!r.known.has(peer.toString())) {
        this.components.log.debug({ peer: peer.toString() }, 'a DHT server closer to our mailbox key than a remembered replica: looking the replicas up again')
        return 'newcomer'
      }
    }
    return r.peers
  }
}
