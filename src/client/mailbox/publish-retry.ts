/**
 * When a bundle publish that fell short is tried again. A publish falls short when it found no
 * replica, or a replica it found did not take the bundle (unreachable, refused): senders who find
 * us offline then have fewer places, or none, to start a session from. The periodic sync publishes
 * every `syncIntervalMs` anyway; a short one is tried again sooner, after `retryIntervalMs`, then
 * twice as long each time it falls short again, up to `syncIntervalMs`. Until a first publish has
 * reached its replicas (a fresh start), the state counts as short.
 */
import type { PublishResult } from './bundle-publisher.js'

export class PublishRetry {
  private short = true
  private waitMs: number
  private nextAt = Number.NEGATIVE_INFINITY

  constructor (private readonly init: { retryIntervalMs: number, syncIntervalMs: number }) {
    this.waitMs = init.retryIntervalMs
  }

  /** Whether the last publish (or its absence) left replicas without our bundle. */
  get isShort (): boolean { return this.short }

  /** A publish ended at `now`: with `result`, or with an error (undefined). */
  record (now: number, result: PublishResult | undefined): void {
    this.short = result === undefined || result.replicas === 0 || result.failures.length > 0
    if (!this.short) {
      this.waitMs = this.init.retryIntervalMs
      this.nextAt = Number.NEGATIVE_INFINITY
      return
    }
    this.nextAt = now + this.waitMs
    this.waitMs = Math.min(this.waitMs * 2, Math.max(this.init.syncIntervalMs, this.init.retryIntervalMs))
  }

  /** Whether a retry is due at `now`: the last publish fell short and its wait is over. */
  due (now: number): boolean { return this.short && now >= this.nextAt }
}
