/**
 * A deadline on stalls, not on the whole: it fires only when `idleMs` pass with no progress
 * (`touch()`: bytes arrived, a write drained, a step finished) and, given a `probe`, the peer then
 * fails to answer it within another `idleMs`. So slow but steady work on a small device is never
 * cut off, nor is a peer still working on our request (it answers the probe), while a peer that
 * stalled (no bytes, no answer to the probe) still is. Our own work in between (`pause()`, until the
 * next touch) is never the peer's silence. `maxMs`, when given, caps the time spent waiting on the
 * peer regardless (one that answers probes but never the request, or drips a byte now and then,
 * cannot hold a stream forever). Aborts with a DOMException named TimeoutError, as
 * AbortSignal.timeout does.
 */
import type { Clock, Timer } from '../clock.js'
import type { Probe } from './liveness.js'

export interface IdleDeadlineOptions {
  /** Cap on the time spent waiting on the peer (paused time excluded), ms. */
  maxMs?: number
  /** What is waited for, for the abort's message. */
  what?: string
  /** Asked once `idleMs` passed in silence: resolving counts as progress (the peer is there). */
  probe?: Probe
}

export class IdleDeadline {
  private readonly controller = new AbortController()
  private idle?: Timer
  private cap?: Timer
  /** Cap time left, and when the cap timer was last started (clock time). */
  private capLeft: number
  private capFrom = 0
  private paused = false
  private probing?: AbortController
  private readonly what: string
  private probe?: Probe
  /** Where the work stood, for the abort's message: a post-mortem asks first which side went quiet. */
  private at = ''

  constructor (private readonly clock: Clock, private readonly idleMs: number, private readonly options: IdleDeadlineOptions = {}) {
    this.what = options.what ?? 'operation'
    this.capLeft = options.maxMs ?? Infinity
    this.probe = options.probe
    this.run()
  }

  /** Ask `probe` from now on before firing (a request knows its connection only once dialled). */
  probeWith (probe: Probe | undefined): void { this.probe = probe }

  /** Name the step under way (it ends the abort's message: "… (waiting for the answer)"). */
  stage (name: string): void { this.at = ` (${name})` }

  get signal (): AbortSignal { return this.controller.signal }

  /** Progress: the idle clock starts again (and runs again if paused). */
  touch (): void {
    if (this.controller.signal.aborted) return
    this.stopTimers()
    this.run()
  }

  /** Our own work begins: no deadline runs until the next `touch()`. */
  pause (): void {
    if (this.controller.signal.aborted || this.paused) return
    this.stopTimers()
    this.paused = true
  }

  /** Done: no more firing. */
  clear (): void {
    this.stopTimers()
    this.paused = true
  }

  private run (): void {
    this.paused = false
    this.idle = this.clock.setTimeout(() => { this.onIdle() }, this.idleMs).unref()
    if (this.capLeft !== Infinity) {
      this.capFrom = this.clock.now()
      this.cap = this.clock.setTimeout(() => { this.fire(`still not done after ${this.options.maxMs ?? 0} ms`) }, Math.max(0, this.capLeft)).unref()
    }
  }

  private stopTimers (): void {
    this.idle?.clear()
    this.idle = undefined
    this.probing?.abort()
    this.probing = undefined
    if (this.cap !== undefined) {
      this.cap.clear()
      this.cap = undefined
      this.capLeft -= Math.max(0, this.clock.now() - this.capFrom)
    }
  }

  private onIdle (): void {
    this.idle = undefined
    const probe = this.probe
    if (probe === undefined) { this.fire(`no progress for ${this.idleMs} ms`); return }
    // silent for idleMs: is the peer still there? It has another idleMs to say so
    const probing = new AbortController()
    this.probing = probing
    const timer = this.clock.setTimeout(() => { probing.abort(new DOMException('no answer', 'TimeoutError')) }, this.idleMs).unref()
    probe(probing.signal).then(() => {
      timer.clear()
      if (this.probing === probing) this.touch()
    }, (err: unknown) => {
      timer.clear()
      if (this.probing !== probing) return // progress came first, or it is over
      const why = probing.signal.aborted ? 'nor an answer to a ping for as long' : `and a ping failed: ${(err as Error | undefined)?.message ?? String(err)}`
      this.fire(`no progress for ${this.idleMs} ms, ${why}`)
    })
  }

  private fire (message: string): void {
    this.clear()
    this.controller.abort(new DOMException(`${this.what}: ${message}${this.at}`, 'TimeoutError'))
  }
}

/** `signal` and `other` together (either aborts), `other` alone when there is no `signal`. */
export function withSignal (signal: AbortSignal | undefined, other: AbortSignal): AbortSignal {
  return signal === undefined ? other : AbortSignal.any([signal, other])
}
