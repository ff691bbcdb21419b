/**
 * Children that must not outlive their parent: each one tracked here is SIGKILLed when this process
 * exits, however it exits (a signal included). A soak stopped by a signal once left 16 daemons
 * running for hours, and a CLI test stopped with SIGTERM left a `cairn mailbox` running: both
 * cleaned up only on their normal path.
 */
import type { ChildProcess } from 'node:child_process'

const live = new Set<ChildProcess>()
let hooked = false

function hook (): void {
  if (hooked) return
  hooked = true
  process.once('exit', () => { for (const c of live) c.kill('SIGKILL') })
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => { process.exit(128 + (signal === 'SIGINT' ? 2 : 15)) })
}

/** Kill `child` when this process exits, unless it has exited by then. */
export function reapOnExit<T extends ChildProcess> (child: T): T {
  hook()
  live.add(child)
  child.once('exit', () => { live.delete(child) })
  return child
}
