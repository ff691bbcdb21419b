/**
 * `npm run bench`: every figure beside a baseline measured in the same run, printed as a markdown
 * table and written to bench/results/latest.json with the machine, versions and commit, plus a
 * latency CDF chart and the sync-growth chart. `--smoke` runs tiny sizes (CI) into bench/results/smoke;
 * `--only a,b` picks suites.
 *
 *   node dist/bench/run.js [--smoke] [--out DIR] [--only crypto,direct,oneshot,mailbox,growth,ingest,memory,handover,handover-sync,chunk-handover-sync,privacy,privacy-direct,privacy-collect,attachments,groups]
 *                          [--peers mosquitto,nostr|none] [--messages N] [--runs N] [--profile] [--attach-mib N]
 *                          [--groups-members 10,50] [--groups-gossip 20] [--groups-samples N] [--growth-sizes 100,1000,10000]
 *                          [--collect-messages N] [--collect-pairs N] [--memory-envelopes N]
 *
 * `--profile` records a CPU profile around the direct and mailbox suites (profile-*.cpuprofile and
 * a summary of the top frames, profile-*.md, next to the JSON), and of 40 extra group sends at each
 * size after the groups suite's CPU rows (profile-groups-cpu-N.*). `--collect-messages` and
 * `--collect-pairs` size the at-rest collect (privacy-collect, also part of privacy: 1,000 messages,
 * 8 alternated pairs of syncs; 20 and 2 at smoke sizes).
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { machineInfo, repoRoot } from './lib/machine.js'
import { toolArgs } from './lib/tool-args.js'
import type { PeersResult } from './lib/peers.js'
import { markdownTable, simpleTable, type Row } from './lib/report.js'
import { now } from './lib/stats.js'
import { cdfChart, lineChart } from './lib/svg.js'
import type { DirectResult } from './suites/direct.js'
import type { MailboxResult } from './suites/mailbox.js'
import type { GrowthResult } from './suites/sync-growth.js'

const USAGE = `
node dist/bench/run.js [--smoke] [--out DIR] [--only SUITE,...] [--peers mosquitto,nostr|none] [--messages N] [--runs N]
                       [--profile] [--attach-mib N] [--groups-members 10,50] [--groups-gossip 20] [--groups-samples N]
                       [--growth-sizes 100,1000,10000] [--collect-messages N] [--collect-pairs N] [--memory-envelopes N]
suites: crypto, direct, oneshot, mailbox, growth, ingest, memory, handover, handover-sync, chunk-handover-sync,
        privacy, privacy-direct, privacy-collect, attachments, groups (docs/BENCHMARKS.md says what each measures)`

const SUITES = ['crypto', 'direct', 'oneshot', 'mailbox', 'growth', 'ingest', 'memory', 'handover', 'privacy', 'attachments', 'groups'] as const

/**
 * What each suite runs. The smoke sizes only have to bring every row out with a numeric baseline
 * (bench.test.ts checks the shape, never a figure), so they are as small as that allows: 10
 * messages, no untimed warm-up rounds at the peer systems, 1 MiB attachments; `npm test` runs the
 * smoke, and every CPU-second here is one the rest of the suite waits for (issue 16).
 */
function sizes (smoke: boolean, messages?: number, runs?: number) {
  const m = messages ?? (smoke ? 10 : 1000)
  const r = runs ?? (smoke ? 1 : 3)
  return {
    crypto: { messages: smoke ? 50 : 2000, sessions: smoke ? 10 : 200, payloadBytes: 1024 },
    direct: { messages: m, textBytes: 1024 },
    oneshot: { samples: smoke ? 1 : 7, textBytes: 1024 },
    mailbox: { messages: m, runs: r, textBytes: 1024, mailboxNodes: smoke ? 5 : 8, replicas: 3 },
    growth: { sizes: smoke ? [5, 10] : [100, 1000, 10_000], textBytes: 1024, mailboxNodes: smoke ? 4 : 8, replicas: 3 },
    ingest: { envelopes: smoke ? 500 : 20_000, sequential: smoke ? 100 : 2000, concurrency: 64, runs: r, sealedBytes: 1024 },
    memory: { envelopes: smoke ? 1000 : 100_000, runs: r, settleMs: smoke ? 1000 : 6000 },
    handover: { mailboxNodes: smoke ? 6 : 10, recipients: smoke ? 2 : 4, messagesEach: smoke ? 5 : 25, hours: smoke ? 2 : 24, seed: 1 },
    handoverSync: { ids: smoke ? 500 : 100_000, tombstones: smoke ? 500 : 100_000, runs: smoke ? 2 : 5 },
    chunkHandoverSync: { chunks: smoke ? 200 : 1000, chunkBytes: 1024, runs: smoke ? 2 : 5 },
    peers: { messages: m, size: 1024, runs: r, warmup: !smoke },
    privacy: { messages: smoke ? 20 : Math.min(m, 300), textBytes: 1024, mailboxNodes: smoke ? 5 : 8, replicas: 3, coldDeposits: smoke ? 10 : Math.min(m, 50), flood: { floodSeconds: smoke ? 5 : 30, aloneSeconds: smoke ? 2 : 10, identities: 16, batch: 16, honestPerSecond: 5, sealedBytes: 1024 }, collect: { messages: smoke ? 20 : 1000, pairs: smoke ? 2 : 8, textBytes: 1024, mailboxNodes: 5, replicas: 3 } },
    privacyDirect: { sends: smoke ? 10 : Math.min(m, 50), mailboxNodes: smoke ? 5 : 8, textBytes: 1024 },
    attachments: { mib: smoke ? 1 : 100, runs: smoke ? 1 : 2 },
    groups: { members: smoke ? [4] : [10, 50], gossipMembers: smoke ? 4 : 20, samples: smoke ? 2 : 7, gossipMessages: smoke ? 3 : 20, cpuRounds: smoke ? 3 : 10, textBytes: 1024, mailboxNodes: smoke ? 4 : 6, replicas: 3 }
  }
}

async function main (): Promise<void> {
  const values = toolArgs(USAGE, {
    smoke: { type: 'boolean', default: false },
    out: { type: 'string' },
    only: { type: 'string' },
    peers: { type: 'string', default: 'mosquitto,nostr' },
    messages: { type: 'string' },
    runs: { type: 'string' },
    profile: { type: 'boolean', default: false },
    'attach-mib': { type: 'string' },
    'groups-members': { type: 'string' },
    'groups-gossip': { type: 'string' },
    'groups-samples': { type: 'string' },
    'growth-sizes': { type: 'string' },
    'collect-messages': { type: 'string' },
    'collect-pairs': { type: 'string' },
    'memory-envelopes': { type: 'string' }
  })
  // the suites are loaded once the options are read: `--help` and a mistyped option answer
  // without loading libp2p (the bench test asks each tool both)
  const { runPeers } = await import('./lib/peers.js')
  const { profiled } = await import('./lib/profiler.js')
  const { attachmentsSuite } = await import('./suites/attachments.js')
  const { cryptoSuite } = await import('./suites/crypto.js')
  const { directSuite } = await import('./suites/direct.js')
  const { handoverSuite } = await import('./suites/handover.js')
  const { groupsSuite } = await import('./suites/groups.js')
  const { handoverSyncSuite } = await import('./suites/handover-sync.js')
  const { chunkHandoverSyncSuite } = await import('./suites/chunk-handover-sync.js')
  const { ingestSuite } = await import('./suites/ingest.js')
  const { mailboxSuite } = await import('./suites/mailbox.js')
  const { syncGrowthSuite } = await import('./suites/sync-growth.js')
  const { memorySuite } = await import('./suites/memory.js')
  const { oneShotSuite } = await import('./suites/oneshot.js')
  const { privacySuite, privacyCollectSuite } = await import('./suites/privacy.js')
  const { privacyDirectSuite } = await import('./suites/privacy-direct.js')
  const { sideBySide, syncRows } = await import('./suites/sync-compare.js')
  const smoke = values.smoke
  const out = values.out ?? join(repoRoot(), 'bench', 'results', ...(smoke ? ['smoke'] : []))
  // the privacy suite (~1 min even at smoke sizes) runs in a full run and with --only privacy, not
  // in the smoke run, which the test suite runs beside the other smokes
  const only = new Set(values.only?.split(',') ?? SUITES.filter(x => !smoke || x !== 'privacy'))
  const s = sizes(smoke, values.messages === undefined ? undefined : Number(values.messages), values.runs === undefined ? undefined : Number(values.runs))
  if (values['collect-messages'] !== undefined) s.privacy.collect.messages = Number(values['collect-messages'])
  if (values['collect-pairs'] !== undefined) s.privacy.collect.pairs = Number(values['collect-pairs'])
  if (![s.privacy.collect.messages, s.privacy.collect.pairs].every(n => Number.isInteger(n) && n >= 1)) throw new Error('--collect-messages and --collect-pairs take whole numbers ≥ 1')
  if (values['memory-envelopes'] !== undefined) s.memory.envelopes = Number(values['memory-envelopes'])
  if (!Number.isInteger(s.memory.envelopes) || s.memory.envelopes < 1) throw new Error('--memory-envelopes takes a whole number ≥ 1')
  if (values['attach-mib'] !== undefined) s.attachments = { mib: Number(values['attach-mib']), runs: 1 }
  if (values['growth-sizes'] !== undefined) s.growth.sizes = values['growth-sizes'].split(',').map(Number)
  if (s.growth.sizes.length < 2 || s.growth.sizes.some(n => !Number.isInteger(n) || n < 1)) throw new Error('--growth-sizes takes two or more whole numbers ≥ 1')
  if (values['groups-members'] !== undefined) s.groups.members = values['groups-members'].split(',').map(Number)
  if (values['groups-gossip'] !== undefined) s.groups.gossipMembers = Number(values['groups-gossip'])
  if (values['groups-samples'] !== undefined) { s.groups.samples = Number(values['groups-samples']); s.groups.gossipMessages = Number(values['groups-samples']) }
  if ([...s.groups.members, s.groups.gossipMembers].some(n => !Number.isInteger(n) || n < 2)) throw new Error('--groups-members and --groups-gossip take whole numbers ≥ 2')
  const log = (...a: unknown[]): void => { console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...a) }
  const t0 = now()
  // every peer of a run shares this process's event loop: a synchronous call (an npm install by
  // spawnSync once took 15 s in CI) freezes both lanes, and their deadlines fire on waking
  const loop = monitorEventLoopDelay({ resolution: 20 })
  loop.enable()
  const rows: Row[] = []
  const timings: Record<string, number> = {}
  mkdirSync(out, { recursive: true })
  const step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    log(`${name}…`)
    const t = now()
    const v = values.profile && (name === 'direct' || name === 'mailbox') ? await profiled(name, out, fn) : await fn()
    timings[name] = Math.round(now() - t)
    log(`${name} done in ${(timings[name] / 1000).toFixed(1)} s`)
    return v
  }
  let direct: DirectResult | undefined
  let mailbox: MailboxResult | undefined
  let peers: PeersResult = { rows: [], skipped: [], errors: [] }
  let growth: GrowthResult | undefined
  // each suite's rows, in the order the table prints them
  const suites: Array<{ name: string, lane: 0 | 1, run: () => Promise<Row[]> }> = []
  const add = (name: string, lane: 0 | 1, run: () => Promise<Row[]>): void => { suites.push({ name, lane, run }) }
  if (only.has('crypto')) add('crypto', 0, async () => cryptoSuite(s.crypto))
  if (only.has('direct')) add('direct', 0, async () => { direct = await directSuite(s.direct); return direct.rows })
  if (only.has('oneshot')) add('oneshot', 0, async () => oneShotSuite(s.oneshot))
  if (only.has('mailbox')) {
    add('mailbox', 0, async () => {
      mailbox = await mailboxSuite(s.mailbox)
      const systems = values.peers === 'none' ? [] : values.peers.split(',').filter(x => x !== '')
      peers = await step('peers', async () => runPeers({ ...s.peers, systems, log: (...a: unknown[]) => { log('peers:', ...a) } }))
      return [...mailbox.rows, ...syncRows(mailbox, peers, s.mailbox.messages, s.mailbox.runs)]
    })
  }
  if (only.has('growth')) add('growth', 1, async () => { growth = await syncGrowthSuite({ ...s.growth, log }); return growth.rows })
  if (only.has('ingest')) add('ingest', 1, async () => ingestSuite(s.ingest))
  if (only.has('memory')) add('memory', 1, async () => memorySuite(s.memory))
  if (only.has('handover')) add('handover', 1, async () => handoverSuite(s.handover))
  if (only.has('privacy')) add('privacy', 1, async () => privacySuite(s.privacy))
  if (!only.has('privacy') && only.has('privacy-collect')) add('privacy-collect', 1, async () => privacyCollectSuite(s.privacy.collect))
  if (only.has('privacy') || only.has('privacy-direct')) add('privacy-direct', 1, async () => privacyDirectSuite(s.privacyDirect))
  if (only.has('attachments')) add('attachments', 1, async () => attachmentsSuite(s.attachments))
  if (only.has('groups')) add('groups', 1, async () => groupsSuite({ ...s.groups, ...(values.profile ? { profileDir: out } : {}) }))
  if (only.has('handover') || only.has('handover-sync')) add('handover-sync', 1, async () => handoverSyncSuite(s.handoverSync))
  if (only.has('handover') || only.has('chunk-handover-sync')) add('chunk-handover-sync', 1, async () => chunkHandoverSyncSuite(s.chunkHandoverSync))
  const results = new Map<string, Row[]>()
  const runLane = async (list: typeof suites): Promise<void> => {
    for (const x of list) results.set(x.name, await step(x.name, x.run))
  }
  // a measuring run takes one suite at a time (they would skew each other's figures); the smoke
  // run only checks that every row comes out, so its two halves (mostly waiting on sockets,
  // processes and timers) run side by side
  if (smoke) await Promise.all([0, 1].map(async lane => runLane(suites.filter(x => x.lane === lane))))
  else await runLane(suites)
  for (const x of suites) rows.push(...(results.get(x.name) ?? []))

  const charts: string[] = []
  const series = [
    ...(direct === undefined ? [] : [{ name: 'Cairn direct send → receipt', values: direct.samples.send }, { name: 'bare stream echo', values: direct.samples.echo }]),
    ...(mailbox === undefined ? [] : [{ name: 'Cairn deposit, k=3', values: mailbox.samples.deposit }, { name: 'Cairn send to offline', values: mailbox.samples.send }, { name: 'bare request to 1 node', values: mailbox.samples.request }])
  ]
  if (series.length > 0) {
    writeFileSync(join(out, 'latency-cdf.svg'), cdfChart({ title: 'Delivery latency on loopback (CDF)', xLabel: 'milliseconds (log scale)', series }))
    charts.push('latency-cdf.svg')
  }
  if (growth !== undefined) {
    writeFileSync(join(out, 'sync-growth.svg'), lineChart({ title: 'Offline path: ms per message against messages waiting', xLabel: 'messages waiting for the recipient', yLabel: 'ms per message', series: growth.series, yMin: 0 }))
    charts.push('sync-growth.svg')
  }
  loop.disable()
  const eventLoop = { maxStallMs: Math.round(loop.max / 1e6), p99StallMs: Math.round(loop.percentile(99) / 1e6) }
  const meta = { ...machineInfo(), smoke, sizes: s, wallSeconds: Math.round((now() - t0) / 100) / 10, suiteMs: timings, eventLoop }
  const result = { meta, rows, peers, stages: { direct: direct?.stages, collect: mailbox?.collect }, sync: mailbox === undefined ? undefined : { cairn: mailbox.cairn, runs: mailbox.runs }, charts }
  writeFileSync(join(out, 'latest.json'), JSON.stringify(result, null, 2) + '\n')

  const lines = [
    `# Cairn bench — ${meta.date}${smoke ? ' (smoke)' : ''}`, '',
    `${meta.cpus} × ${meta.cpuModel}, ${meta.memGiB} GiB, ${meta.platform}, Node ${meta.node}, libp2p ${meta.versions.libp2p}, libsignal ${meta.versions['@signalapp/libsignal-client']}, commit ${meta.commit.slice(0, 12)}${meta.dirty ? ' (dirty)' : ''}`, '',
    markdownTable(rows), ''
  ]
  if (mailbox !== undefined) lines.push('Offline recipient, side by side:', '', sideBySide(mailbox, peers, s.mailbox.replicas), '')
  if (direct !== undefined) lines.push('Direct send, median ms per stage:', '', simpleTable(['stage', 'ms'], Object.entries(direct.stages).map(([k, v]) => [k, v])), '')
  if (mailbox !== undefined) {
    const c = mailbox.collect
    lines.push(`Offline recipient's sync of ${s.mailbox.messages} messages, median of runs: ${Math.round(c.syncMs)} ms in all (the recipient's CPU ${Math.round(c.syncCpuMs)} ms, ${(c.syncCpuMs / s.mailbox.messages).toFixed(2)} ms a message); opening and storing pages (decrypt, store, fsync; serialised under the messenger lock) ${Math.round(c.openAndStoreMs)} ms; the rest (lookup, list, fetch, ack signatures and requests) ${Math.round(c.otherMs)} ms; ${c.fetchedPerMessage.toFixed(2)} envelope bodies opened per message (ids are listed at every replica, each body taken from one). After it returned, the answers to its acks, the receipts it queued and the bundle top-up took ${Math.round(c.tailMs)} ms more (CPU ${Math.round(c.tailCpuMs)} ms).`, '')
    const largest = Object.entries(c.stages).sort((a, b) => b[1] - a[1])[0]
    lines.push('Sync stages, median ms of runs (collection stages summed over the replicas\' loops, which overlap, the wait for the acks\' answers among them, which since session 45 runs after the sync returns; then the outbox flush and the bundle top-up, which run after it too):', '', simpleTable(['stage', 'ms'], Object.entries(c.stages).map(([k, v]) => [k, Math.round(v)])), '', `Largest stage: ${largest?.[0] ?? 'none'}.`, '')
  }
  lines.push(`Wall time ${meta.wallSeconds} s; the event loop's longest stall ${eventLoop.maxStallMs} ms (p99 ${eventLoop.p99StallMs} ms); JSON and charts in ${out}`)
  process.stdout.write(lines.join('\n') + '\n')
}

main().catch((err: unknown) => { console.error(err); process.exitCode = 1 })
