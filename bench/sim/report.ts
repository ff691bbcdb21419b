/**
 * What a simulation run shows, computed from the recipients' inboxes (by message id, not from
 * counters): delivery ratio, duplicates shown to users, latency by route in simulated time, DHT
 * lookups, handover traffic and memory per peer.
 */
import { simpleTable } from '../lib/report.js'
import { median, quantile } from '../lib/stats.js'
import { HOUR } from './model.js'
import { groupTextOf, textOf, type SimRun } from './runner.js'

interface SummaryFigures {
  nodes: number
  churn: number
  churners: number
  replicas: number
  handoverMode: string
  seed: number
  /** Bootstrap peers (absent in runs before they were more than one). */
  seeds?: number
  /** Processes the peers ran in (1: the coordinator's own). */
  workers: number
  /** Connections each peer kept at most (absent: the config's default, in runs before the cap). */
  maxConnections?: number
  sent: number
  sendFailures: number
  delivered: number
  deliveryRatio: number
  duplicatesShown: number
  wrongContent: number
  undelivered: Array<{ index: number, to: number, route?: string, sentAtHours: number, why?: string }>
  byRoute: Record<string, { count: number, p50Hours: number, p90Hours: number, p99Hours: number, maxHours: number }>
  /** Simulated hours each delivered message waited, per send route, for the chart. */
  latencyHours: Record<string, number[]>
  sendMsP50: Record<string, number>
  lookups: { count: number, p50Ms: number, p90Ms: number, queriedP50: number, foundP50: number }
  handover: { copies: number, received: number, bytes: number, copiesPerMessage: number, bytesPerMessage: number, copiesPerMessagePerDay: number, passes: number }
  /** Right after set-up, all peers online: (RSS − RSS before any peer) / peers, and heap / peers. */
  memory: { peakRssMiB: number, perPeerMiB: number, heapPerPeerMiB: number }
  /** CPU time of every process of the run (user + system): at set-up's end and in all. */
  cpu?: { setupSeconds: number, totalSeconds: number }
  /** A later run of a sweep in the same process: its memory baseline holds the earlier runs' leftovers. */
  memoryShared?: boolean
  simDays: number
  /** The group workload's figures, when there was one. */
  groups?: GroupSummary
}

export interface GroupSummary {
  groups: number
  /** Members per group at creation. */
  sizes: number[]
  /** Group messages planned / sent (a send fails when its sender is offline or not a member in its own view). */
  planned: number
  sent: number
  sendFailures: Record<string, number>
  changesPlanned: number
  changesMade: number
  /** Why the changes not made were not, with how many each. */
  changeFailures: Record<string, number>
  /** (message, member) pairs: every member in the sender's view when it was sent. */
  expected: number
  delivered: number
  /** Copies beyond the first in one member's inbox. */
  duplicates: number
  lost: number
  /** Shown to a peer not among the message's expected recipients, or with the wrong text or sender. */
  wrong: number
  /** Members by the creator's membership at send time that the sender's view lacked (not expected, so not counted lost). */
  notInSenderView: number
  /** Expected deliveries by the sender's route to that member (direct, mailbox, outbox), and how they arrived. */
  sendRoutes: Record<string, number>
  arrivedBy: Record<string, number>
  latencyP50Hours: number
  latencyP99Hours: number
  latencyMaxHours: number
  /** First undelivered (message, member) pairs. */
  lostSample: Array<{ index: number, group: number, to: number, route: string, sentAtHours: number }>
}

/** Carried over from the run as they are: churn events, wall times by kind of work, why handover passes ran. */
export type SimSummary = SummaryFigures & Pick<SimRun, 'events' | 'wallSeconds' | 'setupSeconds' | 'idleCpuPerSecond' | 'phases' | 'phaseCpu' | 'handoverReasons' | 'complete'>

export function summarize (run: SimRun): SimSummary {
  const o = run.options
  const attempted = run.sent.filter(s => s.id !== undefined)
  const inboxById = run.inboxes.map(inbox => {
    const m = new Map<string, number>()
    for (const x of inbox) m.set(x.id, (m.get(x.id) ?? 0) + 1)
    return m
  })
  let delivered = 0
  let duplicates = 0
  let wrong = 0
  const latency: Record<string, number[]> = {}
  const undelivered: SimSummary['undelivered'] = []
  for (const s of attempted) {
    const copies = inboxById[s.to]?.get(s.id as string) ?? 0
    if (copies === 0) { undelivered.push({ index: s.index, to: s.to, sentAtHours: s.sentAt / HOUR, ...(s.route === undefined ? {} : { route: s.route }), ...(run.why?.[s.index] === undefined ? {} : { why: run.why[s.index] }) }); continue }
    delivered++
    duplicates += copies - 1
    const m = run.inboxes[s.to]?.find(x => x.id === s.id)
    if (m === undefined) continue
    if (m.text !== textOf(s, o.textBytes) || m.from !== run.peerIds[s.from]) wrong++
    const route = s.route ?? 'unknown'
    // from the moment the user pressed send (a message that waited in the outbox was sealed later)
    ;(latency[route] ??= []).push(Math.max(0, m.receivedAt - (run.start + s.sentAt)) / HOUR)
  }
  // anything in an inbox that nobody sent (or sent to someone else) counts as wrong too
  const sentIds = new Map(attempted.map(s => [s.id as string, s.to]))
  run.inboxes.forEach((inbox, i) => { for (const m of inbox) if (m.text.startsWith('sim ') && sentIds.get(m.id) !== i) wrong++ })
  const byRoute = Object.fromEntries(Object.entries(latency).map(([r, xs]) => [r, { count: xs.length, p50Hours: quantile(xs, 0.5), p90Hours: quantile(xs, 0.9), p99Hours: quantile(xs, 0.99), maxHours: Math.max(...xs) }]))
  const sendMs: Record<string, number[]> = {}
  for (const s of attempted) (sendMs[s.route ?? 'unknown'] ??= []).push(s.sendMs)
  const first = run.memory[0] ?? { rssMiB: NaN, heapMiB: NaN, online: 1, simHours: 0, cpuSeconds: NaN }
  const days = run.simHours / 24
  const msgs = Math.max(1, attempted.length)
  const groups = summarizeGroups(run)
  return {
    ...(groups === undefined ? {} : { groups }),
    nodes: o.nodes,
    churn: o.churn,
    churners: run.churners,
    replicas: o.replicas,
    handoverMode: o.handover,
    seed: o.seed,
    ...(o.seeds === undefined ? {} : { seeds: o.seeds }),
    workers: o.workers,
    ...(o.maxConnections === undefined ? {} : { maxConnections: o.maxConnections }),
    sent: attempted.length,
    sendFailures: run.sent.length - attempted.length,
    delivered,
    deliveryRatio: attempted.length === 0 ? 1 : delivered / attempted.length,
    duplicatesShown: duplicates,
    wrongContent: wrong,
    undelivered,
    byRoute,
    latencyHours: latency,
    sendMsP50: Object.fromEntries(Object.entries(sendMs).map(([r, xs]) => [r, median(xs)])),
    lookups: { count: run.lookups.length, p50Ms: quantile(run.lookups.map(l => l.ms), 0.5), p90Ms: quantile(run.lookups.map(l => l.ms), 0.9), queriedP50: median(run.lookups.map(l => l.queried)), foundP50: median(run.lookups.map(l => l.found)) },
    handover: { copies: run.traffic.handoverCopies, received: run.traffic.handoverReceived, bytes: run.traffic.handoverBytes, copiesPerMessage: run.traffic.handoverCopies / msgs, bytesPerMessage: run.traffic.handoverBytes / msgs, copiesPerMessagePerDay: run.traffic.handoverCopies / msgs / Math.max(days, 1 / 24), passes: run.events.handoverPasses },
    memory: {
      peakRssMiB: Math.max(...run.memory.map(m => m.rssMiB)),
      perPeerMiB: (first.rssMiB - run.baseRssMiB) / first.online,
      heapPerPeerMiB: first.heapMiB / first.online
    },
    events: run.events,
    ...(run.memory.length > 0 && run.memory[0]?.cpuSeconds !== undefined ? { cpu: { setupSeconds: first.cpuSeconds, totalSeconds: Math.max(...run.memory.map(m => m.cpuSeconds)) } } : {}),
    simDays: days,
    wallSeconds: run.wallSeconds,
    setupSeconds: run.setupSeconds,
    ...(run.idleCpuPerSecond === undefined ? {} : { idleCpuPerSecond: run.idleCpuPerSecond }),
    phases: run.phases,
    ...(run.phaseCpu === undefined ? {} : { phaseCpu: run.phaseCpu }),
    handoverReasons: run.handoverReasons,
    complete: run.complete
  }
}

function summarizeGroups (run: SimRun): GroupSummary | undefined {
  const g = run.groupRun
  if (g === undefined) return undefined
  // per peer: (sender|id) → copies, and the copies themselves
  const byPeer = run.inboxes.map(inbox => {
    const m = new Map<string, Array<(typeof inbox)[number]>>()
    for (const x of inbox) if (x.group !== undefined) { const k = `${x.from}|${x.id}`; m.set(k, [...(m.get(k) ?? []), x]) }
    return m
  })
  const sent = g.sent.filter(s => s.id !== undefined)
  let expected = 0
  let delivered = 0
  let duplicates = 0
  let wrong = 0
  const latency: number[] = []
  const sendRoutes: Record<string, number> = {}
  const arrivedBy: Record<string, number> = {}
  const lostSample: GroupSummary['lostSample'] = []
  const expectedKeys = new Set<string>()
  for (const s of sent) {
    const text = groupTextOf(s, run.options.textBytes)
    for (const to of s.expected) {
      expected++
      const key = `${s.sender}|${s.id as string}`
      expectedKeys.add(`${to}|${key}`)
      const route = s.routes[run.peerIds[to] ?? ''] ?? 'unknown'
      sendRoutes[route] = (sendRoutes[route] ?? 0) + 1
      const copies = byPeer[to]?.get(key) ?? []
      if (copies.length === 0) { if (lostSample.length < 20) lostSample.push({ index: s.index, group: s.group, to, route, sentAtHours: s.sentAt / HOUR }); continue }
      delivered++
      duplicates += copies.length - 1
      const c = copies[0] as (typeof copies)[number]
      if (c.text !== text || c.group !== g.groups[s.group]?.id) wrong++
      arrivedBy[c.route] = (arrivedBy[c.route] ?? 0) + 1
      latency.push(Math.max(0, c.receivedAt - (run.start + s.sentAt)) / HOUR)
    }
  }
  // anything of the group workload shown where it was not expected
  byPeer.forEach((m, i) => { for (const [k, copies] of m) if (copies[0]?.text.startsWith('group-sim ') === true && !expectedKeys.has(`${i}|${k}`)) wrong += copies.length })
  // why a send or change did not happen, short: no error class, no group id, no advice after a colon
  const tally = (errors: Array<string | undefined>): Record<string, number> => {
    const out: Record<string, number> = {}
    for (const e of errors) {
      if (e === undefined) continue
      const k = e.replace(/^[A-Za-z]*Error: /, '').replace(/"[0-9a-f]{32}"/g, 'ID').split(': ')[0]?.slice(0, 60) ?? e
      out[k] = (out[k] ?? 0) + 1
    }
    return out
  }
  const failures = tally(g.sent.map(s => s.error))
  return {
    groups: g.groups.length,
    sizes: g.groups.map(x => x.members.length),
    planned: g.sent.length,
    sent: sent.length,
    sendFailures: failures,
    changesPlanned: g.changes.length,
    changesMade: g.changes.filter(c => c.done).length,
    changeFailures: tally(g.changes.map(c => c.error)),
    expected,
    delivered,
    duplicates,
    lost: expected - delivered,
    wrong,
    notInSenderView: sent.reduce((a, s) => a + s.notInSenderView.length, 0),
    sendRoutes,
    arrivedBy,
    latencyP50Hours: quantile(latency, 0.5),
    latencyP99Hours: quantile(latency, 0.99),
    latencyMaxHours: latency.length === 0 ? NaN : Math.max(...latency),
    lostSample
  }
}

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`
const h = (x: number): string => x < 1 ? `${(x * 60).toFixed(1)} min` : `${x.toFixed(1)} h`

export function markdownSummary (s: SimSummary): string {
  const lines = [
    `### ${s.nodes} peers${s.workers > 1 ? ` in ${s.workers} worker processes` : ''}, churn ${s.churn} (${s.churners} churning), k=${s.replicas}, handover ${s.handoverMode}, seed ${s.seed}${(s.seeds ?? 1) > 1 ? `, ${s.seeds} bootstrap peers` : ''}${s.maxConnections === undefined ? '' : `, ${s.maxConnections} connections a peer`}`, '',
    simpleTable(['figure', 'value'], [
      ['messages sent', s.sent],
      ['delivered (by id, in the recipient\'s inbox)', `${s.delivered} (${pct(s.deliveryRatio)})`],
      ['duplicates shown to users', s.duplicatesShown],
      ['wrong sender or content', s.wrongContent],
      ['sends that failed outright', s.sendFailures],
      ['DHT lookup, p50 / p90', `${s.lookups.p50Ms.toFixed(0)} / ${s.lookups.p90Ms.toFixed(0)} ms, ${s.lookups.queriedP50} peers queried (n=${s.lookups.count})`],
      ['handover copies sent (stored where they arrived)', `${s.handover.copies} (${s.handover.received}; ${s.handover.copiesPerMessage.toFixed(2)} sent per message, ${s.handover.copiesPerMessagePerDay.toFixed(2)} per message per day), ${(s.handover.bytes / 1024).toFixed(0)} KiB`],
      ['handover passes run (recipient × holder)', `${s.handover.passes}${Object.keys(s.handoverReasons).length > 0 ? ` — because ${Object.entries(s.handoverReasons).map(([k, v]) => `${k}: ${v}`).join(', ')}` : ''}`],
      ['memory per peer, all online (RSS share / heap)', s.memoryShared === true ? `not comparable: a later run in the same process (run this churn alone to measure it); process peak ${s.memory.peakRssMiB.toFixed(0)} MiB` : `${s.memory.perPeerMiB.toFixed(1)} / ${s.memory.heapPerPeerMiB.toFixed(1)} MiB (process peak ${s.memory.peakRssMiB.toFixed(0)} MiB)`],
      ['churn events (leave / join), periodic syncs, bootstrap redials', `${s.events.leaves} / ${s.events.joins}, ${s.events.syncs}, ${s.events.reconnects ?? 0}`],
      ['periodic syncs by where the replica set came from', Object.entries(s.events.syncReplicaSets ?? {}).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'],
      ['simulated hours with no handover check (nothing had changed)', s.events.quietHours ?? 0],
      ['simulated / wall time', `${s.simDays.toFixed(1)} days / ${(s.wallSeconds / 60).toFixed(1)} min (set-up ${s.setupSeconds.toFixed(0)} s)${s.complete ? '' : ' — cut short by the wall-clock budget'}`],
      ['CPU time, all processes (set-up / in all)', s.cpu === undefined ? '?' : `${(s.cpu.setupSeconds / 60).toFixed(1)} / ${(s.cpu.totalSeconds / 60).toFixed(1)} min`],
      ['wall time by kind of work', Object.entries(s.phases).map(([k, v]) => `${k} ${v.toFixed(0)} s`).join(', ')],
      ['CPU time by kind of work (all processes)', s.phaseCpu === undefined ? '?' : Object.entries(s.phaseCpu).map(([k, v]) => `${k} ${v.toFixed(0)} s`).join(', ')],
      ['the network idle (CPU-s per wall-s, after set-up; in every phase above for its wall time)', s.idleCpuPerSecond === undefined ? '?' : s.idleCpuPerSecond.toFixed(2)]
    ]), '',
    'Delivery latency by the route the sender used (simulated time):', '',
    simpleTable(['route', 'messages', 'p50', 'p90', 'p99', 'max', 'send call p50 (wall)'], Object.entries(s.byRoute).map(([r, x]) => [r, x.count, h(x.p50Hours), h(x.p90Hours), h(x.p99Hours), h(x.maxHours), `${(s.sendMsP50[r] ?? NaN).toFixed(0)} ms`]))
  ]
  const g = s.groups
  if (g !== undefined) {
    const kv = (r: Record<string, number>): string => Object.entries(r).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'
    lines.push('', `Groups: ${g.groups} groups of ${g.sizes.join(', ')} members at creation:`, '', simpleTable(['figure', 'value'], [
      ['group messages sent (of planned)', `${g.sent} (of ${g.planned}; failed: ${kv(g.sendFailures)})`],
      ['membership changes made (of planned)', `${g.changesMade} (of ${g.changesPlanned}; not made: ${kv(g.changeFailures)})`],
      ['expected deliveries (message × member in the sender\'s view when sent)', g.expected],
      ['delivered (by id, in the member\'s inbox)', `${g.delivered} (${pct(g.expected === 0 ? 1 : g.delivered / g.expected)})`],
      ['duplicates shown', g.duplicates],
      [s.complete ? 'lost' : 'not delivered (the run was cut short: some may still be waiting)', g.lost],
      ['wrong group, sender or content, or shown to a non-recipient', g.wrong],
      ['members the sender\'s view lacked (not counted expected)', g.notInSenderView],
      ['sender\'s route per expected delivery', kv(g.sendRoutes)],
      ['how the first copy arrived', kv(g.arrivedBy)],
      ['latency (simulated), p50 / p99 / max', `${h(g.latencyP50Hours)} / ${h(g.latencyP99Hours)} / ${h(g.latencyMaxHours)}`]
    ]))
    if (g.lostSample.length > 0) lines.push('', `Lost: ${g.lostSample.map(u => `#${u.index} in ${u.group}→${u.to} (${u.route}, sent at ${u.sentAtHours.toFixed(1)} h)`).join(', ')}`)
  }
  if (s.undelivered.length > 0) lines.push('', `Undelivered: ${s.undelivered.slice(0, 20).map(u => `#${u.index}→${u.to} (${u.route ?? '?'}, sent at ${u.sentAtHours.toFixed(1)} h${u.why === undefined ? '' : `: ${u.why}`})`).join(', ')}`)
  return lines.join('\n')
}

