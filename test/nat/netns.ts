/**
 * Low-level helpers for the NAT test bed: running `ip`/`iptables`, naming namespaces, removing
 * namespaces left behind by dead test processes, and the `natSupport()` precheck.
 *
 * Namespace names are `cn-<pid base36>-<counter base36>-<role>`. The pid in the name lets any
 * later test process find and delete the namespaces of a process that died by SIGKILL (which no
 * exit hook can catch). The names stay short (about 15 characters); only the interface names
 * inside a namespace (eth0, wan0, br0, ...) are subject to the 15-character limit.
 */
import { execFile, execFileSync } from 'node:child_process'
import { promisify } from 'node:util'

const execFileP = promisify(execFile)

export const NS_PREFIX = 'cn-'

/** Runs a command and returns its stdout; the error message carries stderr, which says why `ip` failed. */
export async function run (cmd: string, args: readonly string[], timeoutMs = 30_000): Promise<string> {
  try {
    const { stdout } = await execFileP(cmd, args, { timeout: timeoutMs, maxBuffer: 64 << 20 })
    return stdout
  } catch (err) {
    const e = err as Error & { stderr?: string }
    throw new Error(`${cmd} ${args.join(' ')} failed: ${(e.stderr ?? '').trim() || e.message}`, { cause: err })
  }
}

/** Synchronous variant for exit hooks, where nothing asynchronous runs any more. Never throws. */
export function runSyncQuiet (cmd: string, args: readonly string[]): string {
  try {
    return execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).toString()
  } catch {
    return ''
  }
}

let counter = 0

/** A fresh per-testbed prefix: unique across processes (pid) and within one (counter). */
export function nextPrefix (): string {
  return `${NS_PREFIX}${process.pid.toString(36)}-${(counter++).toString(36)}-`
}

function pidAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    // EPERM means the process exists but belongs to someone else
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Kills every process still inside `ns` and deletes it. Synchronous so exit hooks can use it. */
export function killAndDeleteSync (ns: string): void {
  for (const pid of runSyncQuiet('ip', ['netns', 'pids', ns]).split(/\s+/).filter(Boolean)) {
    try { process.kill(Number(pid), 'SIGKILL') } catch { /* already gone */ }
  }
  runSyncQuiet('ip', ['netns', 'del', ns])
}

export function listNamespaces (): string[] {
  // `ip netns list` prints "name (id: N)" per line
  return runSyncQuiet('ip', ['netns', 'list']).split('\n').map(l => l.split(' ')[0] ?? '').filter(Boolean)
}

/**
 * Deletes test-bed namespaces whose owning process no longer exists (killed with SIGKILL, or a
 * crash of the runner). Namespaces of live processes, including parallel test files, are left alone.
 */
export function sweepStaleNamespaces (): string[] {
  const removed: string[] = []
  for (const ns of listNamespaces()) {
    const m = /^cn-([0-9a-z]+)-[0-9a-z]+-/.exec(ns)
    if (m?.[1] == null) continue
    const pid = parseInt(m[1], 36)
    if (pid === process.pid || pidAlive(pid)) continue
    killAndDeleteSync(ns)
    removed.push(ns)
  }
  return removed
}

export type NatSupport = { ok: true } | { ok: false, reason: string }

let cached: NatSupport | undefined

/**
 * Can this machine build the test bed? Checks root, `ip`, `iptables`, and actually creates a
 * namespace with a bridge, a veth pair and the iptables rules the variants use (nat table,
 * MASQUERADE --random-fully, conntrack match), so a missing kernel module shows up here with
 * a clear reason instead of as a failure inside a test. Cached per process.
 */
export function natSupport (): NatSupport {
  cached ??= probe()
  return cached
}

function probe (): NatSupport {
  const no = (reason: string): NatSupport => ({ ok: false, reason: `NAT test bed unavailable: ${reason}` })
  if (process.platform !== 'linux') return no('network namespaces need Linux')
  if (process.getuid?.() !== 0) return no('must run as root (creates network namespaces and iptables rules)')
  for (const [tool, flag] of [['ip', '-V'], ['iptables', '--version']] as const) {
    try {
      execFileSync(tool, [flag], { stdio: 'ignore' })
    } catch {
      return no(`\`${tool}\` not found (apt-get install -y iproute2 iptables)`)
    }
  }
  const ns = `${NS_PREFIX}${process.pid.toString(36)}-probe`
  const steps: string[][] = [
    ['ip', 'netns', 'add', ns],
    ['ip', '-n', ns, 'link', 'add', 'br0', 'type', 'bridge'],
    ['ip', '-n', ns, 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1'],
    ['ip', 'netns', 'exec', ns, 'iptables', '-w', '-t', 'nat', '-A', 'POSTROUTING', '-o', 'v0', '-j', 'MASQUERADE', '--random-fully'],
    ['ip', 'netns', 'exec', ns, 'iptables', '-w', '-A', 'FORWARD', '-i', 'v0', '-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT']
  ]
  try {
    for (const [cmd, ...args] of steps) {
      try {
        execFileSync(cmd as string, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 })
      } catch (err) {
        const stderr = String((err as { stderr?: Buffer }).stderr ?? '').trim()
        return no(`\`${[cmd, ...args].join(' ')}\` failed: ${stderr || (err as Error).message}`)
      }
    }
    return { ok: true }
  } finally {
    runSyncQuiet('ip', ['netns', 'del', ns])
  }
}
