/**
 * What a simulation run shows, computed from the recipients' inboxes (by message id, not from
 * counters): delivery ratio, duplicates shown to users, latency by route in simulated time, DHT
 * lookups, handover traffic and memory per peer.
 */
import { simpleTable } from '../lib/report.js'
import { median, quantile } from '../lib/stats.js'
import { HOUR } from './model.js'
import { textOf, type SimRun } from './runner.js'

interface SummaryFigures {
  nodes: number
  churn: number
  churners: number
  replicas: number
  handoverMode: string
  seed: number
  sent: number
  sendFailures: number
  delivered: number
  deliveryRatio: number
  duplicatesShown: number
  wrongContent: number
  undelivered: Array<{ index: number, to: number, route?: string, sentAtHours: number }>
  byRoute: Record<string, { count: number, p50Hours: number, p90Hours: number, p99Hours: number, maxHours: number }>
  /** Simulated hours each delivered message waited, per send route, for the chart. */
  latencyHours: Record<string, number[]>
  sendMsP50: Record<string, number>
  lookups: { count: number, p50Ms: number, p90Ms: number, queriedP50: number, foundP50: number }
  handover: { copies: number, bytes: number, copiesPerMessage: number, bytesPerMessage: number, copiesPerMessagePerDay: number, passes: number }
  /** Right after set-up, all peers online: (RSS − RSS before any peer) / peers, and heap / peers. */
  memory: { peakRssMiB: number, perPeerMiB: number, heapPerPeerMiB: number }
  /** A later run of a sweep in the same process: its memory baseline holds the earlier runs' leftovers. */
  memoryShared?: boolean
  simDays: number
}

/** Carried over from the run as they are: churn events, wall times by kind of work, why handover passes ran. */
export type SimSummary = SummaryFigures & Pick<SimRun, 'events' | 'wallSeconds' | 'setupSeconds' | 'phases' | 'handoverReasons' | 'complete'>

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
    if (copies === 0) { undelivered.push({ index: s.index, to: s.to, sentAtHours: s.sentAt / HOUR, ...(s.route === undefined ? {} : { route: s.route }) }); continue }
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
  const first = run.memory[0] ?? { rssMiB: NaN, heapMiB: NaN, online: 1, simHours: 0 }
  const days = run.simHours / 24
  const msgs = Math.max(1, attempted.length)
  return {
    nodes: o.nodes,
    churn: o.churn,
    churners: run.churners,
    replicas: o.replicas,
    handoverMode: o.handover,
    seed: o.seed,
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
    handover: { copies: run.traffic.handoverCopies, bytes: run.traffic.handoverBytes, copiesPerMessage: run.traffic.handoverCopies / msgs, bytesPerMessage: run.traffic.handoverBytes / msgs, copiesPerMessagePerDay: run.traffic.handoverCopies / msgs / Math.max(days, 1 / 24), passes: run.events.handoverPasses },
    memory: {
      peakRssMiB: Math.max(...run.memory.map(m => m.rssMiB)),
      perPeerMiB: (first.rssMiB - run.baseRssMiB) / first.online,
      heapPerPeerMiB: first.heapMiB / first.online
    },
    events: run.events,
    simDays: days,
    wallSeconds: run.wallSeconds,
    setupSeconds: run.setupSeconds,
    phases: run.phases,
    handoverReasons: run.handoverReasons,
    complete: run.complete
  }
}

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`
const h = (x: number): string => x < 1 ? `${(x * 60).toFixed(1)} min` : `${x.toFixed(1)} h`

export function markdownSummary (s: SimSummary): string {
  const lines = [
    `### ${s.nodes} peers, churn ${s.churn} (${s.churners} churning), k=${s.replicas}, handover ${s.handoverMode}, seed ${s.seed}`, '',
    simpleTable(['figure', 'value'], [
      ['messages sent', s.sent],
      ['delivered (by id, in the recipient\'s inbox)', `${s.delivered} (${pct(s.deliveryRatio)})`],
      ['duplicates shown to users', s.duplicatesShown],
      ['wrong sender or content', s.wrongContent],
      ['sends that failed outright', s.sendFailures],
      ['DHT lookup, p50 / p90', `${s.lookups.p50Ms.toFixed(0)} / ${s.lookups.p90Ms.toFixed(0)} ms, ${s.lookups.queriedP50} peers queried (n=${s.lookups.count})`],
      ['handover copies', `${s.handover.copies} (${s.handover.copiesPerMessage.toFixed(2)} per message, ${s.handover.copiesPerMessagePerDay.toFixed(2)} per message per day), ${(s.handover.bytes / 1024).toFixed(0)} KiB`],
      ['handover passes run (recipient × holder)', `${s.handover.passes}${Object.keys(s.handoverReasons).length > 0 ? ` — because ${Object.entries(s.handoverReasons).map(([k, v]) => `${k}: ${v}`).join(', ')}` : ''}`],
      ['memory per peer, all online (RSS share / heap)', s.memoryShared === true ? `not comparable: a later run in the same process (run this churn alone to measure it); process peak ${s.memory.peakRssMiB.toFixed(0)} MiB` : `${s.memory.perPeerMiB.toFixed(1)} / ${s.memory.heapPerPeerMiB.toFixed(1)} MiB (process peak ${s.memory.peakRssMiB.toFixed(0)} MiB)`],
      ['churn events (leave / join), periodic syncs', `${s.events.leaves} / ${s.events.joins}, ${s.events.syncs}`],
      ['simulated / wall time', `${s.simDays.toFixed(1)} days / ${(s.wallSeconds / 60).toFixed(1)} min (set-up ${s.setupSeconds.toFixed(0)} s)${s.complete ? '' : ' — cut short by the wall-clock budget'}`],
      ['wall time by kind of work', Object.entries(s.phases).map(([k, v]) => `${k} ${v.toFixed(0)} s`).join(', ')]
    ]), '',
    'Delivery latency by the route the sender used (simulated time):', '',
    simpleTable(['route', 'messages', 'p50', 'p90', 'p99', 'max', 'send call p50 (wall)'], Object.entries(s.byRoute).map(([r, x]) => [r, x.count, h(x.p50Hours), h(x.p90Hours), h(x.p99Hours), h(x.maxHours), `${(s.sendMsP50[r] ?? NaN).toFixed(0)} ms`]))
  ]
  if (s.undelivered.length > 0) lines.push('', `Undelivered: ${s.undelivered.slice(0, 20).map(u => `#${u.index}→${u.to} (${u.route ?? '?'}, sent at ${u.sentAtHours.toFixed(1)} h)`).join(', ')}`)
  return lines.join('\n')
}

