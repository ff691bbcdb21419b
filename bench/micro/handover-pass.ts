/**
 * What one handover pass costs on a warm network, and how much of it is its DHT lookup: N
 * simulated peers (bench/sim's hosts, every bundle published), then the network idle, ROUNDS
 * lookups of a recipient's mailbox key from one of its holders (as a pass starts), and ROUNDS
 * passes for a recipient at one of its holders (Handover.forRecipient: the lookup, then
 * reconciliation with each replica; here nothing differs, so nothing is copied). One at a time,
 * CPU time of every process (workers and this one) per call, the idle rate times the call's wall
 * time subtracted (libp2p's own timers run meanwhile in every peer).
 *   node dist/bench/micro/handover-pass.js [--nodes 100] [--workers 2] [--seeds 8] [--rounds 30] [--peer-store memory|disk] [--ab N] [--ab-what merges|reads|all] [--profile DIR]
 * (--ab N: N rounds of lookups alternating a peer store shortcut off and on, bench/sim/shortcuts.ts:
 * `merges`, every discovery merged or repeated ones skipped; `reads`, every record read from the
 * store or a read kept for the next ones; `all`, both)
 * (--profile: a CPU profile of each worker around the lookups, DIR/lookups-worker-N.cpuprofile)
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { now, rng } from '../lib/stats.js'
import { SimNetwork } from '../sim/network.js'
import { isShortcut } from '../sim/shortcuts.js'

interface Row { what: string, calls: number, cpuMs: number, wallMs: number, idleMs: number }

async function main (): Promise<void> {
  const { values } = parseArgs({ options: { nodes: { type: 'string', default: '100' }, workers: { type: 'string', default: '2' }, seeds: { type: 'string', default: '8' }, rounds: { type: 'string', default: '30' }, seed: { type: 'string', default: '1' }, 'peer-store': { type: 'string', default: 'memory' }, profile: { type: 'string' }, ab: { type: 'string', default: '0' }, 'ab-what': { type: 'string', default: 'merges' } } })
  const peerStore = values['peer-store'] === 'disk' ? 'disk' : 'memory'
  const nodes = Number(values.nodes)
  const rounds = Number(values.rounds)
  const random = rng(Number(values.seed))
  const root = await mkdtemp(join(tmpdir(), 'cairn-bench-handover-pass-'))
  const world = new SimNetwork({ root, nodes, replicas: 5, start: Date.now(), workers: Number(values.workers), seeds: Number(values.seeds), connectionMonitor: false, peerStore, onMessage: () => {} })
  try {
    const t0 = now()
    await world.setup()
    await world.settle()
    console.error(`${nodes} peers up in ${((now() - t0) / 1000).toFixed(0)} s`)
    const rows: Row[] = []
    const measure = async (what: string, calls: number, fn: () => Promise<void>, idleRate: number): Promise<Row> => {
      let cpuMs = 0
      let wallMs = 0
      for (let k = 0; k < calls; k++) {
        const c = await world.cpu()
        const t = now()
        await fn()
        await world.settle()
        wallMs += now() - t
        cpuMs += ((await world.cpu()) - c) * 1000
      }
      const row: Row = { what, calls, cpuMs, wallMs, idleMs: idleRate * wallMs }
      rows.push(row)
      return row
    }
    const idle = await measure('the network idle, 1 s', 10, async () => { await new Promise(resolve => setTimeout(resolve, 1000)) }, 0)
    const rate = idle.cpuMs / idle.wallMs
    const holders: Array<[number, string]> = []
    for (const [i, rs] of await world.held()) for (const r of Object.keys(rs)) holders.push([i, r])
    const index = new Map(world.peerIds.map((p, i) => [p, i]))
    const pick = (): [number, string] => holders[Math.floor(random() * holders.length)] as [number, string]
    const queried: number[] = []
    if (values.profile !== undefined) await world.profile('start')
    await measure('a lookup of a held recipient\'s key, from its holder', rounds, async () => {
      const [h, r] = pick()
      const got = await world.lookup(h, index.get(r) as number)
      queried.push(got.queried)
    }, rate)
    if (values.profile !== undefined) console.error(`profiles: ${(await world.profile('stop', join(values.profile, 'lookups'))).join(', ')}`)
    if (Number(values.ab) > 0) {
      // alternated on the same warm network: the shortcut off (as libp2p alone does), then on (the default)
      const which = values['ab-what']
      if (!isShortcut(which)) throw new Error(`--ab-what: merges, reads or all, not ${String(which)}`)
      const label = { merges: ['every discovery merged', 'repeated discoveries skipped (default)'], reads: ['every record read from the store', 'a read kept for the next (default)'], all: ['the peer store as libp2p alone', 'repeated discoveries skipped and reads kept (default)'] }[which]
      for (let k = 0; k < 2 * Number(values.ab); k++) {
        const on = k % 2 === 1
        await world.shortcut(which, on)
        await measure(`a lookup, ${label[on ? 1 : 0] as string} (round ${Math.floor(k / 2) + 1})`, rounds, async () => { const [h, r] = pick(); await world.lookup(h, index.get(r) as number) }, rate)
      }
      await world.shortcut(which, true)
    }
    await measure('a handover pass for a held recipient (lookup + reconcile)', rounds, async () => {
      const [h, r] = pick()
      await world.forRecipient(h, r)
    }, rate)
    queried.sort((a, b) => a - b)
    console.log(`handover pass on ${nodes} peers (${world.hosts} workers, peer store ${peerStore}), ${holders.length} (holder, recipient) pairs; lookups queried p50 ${queried[Math.floor(queried.length / 2)] ?? 0} peers`)
    console.log('| what | calls | CPU per call, all processes (ms) | less the idle network (ms) | wall per call (ms) |')
    console.log('| --- | ---: | ---: | ---: | ---: |')
    for (const r of rows) console.log(`| ${r.what} | ${r.calls} | ${(r.cpuMs / r.calls).toFixed(0)} | ${((r.cpuMs - r.idleMs) / r.calls).toFixed(0)} | ${(r.wallMs / r.calls).toFixed(0)} |`)
  } finally {
    await world.stopAll().catch(() => {})
    await world.close().catch(() => {})
    await rm(root, { recursive: true, force: true })
  }
}

await main()
