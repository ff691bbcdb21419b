/**
 * One simulation run: the plan's events in simulated-time order (leave, join + sync, send), and
 * every simulated hour the handover, a sweep every 6 h, a sync for online peers with mail waiting
 * or an outbox to retry (the daemon's periodic work), DHT lookup and memory samples. It ends when
 * every message has arrived (after the sending window), when churn has settled and nothing is
 * left to wait for, or when the wall-clock budget runs out.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { removeOnExit } from '../lib/reap.js'
import { now, rng } from '../lib/stats.js'
import type { PeerStoreMode } from '../../src/shared/config.js'
import { HandoverDriver, type HandoverMode } from './handover-driver.js'
import { DAY, HOUR, plan, planGroups, type PlannedGroupChange, type PlannedGroupMessage, type PlannedMessage } from './model.js'
import { SimNetwork, type SimInboxMessage, type Traffic } from './network.js'

export interface SimOptions {
  nodes: number
  churn: number
  replicas: number
  /** Kademlia's K for every peer (network.dhtK); default: the config's. */
  dhtK?: number
  /** Answers each lookup path gathers before it stops, for every peer (network.dhtPathK); default: the config's. */
  dhtPathK?: number
  /** How often each peer's DHT refreshes its table, real ms (network.dhtRefreshMs: kad-dht keeps real time); default: the config's. */
  dhtRefreshMs?: number
  messages: number
  sendDays: number
  /** Longest absence of a churning peer, days (14: as long as mail may wait). */
  maxAwayDays: number
  textBytes: number
  seed: number
  /** How long the network's idle CPU rate is measured after set-up, ms (SimRun.idleCpuPerSecond; default 10 s). */
  idleSampleMs?: number
  /** Bootstrap peers that start first and never churn (default 1; docs/BENCHMARKS.md, session 19, on why not more). */
  seeds?: number
  handover: HandoverMode
  /** Wall-clock budget, minutes. */
  minutes: number
  /** Log progress every this many simulated hours (default 24). */
  logEveryHours?: number
  log: (...a: unknown[]) => void
  /** A group workload beside the 1:1 one (absent or count 0: none). */
  groups?: GroupWorkload
  /** Processes the peers are spread over (peer i in worker i mod P); 1: all in this process. */
  workers: number
  /** Keep libp2p's connection monitor (pings every connection every 10 s) in worker processes. */
  connectionMonitor?: boolean
  /** Where each peer's libp2p keeps its peer store (network.peerStore); default memory. */
  peerStore?: PeerStoreMode
  /** Connections each peer keeps (network.maxConnections); default: the config's. */
  maxConnections?: number
}

export interface GroupWorkload {
  /** Groups created at the start, while every peer is online. */
  count: number
  minSize: number
  maxSize: number
  /** Group messages over the sending window. */
  messages: number
  /** Membership changes (add or remove, by the group's creator) over the sending window. */
  changes: number
}

export interface SentGroupMessage extends PlannedGroupMessage {
  id?: string
  /** PeerId of the sender. */
  sender: string
  sentAt: number
  sendMs: number
  /** Peer indices the sender handed it to: the members in its view of the group when sent. */
  expected: number[]
  /** Members by the group's current membership (as the creator's changes left it) the sender's view lacked. */
  notInSenderView: number[]
  /** Per member: the route the sender used (direct, mailbox, outbox). */
  routes: Record<string, string>
  error?: string
}

export interface GroupChangeDone extends PlannedGroupChange { done: boolean, error?: string }

export interface SimGroupRun {
  workload: GroupWorkload
  /** Per group: its id and members at creation (peer indices). */
  groups: Array<{ id: string, members: number[] }>
  sent: SentGroupMessage[]
  changes: GroupChangeDone[]
}

export interface SentMessage extends PlannedMessage { id?: string, route?: string, sentAt: number, sendMs: number, error?: string }

export interface SimRun {
  options: Omit<SimOptions, 'log'>
  churners: number
  sent: SentMessage[]
  /** Per recipient peer index: its inbox at the end. */
  inboxes: SimInboxMessage[][]
  /** The group workload, when there was one. */
  groupRun?: SimGroupRun
  peerIds: string[]
  traffic: Traffic
  lookups: Array<{ ms: number, queried: number, found: number }>
  /** Samples; cpuSeconds: CPU time of every process of the run so far (user + system). */
  memory: Array<{ simHours: number, online: number, rssMiB: number, heapMiB: number, cpuSeconds: number }>
  baseRssMiB: number
  /**
   * Churn events, handover passes, periodic syncs (and where each one's replica set came from:
   * `remembered`, or looked up because `none` was, it was `stale` or a `newcomer` was closer; `+again`:
   * a remembered replica did not answer), and simulated hours whose handover check was skipped
   * (nothing had happened since a check found nothing to do).
   */
  events: { leaves: number, joins: number, handoverPasses: number, syncs: number, syncReplicaSets: Record<string, number>, quietHours: number, reconnects?: number }
  simHours: number
  wallSeconds: number
  setupSeconds: number
  /**
   * CPU seconds all processes spend per wall second with nothing asked of the network (measured
   * right after set-up over SimOptions.idleSampleMs): the background (libp2p's own timers: gossipsub's
   * heartbeat, kad-dht's table upkeep) that every phase's CPU includes for its wall time.
   */
  idleCpuPerSecond?: number
  /** Wall seconds spent per kind of work. */
  phases: Record<string, number>
  /** CPU seconds of every process per kind of work (absent in results of older runs). */
  phaseCpu?: Record<string, number>
  /** Why handover passes ran (changed mode), summed over the run: recipient-hours. */
  handoverReasons: Record<string, number>
  /** The simulated clock at the start, ms since the epoch. */
  start: number
  /** Per 1:1 message still awaited at the end (by plan index): where it was left. */
  why?: Record<number, string>
  complete: boolean
}

export const textOf = (m: PlannedMessage, bytes: number): string => `sim ${m.index} from ${m.from} to ${m.to} `.padEnd(bytes, '.')
export const groupTextOf = (m: PlannedGroupMessage, bytes: number): string => `group-sim ${m.index} in ${m.group} from ${m.from} `.padEnd(bytes, '.')

export async function simulate (o: SimOptions): Promise<SimRun> {
  const t0 = now()
  const seeds = o.seeds ?? 1
  const p = plan({ nodes: o.nodes, churn: o.churn, sendWindowMs: o.sendDays * DAY, maxAwayMs: o.maxAwayDays * DAY, messages: o.messages, seed: o.seed, seeds })
  const gw = o.groups !== undefined && o.groups.count > 0 ? o.groups : undefined
  const gp = planGroups({ nodes: o.nodes, groups: gw?.count ?? 0, minSize: gw?.minSize ?? 0, maxSize: gw?.maxSize ?? 0, messages: gw?.messages ?? 0, changes: gw?.changes ?? 0, sendWindowMs: o.sendDays * DAY, seed: o.seed }, p.presence)
  const groupRun: SimGroupRun = { workload: gw ?? { count: 0, minSize: 0, maxSize: 0, messages: 0, changes: 0 }, groups: [], sent: [], changes: [] }
  /** Group deliveries still awaited: `${id}|${sender}|${member index}`. */
  const pendingGroup = new Set<string>()
  /** Group deliveries seen so far (some arrive before the send call returns). */
  const delivered = new Set<string>()
  /** Each group's membership as its creator's changes left it (peer indices). */
  const membership: Array<Set<number>> = []
  const root = await mkdtemp(join(tmpdir(), 'cairn-sim-'))
  // a run stopped by a signal leaves no peers' data dirs behind (1,000 peers: 145 MB)
  const forgetRoot = removeOnExit(root)
  // simulated time starts at the real clock's (bundles, certificates and sessions are dated by the
  // injected clock since session 14; before, libsignal's encrypt read the system clock and the
  // simulation had to stay ahead of it)
  let start = Math.floor(Date.now())
  const onMessage = (to: number, m: SimInboxMessage): void => {
    if (m.group !== undefined) { const k = `${m.id}|${m.from}|${to}`; delivered.add(k); pendingGroup.delete(k); return }
    // from another process a delivery may be reported before the send call returns
    deliveredIds.add(m.id)
    const i = idToIndex.get(m.id)
    if (i !== undefined) pending.delete(i)
  }
  const world = new SimNetwork({ root, nodes: o.nodes, replicas: o.replicas, start, workers: o.workers, seeds, connectionMonitor: o.connectionMonitor ?? false, peerStore: o.peerStore ?? 'memory', onMessage, progress: o.log, ...(o.dhtK === undefined ? {} : { dhtK: o.dhtK }), ...(o.dhtPathK === undefined ? {} : { dhtPathK: o.dhtPathK }), ...(o.dhtRefreshMs === undefined ? {} : { dhtRefreshMs: o.dhtRefreshMs }), ...(o.maxConnections === undefined ? {} : { maxConnections: o.maxConnections }) })
  const random = rng(o.seed ^ 0x5eed)
  const driver = new HandoverDriver(world, o.replicas, o.handover)
  const sent: SentMessage[] = []
  const pending = new Set<number>()
  const idToIndex = new Map<string, number>()
  const deliveredIds = new Set<string>()
  const events = { leaves: 0, joins: 0, handoverPasses: 0, syncs: 0, syncReplicaSets: {} as Record<string, number>, quietHours: 0, reconnects: 0 }
  let baseRssMiB = 0
  /** Something happened since the last handover check that found nothing to do. */
  let dirty = true
  const lookups: SimRun['lookups'] = []
  const memory: SimRun['memory'] = []
  let complete = false
  let simHours = 0
  const phases: Record<string, number> = {}
  const handoverReasons: Record<string, number> = {}
  /** CPU time of every process, s, by kind of work (wall time moves with the machine's load; this does not). */
  const phaseCpu: Record<string, number> = {}
  const timedPhase = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t = now()
    const c = await world.cpu()
    try { return await fn() } finally {
      phases[name] = (phases[name] ?? 0) + (now() - t) / 1000
      phaseCpu[name] = (phaseCpu[name] ?? 0) + (await world.cpu()) - c
    }
  }
  try {
    await world.setup()
    // set-up moved simulated time with the real clock (SimNetwork.setup); the run's schedule starts here
    start = world.now()
    baseRssMiB = (await world.memory()).baseRssMiB
    for (const g of gp.groups) {
      const creator = g.members[0] as number
      const view = await world.group(creator, { op: 'create', name: `sim-${g.index}`, members: g.members.slice(1).map(i => world.peerIds[i] as string) })
      groupRun.groups.push({ id: view.id, members: g.members })
      membership.push(new Set(g.members))
    }
    await world.settle()
    const setupSeconds = (now() - t0) / 1000
    const idleCpuPerSecond = await idleRate()
    await sampleMemory(0)
    const m0 = memory[0]
    o.log(`${o.nodes} peers up in ${setupSeconds.toFixed(0)} s on ${world.hosts === 1 ? 'this process' : `${world.hosts} worker processes`}${m0 === undefined ? '' : ` (RSS ${m0.rssMiB.toFixed(0)} MiB, ${((m0.rssMiB - baseRssMiB) / o.nodes).toFixed(1)} MiB per peer; CPU ${(m0.cpuSeconds / 60).toFixed(1)} min)`} (${p.churners.length} churn); idle ${idleCpuPerSecond.toFixed(2)} CPU-s per s; ${p.messages.length} messages over ${o.sendDays} d${gw === undefined ? '' : `; ${gp.groups.length} groups (${gp.groups.map(g => g.members.length).join(', ')} members), ${gp.messages.length} group messages, ${gp.changes.length} membership changes`}`)
    if (process.env.CAIRN_SIM_DIAG !== undefined) {
      // how many online mailboxes hold each peer's bundle once set-up is done (fewer than k: a publish fell short)
      const holders = new Map<string, number>()
      for (const rs of (await world.held()).values()) for (const r of Object.keys(rs)) holders.set(r, (holders.get(r) ?? 0) + 1)
      const counts = world.peerIds.map(r => holders.get(r) ?? 0)
      const histogram: Record<number, number> = {}
      for (const n of counts) histogram[n] = (histogram[n] ?? 0) + 1
      const published: Record<string, number> = {}
      const failures: Record<string, number> = {}
      for (const r of world.published.values()) {
        published[`${r.published}/${r.replicas}`] = (published[`${r.published}/${r.replicas}`] ?? 0) + 1
        for (const f of r.failures) { const why = f.replace(/^[^:]+: /, '').slice(0, 80); failures[why] = (failures[why] ?? 0) + 1 }
      }
      process.stderr.write(JSON.stringify({ diag: 'bundles-after-setup', histogram, published, failures, fewerThanK: counts.flatMap((n, i) => n < o.replicas ? [`${i}:${n}`] : []) }) + '\n')
    }
    const deadline = t0 + o.minutes * 60_000
    const lastHour = Math.ceil(p.settledAt / HOUR) + 1
    let next = 0
    let nextGroup = 0
    let nextChange = 0
    for (let h = 0; h <= lastHour; h++) {
      simHours = h
      // presence changes at this hour's events, in order, then the sends that fall in it
      const changes = p.presence.flatMap((pres, i) => pres.flatMap(([a, b]) => [[a, i, 'join'], [b, i, 'leave']] as Array<[number, number, string]>))
        .filter(([at]) => at > 0 && at >= h * HOUR && at < (h + 1) * HOUR && Number.isFinite(at))
      const todo: Array<{ at: number, run: () => Promise<void> }> = changes.map(([at, i, kind]) => ({
        at,
        run: async () => {
          if (kind === 'leave' && world.isOnline(i)) { await timedPhase('leave', async () => world.leave(i)); events.leaves++ }
          if (kind === 'join' && !world.isOnline(i)) { await timedPhase('join+sync', async () => world.join(i)); events.joins++ }
        }
      }))
      while (next < p.messages.length && (p.messages[next] as PlannedMessage).at < (h + 1) * HOUR) {
        const m = p.messages[next++] as PlannedMessage
        todo.push({ at: m.at, run: async () => { await timedPhase('send', async () => sendOne(m)) } })
      }
      while (nextGroup < gp.messages.length && (gp.messages[nextGroup] as PlannedGroupMessage).at < (h + 1) * HOUR) {
        const m = gp.messages[nextGroup++] as PlannedGroupMessage
        todo.push({ at: m.at, run: async () => { await timedPhase('group send', async () => sendGroup(m)) } })
      }
      while (nextChange < gp.changes.length && (gp.changes[nextChange] as PlannedGroupChange).at < (h + 1) * HOUR) {
        const c = gp.changes[nextChange++] as PlannedGroupChange
        todo.push({ at: c.at, run: async () => { await timedPhase('group change', async () => changeGroup(c)) } })
      }
      for (const e of todo.sort((a, b) => a.at - b.at)) {
        await timedPhase('clock', async () => world.setClock(start + e.at))
        await e.run()
        await timedPhase('settle', async () => world.settle())
        dirty = true
      }
      await timedPhase('clock', async () => world.setClock(start + (h + 1) * HOUR))
      // the daemon's retry timer (every 30 s): a peer cut off, or never joined to the DHT, dials
      // its bootstrap peers again
      const back = await timedPhase('reconnect', async () => world.reconnect())
      if (back > 0) { events.reconnects += back; dirty = true; await timedPhase('settle', async () => world.settle()) }
      // a handover check finds work only after something changed what peers hold or who is online;
      // expiry (the sweep) is such a change too
      if (dirty || h % 6 === 5 || o.handover === 'hourly') {
        const hour = await timedPhase('handover', async () => driver.hour())
        events.handoverPasses += hour.passes
        for (const [k, v] of Object.entries(hour.reasons)) handoverReasons[k] = (handoverReasons[k] ?? 0) + v
        dirty = hour.passes > 0
        if (hour.passes > 0) await timedPhase('settle', async () => world.settle())
      } else {
        events.quietHours++
      }
      if (h % 6 === 5) { await timedPhase('sweep', async () => world.sweep()); dirty = true }
      await timedPhase('periodic sync', periodicSync)
      if (h % 6 === 0) await timedPhase('lookup sample', sampleLookup)
      if (h % 12 === 11) await sampleMemory(h + 1)
      if ((h + 1) % (o.logEveryHours ?? 24) === 0) o.log(`${(h + 1) % 24 === 0 ? `day ${(h + 1) / 24}` : `hour ${h + 1}`}: ${world.online().length} online (${(await world.unfindable()).length} in no routing table), ${events.quietHours} quiet hours, ${sent.length} sent, ${pending.size} waiting${gw === undefined ? '' : `, ${groupRun.sent.length} group messages sent, ${pendingGroup.size} group deliveries waiting`}, ${((now() - t0) / 60_000).toFixed(1)} min (CPU ${(((await world.memory()).cpuSeconds) / 60).toFixed(1)} min); wall s by phase: ${Object.entries(phases).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}; CPU s by phase: ${Object.entries(phaseCpu).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}; syncs ${events.syncs} ${JSON.stringify(events.syncReplicaSets)}; handover because ${JSON.stringify(handoverReasons)}`)
      if (process.env.CAIRN_SIM_DIAG !== undefined) {
        const lost = await world.joinStates(await world.unfindable())
        const med = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0
        process.stderr.write(JSON.stringify({ diag: 'in-no-routing-table', peers: lost.length, joined: lost.filter(x => x.joined).length, connectionsP50: med(lost.map(x => x.connections)), tableP50: med(lost.map(x => x.table)), noConnection: lost.filter(x => x.connections === 0).length }) + '\n')
      }
      const groupsDone = nextGroup >= gp.messages.length && nextChange >= gp.changes.length && pendingGroup.size === 0
      if (next >= p.messages.length && pending.size === 0 && groupsDone && (h + 1) * HOUR >= o.sendDays * DAY) { complete = true; break }
      if (now() > deadline) { o.log(`wall-clock budget of ${o.minutes} min spent at simulated hour ${h}`); break }
      if (h === lastHour) complete = true
    }
    simHours += 1
    await sampleMemory(simHours)
    const why = await explain()
    const inboxes: SimRun['inboxes'] = []
    for (let i = 0; i < o.nodes; i++) inboxes.push(await world.inbox(i))
    const traffic = await world.stopAll()
    return {
      options: { nodes: o.nodes, churn: o.churn, replicas: o.replicas, messages: o.messages, sendDays: o.sendDays, maxAwayDays: o.maxAwayDays, textBytes: o.textBytes, seed: o.seed, seeds, handover: o.handover, minutes: o.minutes, workers: world.hosts, peerStore: o.peerStore ?? 'memory', ...(o.maxConnections === undefined ? {} : { maxConnections: o.maxConnections }) },
      churners: p.churners.length,
      sent,
      inboxes,
      peerIds: [...world.peerIds],
      traffic,
      lookups,
      memory,
      baseRssMiB,
      events,
      simHours,
      wallSeconds: (now() - t0) / 1000,
      setupSeconds,
      idleCpuPerSecond,
      phases,
      phaseCpu,
      handoverReasons,
      start,
      why,
      complete,
      ...(gw === undefined ? {} : { groupRun })
    }
  } finally {
    await world.stopAll().catch(() => {})
    await world.close().catch(() => {})
    await rm(root, { recursive: true, force: true })
    forgetRoot()
  }

  async function sendOne (m: PlannedMessage): Promise<void> {
    const s: SentMessage = { ...m, sentAt: world.now() - start, sendMs: 0 }
    sent.push(s)
    if (!world.isOnline(m.from)) { s.error = 'sender offline'; return }
    const t = now()
    try {
      const r = await world.send(m.from, m.to, textOf(m, o.textBytes))
      s.id = r.id
      s.route = r.route
      idToIndex.set(r.id, m.index)
      if (!deliveredIds.has(r.id)) pending.add(m.index)
    } catch (err) {
      s.error = String(err)
    }
    s.sendMs = now() - t
    // a direct send is stored before the receipt comes back: it may already be in the inbox
    if (s.id !== undefined && s.route === 'direct') pending.delete(m.index)
  }

  async function sendGroup (m: PlannedGroupMessage): Promise<void> {
    const g = groupRun.groups[m.group] as { id: string }
    const s: SentGroupMessage = { ...m, sender: world.peerIds[m.from] as string, sentAt: world.now() - start, sendMs: 0, expected: [], notInSenderView: [], routes: {} }
    groupRun.sent.push(s)
    if (!world.isOnline(m.from)) { s.error = 'sender offline'; return }
    const t = now()
    try {
      const r = await world.group(m.from, { op: 'send', group: g.id, text: groupTextOf(m, o.textBytes) })
      s.id = r.id
      s.routes = r.routes ?? {}
      const index = new Map(world.peerIds.map((x, i) => [x, i]))
      s.expected = r.members.map(id => index.get(id) as number)
      s.notInSenderView = [...(membership[m.group] ?? [])].filter(i => i !== m.from && !s.expected.includes(i))
      for (const i of s.expected) pendingGroup.add(`${r.id}|${s.sender}|${i}`)
      // those that arrived while the send was running (direct, gossip)
      for (const i of s.expected) if (delivered.has(`${r.id}|${s.sender}|${i}`)) pendingGroup.delete(`${r.id}|${s.sender}|${i}`)
    } catch (err) {
      s.error = String(err)
    }
    s.sendMs = now() - t
  }

  async function changeGroup (c: PlannedGroupChange): Promise<void> {
    const g = groupRun.groups[c.group] as { id: string, members: number[] }
    const done: GroupChangeDone = { ...c, done: false }
    groupRun.changes.push(done)
    const creator = g.members[0] as number
    if (!world.isOnline(creator)) { done.error = 'creator offline'; return }
    const peer = world.peerIds[c.peer] as string
    try {
      const view = await world.group(creator, { op: c.kind, group: g.id, peers: [peer] })
      const index = new Map(world.peerIds.map((x, i) => [x, i]))
      membership[c.group] = new Set(view.members.map(x => index.get(x) as number))
      done.done = true
    } catch (err) {
      done.error = String(err)
    }
  }

  /**
   * The daemon's periodic sync, for online peers with an outbox to retry, mail waiting at an online
   * mailbox, or a bundle publish that fell short (the daemon publishes again within minutes; a
   * peer that leaves first cannot be written to by anyone it has no session with).
   */
  async function periodicSync (): Promise<void> {
    const waiting = new Set(sent.filter(s => s.id !== undefined && pending.has(s.index)).map(s => s.to))
    for (const k of pendingGroup) waiting.add(Number(k.split('|')[2]))
    const short = new Set(await world.bundlesShort())
    // nothing awaited: every outbox entry and every copy held belongs to mail already delivered
    if (waiting.size === 0 && short.size === 0) return
    const outboxes = await world.outboxes()
    const heldFor = new Set([...(await world.held()).values()].flatMap(rs => Object.entries(rs).filter(([, n]) => n > 0).map(([r]) => r)))
    const due = world.online().filter(i => (outboxes.get(i) ?? 0) > 0 || short.has(i) || (waiting.has(i) && heldFor.has(world.peerIds[i] as string)))
    const awaitedBefore = pending.size
    for (const i of due) {
      const set = await world.sync(i)
      events.syncs++
      events.syncReplicaSets[set] = (events.syncReplicaSets[set] ?? 0) + 1
    }
    if (due.length > 0) { dirty = true; await world.settle() }
    if (process.env.CAIRN_SIM_DIAG !== undefined && due.length > 0) {
      // why each peer was due: its outbox (and whether it still was after), or mail held for it while it awaited some
      const after = await world.outboxes()
      const errors = await world.outboxErrors()
      const byOutbox = due.filter(i => (outboxes.get(i) ?? 0) > 0)
      const outboxTo = sent.filter(s => s.id !== undefined && pending.has(s.index) && byOutbox.includes(s.from)).map(s => `${s.from}>${s.to}${world.isOnline(s.to) ? '' : '(away)'}`)
      process.stderr.write(JSON.stringify({ diag: 'periodic-sync', hour: simHours, due: due.length, bundlesShort: [...short].filter(i => due.includes(i)).length, shortAfter: (await world.bundlesShort()).length, byOutbox: byOutbox.map(i => `${i}:${outboxes.get(i) ?? 0}->${after.get(i) ?? 0}`), awaitedFromThem: outboxTo, byHeld: due.filter(i => !byOutbox.includes(i)), delivered: awaitedBefore - pending.size, outboxErrors: Object.fromEntries(byOutbox.map(i => [i, errors.get(i) ?? []])), bundles: await bundleWhereabouts(byOutbox) }) + '\n')
    }
  }

  /**
   * Diagnostics: for each awaited message still in its sender's outbox (of `senders`), which online
   * peers hold its recipient's bundle, and which replicas the sender's own lookup picks for it.
   */
  async function bundleWhereabouts (senders: number[]): Promise<Array<{ from: number, to: number, heldBy: number[], senderPicks: Array<number | undefined> }>> {
    const stuck = sent.filter(s => s.id !== undefined && pending.has(s.index) && senders.includes(s.from))
    const online = world.online()
    const indexOf = new Map(world.peerIds.map((p, i) => [p, i]))
    return Promise.all(stuck.map(async s => {
      const r = world.peerIds[s.to] as string
      const views = await world.views(online.map(i => [i, r] as [number, string]))
      const heldBy = online.filter((_, n) => views[n]?.bundle === true)
      const { picked } = await world.replicaSetOf(s.from, r, [])
      return { from: s.from, to: s.to, heldBy, senderPicks: picked.map(p => indexOf.get(p)) }
    }))
  }

  /** All processes' CPU per wall second while nothing is asked of the network (SimRun.idleCpuPerSecond). */
  async function idleRate (): Promise<number> { return world.idleRate(o.idleSampleMs ?? 10_000) }

  async function sampleLookup (): Promise<void> {
    const online = world.online()
    const a = online[Math.floor(random() * online.length)] as number
    const target = Math.floor(random() * world.peerIds.length)
    lookups.push(await world.lookup(a, target))
  }

  /** For each message still awaited: is its recipient online, how much mail online mailboxes hold for it, is the sender's outbox non-empty. */
  async function explain (): Promise<Record<number, string>> {
    const left = sent.filter(s => s.id !== undefined && pending.has(s.index))
    if (left.length === 0) return {}
    const held = await world.held()
    const outboxes = await world.outboxes()
    return Object.fromEntries(left.map(s => {
      const r = world.peerIds[s.to] as string
      const holders = [...held.values()].filter(rs => (rs[r] ?? 0) > 0).length
      const parts = [world.isOnline(s.to) ? 'recipient online' : 'recipient offline at the end', `${holders} online mailboxes hold mail for it`]
      parts.push(!world.isOnline(s.from) ? 'sender offline (its outbox unknown)' : `sender's outbox ${outboxes.get(s.from) ?? 0}`)
      return [s.index, parts.join(', ')]
    }))
  }

  /** RSS and heap summed over the processes hosting peers (the coordinator's own left out when they are workers). */
  async function sampleMemory (h: number): Promise<void> {
    const m = await world.memory()
    memory.push({ simHours: h, online: m.online, rssMiB: m.rssMiB, heapMiB: m.heapMiB, cpuSeconds: m.cpuSeconds })
  }
}

