/**
 * A share of the simulated network's peers, hosted in one process on one ManualClock: ordinary
 * Cairn peers (each a CairnClient serving as mailbox and DHT server) that leave (stop) and come
 * back (start on the same data dir and port, then sync). Peers are named by their index in the
 * whole network; every call takes and returns plain data, so a host runs either in the
 * coordinator's process or in a worker process behind RPC (worker.ts). Mailbox counters are
 * summed across restarts, and every message shown to a user is reported as it is stored.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { CairnClient } from '../../src/client/client.js'
import type { PublishResult } from '../../src/client/mailbox/bundle-publisher.js'
import type { InboxMessage } from '../../src/client/inbox.js'
import { ManualClock } from '../../src/shared/clock.js'
import type { PeerStoreMode } from '../../src/shared/config.js'
import { silentLogger } from '../../src/shared/logger.js'
import { parsePeerId } from '../../src/shared/peer-id.js'
import { closestPeers, mailboxKey, routingTableByDistance, routingTableSize } from '../../src/shared/placement.js'
import { Cluster, peerConfig, type Peer } from '../lib/cluster.js'
import { inParallel } from '../../src/shared/in-parallel.js'
import { queryPathsOf } from '../../src/shared/node/kad-query-paths.js'
import { now, quantile } from '../lib/stats.js'
import { DialTally } from './dial-tally.js'
import { ConnectionLives, type ConnectionLife } from './connection-life.js'

export interface Traffic { handoverCopies: number, handoverBytes: number, handoverReceived: number, handoverRuns: number, deposits: number, pushes: number, fetched: number }

export const noTraffic = (): Traffic => ({ handoverCopies: 0, handoverBytes: 0, handoverReceived: 0, handoverRuns: 0, deposits: 0, pushes: 0, fetched: 0 })

export interface HostOptions {
  root: string
  replicas: number
  /** The simulated clock at the start, ms since the epoch. */
  start: number
  /** Kademlia's K (network.dhtK); the config's default when absent. */
  dhtK?: number
  /** Answers each lookup path gathers before it stops (network.dhtPathK); the config's default when absent. */
  dhtPathK?: number
  /** How often each peer's DHT refreshes its table and looks itself up, real ms (network.dhtRefreshMs); the config's default when absent. */
  dhtRefreshMs?: number
  /** Where each peer's libp2p keeps its peer store (network.peerStore); the config's default (disk) when absent. */
  peerStore?: PeerStoreMode
  /** Connections each peer keeps (network.maxConnections); the config's default when absent. */
  maxConnections?: number
}

/** The network settings a host's options give every peer (an absent one: the config's default). */
function networkOverrides (o: HostOptions): Record<string, unknown> {
  const set = { dhtK: o.dhtK, dhtPathK: o.dhtPathK, dhtRefreshMs: o.dhtRefreshMs, peerStore: o.peerStore, maxConnections: o.maxConnections }
  return Object.fromEntries(Object.entries(set).filter(([, v]) => v !== undefined))
}

/** What the simulation reads of a message in a user's inbox. */
export interface SimInboxMessage { id: string, from: string, text: string, sentAt: number, receivedAt: number, route: string, group?: string }

/** What one mailbox holds for one recipient: envelope ids, unexpired tombstone ids, the bundle. */
export interface HeldView { ids: string[], tombs: string[], bundle: boolean }

export type GroupOp =
  | { op: 'create', name: string, members: string[] }
  | { op: 'add' | 'remove', group: string, peers: string[] }
  | { op: 'send', group: string, text: string }

/** A group operation's result: the group's id, its members after the change, or the send's routes. */
export interface GroupResult { id: string, members: string[], routes?: Record<string, string> }

/** One online peer in a table census (PeerHost.tableCensus). */
export interface CensusEntry {
  index: number
  peerId: string
  table: number
  connections: number
  life?: ConnectionLife
  join: ReturnType<CairnClient['dhtJoinState']>
}

/** This process's memory, its peers online, and the CPU time it has used since it started (s). */
export interface HostMemory { rssMiB: number, heapMiB: number, online: number, cpuSeconds: number }

const MiB = 2 ** 20
/** Peers of one host redialling their bootstrap peers at once (the daemons' retry timer). */
const RECONNECTS_AT_ONCE = 8
/**
 * Self-lookups at once per host in the warm-up. All of them at once (100 a host at 400 peers) ran
 * the hosts' event loops 5–7 s late at p50 (25 s at worst), past every real-time deadline.
 */
const WARMS_AT_ONCE = 16
/** Bundle publishes at once per host at set-up: a hundred lookups at once on a small machine miss their deadlines. */
const PUBLISHES_AT_ONCE = 16

/**
 * Diagnostics (CAIRN_SIM_DIAG): a JSON line on stderr per 25 bundle publishes of a host's round,
 * how long they took and why replicas were missed, so a slow round shows where it is slow.
 */
class PublishProgress {
  private readonly t0 = now()
  private finished = 0
  private ms: number[] = []
  private short = 0
  private readonly why = new Map<string, number>()

  constructor (private readonly of: number, private readonly dials: DialTally) {}

  done (r: PublishResult, ms: number): void {
    this.finished++
    this.ms.push(ms)
    if (r.replicas - r.published > 0 && r.failures.length > 0) this.short++
    for (const f of r.failures) {
      const reason = f.replace(/^[^:]*: /, '').replace(/12D3Koo\w+/g, 'PEER').replace(/\d+/g, 'N').slice(0, 80)
      this.why.set(reason, (this.why.get(reason) ?? 0) + 1)
    }
    if (this.finished % 25 === 0) this.flush()
  }

  flush (): void {
    if (this.ms.length === 0) return
    const at = (q: number): number => Math.round(quantile(this.ms, q))
    process.stderr.write(JSON.stringify({ diag: 'publish-progress', pid: process.pid, done: this.finished, of: this.of, elapsedS: Math.round((now() - this.t0) / 1000), p50Ms: at(0.5), p90Ms: at(0.9), maxMs: at(1), short: this.short, failures: Object.fromEntries(this.why), ...this.dials.summary() }) + '\n')
    this.ms = []
    this.short = 0
    this.why.clear()
  }
}

export class PeerHost {
  readonly clock: ManualClock
  readonly cluster: Cluster
  readonly traffic: Traffic = noTraffic()
  /** Called for every message a user's messenger stores (first time only: the messenger de-duplicates). */
  onMessage: (to: number, m: SimInboxMessage) => void = () => {}
  private readonly byIndex = new Map<number, Peer>()
  /** The event loop's delay, for set-up's diagnostics (loopDelay). */
  private readonly delay = monitorEventLoopDelay({ resolution: 20 })
  /** Every peer's connections and who closed them (the table census's diagnostics). */
  private readonly lives = new ConnectionLives()
  private readonly overrides

  constructor (private readonly o: HostOptions) {
    this.clock = new ManualClock(o.start)
    this.overrides = { mailbox: { replicas: o.replicas }, network: networkOverrides(o) }
    this.cluster = new Cluster({ root: o.root, clock: this.clock, mailbox: true, overrides: this.overrides })
    this.delay.enable()
  }

  setClock (t: number): void { this.clock.set(t) }

  /** Create and start peers, each joined through its own `bootstrap` list (empty: the first peer alone). */
  async add (peers: Array<{ index: number, bootstrap: string[] }>): Promise<Array<{ index: number, peerId: string, addr: string }>> {
    return Promise.all(peers.map(async ({ index, bootstrap }) => {
      const p = await this.cluster.add(`peer-${index}`, { bootstrap })
      this.byIndex.set(index, p)
      this.listen(index)
      return { index, peerId: p.peerId, addr: `/ip4/127.0.0.1/tcp/${p.port}/p2p/${p.peerId}` }
    }))
  }

  async warm (): Promise<void> { await this.cluster.warm(WARMS_AT_ONCE) }

  /**
   * The daemon's retry timer (its flush job): each online peer cut off from the network or never
   * joined to the DHT dials its bootstrap peers again (CairnClient.reconnectIfIsolated; a no-op
   * for the rest). Returns how many peers redialled and reached one.
   */
  async reconnect (): Promise<number> {
    // a few at a time: real daemons' retry timers are not aligned, and a hundred peers dialling the
    // one seed at the same instant overrun its pending-inbound limit (maxIncomingPendingConnections)
    const done: boolean[] = []
    await inParallel(this.online(), RECONNECTS_AT_ONCE, async i => { done.push(await this.client(i).reconnectIfIsolated().catch(() => false)) })
    await Promise.all(this.online().map(async i => this.client(i).dhtReady()))
    return done.filter(Boolean).length
  }

  /**
   * Online peers publish their bundles (`onlyShort`: those whose last publish fell short), a few at
   * a time as real daemons' starts are not aligned; what each publish reached, by peer.
   */
  async publishBundles (onlyShort = false): Promise<Record<number, PublishResult>> {
    const peers = this.online().filter(i => !onlyShort || this.client(i).bundlesShort)
    const out: Record<number, PublishResult> = {}
    const dials = process.env.CAIRN_SIM_DIAG === undefined ? undefined : new DialTally()
    const progress = dials === undefined ? undefined : new PublishProgress(peers.length, dials)
    // every online peer's dials, not only the publishers': a lookup's answers make others dial too
    for (const i of dials === undefined ? [] : this.online()) { const node = this.client(i).node; if (node !== undefined) dials?.attach(node) }
    try {
      await inParallel(peers, PUBLISHES_AT_ONCE, async i => {
        const t0 = now()
        out[i] = await this.client(i).publishBundles().catch(() => ({ replicas: 0, published: 0, failures: ['publish failed'] }))
        progress?.done(out[i], now() - t0)
      })
      progress?.flush()
    } finally { dials?.detach() }
    return out
  }

  online (): number[] { return [...this.byIndex].flatMap(([i, p]) => p.client === undefined ? [] : [i]) }

  async leave (i: number): Promise<void> {
    const p = this.peer(i)
    this.settle(p)
    await this.cluster.stop(p)
  }

  /** Come back on the same data dir and port, then do what a client does on start: sync. */
  async join (i: number, bootstrap: string[]): Promise<void> {
    await this.cluster.start(this.peer(i), { bootstrap })
    this.listen(i)
    await this.sync(i)
  }

  /**
   * The daemon's sync: at the remembered replica set while it is plausible (a rejoined client has
   * none). Returns where the set came from (`remembered`, or why it was looked up; `+again` when a
   * remembered replica did not answer and the collect looked up after all; `failed`: the sync threw).
   */
  async sync (i: number): Promise<string> {
    const client = this.client(i)
    const ok = await client.sync({ reuseReplicas: true }).then(() => true, () => false)
    const choice = client.lastReplicaSetChoice()
    if (!ok || choice === undefined) return 'failed'
    const source = choice.saved === true ? `${choice.source}+saved` : choice.source
    return choice.lookedUpAgain ? `${source}+again` : source
  }

  async send (from: number, to: string, text: string): Promise<{ id: string, route: string }> {
    const r = await this.client(from).send(to, text)
    return { id: r.id, route: r.route }
  }

  /** The inbox of peer i, read from its store even while it is offline. */
  async inbox (i: number): Promise<SimInboxMessage[]> {
    const p = this.peer(i)
    const read = async (c: CairnClient): Promise<SimInboxMessage[]> => (await c.inbox()).map(simMessage)
    if (p.client !== undefined) return read(p.client)
    const c = await CairnClient.open({ config: peerConfig(p.dataDir, p.port, { mailbox: true, overrides: this.overrides }), log: silentLogger(), clock: this.clock, network: false })
    try { return await read(c) } finally { await c.stop() }
  }

  /** Per online peer: how many messages wait in its outbox. */
  async outboxes (): Promise<Record<number, number>> {
    const out: Record<number, number> = {}
    for (const i of this.online()) out[i] = (await this.client(i).messenger.pending()).length
    return out
  }

  /** The online peers whose last bundle publish fell short (the product's daemon publishes again soon: CairnClient.retryShortPublish). */
  bundlesShort (): number[] { return this.online().filter(i => this.client(i).bundlesShort) }

  /** Diagnostics: per online peer with a non-empty outbox, each entry's recipient, attempts, whether it is sealed, and its last error. */
  async outboxErrors (): Promise<Record<number, string[]>> {
    const out: Record<number, string[]> = {}
    for (const i of this.online()) {
      const entries = await this.client(i).messenger.pending()
      if (entries.length > 0) out[i] = entries.map(e => `${e.to.slice(-6)} ×${e.attempts} ${e.envelope === undefined ? 'unsealed' : 'sealed'}: ${e.lastError ?? ''}`)
    }
    return out
  }

  /** Per online peer: the recipients it holds anything for (mail or bundle), with how many messages. */
  async held (): Promise<Record<number, Record<string, number>>> {
    const out: Record<number, Record<string, number>> = {}
    for (const i of this.online()) {
      const store = this.client(i).mailbox?.store
      if (store === undefined) continue
      out[i] = Object.fromEntries((await store.recipients()).map(r => [r, store.usageOf(r).count]))
    }
    return out
  }

  /** What peer i holds for recipient r, for each [i, r] asked (offline peers: left out). */
  async views (pairs: Array<[number, string]>): Promise<Array<HeldView | undefined>> {
    const t = this.clock.now()
    return Promise.all(pairs.map(async ([i, r]) => {
      const store = this.byIndex.get(i)?.client?.mailbox?.store
      if (store === undefined) return undefined
      const tombs = (await store.tombstones(r)).filter(x => x.expiresAt > t).map(x => x.id)
      return { ids: await store.ids(r), tombs, bundle: (await store.getBundle(r)) !== undefined }
    }))
  }

  async forRecipient (i: number, r: string): Promise<void> { await this.client(i).mailbox?.handover.forRecipient(r) }

  /**
   * Diagnostics: the replica set peer i's handover would pick for `r` (its DHT lookup, as
   * Handover.forRecipient makes it), and which of `expected` its routing table holds.
   */
  async replicaSetOf (i: number, r: string, expected: string[]): Promise<{ picked: string[], inTable: string[] }> {
    const c = this.client(i)
    const node = c.node
    if (node === undefined) return { picked: [], inTable: [] }
    const key = mailboxKey(parsePeerId(r))
    const picked = await closestPeers(node, key, this.o.replicas, { includeSelf: true, perSubnet: 0, clock: this.clock, signal: AbortSignal.timeout(15_000) }).catch(() => [])
    const table = new Set(routingTableByDistance(node, key).map(String))
    return { picked: picked.map(String).filter(p => p !== node.peerId.toString() && p !== r), inTable: expected.filter(p => table.has(p)) }
  }

  /** Diagnostics: which of this host's online peers hold `peer` in their Kademlia routing table. */
  knownBy (peer: string): number[] {
    return this.online().filter(i => {
      const node = this.client(i).node
      return node !== undefined && routingTableByDistance(node, new Uint8Array(32)).some(p => p.toString() === peer)
    })
  }

  /** Every peer some online peer of this host holds in its Kademlia routing table. */
  tableMembers (): string[] {
    const all = new Set<string>()
    for (const i of this.online()) {
      const node = this.client(i).node
      if (node !== undefined) for (const p of routingTableByDistance(node, new Uint8Array(32))) all.add(p.toString())
    }
    return [...all]
  }

  /** Diagnostics: for each of `peers` online here, whether its DHT join found peers, its connections, its routing table's size. */
  joinStates (peers: number[]): Array<{ i: number, joined: boolean, connections: number, table: number }> {
    return peers.filter(i => this.byIndex.get(i)?.client?.node !== undefined).map(i => {
      const c = this.client(i)
      const node = c.node as NonNullable<typeof c.node>
      return { i, joined: (c as unknown as { dhtJoined: boolean }).dhtJoined, connections: node.getConnections().length, table: routingTableByDistance(node, new Uint8Array(32)).length }
    })
  }

  async runOnce (i: number): Promise<void> { await this.client(i).mailbox?.handover.runOnce() }

  async sweep (): Promise<void> {
    await Promise.all(this.online().map(async i => this.client(i).mailbox?.sweep()))
  }

  /** A DHT lookup of `target`'s mailbox key from peer i, as a sender's mailbox route does it. */
  async lookup (i: number, target: string): Promise<{ ms: number, queried: number, answered: number, failed: number, cut: boolean, found: number, foundIds: string[] }> {
    const node = this.client(i).node
    const t = now()
    const seen = { queried: 0, answered: 0, failed: 0, cut: false }
    const foundIds: string[] = []
    if (node === undefined) return { ms: 0, ...seen, found: 0, foundIds }
    try {
      for await (const ev of node.services.dht.getClosestPeers(mailboxKey(parsePeerId(target)), { signal: AbortSignal.timeout(15_000) })) {
        if (ev.name === 'SEND_QUERY') seen.queried++
        if (ev.name === 'PEER_RESPONSE') seen.answered++
        if (ev.name === 'QUERY_ERROR') seen.failed++
        if (ev.name === 'FINAL_PEER') foundIds.push(ev.peer.id.toString())
      }
    } catch {
      // a lookup that timed out still counts with what it did
      seen.cut = true
    }
    return { ms: now() - t, ...seen, found: foundIds.length, foundIds }
  }

  /** The peers in peer i's DHT routing table (empty when it is offline). */
  tablePeers (i: number): string[] {
    const node = this.byIndex.get(i)?.client?.node
    return node === undefined ? [] : routingTableByDistance(node, new Uint8Array(32)).map(p => p.toString())
  }

  /**
   * Every online peer here: how many peers its DHT routing table holds, how many connections it
   * has open, its connections' lives since it started and its DHT joins.
   */
  tableCensus (): CensusEntry[] {
    return this.online().map(i => {
      const client = this.client(i)
      const node = client.node
      const life = this.lives.life(i)
      return { index: i, peerId: client.identity.peerId.toString(), table: node === undefined ? 0 : routingTableSize(node), connections: node?.getConnections().length ?? 0, ...(life === undefined ? {} : { life }), join: client.dhtJoinState() }
    })
  }

  /**
   * Online peers here that are cut off as the retry timer sees it: no connection open, or never
   * joined the DHT though they have bootstrap peers to join through (the first seed has none).
   */
  isolated (): number {
    return this.online().filter(i => {
      const c = this.client(i)
      return (c.node?.getConnections().length ?? 0) === 0 || (!c.dhtJoinState().joined && c.config.bootstrap.length > 0)
    }).length
  }

  /** How many connections the trimmers of peers here closed, by the remote peer's id. */
  connectionTrims (): Record<string, number> { return this.lives.trims() }

  /** Each lookup path's answers before it stops (network.dhtPathK) in every online peer here, from now on. */
  setPathK (pathK: number): number {
    let set = 0
    for (const i of this.online()) {
      const paths = queryPathsOf(this.client(i).node?.services.dht ?? {})
      if (paths === undefined) continue
      paths.pathK = pathK
      set++
    }
    return set
  }

  async group (i: number, g: GroupOp): Promise<GroupResult> {
    const groups = this.client(i).groups
    if (g.op === 'send') {
      const r = await groups.send(g.group, g.text)
      return { id: r.id, members: Object.keys(r.members), routes: r.members }
    }
    const view = g.op === 'create' ? await groups.create(g.name, g.members) : g.op === 'add' ? await groups.add(g.group, g.peers) : await groups.remove(g.group, g.peers)
    return { id: view.id, members: view.members.map(m => m.peerId) }
  }

  /** The CPU time this process has used since it started, s (user + system). */
  cpu (): number {
    const c = process.cpuUsage()
    return (c.user + c.system) / 1e6
  }

  /** How late this process's event loop ran since the last call (p50 / p99 / max, ms): a timer's deadline is that much shorter here. */
  loopDelay (): { p50: number, p99: number, max: number } {
    const d = this.delay
    const out = { p50: d.percentile(50) / 1e6, p99: d.percentile(99) / 1e6, max: d.max / 1e6 }
    d.reset()
    return out
  }

  memory (): HostMemory {
    const m = process.memoryUsage()
    const c = process.cpuUsage()
    return { rssMiB: m.rss / MiB, heapMiB: m.heapUsed / MiB, online: this.online().length, cpuSeconds: (c.user + c.system) / 1e6 }
  }

  /**
   * Wait until this process is quiet: the event loop busy less than `busy` of a `windowMs` window
   * (idle timers stay below it; a delivery, a handover or a DHT query in flight do not), at most
   * `maxMs`. Returns the ms waited.
   */
  async quiet (windowMs = 20, busy = 0.3, maxMs = 2000): Promise<number> {
    const t = now()
    for (;;) {
      const before = performance.eventLoopUtilization()
      await new Promise(resolve => setTimeout(resolve, windowMs))
      const u = performance.eventLoopUtilization(before).utilization
      if (u < busy || now() - t > maxMs) return now() - t
    }
  }

  /** Stop every peer; the mailbox counters summed over the run. */
  async stopAll (): Promise<Traffic> {
    for (const p of this.byIndex.values()) this.settle(p)
    await this.cluster.stopAll()
    return this.traffic
  }

  private peer (i: number): Peer {
    const p = this.byIndex.get(i)
    if (p === undefined) throw new Error(`peer ${i} is not hosted here`)
    return p
  }

  private client (i: number): CairnClient {
    const c = this.peer(i).client
    if (c === undefined) throw new Error(`peer ${i} is offline`)
    return c
  }

  /** Add a peer's mailbox counters to the totals (they start from zero on every start). */
  private settle (p: Peer): void {
    const m = p.client?.mailbox?.metrics
    if (m === undefined) return
    const t = this.traffic
    t.handoverCopies += m.handoverEnvelopesSent
    t.handoverBytes += m.handoverBytesSent
    t.handoverReceived += m.handoverEnvelopesReceived
    t.handoverRuns += m.handoverRuns
    t.deposits += m.deposits.stored
    t.pushes += m.pushes
    t.fetched += m.envelopesFetched
  }

  private listen (i: number): void {
    const client = this.client(i)
    client.messenger.on('message', (m) => { this.onMessage(i, simMessage(m)) })
    if (client.node !== undefined) this.lives.attach(i, client.node)
  }
}

function simMessage (m: InboxMessage): SimInboxMessage {
  return { id: m.id, from: m.from, text: m.text, sentAt: m.sentAt, receivedAt: m.receivedAt, route: m.route, ...(m.group === undefined ? {} : { group: m.group.id }) }
}
