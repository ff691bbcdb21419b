/**
 * What parking group messages costs over a real LevelDB store (client/groups/parking.ts): 1,000
 * messages of 10 senders parked one transaction each, then 200 more of one sender into the full
 * group (each takes the largest holder's oldest, until the sender's own bound drops them), then
 * the pass expiring all 1,000. CPU per message (its commit included) and for the pass.
 *   node dist/bench/micro/group-parking.js
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ParkedMessage } from '../../src/client/groups/group-store.js'
import { Parking } from '../../src/client/groups/parking.js'
import { silentLogger } from '../../src/shared/logger.js'
import { Store } from '../../src/shared/store.js'

const cpuMs = (): number => { const c = process.cpuUsage(); return (c.user + c.system) / 1000 }
const message = (sender: number, seq: number): ParkedMessage =>
  ({ sender: `peer${sender}`, id: `${sender}-${seq}`.padStart(32, '0'), seq, sentAt: 0, heads: ['ff'.repeat(32)], text: 'x'.repeat(200), route: 'mailbox' })

async function main (): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'cairn-bench-parking-'))
  const store = await Store.open(join(root, 'db'))
  const gid = 'cd'.repeat(32)
  const parking = new Parking({ store, log: silentLogger() })
  const park = async (m: ParkedMessage): Promise<void> => {
    const tx = store.transaction()
    await parking.park(tx, gid, m, 1)
    await tx.commit()
  }
  let t = cpuMs()
  for (let s = 0; s < 10; s++) for (let i = 1; i <= 100; i++) await park(message(s, i))
  console.log(`park, up to 1,000 (10 senders): ${((cpuMs() - t) / 1000).toFixed(3)} ms CPU per message`)
  t = cpuMs()
  for (let i = 1; i <= 200; i++) await park(message(99, i))
  console.log(`park into the full group: ${((cpuMs() - t) / 200).toFixed(3)} ms CPU per message`)
  t = cpuMs()
  const tx = store.transaction()
  const n = (await parking.expire(tx, gid, 2, 3)).length
  await tx.commit()
  console.log(`the pass expiring ${n}: ${(cpuMs() - t).toFixed(1)} ms CPU`)
  await store.close()
  await rm(root, { recursive: true, force: true })
}

await main()
