/** What a figure was measured on: the machine, the versions, the commit. */
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import os from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root: the nearest parent directory holding Cairn's package.json. */
export function repoRoot (): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const pkg = join(dir, 'package.json')
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'cairn') return dir
    const up = dirname(dir)
    if (up === dir) throw new Error('cannot find the repository root (package.json named cairn)')
    dir = up
  }
}

function versionOf (pkg: string): string {
  try {
    return (JSON.parse(readFileSync(join(repoRoot(), 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version
  } catch {
    return 'unknown'
  }
}

function git (args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: repoRoot(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return 'unknown'
  }
}

export interface MachineInfo {
  cpus: number
  cpuModel: string
  memGiB: number
  platform: string
  node: string
  versions: Record<string, string>
  commit: string
  dirty: boolean
  loadavg: number[]
  date: string
}

export function machineInfo (): MachineInfo {
  const cpus = os.cpus()
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memGiB: Math.round(os.totalmem() / 2 ** 30 * 10) / 10,
    platform: `${process.platform}-${process.arch} ${os.release()}`,
    node: process.version,
    versions: Object.fromEntries(['libp2p', '@libp2p/kad-dht', '@chainsafe/libp2p-noise', '@chainsafe/libp2p-yamux', '@signalapp/libsignal-client', 'classic-level', 'datastore-level'].map(p => [p, versionOf(p)])),
    commit: git(['rev-parse', 'HEAD']),
    dirty: git(['status', '--porcelain', '--untracked-files=no']) !== '',
    loadavg: os.loadavg().map(x => Math.round(x * 100) / 100),
    date: new Date().toISOString()
  }
}
