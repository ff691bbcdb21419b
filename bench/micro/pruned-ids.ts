/**
 * What recording pruned change ids costs over a real LevelDB store, with IDS ids already pruned:
 * ROUNDS late stale changes recognised one at a time (each adds one id), written as the layout
 * before wip-groups did (the whole list rewritten in one record) and as batches (one record per
 * write); then reading them back (a client's first use of the group). CPU and wall per write.
 *   node dist/bench/micro/pruned-ids.js [--ids 10000] [--rounds 200]
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { addPruned, getPruned, groupKeys } from '../../src/client/groups/group-store.js'
import { Store } from '../../src/shared/store.js'

const ids = (n: number): string[] => Array.from({ length: n }, () => randomBytes(32).toString('hex'))
const concat = (xs: string[]): Uint8Array => new Uint8Array(Buffer.concat(xs.map(x => Buffer.from(x, 'hex'))))

async function main (): Promise<void> {
  const { values } = parseArgs({ options: { ids: { type: 'string', default: '10000' }, rounds: { type: 'string', default: '200' } } })
  const n = Number(values.ids)
  const rounds = Number(values.rounds)
  const root = await mkdtemp(join(tmpdir(), 'cairn-bench-pruned-'))
  const store = await Store.open(join(root, 'db'))
  const start = ids(n)
  const late = ids(rounds)
  const run = async (label: string, gid: string, setup: () => Promise<void>, write: (tx: ReturnType<Store['transaction']>, id: string, all: Set<string>) => void): Promise<void> => {
    await setup()
    const all = new Set(start)
    const t0 = process.hrtime.bigint()
    const c0 = process.cpuUsage()
    for (const id of late) {
      all.add(id)
      const tx = store.transaction() // one transaction per change recognised, as admit's receive
      write(tx, id, all)
      await tx.commit()
    }
    const cpu = process.cpuUsage(c0)
    const wall = Number(process.hrtime.bigint() - t0) / 1e6
    const r0 = process.cpuUsage()
    const read = await getPruned(store, gid)
    const rcpu = process.cpuUsage(r0)
    console.log(`${label}: ${((cpu.user + cpu.system) / 1000 / rounds).toFixed(3)} ms CPU, ${(wall / rounds).toFixed(2)} ms wall per write; read back ${read.ids.size} ids in ${((rcpu.user + rcpu.system) / 1000).toFixed(1)} ms CPU`)
  }
  const gOld = 'aa'.repeat(32)
  const gNew = 'bb'.repeat(32)
  for (let pass = 0; pass < 2; pass++) {
    await run('whole list rewritten', gOld, async () => {
      const tx = store.transaction(); tx.put(groupKeys.prunedList(gOld), concat(start)); await tx.commit()
    }, (tx, _id, all) => { tx.put(groupKeys.prunedList(gOld), concat([...all].sort())) })
    await run('one batch per write  ', gNew, async () => {
      const tx = store.transaction(); addPruned(tx, gNew, start); await tx.commit()
    }, (tx, id) => { addPruned(tx, gNew, [id]) })
  }
  await store.close()
  await rm(root, { recursive: true, force: true })
}

await main()
