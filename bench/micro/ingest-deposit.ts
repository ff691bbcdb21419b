/**
 * Where a durable deposit's time goes beyond the raw LevelDB batch: the ingest suite's two sides
 * (MailboxStore.deposit at C in flight; raw LevelDB writing the same records in one sync batch per
 * C envelopes), alternated, each with its wall time, the process's CPU (every thread) and the JS
 * thread's alone, and how the deposits were grouped: LevelDB batches (one fsync each) and the
 * envelopes per batch. With --profile DIR, a CPU profile of the deposits of the first run.
 *   node dist/bench/micro/ingest-deposit.js [--envelopes 20000] [--concurrency 64] [--runs 3] [--profile DIR]
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { LevelDatastore } from 'datastore-level'
import { Envelope } from '../../proto/cairn.js'
import { MailboxStore } from '../../src/mailbox/index.js'
import { resolveConfig } from '../../src/shared/config.js'
import { Store, type StoreOp } from '../../src/shared/store.js'
import { makeEnvelopes, pool, rawRecords } from '../suites/ingest.js'
import { profiled } from '../lib/profiler.js'
import { median } from '../lib/stats.js'

const { values } = parseArgs({ options: { envelopes: { type: 'string', default: '20000' }, concurrency: { type: 'string', default: '64' }, runs: { type: 'string', default: '3' }, profile: { type: 'string' } } })
const n = Number(values.envelopes)
const c = Number(values.concurrency)
const runs = Number(values.runs)

interface Level { batch: (ops: StoreOp[], o: { sync: boolean }) => Promise<void>, getProperty: (p: string) => string }
interface Sample { rate: number, cpuUs: number, mainUs: number, batches: number, perBatch: number, compactMB: number }

/** Time `fn` (which writes `n` envelopes), counting LevelDB batches through `db`. */
async function measure (db: Level, fn: () => Promise<number>): Promise<Sample> {
  const batch = db.batch.bind(db)
  let batches = 0
  let ops = 0
  db.batch = async (o, s) => { batches++; ops += o.length; return batch(o, s) }
  const cpu0 = process.cpuUsage()
  const main0 = process.threadCpuUsage()
  const ms = await fn()
  const cpu = process.cpuUsage(cpu0)
  const main = process.threadCpuUsage(main0)
  db.batch = batch
  return { rate: n / ms * 1000, cpuUs: (cpu.user + cpu.system) / n, mainUs: (main.user + main.system) / n, batches, perBatch: ops / 3 / batches, compactMB: compacted(db.getProperty('leveldb.stats')) }
}

async function cairn (envelopes: Envelope[], profile: string | undefined): Promise<Sample> {
  const root = await mkdtemp(join(tmpdir(), 'cairn-micro-ingest-'))
  const store = await Store.open(join(root, 'store'))
  try {
    const box = new MailboxStore({ store }, resolveConfig([{ dataDir: root }]))
    await box.open()
    const t = Date.now()
    const run = async (): Promise<number> => pool(envelopes.length, c, async (i) => {
      if (await box.deposit(envelopes[i] as Envelope, t) !== 'stored') throw new Error('deposit was not stored')
    })
    const db = (store as unknown as { db: Level }).db
    return await measure(db, async () => profile === undefined ? run() : profiled('ingest-deposit', profile, run))
  } finally {
    await store.close()
    await rm(root, { recursive: true, force: true })
  }
}

async function raw (envelopes: Envelope[]): Promise<Sample> {
  const root = await mkdtemp(join(tmpdir(), 'cairn-micro-level-'))
  const ds = new LevelDatastore(join(root, 'db'))
  await ds.open()
  try {
    const db = (ds as unknown as { db: Level }).db
    return await measure(db, async () => pool(Math.ceil(envelopes.length / c), 1, async (b) => {
      const slice = envelopes.slice(b * c, (b + 1) * c)
      await db.batch(slice.flatMap((e, i) => rawRecords(e, b * c + i)), { sync: true })
    }))
  } finally {
    await ds.close()
    await rm(root, { recursive: true, force: true })
  }
}

const cairnRuns: Sample[] = []
const rawRuns: Sample[] = []
for (let r = 0; r < runs; r++) {
  const envelopes = await makeEnvelopes(n, 1024)
  const profile = r === 0 ? values.profile : undefined
  if (r % 2 === 0) { cairnRuns.push(await cairn(envelopes, profile)); rawRuns.push(await raw(envelopes)) } else { rawRuns.push(await raw(envelopes)); cairnRuns.push(await cairn(envelopes, profile)) }
  console.log(JSON.stringify({ run: r, cairn: round(cairnRuns[r] as Sample), raw: round(rawRuns[r] as Sample) }))
}
const med = (xs: Sample[], k: keyof Sample): number => Math.round(median(xs.map(x => x[k])) * 10) / 10
const ratio = median(cairnRuns.map((x, i) => x.rate / (rawRuns[i] as Sample).rate))
console.log(JSON.stringify({ envelopes: n, concurrency: c, runs, cairnRate: med(cairnRuns, 'rate'), rawRate: med(rawRuns, 'rate'), ratioOfMedians: +(med(cairnRuns, 'rate') / med(rawRuns, 'rate')).toFixed(3), medianPairedRatio: +ratio.toFixed(3), cairnCpuUsPerEnv: med(cairnRuns, 'cpuUs'), rawCpuUsPerEnv: med(rawRuns, 'cpuUs'), cairnMainUsPerEnv: med(cairnRuns, 'mainUs'), rawMainUsPerEnv: med(rawRuns, 'mainUs'), cairnPerBatch: med(cairnRuns, 'perBatch'), rawPerBatch: med(rawRuns, 'perBatch') }))

/** MB read plus written by LevelDB's compactions (its stats table: level, files, size, time, read, write). */
function compacted (stats: string): number {
  let mb = 0
  for (const line of stats.split('\n')) {
    const cols = line.trim().split(/\s+/).map(Number)
    if (cols.length === 6 && cols.every(Number.isFinite)) mb += (cols[4] as number) + (cols[5] as number)
  }
  return mb
}

function round (s: Sample): Record<string, number> {
  return { rate: Math.round(s.rate), cpuUs: +s.cpuUs.toFixed(1), mainUs: +s.mainUs.toFixed(1), batches: s.batches, perBatch: +s.perBatch.toFixed(1), compactMB: Math.round(s.compactMB) }
}
