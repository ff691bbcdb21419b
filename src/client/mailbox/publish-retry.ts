/**
 * When a bundle publish that fell short is tried again. A publish falls short when it found no
 * replica, or a replica it found did not take the bundle (unreachable, refused): senders who find
 * us offline then have fewer places, or none, to start a session from. The periodic sync publishes
 * every `syncIntervalMs` anyway; a short one is tried again sooner, after `retryIntervalMs`, then
 * twice as long each time it falls short again, up to `syncIntervalMs`. Until a first publish has
 * reached its replicas (a fresh start), the state counts as short.
 */
import { Backoff } from '../../shared/backoff.js'
import type { PublishResult } from './bundle-publisher.js'

export class PublishRetry {
  private short = true
  private readonly wait: Backoff

  constructor (init: { retryIntervalMs: number, syncIntervalMs: number }) {
    this.wait = new Backoff({ firstMs: init.retryIntervalMs, maxMs: init.syncIntervalMs })
  }

  /** Whether the last publish (or its absence) left replicas without our bundle. */
  get isShort (): boolean { return this.short }

  /** A publish ended at `now`: with `result`, or with an error (undefined). */
  record (now: number, result: PublishResult | undefined): void {
    this.short = result === undefined || result.replicas === 0 || result.failures.length > 0
    if (this.short) this.wait.failed(now)
    else this.wait.succeeded()
  }

  /** Whether a retry is due at `now`: the last publish fell short and its wait is over. */
  due (now: number): boolean { return this.short && this.wait.due(now) }
}
