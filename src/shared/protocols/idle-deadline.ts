/**
 * A deadline on inactivity, not on the whole: it fires only when `idleMs` pass with no progress
 * (`touch()`: bytes arrived, a write drained, a step finished), so slow but steady work on a small
 * device is never cut off, while a peer that stops answering still is. `maxMs`, when given, caps
 * the whole regardless (a peer that drips a byte now and then cannot hold a stream forever).
 * Aborts with a DOMException named TimeoutError, as AbortSignal.timeout does.
 */
import type { Clock, Timer } from '../clock.js'

export class IdleDeadline {
  private readonly controller = new AbortController()
  private idle: Timer
  private readonly cap?: Timer
  private readonly onIdle: () => void

  constructor (private readonly clock: Clock, private readonly idleMs: number, options: { maxMs?: number, what?: string } = {}) {
    const what = options.what ?? 'operation'
    this.onIdle = () => { this.fire(`${what}: no progress for ${idleMs} ms`) }
    this.idle = clock.setTimeout(this.onIdle, idleMs).unref()
    if (options.maxMs !== undefined) {
      this.cap = clock.setTimeout(() => { this.fire(`${what}: still not done after ${options.maxMs} ms`) }, options.maxMs).unref()
    }
  }

  get signal (): AbortSignal { return this.controller.signal }

  /** Progress: the idle clock starts again. */
  touch (): void {
    if (this.controller.signal.aborted) return
    this.idle.clear()
    this.idle = this.clock.setTimeout(this.onIdle, this.idleMs).unref()
  }

  /** Done: no more firing. */
  clear (): void {
    this.idle.clear()
    this.cap?.clear()
  }

  private fire (message: string): void {
    this.clear()
    this.controller.abort(new DOMException(message, 'TimeoutError'))
  }
}

/** `signal` and `other` together (either aborts), `other` alone when there is no `signal`. */
export function withSignal (signal: AbortSignal | undefined, other: AbortSignal): AbortSignal {
  return signal === undefined ? other : AbortSignal.any([signal, other])
}
