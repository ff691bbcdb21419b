/**
 * Two builds' deposits in one process, alternated: this checkout's MailboxStore and the one built
 * in `--base DIR` (another worktree's dist/), each run depositing the same fresh 1 KiB envelopes at
 * C in flight into its own new store, four runs a round (base, new, new, base, then the reverse),
 * with the process's CPU and the JS thread's per envelope. On a shared, loaded machine the load moves a run's CPU by a third
 * (caches, frequency); runs a second apart in one process see the same load, so a change of a µs
 * or two a deposit shows in the per-round differences where separate processes' medians hide it.
 *   node dist/bench/micro/ingest-ab.js --base /path/to/other/checkout [--envelopes 5000] [--concurrency 64] [--rounds 12]
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { pathToFileURL } from 'node:url'
import type { Envelope } from '../../proto/cairn.js'
import { makeEnvelopes, pool } from '../suites/ingest.js'
import { median } from '../lib/stats.js'

const { values } = parseArgs({ options: { base: { type: 'string' }, envelopes: { type: 'string', default: '5000' }, concurrency: { type: 'string', default: '64' }, rounds: { type: 'string', default: '12' } } })
if (values.base === undefined) throw new Error('--base DIR: the other checkout (with its dist/ built)')
const n = Number(values.envelopes)
const c = Number(values.concurrency)
const rounds = Number(values.rounds)

interface Build {
  Store: { open: (path: string) => Promise<{ close: () => Promise<void> }> }
  MailboxStore: new (components: unknown, init: unknown) => { open: () => Promise<void>, deposit: (env: Envelope, now: number) => Promise<string> }
  resolveConfig: (layers: unknown[]) => unknown
}

async function load (root: string): Promise<Build> {
  const at = (p: string): string => pathToFileURL(join(root, 'dist', p)).href
  const [store, mailbox, config] = await Promise.all([import(at('src/shared/store.js')), import(at('src/mailbox/index.js')), import(at('src/shared/config.js'))])
  return { Store: store.Store, MailboxStore: mailbox.MailboxStore, resolveConfig: config.resolveConfig }
}

/** CPU per envelope (µs): the process's (every thread) and the JS thread's. */
async function run (b: Build, envelopes: Envelope[]): Promise<{ cpu: number, main: number }> {
  const root = await mkdtemp(join(tmpdir(), 'cairn-micro-ab-'))
  const store = await b.Store.open(join(root, 'store'))
  try {
    const box = new b.MailboxStore({ store }, b.resolveConfig([{ dataDir: root }]))
    await box.open()
    const t = Date.now()
    const cpu0 = process.cpuUsage()
    const main0 = process.threadCpuUsage()
    await pool(envelopes.length, c, async (i) => {
      if (await box.deposit(envelopes[i] as Envelope, t) !== 'stored') throw new Error('deposit was not stored')
    })
    const cpu = process.cpuUsage(cpu0)
    const main = process.threadCpuUsage(main0)
    return { cpu: (cpu.user + cpu.system) / envelopes.length, main: (main.user + main.system) / envelopes.length }
  } finally {
    await store.close()
    await rm(root, { recursive: true, force: true })
  }
}

const builds = { base: await load(resolve(values.base)), new: await load(resolve(import.meta.dirname, '../../..')) }
const diffs = { cpu: [] as number[], main: [] as number[] }
const all = { base: { cpu: [] as number[], main: [] as number[] }, new: { cpu: [] as number[], main: [] as number[] } }
// one run of each first, not counted: each build's code is compiled apart, and its first run pays for it
for (const v of ['base', 'new'] as const) await run(builds[v], await makeEnvelopes(n, 1024))
for (let r = 0; r < rounds; r++) {
  const envelopes = await makeEnvelopes(n, 1024)
  // base, new, new, base (and the reverse next round): a drift in load, or whatever the first run
  // after the envelopes were made pays, falls on both alike; each run its own copy of the envelopes
  const order = r % 2 === 0 ? ['base', 'new', 'new', 'base'] as const : ['new', 'base', 'base', 'new'] as const
  const got = { base: { cpu: 0, main: 0 }, new: { cpu: 0, main: 0 } }
  for (const v of order) {
    const x = await run(builds[v], envelopes.map(e => ({ ...e })))
    got[v].cpu += x.cpu / 2
    got[v].main += x.main / 2
  }
  const b = got.base
  const w = got.new
  all.base.cpu.push(b.cpu); all.base.main.push(b.main); all.new.cpu.push(w.cpu); all.new.main.push(w.main)
  diffs.cpu.push(w.cpu - b.cpu); diffs.main.push(w.main - b.main)
  console.log(JSON.stringify({ round: r, order: order.join(','), baseCpuUs: +b.cpu.toFixed(1), newCpuUs: +w.cpu.toFixed(1), baseMainUs: +b.main.toFixed(1), newMainUs: +w.main.toFixed(1) }))
}
const r1 = (x: number): number => Math.round(x * 10) / 10
console.log(JSON.stringify({
  envelopes: n,
  concurrency: c,
  rounds,
  baseCpuUsPerEnv: r1(median(all.base.cpu)),
  newCpuUsPerEnv: r1(median(all.new.cpu)),
  medianCpuDiffUs: r1(median(diffs.cpu)),
  newCpuLowerInRounds: diffs.cpu.filter(d => d < 0).length,
  baseMainUsPerEnv: r1(median(all.base.main)),
  newMainUsPerEnv: r1(median(all.new.main)),
  medianMainDiffUs: r1(median(diffs.main)),
  newMainLowerInRounds: diffs.main.filter(d => d < 0).length
}))
