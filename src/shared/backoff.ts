/**
 * A retry wait that doubles: after a failure at `now` the next try is due `firstMs` later, then
 * twice as long after each further failure, up to `maxMs`; a success makes the next try due at
 * once and the wait `firstMs` again. Time is whatever clock the caller reads (`now`).
 */
export class Backoff {
  private waitMs: number
  private nextAt = Number.NEGATIVE_INFINITY

  constructor (private readonly range: { firstMs: number, maxMs: number }) {
    this.waitMs = range.firstMs
  }

  /** A try failed at `now`: the next is due after the current wait, which then doubles. */
  failed (now: number): void {
    this.nextAt = now + this.waitMs
    this.waitMs = Math.min(this.waitMs * 2, Math.max(this.range.maxMs, this.range.firstMs))
  }

  /** A try succeeded: the next is due at once, and a failure after it waits `firstMs` again. */
  succeeded (): void {
    this.waitMs = this.range.firstMs
    this.nextAt = Number.NEGATIVE_INFINITY
  }

  /** Whether a try is due at `now`. */
  due (now: number): boolean { return now >= this.nextAt }
}
