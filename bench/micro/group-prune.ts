/**
 * What the group prune pass (client/groups/group-prune.ts) costs over a real LevelDB store: MARKS
 * marks each of seen, seq and gossiped in one group of 10 senders; the pass three times with none
 * due (the usual hourly pass), then once with all due.
 *   node dist/bench/micro/group-prune.js [--marks 10000]
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { pruneGroup } from '../../src/client/groups/group-prune.js'
import { markGossiped, markGroupMessageSeen, markSeqShown } from '../../src/client/groups/group-store.js'
import { Store } from '../../src/shared/store.js'

async function main (): Promise<void> {
  const { values } = parseArgs({ options: { marks: { type: 'string', default: '10000' } } })
  const n = Number(values.marks)
  const root = await mkdtemp(join(tmpdir(), 'cairn-bench-prune-'))
  const store = await Store.open(join(root, 'db'))
  const gid = 'ab'.repeat(16)
  const senders = Array.from({ length: 10 }, (_, i) => `peer${i}`)
  const now = Date.now()
  for (let i = 0; i < n; i += 500) {
    const tx = store.transaction()
    for (let j = i; j < Math.min(n, i + 500); j++) {
      const s = senders[j % 10] as string
      markGroupMessageSeen(tx, gid, s, j.toString(16).padStart(32, '0'), now)
      markSeqShown(tx, gid, s, Math.floor(j / 10) + 1, now)
      markGossiped(tx, gid, j.toString(16).padStart(32, 'f'), j.toString(16), now)
    }
    await tx.commit()
  }
  const pass = async (cutoff: number): Promise<{ wallMs: number, cpuMs: number, deleted: number }> => {
    const t0 = process.hrtime.bigint()
    const c0 = process.cpuUsage()
    const tx = store.transaction()
    const c = await pruneGroup({ store, me: 'me', cutoff }, tx, gid, [...senders, 'me'])
    await tx.commit()
    const cpu = process.cpuUsage(c0)
    return { wallMs: Math.round(Number(process.hrtime.bigint() - t0) / 1e6), cpuMs: Math.round((cpu.user + cpu.system) / 1000), deleted: c.seen + c.seq + c.gossiped }
  }
  const noneDue = [await pass(0), await pass(0), await pass(0)]
  const allDue = await pass(now + 1)
  console.log(JSON.stringify({ marks: 3 * n, noneDue, allDue }))
  await store.close()
  await rm(root, { recursive: true, force: true })
}

await main()
