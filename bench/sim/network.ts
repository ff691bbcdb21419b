/**
 * The simulated network as the runner sees it: N peers spread over P hosts, the peer with index i
 * on host i mod P. With one host (`workers: 1`) the peers live in this process; otherwise each
 * host is a worker process (worker.ts) reached by RPC over the fork channel, with its own
 * ManualClock that the coordinator sets before every step. Peers on different hosts talk over
 * loopback TCP as any two peers do. After a step the coordinator waits for every host to be quiet
 * (settle) before the next one, so a run is limited by CPU, not by how long a step may take.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PeerHost, noTraffic, type CensusEntry, type GroupOp, type GroupResult, type HeldView, type HostMemory, type HostOptions, type SimInboxMessage, type Traffic } from './host.js'
import type { PublishResult } from '../../src/client/mailbox/bundle-publisher.js'
import { setShortcut, type Shortcut } from './shortcuts.js'
import type { WorkerInit } from './worker.js'
import { reapOnExit } from '../lib/reap.js'

export type { Traffic, SimInboxMessage, HeldView } from './host.js'

/** Rounds of bundle publishing at set-up: the first for every peer, then for those whose publish fell short. */
const SETUP_PUBLISH_ROUNDS = 4
/**
 * Connections each simulated peer keeps (network.maxConnections). Uncapped (libp2p pruned none of
 * a Cairn peer's connections: src/shared/node/connection-trimmer.ts) a peer held ~160 sockets at
 * 200 peers, ~80 and growing in a 1,000-peer set-up, where 250 peers a worker ran out of a 20,000
 * open-file limit. Capped at 48, a peer of 200 held 52 at most (docs/BENCHMARKS.md).
 */
export const SIM_MAX_CONNECTIONS = 48
/** Rounds of the daemons' retry timer at set-up at most (each ends when every peer's redial and join has). */
const SETUP_RECONNECT_ROUNDS = 6
/** How long CAIRN_SIM_DIAG measures the idle network after the warm-up, ms. */
const IDLE_SAMPLE_MS = 15_000

type Methods = {
  [K in keyof PeerHost]: PeerHost[K] extends (...a: infer A) => infer R ? (...a: A) => Promise<Awaited<R>> : never
}
type MethodName = { [K in keyof PeerHost]: PeerHost[K] extends (...a: never[]) => unknown ? K : never }[keyof PeerHost]

interface HostLink {
  call: <K extends MethodName>(method: K, ...args: Parameters<Methods[K]>) => ReturnType<Methods[K]>
  close: () => Promise<void>
}

export interface NetworkOptions extends HostOptions {
  nodes: number
  /** Worker processes; 1: every peer in this process. */
  workers: number
  connectionMonitor: boolean
  /** Peers that start first and stay (the plan never churns them): everyone else's bootstrap peers. */
  seeds: number
  /** Called for every message a user's messenger stores. */
  onMessage: (to: number, m: SimInboxMessage) => void
  /** Set-up's progress, a line per stage (at 1,000 peers set-up takes many minutes). */
  progress?: (line: string) => void
}

function localLink (host: PeerHost): HostLink {
  return {
    call: (async (method: MethodName, ...args: unknown[]) => (host[method] as (...a: unknown[]) => unknown)(...args)) as HostLink['call'],
    close: async () => {}
  }
}

function workerLink (child: ChildProcess, onMessage: NetworkOptions['onMessage']): HostLink {
  let seq = 0
  const waiting = new Map<number, { resolve: (v: unknown) => void, reject: (e: Error) => void }>()
  const fail = (why: string): void => {
    for (const w of waiting.values()) w.reject(new Error(why))
    waiting.clear()
  }
  child.on('message', (msg: { id?: number, result?: unknown, error?: string, event?: string, to?: number, m?: SimInboxMessage }) => {
    if (msg.event === 'message') { onMessage(msg.to as number, msg.m as SimInboxMessage); return }
    const w = waiting.get(msg.id as number)
    if (w === undefined) return
    waiting.delete(msg.id as number)
    if (msg.error !== undefined) w.reject(new Error(msg.error))
    else w.resolve(msg.result)
  })
  child.on('exit', (code, signal) => { fail(`simulation worker ${child.pid ?? '?'} exited (${signal ?? code ?? '?'})`) })
  const send = async (method: string, args: unknown[]): Promise<unknown> => new Promise((resolve, reject) => {
    const id = ++seq
    waiting.set(id, { resolve, reject })
    child.send({ id, method, args }, (err) => { if (err !== null) { waiting.delete(id); reject(err) } })
  })
  return {
    call: (async (method: string, ...args: unknown[]) => send(method, args)) as HostLink['call'],
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      await new Promise<void>(resolve => { child.once('exit', () => { resolve() }); child.disconnect() })
    }
  }
}

/** A worker's own methods (worker.ts), beside its host's. */
async function workerCall (link: HostLink, method: string, ...args: unknown[]): Promise<unknown> {
  return (link.call as (m: string, ...a: unknown[]) => Promise<unknown>)(method, ...args)
}

export class SimNetwork {
  readonly peerIds: string[] = []
  /** What each peer's bundle publish at set-up reached (diagnostics). */
  published = new Map<number, PublishResult>()
  private readonly addrs: string[] = []
  private readonly up: boolean[] = []
  private readonly links: HostLink[] = []
  private readonly baseRss: number[] = []
  private t: number

  constructor (private readonly o: NetworkOptions) {
    this.t = o.start
  }

  get hosts (): number { return this.links.length }

  private get local (): boolean { return this.o.workers <= 1 }

  now (): number { return this.t }

  isOnline (i: number): boolean { return this.up[i] === true }

  online (): number[] { return this.up.flatMap((u, i) => u ? [i] : []) }

  private host (i: number): HostLink { return this.links[i % this.links.length] as HostLink }

  /** Start the hosts and every peer, warm the routing tables, publish every bundle (not with `bundles: false`). */
  async setup (o: { bundles?: boolean } = {}): Promise<void> {
    const { nodes: _n, workers: _w, connectionMonitor: _c, seeds: _s, onMessage: _m, progress: _p, ...given } = this.o
    // a simulated peer dials as a daemon does (network.dialTimeoutMs, 5 s): the 30 s tried in
    // session 51 was libp2p's 6 s per address in effect, and once it held (session 52) set-up got
    // slower, not better (docs/BENCHMARKS.md)
    const options = { ...given, maxConnections: given.maxConnections ?? SIM_MAX_CONNECTIONS }
    if (this.o.workers <= 1) {
      const host = new PeerHost(options)
      host.onMessage = this.o.onMessage
      this.links.push(localLink(host))
      this.baseRss.push(host.memory().rssMiB)
    } else {
      const entry = fileURLToPath(new URL('./worker.js', import.meta.url))
      for (let w = 0; w < this.o.workers; w++) {
        // killed when this process exits however it exits, before reap.ts removes the run's root: a
        // worker that outlived a SIGTERM by a moment still wrote into the root as it was removed
        const link = workerLink(reapOnExit(fork(entry, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })), this.o.onMessage)
        this.links.push(link)
        const init: WorkerInit = { ...options, connectionMonitor: this.o.connectionMonitor }
        this.baseRss.push((await (link.call as (m: string, ...a: unknown[]) => Promise<HostMemory>)('init', init)).rssMiB)
      }
    }
    // the seeds first, one at a time, each joined through those before it; then every other peer
    // through up to three of them, spread evenly: a real network's bootstrap list names several
    // stable peers, and 199 peers dialling one at once miss their start-up deadlines
    const t0 = Date.now()
    const diag = process.env.CAIRN_SIM_DIAG !== undefined
    const stage = async (what: string): Promise<void> => {
      // simulated time follows the real clock through set-up, as a real network's does while its
      // peers start: a daemon's timers that count in it (the rejoin back-off of a peer whose join
      // found nobody, CairnClient.reconnectIfIsolated) have run out by the next retry round, where a
      // frozen clock kept such peers unjoined until the warm-up. The run's own time starts after.
      await this.setClock(Math.max(this.t, this.o.start + Date.now() - t0))
      // with CAIRN_SIM_DIAG, how late the hosts' event loops ran meanwhile (the worst host): a real-time deadline is that much shorter
      const late = diag ? (await Promise.all(this.links.map(async l => l.call('loopDelay')))).reduce((a, b) => b.p99 > a.p99 ? b : a) : undefined
      this.o.progress?.(`set-up: ${what} (${((Date.now() - t0) / 1000).toFixed(0)} s${late === undefined ? '' : `; event loop late p50 ${late.p50.toFixed(0)} / p99 ${late.p99.toFixed(0)} / max ${late.max.toFixed(0)} ms`})`)
    }
    const seeds = Math.min(this.o.seeds, this.o.nodes)
    for (let i = 0; i < seeds; i++) {
      this.record(await this.host(i).call('add', [{ index: i, bootstrap: this.addrs.slice(Math.max(0, i - 3), i) }]))
    }
    await Promise.all(this.links.map(async (link, h) => {
      const mine = Array.from({ length: this.o.nodes }, (_, i) => i).filter(i => i >= seeds && i % this.links.length === h)
      this.record(await link.call('add', mine.map(index => ({ index, bootstrap: this.bootstrapOf(index) }))))
    }))
    await stage(`${this.o.nodes} peers started`)
    // the daemons' retry timer, until every peer is connected and joined (as in a network that
    // has run a while) or a round brings nobody back: a peer whose bootstrap dials all missed
    // their deadline stays cut off until its timer redials, and warm-up cannot reach it
    for (let round = 1, before = Infinity; round <= SETUP_RECONNECT_ROUNDS; round++) {
      const redialled = await this.reconnect()
      const isolated = await this.isolated()
      await stage(`retry timer, round ${round}: ${redialled} redialled or joined again, ${isolated} still cut off`)
      if (isolated === 0 || isolated >= before) break
      before = isolated
    }
    await this.all('warm')
    await stage('routing tables warmed')
    if (process.env.CAIRN_SIM_DIAG !== undefined) {
      // what the network burns with nothing asked of it (libp2p's timers, the trimmer), before the bundle rounds ask a lot
      await stage(`idle after the warm-up: ${(await this.idleRate(IDLE_SAMPLE_MS)).toFixed(2)} CPU-s per s`)
    }
    // a publish that fell short goes again (the daemon's retry, CairnClient.retryShortPublish), a
    // few rounds, before simulated time starts: every peer's bundle is out, as in a network that has run a while
    for (let round = 0; o.bundles !== false && round < SETUP_PUBLISH_ROUNDS; round++) {
      const results = (await Promise.all(this.links.map(async l => l.call('publishBundles', round > 0)))).flatMap(r => Object.entries(r).map(([i, p]) => [Number(i), p] as const))
      for (const [i, p] of results) this.published.set(i, p)
      const short = (await this.bundlesShort()).length
      await stage(`bundles published, round ${round + 1}: ${short} short of k replicas`)
      if (short === 0) break
    }
  }

  /** Peer i's bootstrap list: up to three seeds, spread evenly over the peers. */
  private bootstrapOf (i: number): string[] {
    const seeds = Math.min(this.o.seeds, this.o.nodes)
    return [...new Set([0, 1, 2].map(d => this.addrs[(i + d) % seeds] as string))]
  }

  private record (added: Array<{ index: number, peerId: string, addr: string }>): void {
    for (const a of added) { this.peerIds[a.index] = a.peerId; this.addrs[a.index] = a.addr; this.up[a.index] = true }
  }

  private async all<K extends 'warm' | 'publishBundles' | 'sweep' | 'quiet'> (method: K): Promise<Array<Awaited<ReturnType<Methods[K]>>>> {
    return Promise.all(this.links.map(async l => (l.call as (m: K) => ReturnType<Methods[K]>)(method)))
  }

  /** Set every host's clock to `t` (ms since the epoch). */
  async setClock (t: number): Promise<void> {
    this.t = t
    await Promise.all(this.links.map(async l => l.call('setClock', t)))
  }

  async leave (i: number): Promise<void> {
    this.up[i] = false
    await this.host(i).call('leave', i)
  }

  /** Come back on the same data dir and port, bootstrapped by up to three online peers, then sync. */
  async join (i: number): Promise<void> {
    const others = this.online().filter(j => j !== i).map(j => this.addrs[j] as string)
    const bootstrap = [...new Set([...this.bootstrapOf(i), ...others])].slice(0, 3)
    await this.host(i).call('join', i, bootstrap)
    this.up[i] = true
  }

  /** The peer's periodic sync; where its replica set came from (host.ts `sync`). */
  async sync (i: number): Promise<string> { return this.host(i).call('sync', i) }

  async send (from: number, to: number, text: string): Promise<{ id: string, route: string }> {
    return this.host(from).call('send', from, this.peerIds[to] as string, text)
  }

  async inbox (i: number): Promise<SimInboxMessage[]> { return this.host(i).call('inbox', i) }

  /** Per online peer: messages waiting in its outbox. */
  async outboxes (): Promise<Map<number, number>> {
    const parts = await Promise.all(this.links.map(async l => l.call('outboxes')))
    return new Map(parts.flatMap(p => Object.entries(p).map(([i, n]) => [Number(i), n] as [number, number])))
  }

  /** The online peers whose last bundle publish fell short (PeerHost.bundlesShort). */
  async bundlesShort (): Promise<number[]> {
    return (await Promise.all(this.links.map(async l => l.call('bundlesShort')))).flat()
  }

  /** Diagnostics: per online peer with a non-empty outbox, what each entry last failed with (PeerHost.outboxErrors). */
  async outboxErrors (): Promise<Map<number, string[]>> {
    const parts = await Promise.all(this.links.map(async l => l.call('outboxErrors')))
    return new Map(parts.flatMap(p => Object.entries(p).map(([i, e]) => [Number(i), e] as [number, string[]])))
  }

  /** Per online peer: the recipients it holds anything for, with how many messages. */
  async held (): Promise<Map<number, Record<string, number>>> {
    const parts = await Promise.all(this.links.map(async l => l.call('held')))
    return new Map(parts.flatMap(p => Object.entries(p).map(([i, n]) => [Number(i), n] as [number, Record<string, number>])))
  }

  /** What each peer holds for each recipient asked, in the order asked (undefined: offline). */
  async views (pairs: Array<[number, string]>): Promise<Array<HeldView | undefined>> {
    const out: Array<HeldView | undefined> = new Array(pairs.length)
    await Promise.all(this.links.map(async (l, h) => {
      const at = pairs.flatMap(([i], n) => i % this.links.length === h ? [n] : [])
      if (at.length === 0) return
      const got = await l.call('views', at.map(n => pairs[n] as [number, string]))
      at.forEach((n, k) => { out[n] = got[k] })
    }))
    return out
  }

  async forRecipient (i: number, r: string): Promise<void> { await this.host(i).call('forRecipient', i, r) }

  async replicaSetOf (i: number, r: string, expected: string[]): Promise<{ picked: string[], inTable: string[] }> { return this.host(i).call('replicaSetOf', i, r, expected) }

  /** Diagnostics: the online peers, on every host, whose routing table holds peer `i`. */
  async knownBy (i: number): Promise<number[]> {
    return (await Promise.all(this.links.map(async l => l.call('knownBy', this.peerIds[i] as string)))).flat()
  }

  /** Online peers in no online peer's routing table: no DHT lookup can find them (or pick them as replicas). */
  async unfindable (): Promise<number[]> {
    const known = new Set((await Promise.all(this.links.map(async l => l.call('tableMembers')))).flat())
    return this.online().filter(i => !known.has(this.peerIds[i] as string))
  }

  /** Diagnostics (CAIRN_SIM_DIAG): the join state of each of `peers` (PeerHost.joinStates). */
  async joinStates (peers: number[]): Promise<Array<{ i: number, joined: boolean, connections: number, table: number }>> {
    return (await Promise.all(this.links.map(async l => l.call('joinStates', peers)))).flat()
  }

  /** Online peers cut off as the retry timer sees them: no connection, or never joined though they have bootstrap peers (PeerHost.isolated). */
  async isolated (): Promise<number> {
    return (await Promise.all(this.links.map(async l => l.call('isolated')))).reduce((a, b) => a + b, 0)
  }

  /** The daemons' retry timer on every host (PeerHost.reconnect): how many peers redialled their bootstrap peers. */
  async reconnect (): Promise<number> {
    return (await Promise.all(this.links.map(async l => l.call('reconnect')))).reduce((a, b) => a + b, 0)
  }

  async runOnce (i: number): Promise<void> { await this.host(i).call('runOnce', i) }

  async sweep (): Promise<void> { await this.all('sweep') }

  async lookup (i: number, target: number): Promise<{ ms: number, queried: number, answered: number, failed: number, cut: boolean, found: number, foundIds: string[] }> {
    return this.host(i).call('lookup', i, this.peerIds[target] as string)
  }

  /** The peers in peer i's DHT routing table. */
  async tablePeers (i: number): Promise<string[]> { return this.host(i).call('tablePeers', i) }

  /** Every online peer's routing-table size, open connections, connection lives and joins (PeerHost.tableCensus). */
  async tableCensus (): Promise<CensusEntry[]> {
    return (await Promise.all(this.links.map(async l => l.call('tableCensus')))).flat()
  }

  /** How many connections every peer's trimmer closed, by the remote peer's id (PeerHost.connectionTrims). */
  async connectionTrims (): Promise<Map<string, number>> {
    const out = new Map<string, number>()
    for (const trims of await Promise.all(this.links.map(async l => l.call('connectionTrims')))) {
      for (const [peer, n] of Object.entries(trims)) out.set(peer, (out.get(peer) ?? 0) + n)
    }
    return out
  }

  /** Each lookup path's answers before it stops (network.dhtPathK), in every online peer; how many were set. */
  async setPathK (pathK: number): Promise<number> {
    return (await Promise.all(this.links.map(async l => l.call('setPathK', pathK)))).reduce((a, b) => a + b, 0)
  }

  async group (i: number, op: GroupOp): Promise<GroupResult> { return this.host(i).call('group', i, op) }

  /** CPU profiles of the workers (not with `workers: 1`): start, then stop writing `${prefix}-worker-N.cpuprofile`. */
  async profile (action: 'start' | 'stop', prefix = ''): Promise<string[]> {
    if (this.local) throw new Error('worker profiles need workers > 1')
    return Promise.all(this.links.map(async (l, w) => String(await workerCall(l, action === 'start' ? 'profileStart' : 'profileStop', `${prefix}-worker-${w}.cpuprofile`))))
  }

  /** A peer store shortcut (shortcuts.ts) on (the default) or off, in every peer (A/B runs). */
  async shortcut (which: Shortcut, on: boolean): Promise<void> {
    if (this.local) { setShortcut(which, on); return }
    await Promise.all(this.links.map(async l => workerCall(l, 'shortcut', which, on)))
  }

  /** All processes' CPU per wall second over the next `ms` (nothing asked of the network meanwhile, by the caller). */
  async idleRate (ms: number): Promise<number> {
    const t = Date.now()
    const c = await this.cpu()
    await new Promise(resolve => setTimeout(resolve, ms))
    return ((await this.cpu()) - c) / ((Date.now() - t) / 1000)
  }

  /** CPU time of every process of the run, s: the workers' and, when the peers are elsewhere, the coordinator's. */
  async cpu (): Promise<number> {
    const parts = await Promise.all(this.links.map(async l => l.call('cpu')))
    const own = process.cpuUsage()
    return (this.local ? 0 : (own.user + own.system) / 1e6) + sum(parts)
  }

  /** RSS, heap and CPU time summed over the processes, and RSS before any peer started. */
  async memory (): Promise<HostMemory & { baseRssMiB: number }> {
    const parts = await Promise.all(this.links.map(async l => l.call('memory')))
    // the coordinator's own CPU time counts too when the peers are elsewhere
    const own = process.cpuUsage()
    const coordinator = this.local ? 0 : (own.user + own.system) / 1e6
    return { rssMiB: sum(parts.map(p => p.rssMiB)), heapMiB: sum(parts.map(p => p.heapMiB)), online: sum(parts.map(p => p.online)), cpuSeconds: coordinator + sum(parts.map(p => p.cpuSeconds)), baseRssMiB: sum(this.baseRss) }
  }

  /**
   * Wait until every worker is quiet (see PeerHost.quiet). With every peer in this process the
   * calls the runner awaited have done their work on both sides: one turn of the event loop.
   */
  async settle (): Promise<void> {
    if (this.local) await new Promise(resolve => setImmediate(resolve))
    else await this.all('quiet')
  }

  /** Stop every peer and every worker; the mailbox counters summed over the run. */
  async stopAll (): Promise<Traffic> {
    const total = noTraffic()
    const parts = await Promise.all(this.links.map(async l => l.call('stopAll').catch(() => noTraffic())))
    for (const p of parts) for (const k of Object.keys(total) as Array<keyof Traffic>) total[k] += p[k]
    this.up.fill(false)
    return total
  }

  async close (): Promise<void> {
    await Promise.all(this.links.map(async l => l.close()))
  }
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0)

/**
 * A micro bench's network (bench/micro: lookup-paths, table-census): set up in a temporary root
 * without the bundle round, handed to `use`, then every peer stopped, the workers ended and the
 * root removed, however `use` ends.
 */
export async function withSimNetwork<T> (name: string, o: Omit<NetworkOptions, 'root' | 'start' | 'onMessage'>, use: (world: SimNetwork) => Promise<T>): Promise<T> {
  const root = await mkdtemp(join(tmpdir(), `cairn-bench-${name}-`))
  const world = new SimNetwork({ ...o, root, start: Date.now(), onMessage: () => {} })
  try {
    await world.setup({ bundles: false })
    return await use(world)
  } finally {
    await world.stopAll().catch(() => {})
    await world.close().catch(() => {})
    await rm(root, { recursive: true, force: true })
  }
}
