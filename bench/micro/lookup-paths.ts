/**
 * What a lookup costs and what it finds, by how many answers each of its disjoint paths gathers
 * before it stops (network.dhtPathK; kad-dht's own rule is K, network.dhtK, 40): N simulated peers
 * (bench/sim's hosts, all online, routing tables warmed; no bundle published), then rounds of
 * lookups of random peers' mailbox keys from random peers, one at a time, the setting changed in
 * every peer between rounds (alternated, so that the network's drift falls on every setting
 * alike). Per lookup: the peers asked (SEND_QUERY), answering and failing, whether the 15 s limit
 * cut it, wall time, CPU of every process over the lookup (the idle network's rate, printed
 * beside, runs meanwhile), and how many of the true closest 5, 10 and 40 peers to the key (all
 * peers but the asker, by XOR distance) it returned: what placement picks replicas from. Before
 * the rounds, how many of 30 random peers' own 10 closest peers their routing tables hold.
 *   node dist/bench/micro/lookup-paths.js [--nodes 200] [--workers 2] [--seeds 8] [--path-k 40,10] [--rounds 3] [--lookups 20] [--peer-store memory|disk]
 */
import { parseArgs } from 'node:util'
import { defaultConfig } from '../../src/shared/config.js'
import { mailboxKey, rankByDistance } from '../../src/shared/placement.js'
import { parsePeerId } from '../../src/shared/peer-id.js'
import { median, now, quantile, rng } from '../lib/stats.js'
import { withSimNetwork } from '../sim/network.js'

interface Lookup { queried: number, answered: number, failed: number, cut: boolean, wallMs: number, cpuMs: number, found: number, recall5: number, recall10: number, recall40: number }

async function main (): Promise<void> {
  const { values } = parseArgs({ options: { nodes: { type: 'string', default: '200' }, workers: { type: 'string', default: '2' }, seeds: { type: 'string', default: '8' }, 'path-k': { type: 'string', default: '40,10' }, rounds: { type: 'string', default: '3' }, lookups: { type: 'string', default: '20' }, seed: { type: 'string', default: '1' }, 'peer-store': { type: 'string', default: 'memory' } } })
  const nodes = Number(values.nodes)
  const settings = String(values['path-k']).split(',').map(Number)
  if (settings.some(k => !Number.isInteger(k) || k < 1)) throw new Error(`--path-k: whole numbers >= 1, comma-separated, not ${String(values['path-k'])}`)
  const random = rng(Number(values.seed))
  const t0 = now()
  await withSimNetwork('lookup-paths', { nodes, replicas: 5, workers: Number(values.workers), seeds: Number(values.seeds), connectionMonitor: false, peerStore: values['peer-store'] === 'disk' ? 'disk' : 'memory' }, async (world) => {
    await world.settle()
    console.error(`${nodes} peers up in ${((now() - t0) / 1000).toFixed(0)} s`)
    const idleRate = await world.idleRate(10_000)
    const ids = world.peerIds.map(p => parsePeerId(p))
    const byKey = new Map<number, string[]>()
    const truth = (target: number, asker: number): string[] => {
      let ranked = byKey.get(target)
      if (ranked === undefined) {
        ranked = rankByDistance(mailboxKey(ids[target] as ReturnType<typeof parsePeerId>), ids).map(p => p.toString())
        byKey.set(target, ranked)
      }
      return ranked.filter(p => p !== world.peerIds[asker])
    }
    // whether peers know their own neighbours: a lookup can only be pointed at a peer some table holds
    const neighbours: number[] = []
    const tableSizes: number[] = []
    for (let n = 0; n < 30; n++) {
      const p = Math.floor(random() * nodes)
      const table = new Set(await world.tablePeers(p))
      const own = ids[p] as ReturnType<typeof parsePeerId>
      const closest = rankByDistance(own.toMultihash().bytes, ids).map(q => q.toString()).filter(q => q !== world.peerIds[p]).slice(0, 10)
      neighbours.push(closest.filter(q => table.has(q)).length / closest.length)
      tableSizes.push(table.size)
    }
    const results = new Map<number, Lookup[]>(settings.map(k => [k, []]))
    for (let round = 0; round < Number(values.rounds); round++) {
      for (const pathK of settings) {
        const set = await world.setPathK(pathK)
        for (let n = 0; n < Number(values.lookups); n++) {
          const asker = Math.floor(random() * nodes)
          const target = Math.floor(random() * nodes)
          const c = await world.cpu()
          const t = now()
          const got = await world.lookup(asker, target)
          const wallMs = now() - t
          const cpuMs = ((await world.cpu()) - c) * 1000
          const closest = truth(target, asker)
          const found = new Set(got.foundIds)
          const recall = (n: number): number => closest.slice(0, n).filter(p => found.has(p)).length / Math.min(n, closest.length)
          results.get(pathK)?.push({ queried: got.queried, answered: got.answered, failed: got.failed, cut: got.cut, wallMs, cpuMs, found: got.found, recall5: recall(5), recall10: recall(10), recall40: recall(40) })
        }
        console.error(`round ${round + 1}, pathK ${pathK}: ${set} peers set, ${Number(values.lookups)} lookups`)
      }
    }
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)
    console.log(`lookups on ${nodes} peers (${world.hosts} workers, K ${defaultConfig('/nonexistent').network.dhtK}, 10 disjoint paths), ${Number(values.rounds)} alternated rounds of ${Number(values.lookups)} lookups per setting; the network idle ${idleRate.toFixed(2)} CPU-s per s`)
    console.log(`routing tables of 30 random peers: size p50 ${median(tableSizes)}; a peer's own 10 closest peers in its table: mean ${(100 * mean(neighbours)).toFixed(1)} %, lowest ${(100 * Math.min(...neighbours)).toFixed(0)} %`)
    console.log('| answers per path (dhtPathK) | lookups | cut at 15 s | peers asked, p50 / p90 | answered / failed, p50 | wall, p50 / p90 (ms) | CPU per lookup, all processes, mean (ms) | found, p50 | true closest 5 found | closest 10 | closest 40 | closest 5 found, lookups not cut |')
    console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
    for (const [pathK, rs] of results) {
      const pct = (xs: number[]): string => `${(100 * mean(xs)).toFixed(1)} %`
      const whole = rs.filter(r => !r.cut)
      console.log(`| ${pathK} | ${rs.length} | ${rs.length - whole.length} | ${median(rs.map(r => r.queried))} / ${quantile(rs.map(r => r.queried), 0.9)} | ${median(rs.map(r => r.answered))} / ${median(rs.map(r => r.failed))} | ${median(rs.map(r => r.wallMs)).toFixed(0)} / ${quantile(rs.map(r => r.wallMs), 0.9).toFixed(0)} | ${mean(rs.map(r => r.cpuMs)).toFixed(0)} | ${median(rs.map(r => r.found))} | ${pct(rs.map(r => r.recall5))} | ${pct(rs.map(r => r.recall10))} | ${pct(rs.map(r => r.recall40))} | ${pct(whole.map(r => r.recall5))} |`)
    }
  })
}

await main()
