/**
 * Memory: the RSS of a whole process running one idle node (measured in a child process, after
 * the start-up work and a GC): a Cairn client alone, and a mailbox peer holding N envelopes on
 * disk (restarted after a clean stop, and as after a crash), against a bare libp2p node with the
 * same transports and nothing else. The probe runs bundled as the CLI is (scripts/bundle-cli.mjs):
 * loaded code is a large part of an idle process's RSS, and tsc's output (~2,000 modules) is not
 * what a user's daemon loads.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { row, type Row } from '../lib/report.js'
import type { RssBreakdown } from '../lib/smaps.js'
import { median } from '../lib/stats.js'

const run = promisify(execFile)
/** dist/bench-bundle/memory-probe.js: the probe as `npm run build` bundles it. */
const PROBE = fileURLToPath(new URL('../../bench-bundle/memory-probe.js', import.meta.url))

export interface MemoryOptions { envelopes: number, runs: number, settleMs: number }

interface Probe { rss: number, heapUsed: number, heapTotal?: number, external?: number, mapped?: RssBreakdown, held?: number, count?: number }

async function probeRun (args: string[]): Promise<Probe> {
  const { stdout } = await run(process.execPath, ['--expose-gc', PROBE, ...args], { maxBuffer: 1 << 20, timeout: 600_000 })
  return JSON.parse(stdout.trim().split('\n').at(-1) as string) as Probe
}

const mib = (b: number): number => b / 2 ** 20

/** The median of one measure over runs, in MiB with one decimal. */
const med = (ps: Probe[], f: (p: Probe) => number | undefined): string => median(ps.map(p => mib(f(p) ?? 0))).toFixed(1)

/** Where the RSS is (medians): V8's heap, external memory, native addons, node's binary, the rest. */
function breakdown (ps: Probe[]): string {
  const addons = [...new Set(ps.flatMap(p => Object.keys(p.mapped?.addons ?? {})))]
  const native = addons.map(a => `${a.replace(/^.*\+|\.node$/g, '')} ${med(ps, p => p.mapped?.addons[a])}`)
  return [
    `heap ${med(ps, p => p.heapUsed)} used / ${med(ps, p => p.heapTotal)} total`,
    `external ${med(ps, p => p.external)}`,
    `node binary ${med(ps, p => p.mapped?.nodeBinary)}`,
    ...(native.length === 0 ? [] : [`addons: ${native.join(', ')}`]),
    `anonymous ${med(ps, p => p.mapped?.anonymous)}`,
    `LevelDB tables ${med(ps, p => p.mapped?.tables)}`,
    `libraries ${med(ps, p => p.mapped?.libraries)}`,
    `brk ${med(ps, p => p.mapped?.brk)} MiB`
  ].join(', ')
}

export async function memorySuite (o: MemoryOptions): Promise<Row[]> {
  const root = await mkdtemp(join(tmpdir(), 'cairn-bench-memory-'))
  try {
    const filled = join(root, 'mailbox')
    const fill = await probeRun(['--kind', 'fill', '--dir', filled, '--fill', String(o.envelopes)])
    if (fill.count !== o.envelopes) throw new Error(`the mailbox holds ${String(fill.count)} envelopes, not ${o.envelopes}`)
    const bare: Probe[] = []
    const client: Probe[] = []
    const mailbox: Probe[] = []
    /** Restarted as after a crash: its filter of ids held is built by listing them. */
    const crashed: Probe[] = []
    for (let r = 0; r < o.runs; r++) {
      const settle = ['--settle', String(o.settleMs)]
      bare.push(await probeRun(['--kind', 'bare', ...settle]))
      client.push(await probeRun(['--kind', 'client', '--dir', join(root, `client-${r}`), ...settle]))
      mailbox.push(await probeRun(['--kind', 'mailbox', '--dir', filled, '--fill', String(o.envelopes), ...settle]))
      crashed.push(await probeRun(['--kind', 'mailbox', '--dir', filled, '--fill', String(o.envelopes), '--crashed', ...settle]))
    }
    if ([...mailbox, ...crashed].some(m => m.held !== o.envelopes)) throw new Error('the mailbox node did not hold every envelope after restart')
    const bareRss = median(bare.map(p => mib(p.rss)))
    return [
      row({ name: 'memory.client', label: 'RSS of an idle client node', unit: 'MiB', value: median(client.map(p => mib(p.rss))), baseline: 'idle bare libp2p node (TCP, Noise, Yamux, identify, ping)', baselineValue: bareRss, better: 'lower', samples: o.runs, stat: 'median', notes: `${breakdown(client)} (bare: ${breakdown(bare)}); no peers connected; both bundled as the CLI is` }),
      row({ name: 'memory.mailbox', label: `RSS of a mailbox peer holding ${o.envelopes.toLocaleString('en-US')} envelopes`, unit: 'MiB', value: median(mailbox.map(p => mib(p.rss))), baseline: 'idle bare libp2p node', baselineValue: bareRss, better: 'lower', samples: o.runs, stat: 'median', notes: `${breakdown(mailbox)}; 1 KiB envelopes, 100 recipients to each 10,000, restarted on the filled store after a clean stop (its filter of ids held saved)` }),
      row({ name: 'memory.mailboxAfterCrash', label: `RSS of a mailbox peer holding ${o.envelopes.toLocaleString('en-US')} envelopes, restarted after a crash`, unit: 'MiB', value: median(crashed.map(p => mib(p.rss))), baseline: 'idle bare libp2p node', baselineValue: bareRss, better: 'lower', samples: o.runs, stat: 'median', notes: `${breakdown(crashed)}; no filter of ids held saved, so the open lists every id from the expiry index (LevelDB reads its tables through mmap: clean file pages, counted while resident)` })
    ]
  } finally {
    await rm(root, { recursive: true, force: true })
  }
}
