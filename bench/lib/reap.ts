/**
 * What must not outlive this process: children, each SIGKILLed when it exits, however it exits (a
 * signal included), then temporary directories, removed. A soak stopped by a signal once left 16
 * daemons running for hours, a CLI test stopped with SIGTERM left a `cairn mailbox` running, and
 * simulations stopped by hand left 1,000 peers' data dirs in /tmp: each cleaned up only on its
 * normal path.
 */
import { rmSync } from 'node:fs'
import type { ChildProcess } from 'node:child_process'

const live = new Set<ChildProcess>()
const dirs = new Set<string>()
let hooked = false

function hook (): void {
  if (hooked) return
  hooked = true
  process.once('exit', () => {
    for (const c of live) c.kill('SIGKILL')
    for (const dir of dirs) {
      try { rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }) } catch { /* a child still writing: what is left stays */ }
    }
  })
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => { process.exit(128 + (signal === 'SIGINT' ? 2 : 15)) })
}

/** Kill `child` when this process exits, unless it has exited by then. */
export function reapOnExit<T extends ChildProcess> (child: T): T {
  hook()
  live.add(child)
  child.once('exit', () => { live.delete(child) })
  return child
}

/** Remove `dir` when this process exits, however it exits; the returned function forgets it (removed on the normal path). */
export function removeOnExit (dir: string): () => void {
  hook()
  dirs.add(dir)
  return () => { dirs.delete(dir) }
}
