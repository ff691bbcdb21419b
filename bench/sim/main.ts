/**
 * `npm run sim -- --nodes N --churn X --minutes M [--k 5] [--dht-k 40] [--dht-path-k 40] [--dht-refresh MINUTES] [--messages 200] [--days 2] [--seed 1]
 *   [--max-away-days 14] [--size 256] [--handover changed|hourly] [--connection-monitor] [--out DIR] [--smoke] [--quiet]
 *   [--groups G] [--group-size 5-50] [--group-messages M] [--group-changes C] [--workers P] [--log-every HOURS]
 *   [--peer-store memory|disk] [--seeds S] [--max-connections 48]`
 *
 * N ordinary Cairn peers (mailbox + DHT server each) on loopback, spread over P worker processes
 * (default: one per core; `--workers 1`: all in this process), on a simulated clock the harness
 * sets in every process before each step, waiting for every process to be quiet after it: messages between random pairs during the sending window, churning peers leaving and
 * coming back, and the hourly handover driven per simulated hour. `--churn` may be a list
 * (0.1,0.2,0.4) for the delivery-vs-churn chart; `--minutes` caps the wall time of each run.
 * Writes bench/results/sim-latest.json, sim-latency-cdf.svg and sim-delivery-vs-churn.svg
 * (`--smoke`: a few peers, short absences, into bench/results/smoke).
 *
 * CAIRN_SIM_DIAG=1: a handover pass for a missing bundle that moved nothing prints one JSON line on
 * stderr (the harness's replica set, the holder's lookup, which peers lack the bundle and how many
 * routing tables hold them): how "a replica lacks the bundle" was traced to unjoined peers. Set-up
 * also prints, per worker, a `publish-progress` line every 25 bundle publishes (how long they took,
 * how many fell short and why) and, after the warm-up, the idle network's CPU rate over 15 s.
 *
 * `--seeds S`: peers 0..S-1 start first, never churn, and are every other peer's bootstrap peers
 * (three each, spread evenly); default 1.
 *
 * `--dht-path-k P`: answers each of a lookup's paths gathers before it stops (network.dhtPathK;
 * default the config's, 40: K, kad-dht's own rule).
 *
 * `--max-connections C`: connections each peer keeps (network.maxConnections; default 48): a
 * simulated peer's sockets count against its worker's open-file limit, 250 real peers' would not.
 *
 * `--groups G` adds a group workload: G groups (sizes uniform in --group-size, capped at N) made
 * at the start, M group messages from members online at the time, C membership changes by each
 * group's creator; every group message is checked by id at every member the sender handed it to
 * (its view of the group when sent), and the summary gains a group table.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { machineInfo, repoRoot } from '../lib/machine.js'
import { cdfChart, lineChart } from '../lib/svg.js'
import { toolArgs } from '../lib/tool-args.js'
import type { HandoverMode } from './handover-driver.js'
import { quietLiveness } from './quiet-monitor.js'
import type { SimSummary } from './report.js'
import { SIM_MAX_CONNECTIONS } from './network.js'

const USAGE = `
npm run sim -- --nodes N --churn X --minutes M [--k 5] [--dht-k 40] [--dht-path-k 40] [--messages 200] [--days 2] [--seed 1]
  [--max-away-days 14] [--size 256] [--handover changed|hourly] [--connection-monitor] [--out DIR] [--smoke] [--quiet]
  [--groups G] [--group-size 5-50] [--group-messages M] [--group-changes C] [--workers P] [--log-every HOURS]
  [--peer-store memory|disk] [--seeds S] [--max-connections 48]
(bench/sim/main.ts and docs/BENCHMARKS.md say what each does)`

/**
 * Descriptors a peer may hold beyond its cap: connections younger than the trimmer's grace, dials
 * under way, and its LevelDB's 4 files.
 */
const FILES_PAST_CAP = 16

type History = Array<Omit<SimSummary, 'latencyHours' | 'undelivered' | 'groups'> & { date: string }>

export async function main (argv = process.argv.slice(2)): Promise<SimSummary[]> {
  const values = toolArgs(USAGE, {
    nodes: { type: 'string' },
    churn: { type: 'string' },
    minutes: { type: 'string' },
    k: { type: 'string', default: '5' },
    'dht-k': { type: 'string' },
    'dht-path-k': { type: 'string' },
    'dht-refresh': { type: 'string' },
    messages: { type: 'string' },
    days: { type: 'string' },
    'max-away-days': { type: 'string' },
    seed: { type: 'string', default: '1' },
    seeds: { type: 'string' },
    size: { type: 'string', default: '256' },
    handover: { type: 'string', default: 'changed' },
    out: { type: 'string' },
    smoke: { type: 'boolean', default: false },
    'connection-monitor': { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
    groups: { type: 'string', default: '0' },
    'group-size': { type: 'string', default: '5-50' },
    'group-messages': { type: 'string' },
    'group-changes': { type: 'string' },
    workers: { type: 'string' },
    'log-every': { type: 'string', default: '24' },
    'peer-store': { type: 'string', default: 'memory' },
    'max-connections': { type: 'string', default: String(SIM_MAX_CONNECTIONS) }
  }, argv)
  // the simulation is loaded once the options are read: `--help` and a mistyped option answer
  // without loading libp2p (the bench test asks each tool both)
  const { simulate } = await import('./runner.js')
  const { markdownSummary, summarize } = await import('./report.js')
  const smoke = values.smoke
  const pick = (v: string | undefined, full: string, tiny: string): string => v ?? (smoke ? tiny : full)
  const num = (name: string, v: string, min: number): number => {
    const n = Number(v)
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number ≥ ${min}, got ${JSON.stringify(v)}`)
    return n
  }
  if (values.handover !== 'changed' && values.handover !== 'hourly') throw new Error('--handover must be changed or hourly')
  if (values['peer-store'] !== 'memory' && values['peer-store'] !== 'disk') throw new Error('--peer-store must be memory or disk')
  const churns = pick(values.churn, '0.2', '0.5').split(',').map(c => num('churn', c, 0))
  if (churns.some(c => c > 1)) throw new Error('--churn is the fraction of peers that churn, between 0 and 1')
  const out = values.out ?? join(repoRoot(), 'bench', 'results', ...(smoke ? ['smoke'] : []))
  const log = values.quiet ? () => {} : (...a: unknown[]) => { console.error(`[sim ${new Date().toISOString().slice(11, 19)}]`, ...a) }
  if (!values['connection-monitor']) await quietLiveness()
  const groupCount = num('groups', values.groups, 0)
  const [minSize, maxSize] = values['group-size'].split('-').map(x => num('group-size', x, 2)) as [number, number | undefined]
  if (maxSize !== undefined && maxSize < minSize) throw new Error('--group-size is MIN-MAX with MIN ≤ MAX')
  const groupWorkload = groupCount === 0
    ? undefined
    : { count: groupCount, minSize, maxSize: maxSize ?? minSize, messages: num('group-messages', values['group-messages'] ?? String(groupCount * 10), 0), changes: num('group-changes', values['group-changes'] ?? String(groupCount * 2), 0) }
  const nodes = num('nodes', pick(values.nodes, '50', '6'), 3)
  const workers = num('workers', values.workers ?? String(availableParallelism()), 1)
  const maxConnections = num('max-connections', values['max-connections'], 1)
  warnOpenFiles(Math.ceil(nodes / workers), maxConnections, log)
  const summaries: SimSummary[] = []
  for (const churn of churns) {
    const run = await simulate({
      nodes,
      churn,
      replicas: num('k', values.k, 1),
      ...(values['dht-k'] === undefined ? {} : { dhtK: num('dht-k', values['dht-k'], 1) }),
      ...(values['dht-path-k'] === undefined ? {} : { dhtPathK: num('dht-path-k', values['dht-path-k'], 1) }),
      ...(values['dht-refresh'] === undefined ? {} : { dhtRefreshMs: Math.round(num('dht-refresh', values['dht-refresh'], 1 / 6) * 60_000) }),
      messages: num('messages', pick(values.messages, '200', '30'), 0),
      sendDays: num('days', pick(values.days, '2', '0.5'), 1 / 24),
      maxAwayDays: num('max-away-days', pick(values['max-away-days'], '14', '2'), 1 / 24),
      textBytes: num('size', values.size, 64),
      seed: num('seed', values.seed, 0),
      ...(values.seeds === undefined ? {} : { seeds: num('seeds', values.seeds, 1) }),
      handover: values.handover as HandoverMode,
      minutes: num('minutes', pick(values.minutes, '30', '3'), 0.1),
      log,
      logEveryHours: num('log-every', values['log-every'], 1),
      workers,
      connectionMonitor: values['connection-monitor'],
      peerStore: values['peer-store'],
      maxConnections,
      // the smoke's network is a few peers: a second of idle says as much as ten
      idleSampleMs: smoke ? 1000 : 10_000,
      ...(groupWorkload === undefined ? {} : { groups: groupWorkload })
    })
    const s = { ...summarize(run), ...(summaries.length > 0 ? { memoryShared: true } : {}) }
    summaries.push(s)
    if (!values.quiet) process.stdout.write(markdownSummary(s) + '\n\n')
  }
  mkdirSync(out, { recursive: true })
  const meta = machineInfo()
  writeFileSync(join(out, 'sim-latest.json'), JSON.stringify({ meta, runs: summaries }, null, 2) + '\n')
  const first = summaries[0]
  if (first !== undefined) {
    const series = summaries.flatMap(s => Object.entries(s.latencyHours).map(([route, values]) => ({ name: `${route}${summaries.length > 1 ? ` @ churn ${s.churn}` : ''}`, values: values.map(v => Math.max(v, 1 / 60)) })))
    writeFileSync(join(out, 'sim-latency-cdf.svg'), cdfChart({ title: `Delivery latency by route, ${first.nodes} peers, k=${first.replicas} (simulated time)`, xLabel: 'hours from send to the recipient\'s inbox (log scale; direct < 1 min shown at 1 min)', series }))
  }
  // delivery ratio against churn: this run's points plus earlier runs of the same size (latest per churn)
  const historyFile = join(out, 'sim-history.json')
  const history: History = existsSync(historyFile) ? JSON.parse(readFileSync(historyFile, 'utf8')) as History : []
  for (const s of summaries) {
    const { latencyHours: _l, undelivered: _u, groups: _g, ...rest } = s
    history.push({ ...rest, date: meta.date })
  }
  writeFileSync(historyFile, JSON.stringify(history, null, 2) + '\n')
  const groups = new Map<string, Map<number, number>>()
  for (const h of history.filter(x => x.complete)) {
    const key = `${h.nodes} peers, k=${h.replicas}${h.handoverMode === 'hourly' ? ' (hourly)' : ''}`
    const g = groups.get(key) ?? new Map<number, number>()
    g.set(h.churn, h.deliveryRatio)
    groups.set(key, g)
  }
  if (groups.size > 0) {
    writeFileSync(join(out, 'sim-delivery-vs-churn.svg'), lineChart({
      title: 'Delivery ratio against churn (mail waiting up to 14 days)',
      xLabel: 'fraction of peers churning (IPFS-like sessions, away 1 h – 14 d)',
      yLabel: 'delivered, by id',
      series: [...groups].map(([name, g]) => ({ name, points: [...g].map(([c, r]) => [c, r] as [number, number]) })),
      xMin: 0,
      xMax: 1,
      yMin: Math.min(0.99, ...history.filter(x => x.complete).map(x => x.deliveryRatio)),
      yMax: 1,
      yPercent: true
    }))
  }
  return summaries
}

if (process.argv[1]?.endsWith('sim/main.js') === true) {
  main().then(s => { if (s.some(x => x.duplicatesShown > 0 || x.wrongContent > 0 || (x.groups?.duplicates ?? 0) > 0 || (x.groups?.wrong ?? 0) > 0)) process.exitCode = 1 }, (err: unknown) => { console.error(err); process.exitCode = 1 })
}

/**
 * Say at once when the open-file limit looks too low for the peers one worker holds: 1,000
 * uncapped peers under `ulimit -n 20000` ran out of descriptors in set-up, on 2 workers (EMFILE
 * after 35 min) and on 4 (every worker at 20,000 within 20 min).
 */
function warnOpenFiles (peersPerWorker: number, maxConnections: number, log: (...a: unknown[]) => void): void {
  let limits: string
  try { limits = readFileSync('/proc/self/limits', 'utf8') } catch { return } // not Linux: nothing to read
  const soft = Number(/^Max open files\s+(\d+)/m.exec(limits)?.[1])
  const need = peersPerWorker * (maxConnections + FILES_PAST_CAP)
  if (Number.isFinite(soft) && soft < need) {
    log(`warning: ${peersPerWorker} peers a worker may need ~${need} open files, and ulimit -n is ${soft}: run more --workers, lower --max-connections or raise the limit (past the hard limit needs root, and a container may refuse even that); else the run may stop with EMFILE`)
  }
}
