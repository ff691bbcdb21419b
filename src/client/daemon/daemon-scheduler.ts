/**
 * What a running daemon does by itself: retry the outbox every `retryIntervalMs`, collect mail
 * every `syncIntervalMs`, and retry the outbox shortly after any peer connects (that may be the
 * network coming back). One job at a time: a tick that finds a job running is skipped, not queued.
 * `stop` cancels the timers and aborts the job in flight.
 */
import type { Clock, Timer } from '../../shared/clock.js'
import { describeError } from '../../shared/errors.js'
import type { Logger } from '../../shared/logger.js'
import type { Startable } from '../../shared/startable.js'

export interface DaemonSchedulerInit {
  /** @default config.delivery.retryIntervalMs */
  retryIntervalMs: number
  /** @default config.delivery.syncIntervalMs */
  syncIntervalMs: number
  /** Wait after a peer connects before retrying the outbox (let identify settle). @default 500 */
  reconnectDelayMs?: number
}

export interface DaemonJobs {
  /** Send what the outbox holds (reconnecting first if isolated). */
  flush: (signal: AbortSignal) => Promise<unknown>
  /** Collect mail, send the outbox, top up bundles. */
  sync: (signal: AbortSignal) => Promise<unknown>
}

export interface DaemonSchedulerComponents {
  clock: Clock
  log: Logger
  jobs: DaemonJobs
  /** Where 'peer:connect' comes from (the libp2p node); none: no reconnect trigger. */
  events?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>
}

export class DaemonScheduler implements Startable {
  private timers: Timer[] = []
  private running: Promise<void> | undefined
  private stopping = new AbortController()
  private readonly reconnectDelayMs: number

  constructor (private readonly components: DaemonSchedulerComponents, private readonly init: DaemonSchedulerInit) {
    this.reconnectDelayMs = init.reconnectDelayMs ?? 500
  }

  /** Whether a job is running now. */
  get busy (): boolean { return this.running !== undefined }

  start (): void {
    const { clock, events } = this.components
    this.stopping = new AbortController()
    this.timers = [
      clock.setInterval(() => { this.run('flush') }, this.init.retryIntervalMs),
      clock.setInterval(() => { this.run('sync') }, this.init.syncIntervalMs)
    ]
    events?.addEventListener('peer:connect', this.onConnect)
  }

  async stop (): Promise<void> {
    this.components.events?.removeEventListener('peer:connect', this.onConnect)
    for (const t of this.timers) t.clear()
    this.timers = []
    this.stopping.abort(new Error('daemon stopping'))
    await this.running
  }

  /** Start `job` now unless one is running; returns whether it started. */
  run (job: keyof DaemonJobs): boolean {
    if (this.running !== undefined || this.stopping.signal.aborted) return false
    const what = job === 'flush' ? 'outbox retry' : 'periodic sync'
    this.running = this.components.jobs[job](this.stopping.signal)
      .then(() => {}, (err: unknown) => { if (!this.stopping.signal.aborted) this.components.log.warn({ err: describeError(err) }, `${what} failed`) })
      .finally(() => { this.running = undefined })
    return true
  }

  private readonly onConnect = (): void => {
    const t = this.components.clock.setTimeout(() => {
      this.timers = this.timers.filter(x => x !== t)
      this.run('flush')
    }, this.reconnectDelayMs)
    this.timers.push(t)
  }
}
