/**
 * Whether a simulated network's routing tables fill: N peers set up as the simulation's set-up
 * does before its bundle round (bench/sim/network.ts: started, the daemons' retry timer until no
 * peer is cut off, routing tables warmed; the simulation's connection cap and dial deadline; no
 * bundle published), then every peer's routing-table size and open connections, counted after
 * set-up, after a wait with nothing asked, after the daemons' retry timer once more (`reconnect`:
 * a peer with no connection, or never joined, dials its bootstrap peers again and joins), and a
 * wait after that. Then, for the peers cut off (no connection, empty table) and for the rest:
 * their connections at start, opened since, who closed them (their own trimmer, another peer's
 * trimmer, anything else, and how old those were) and their DHT joins. With CAIRN_SIM_DIAG, each
 * set-up stage also says how late the hosts' event loops ran.
 *   node dist/bench/micro/table-census.js [--nodes 1000] [--workers 4] [--seeds 24] [--wait-s 60]
 */
import { parseArgs } from 'node:util'
import { now, quantile } from '../lib/stats.js'
import { withSimNetwork, type SimNetwork } from '../sim/network.js'
import type { CensusEntry } from '../sim/host.js'

/** One row of the breakdown: p50 (and max where it says) of each count over `peers`. */
function lifeRow (what: string, peers: CensusEntry[], trims: Map<string, number>): string {
  const p50 = (xs: number[]): string => xs.length === 0 ? '–' : String(Math.round(quantile(xs, 0.5)))
  const lives = peers.flatMap(p => p.life === undefined ? [] : [{ ...p.life, byOthers: trims.get(p.peerId) ?? 0 }])
  const ages = lives.flatMap(l => l.otherAgeMs)
  const joined = peers.filter(p => p.join.joined).length
  const foundNobody = peers.filter(p => p.join.lastFound === 0).length
  return `| ${what} | ${peers.length} | ${p50(lives.map(l => l.atStart))} (${lives.filter(l => l.atStart === 0).length} with 0) | ${p50(lives.map(l => l.inbound))} / ${p50(lives.map(l => l.outbound))} | ${p50(lives.map(l => l.ownTrim))} | ${p50(lives.map(l => l.byOthers))} | ${p50(lives.map(l => Math.max(0, l.other - l.byOthers)))} | ${p50(ages)} / ${ages.length === 0 ? '–' : Math.round(quantile(ages, 0.9))} | ${p50(peers.map(p => p.join.begun))} | ${joined} | ${foundNobody} |`
}

/** How the cut-off peers' last bootstrap dials ended (errors, PeerIds and numbers masked) and how many name each bootstrap peer. */
function whyCut (cut: CensusEntry[]): string {
  const errors = new Map<string, number>()
  const named = new Map<string, number>()
  for (const p of cut) {
    for (const [addr, err] of Object.entries(p.join.bootstrapErrors)) {
      const e = err.replace(/12D3Koo\w+/g, 'PEER').replace(/\d+/g, 'N').slice(0, 100)
      errors.set(e, (errors.get(e) ?? 0) + 1)
      const peer = addr.split('/p2p/')[1]?.slice(-6) ?? addr
      named.set(peer, (named.get(peer) ?? 0) + 1)
    }
  }
  const top = (m: Map<string, number>): string => JSON.stringify(Object.fromEntries([...m].sort((a, b) => b[1] - a[1]).slice(0, 12)))
  return `errors ${top(errors)}; bootstrap peers named (last 6 of the PeerId) ${top(named)} of ${new Set(cut.flatMap(p => Object.keys(p.join.bootstrapErrors))).size} named`
}

async function main (): Promise<void> {
  const { values } = parseArgs({ options: { nodes: { type: 'string', default: '1000' }, workers: { type: 'string', default: '4' }, seeds: { type: 'string', default: '24' }, 'wait-s': { type: 'string', default: '60' } } })
  const nodes = Number(values.nodes)
  const waitMs = Number(values['wait-s']) * 1000
  const t0 = now()
  const rows: string[] = []
  const lifeRows: string[] = []
  const why: string[] = []
  const census = async (world: SimNetwork, when: string): Promise<void> => {
    const peers = await world.tableCensus()
    const trims = await world.connectionTrims()
    const cut = peers.filter(p => p.connections === 0 && p.table === 0)
    lifeRows.push(lifeRow(`${when}: cut off`, cut, trims), lifeRow(`${when}: the rest`, peers.filter(p => !cut.includes(p)), trims))
    console.error(lifeRows.at(-2))
    why.push(`${when}: ${whyCut(cut)}`)
    const tables = peers.map(p => p.table)
    const conns = peers.map(p => p.connections)
    rows.push(`| ${when} | ${((now() - t0) / 1000).toFixed(0)} | ${peers.length} | ${tables.filter(t => t === 0).length} | ${tables.filter(t => t > 0 && t < 5).length} | ${quantile(tables, 0.1)} / ${quantile(tables, 0.5)} / ${quantile(tables, 0.9)} | ${conns.filter(c => c === 0).length} | ${quantile(conns, 0.5)} |`)
    console.error(rows.at(-1))
  }
  await withSimNetwork('table-census', { nodes, replicas: 5, workers: Number(values.workers), seeds: Number(values.seeds), connectionMonitor: false, peerStore: 'memory', progress: line => { console.error(line) } }, async (world) => {
    await census(world, 'after set-up (started, redialled, warmed)')
    await new Promise(resolve => setTimeout(resolve, waitMs))
    await census(world, `${waitMs / 1000} s later, nothing asked`)
    const redialled = await world.reconnect()
    await census(world, `after the retry timer (${redialled} peers redialled or joined again)`)
    await new Promise(resolve => setTimeout(resolve, waitMs))
    await census(world, `${waitMs / 1000} s later`)
    console.log(`routing tables of ${nodes} simulated peers (${world.hosts} workers, ${Number(values.seeds)} seeds)`)
    console.log('| when | s since start | peers | empty tables | tables of 1–4 | table size p10 / p50 / p90 | peers with no connection | connections p50 |')
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
    for (const r of rows) console.log(r)
    console.log('\nwhy: each peer\'s connections since its start (p50 over the peers; closes by another peer are those its trimmer counted; ages p50 / p90)')
    console.log('| when: which peers | peers | connections at start | opened since, in / out | closed by its own trimmer | closed by another\'s trimmer | closed otherwise | age at those closes, ms | joins begun | joined | last join found nobody |')
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
    for (const r of lifeRows) console.log(r)
    console.log('\nthe cut-off peers\' bootstrap dials: how their last dial to each bootstrap peer ended, and which bootstrap peers they name')
    for (const w of why) console.log(`- ${w}`)
  })
}

await main()
