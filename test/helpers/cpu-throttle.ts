/**
 * A CPU quota for a child process: a cgroup of its own with half a core (50 ms of CPU every
 * 100 ms), as a small device or a throttled CI runner has. cgroup v2 (`cpu.max`) where
 * /sys/fs/cgroup is the unified hierarchy, else the v1 cpu controller (`cpu.cfs_quota_us`).
 * Needs root; `halfCore` says why not otherwise, and the test skips with that reason.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export interface Throttle {
  kind: 'cgroup2' | 'cgroup1'
  dir: string
  /** argv for spawn: a shell that joins the cgroup, then execs `command` (throttled from its first instruction). */
  wrap: (command: string[]) => [string, string[]]
  /** Remove the cgroup (its processes must have exited). */
  remove: () => void
}

const ROOT = '/sys/fs/cgroup'
let made = 0

/** A cgroup with half a core, or the reason there cannot be one here. */
export function halfCore (): Throttle | string {
  if (process.getuid?.() !== 0) return 'needs root to make a cgroup (CI runs as root)'
  const name = `cairn-test-${process.pid}-${made++}`
  try {
    if (existsSync(join(ROOT, 'cgroup.controllers'))) {
      if (!readFileSync(join(ROOT, 'cgroup.controllers'), 'utf8').split(/\s+/).includes('cpu')) return 'cgroup v2 without the cpu controller'
      if (!readFileSync(join(ROOT, 'cgroup.subtree_control'), 'utf8').split(/\s+/).includes('cpu')) writeFileSync(join(ROOT, 'cgroup.subtree_control'), '+cpu')
      const dir = join(ROOT, name)
      mkdirSync(dir)
      writeFileSync(join(dir, 'cpu.max'), '50000 100000')
      return throttle('cgroup2', dir)
    }
    const v1 = join(ROOT, 'cpu')
    if (existsSync(join(v1, 'cpu.cfs_quota_us'))) {
      const dir = join(v1, name)
      mkdirSync(dir)
      writeFileSync(join(dir, 'cpu.cfs_period_us'), '100000')
      writeFileSync(join(dir, 'cpu.cfs_quota_us'), '50000')
      return throttle('cgroup1', dir)
    }
    return `no writable cpu controller under ${ROOT}`
  } catch (err) {
    return `cannot make a cgroup under ${ROOT}: ${(err as Error).message}`
  }
}

function throttle (kind: Throttle['kind'], dir: string): Throttle {
  return {
    kind,
    dir,
    wrap: (command) => ['/bin/sh', ['-c', `echo $$ > '${dir}/cgroup.procs' && exec "$@"`, 'sh', ...command]],
    remove: () => { try { rmdirSync(dir) } catch { /* still has a process, or gone already */ } }
  }
}
