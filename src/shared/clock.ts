/** Time as a dependency, so that TTLs, expiry and rotation can be tested without sleeping. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now: () => number
}

export const systemClock: Clock = { now: () => Date.now() }

/** A clock that moves only when told to; for tests and simulations. */
export class ManualClock implements Clock {
  private t: number
  constructor (start = Date.UTC(2026, 0, 1)) { this.t = start }
  now (): number { return this.t }
  advance (ms: number): void { this.t += ms }
  set (ms: number): void { this.t = ms }
}
