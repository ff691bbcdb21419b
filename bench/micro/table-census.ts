/**
 * Whether a simulated network's routing tables fill: N peers (bench/sim's hosts, started, their
 * bootstrap peers redialled, routing tables warmed, as the simulation's set-up does before its
 * bundle round; no bundle published), then every peer's routing-table size and open connections,
 * counted after set-up, after a minute with nothing asked, after the daemons' retry timer
 * (`reconnect`: a peer with no connection, or never joined, dials its bootstrap peers again and
 * joins), and a minute after that.
 *   node dist/bench/micro/table-census.js [--nodes 1000] [--workers 4] [--seeds 24] [--wait-s 60]
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { now, quantile } from '../lib/stats.js'
import { SimNetwork } from '../sim/network.js'

async function main (): Promise<void> {
  const { values } = parseArgs({ options: { nodes: { type: 'string', default: '1000' }, workers: { type: 'string', default: '4' }, seeds: { type: 'string', default: '24' }, 'wait-s': { type: 'string', default: '60' } } })
  const nodes = Number(values.nodes)
  const waitMs = Number(values['wait-s']) * 1000
  const root = await mkdtemp(join(tmpdir(), 'cairn-bench-table-census-'))
  const t0 = now()
  const world = new SimNetwork({ root, nodes, replicas: 5, start: Date.now(), workers: Number(values.workers), seeds: Number(values.seeds), connectionMonitor: false, peerStore: 'memory', onMessage: () => {}, progress: line => { console.error(line) } })
  const rows: string[] = []
  const census = async (when: string): Promise<void> => {
    const peers = await world.tableCensus()
    const tables = peers.map(p => p.table)
    const conns = peers.map(p => p.connections)
    rows.push(`| ${when} | ${((now() - t0) / 1000).toFixed(0)} | ${peers.length} | ${tables.filter(t => t === 0).length} | ${tables.filter(t => t > 0 && t < 5).length} | ${quantile(tables, 0.1)} / ${quantile(tables, 0.5)} / ${quantile(tables, 0.9)} | ${conns.filter(c => c === 0).length} | ${quantile(conns, 0.5)} |`)
    console.error(rows.at(-1))
  }
  try {
    await world.setup({ bundles: false })
    await census('after set-up (started, redialled, warmed)')
    await new Promise(resolve => setTimeout(resolve, waitMs))
    await census(`${waitMs / 1000} s later, nothing asked`)
    const redialled = await world.reconnect()
    await census(`after the retry timer (${redialled} peers redialled or joined again)`)
    await new Promise(resolve => setTimeout(resolve, waitMs))
    await census(`${waitMs / 1000} s later`)
    console.log(`routing tables of ${nodes} simulated peers (${world.hosts} workers, ${Number(values.seeds)} seeds)`)
    console.log('| when | s since start | peers | empty tables | tables of 1–4 | table size p10 / p50 / p90 | peers with no connection | connections p50 |')
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
    for (const r of rows) console.log(r)
  } finally {
    await world.stopAll().catch(() => {})
    await world.close().catch(() => {})
    await rm(root, { recursive: true, force: true })
  }
}

await main()
