/**
 * Sender CPU per recipient: one group message (sender key once, then each member's 1:1 sealed copy
 * with the distribution message and changes it may lack) against the pairwise fan-out baseline
 * (one 1:1 sealed message per member). No network: deliveries succeed at once, so what is
 * measured is the sender's crypto and store work. Sessions with every member exist beforehand.
 *
 *   npm run build && node dist/bench/group-send-cpu.js [MEMBERS...]   (default 10 50)
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CairnClient } from '../src/client/client.js'
import type { DeliveryRoute } from '../src/client/delivery.js'
import { silentLogger } from '../src/shared/logger.js'
import { resolveConfig } from '../src/shared/config.js'

const ROUNDS = 20
const TEXT = 'x'.repeat(200)

async function user (root: string, name: string): Promise<CairnClient> {
  const config = resolveConfig([{ dataDir: join(root, name), logLevel: 'silent' }])
  await CairnClient.init(config)
  return CairnClient.open({ config, log: silentLogger(), network: false })
}

async function cpuMs (fn: () => Promise<void>): Promise<number> {
  const before = process.cpuUsage()
  await fn()
  const d = process.cpuUsage(before)
  return (d.user + d.system) / 1000
}

async function run (n: number): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'cairn-group-cpu-'))
  const sender = await user(root, 'sender')
  const members = await Promise.all(Array.from({ length: n }, async (_, i) => user(root, `m${i}`)))
  try {
    const byId = new Map(members.map(m => [m.identity.peerId.toString(), m]))
    const route: DeliveryRoute = {
      name: 'direct',
      deliver: async () => ({ ok: true }),
      takeBundle: async (peer) => byId.get(peer.toString())?.messenger.bundleForSender()
    }
    sender.messenger.useRoutes([route])
    const ids = [...byId.keys()]
    await sender.groups.create('bench', ids)
    for (const id of ids) await sender.messenger.send(id, 'warm-up') // sessions exist for both runs
    await sender.groups.send('bench', 'warm-up') // the chain is handed out once, outside the measurement
    const group = await cpuMs(async () => { for (let r = 0; r < ROUNDS; r++) await sender.groups.send('bench', TEXT) })
    const pairwise = await cpuMs(async () => { for (let r = 0; r < ROUNDS; r++) for (const id of ids) await sender.messenger.send(id, TEXT) })
    const per = (ms: number): string => `${(ms * 1000 / (ROUNDS * n)).toFixed(0)} µs`
    console.log(`${n} members, ${ROUNDS} messages of ${TEXT.length} B: group send ${per(group)}/recipient, pairwise fan-out ${per(pairwise)}/recipient, ratio ${(group / pairwise).toFixed(2)}`)
  } finally {
    for (const c of [sender, ...members]) await c.stop()
    await rm(root, { recursive: true, force: true })
  }
}

const sizes = process.argv.slice(2).map(Number)
for (const n of sizes.length > 0 ? sizes : [10, 50]) await run(n)
