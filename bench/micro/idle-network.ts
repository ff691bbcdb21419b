/**
 * What a network of N simulated peers (bench/sim's hosts, every bundle published) costs with
 * nothing asked of it: the CPU time of every process per wall second, minute by minute, for M
 * minutes after set-up. The DHT's own upkeep (kad-dht's self-query and table refresh, on real
 * timers even in the simulation) is most of it; `--dht-refresh` sets its interval
 * (network.dhtRefreshMs), the config's default when absent.
 *   node dist/bench/micro/idle-network.js [--nodes 100] [--workers 2] [--seeds 8] [--minutes 12] [--dht-refresh MINUTES] [--profile DIR]
 * (--profile: a CPU profile of each worker over the idle minutes, DIR/idle-worker-N.cpuprofile)
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { now } from '../lib/stats.js'
import { SimNetwork } from '../sim/network.js'

async function main (): Promise<void> {
  const { values } = parseArgs({ options: { nodes: { type: 'string', default: '100' }, workers: { type: 'string', default: '2' }, seeds: { type: 'string', default: '8' }, minutes: { type: 'string', default: '12' }, 'dht-refresh': { type: 'string' }, profile: { type: 'string' } } })
  const nodes = Number(values.nodes)
  const minutes = Number(values.minutes)
  const refresh = values['dht-refresh'] === undefined ? undefined : Math.round(Number(values['dht-refresh']) * 60_000)
  if (!(nodes >= 3) || !(minutes > 0) || (refresh !== undefined && !(refresh >= 1000))) throw new Error('--nodes ≥ 3, --minutes > 0, --dht-refresh ≥ 1/60')
  const root = await mkdtemp(join(tmpdir(), 'cairn-bench-idle-'))
  const world = new SimNetwork({ root, nodes, replicas: 5, start: Date.now(), workers: Number(values.workers), seeds: Number(values.seeds), connectionMonitor: false, peerStore: 'memory', onMessage: () => {}, ...(refresh === undefined ? {} : { dhtRefreshMs: refresh }) })
  try {
    const t0 = now()
    await world.setup()
    await world.settle()
    console.error(`${nodes} peers up in ${((now() - t0) / 1000).toFixed(0)} s`)
    const label = refresh === undefined ? 'the config\'s default' : `${refresh / 60_000} min`
    console.log(`### ${nodes} peers idle, DHT refresh every ${label}\n`)
    console.log('| minute after set-up | CPU-s per wall-s, all processes |')
    console.log('| --- | --- |')
    const rates: number[] = []
    if (values.profile !== undefined) await world.profile('start')
    for (let m = 1; m <= minutes; m++) {
      const c = await world.cpu()
      const t = now()
      await new Promise(resolve => setTimeout(resolve, 60_000))
      const rate = ((await world.cpu()) - c) / ((now() - t) / 1000)
      rates.push(rate)
      console.log(`| ${m} | ${rate.toFixed(3)} |`)
    }
    if (values.profile !== undefined) console.error(`profiles: ${(await world.profile('stop', join(values.profile, 'idle'))).join(', ')}`)
    console.log(`| mean | ${(rates.reduce((a, b) => a + b, 0) / rates.length).toFixed(3)} |`)
  } finally {
    await world.stopAll().catch(() => {})
    await world.close().catch(() => {})
    await rm(root, { recursive: true, force: true })
  }
}

await main()
