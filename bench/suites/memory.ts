/**
 * Memory: the RSS of a whole process running one idle node (measured in a child process, after
 * the start-up work and a GC): a Cairn client alone, and a mailbox peer holding N envelopes on
 * disk, against a bare libp2p node with the same transports and nothing else.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { row, type Row } from '../lib/report.js'
import { median } from '../lib/stats.js'

const run = promisify(execFile)
const PROBE = fileURLToPath(new URL('./memory-probe.js', import.meta.url))

export interface MemoryOptions { envelopes: number, runs: number, settleMs: number }

interface Probe { rss: number, heapUsed: number, held?: number, count?: number }

async function probeRun (args: string[]): Promise<Probe> {
  const { stdout } = await run(process.execPath, ['--expose-gc', PROBE, ...args], { maxBuffer: 1 << 20, timeout: 600_000 })
  return JSON.parse(stdout.trim().split('\n').at(-1) as string) as Probe
}

const mib = (b: number): number => b / 2 ** 20

export async function memorySuite (o: MemoryOptions): Promise<Row[]> {
  const root = await mkdtemp(join(tmpdir(), 'cairn-bench-memory-'))
  try {
    const filled = join(root, 'mailbox')
    const fill = await probeRun(['--kind', 'fill', '--dir', filled, '--fill', String(o.envelopes)])
    if (fill.count !== o.envelopes) throw new Error(`the mailbox holds ${String(fill.count)} envelopes, not ${o.envelopes}`)
    const bare: Probe[] = []
    const client: Probe[] = []
    const mailbox: Probe[] = []
    for (let r = 0; r < o.runs; r++) {
      const settle = ['--settle', String(o.settleMs)]
      bare.push(await probeRun(['--kind', 'bare', ...settle]))
      client.push(await probeRun(['--kind', 'client', '--dir', join(root, `client-${r}`), ...settle]))
      mailbox.push(await probeRun(['--kind', 'mailbox', '--dir', filled, ...settle]))
    }
    if (mailbox.some(m => m.held !== o.envelopes)) throw new Error('the mailbox node did not hold every envelope after restart')
    const bareRss = median(bare.map(p => mib(p.rss)))
    const heap = (ps: Probe[]): string => `heap ${median(ps.map(p => mib(p.heapUsed))).toFixed(1)} MiB`
    return [
      row({ name: 'memory.client', label: 'RSS of an idle client node', unit: 'MiB', value: median(client.map(p => mib(p.rss))), baseline: 'idle bare libp2p node (TCP, Noise, Yamux, identify, ping)', baselineValue: bareRss, better: 'lower', samples: o.runs, stat: 'median', notes: `${heap(client)} (bare: ${heap(bare)}); no peers connected` }),
      row({ name: 'memory.mailbox', label: `RSS of a mailbox peer holding ${o.envelopes.toLocaleString('en-US')} envelopes`, unit: 'MiB', value: median(mailbox.map(p => mib(p.rss))), baseline: 'idle bare libp2p node', baselineValue: bareRss, better: 'lower', samples: o.runs, stat: 'median', notes: `${heap(mailbox)}; 1 KiB envelopes for 100 recipients, restarted on the filled store` })
    ]
  } finally {
    await rm(root, { recursive: true, force: true })
  }
}
