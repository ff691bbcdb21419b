/**
 * A watch on one replica's collection that is not running until armed: once armed (another
 * replica is done), the collection is given up only after `ms` with no progress, so a replica that
 * is still handing mail over is never cut off by a fixed time limit, and one that stalled is.
 */
import { IdleDeadline } from '../../shared/protocols/idle-deadline.js'
import type { Clock } from '../../shared/clock.js'

export class StallWatch {
  private readonly controller = new AbortController()
  private deadline?: IdleDeadline

  constructor (private readonly clock: Clock, private readonly what: string) {}

  get signal (): AbortSignal { return this.controller.signal }

  /** Start watching (no-op when already armed or done). */
  arm (ms: number): void {
    if (this.deadline !== undefined || this.controller.signal.aborted) return
    const d = new IdleDeadline(this.clock, ms, { what: `${this.what} (another mailbox is done; this one is left for the next sync)` })
    d.signal.addEventListener('abort', () => { this.controller.abort(d.signal.reason) }, { once: true })
    this.deadline = d
  }

  touch (): void { this.deadline?.touch() }

  clear (): void { this.deadline?.clear() }
}
