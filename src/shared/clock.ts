/**
 * Time as a dependency. Every time read, timer and deadline in `src/` goes through a Clock (a lint
 * rule keeps `Date.now`, `setTimeout`, `setInterval` and `AbortSignal.timeout` out of everything
 * else), so TTLs, expiry, rotation, retries and deadlines can be driven by tests and simulations.
 */

/** A scheduled callback; `clear` cancels it, `unref` lets the process exit while it is pending. */
export interface Timer {
  clear: () => void
  unref: () => Timer
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now: () => number
  /** Run `fn` once, `ms` from now. */
  setTimeout: (fn: () => void, ms: number) => Timer
  /** Run `fn` every `ms`. */
  setInterval: (fn: () => void, ms: number) => Timer
  /** Resolve after `ms`; reject with the signal's reason if it aborts first. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>
  /** A signal that aborts with a `TimeoutError` after `ms`, as `AbortSignal.timeout` does. */
  timeout: (ms: number) => AbortSignal
}

/** `signal` and a deadline of `ms` on `clock`, whichever comes first. */
export function deadline (clock: Clock, ms: number, signal?: AbortSignal): AbortSignal {
  const t = clock.timeout(ms)
  return signal === undefined ? t : AbortSignal.any([signal, t])
}

/** Resolves once `work` settles or `ms` have passed on `clock`, whichever is first; never rejects. */
export async function settleWithin (clock: Pick<Clock, 'setTimeout'>, work: Promise<unknown>, ms: number): Promise<void> {
  let timer: Timer | undefined
  await Promise.race([work.then(() => {}, () => {}), new Promise<void>(resolve => { timer = clock.setTimeout(resolve, ms) })])
  timer?.clear()
}

function wrap (handle: ReturnType<typeof globalThis.setTimeout>, clear: (h: ReturnType<typeof globalThis.setTimeout>) => void): Timer {
  const timer: Timer = {
    clear: () => { clear(handle) },
    unref: () => { handle.unref(); return timer }
  }
  return timer
}

function sleepWith (clock: Pick<Clock, 'setTimeout'>, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) { reject(signal.reason); return }
    const onAbort = (): void => { timer.clear(); reject(signal?.reason) }
    const timer = clock.setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve() }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

const realTimers: Omit<Clock, 'now'> = {
  setTimeout: (fn, ms) => wrap(globalThis.setTimeout(fn, ms), globalThis.clearTimeout),
  setInterval: (fn, ms) => wrap(globalThis.setInterval(fn, ms), globalThis.clearInterval),
  sleep: async (ms, signal) => sleepWith(realTimers, ms, signal),
  timeout: ms => AbortSignal.timeout(ms)
}

export const systemClock: Clock = { now: () => Date.now(), ...realTimers }

interface Scheduled { due: number, every: number | undefined, fn: () => void, seq: number }

/**
 * A clock whose time moves only when told to. Its timers are of one of two kinds:
 * - `'real'` (the default): timers and deadlines run on wall-clock time and only `now()` is
 *   manual — what loopback scenarios over real networks need, where a stalled peer must still be
 *   cut off while simulated days pass;
 * - `'manual'`: timers fire when `advance` moves time past them, in time order — for unit tests of
 *   components, which then run without waiting for anything.
 */
export class ManualClock implements Clock {
  private t: number
  private readonly queue: Scheduled[] = []
  private seq = 0
  private readonly mode: 'real' | 'manual'

  constructor (start = Date.UTC(2026, 0, 1), options: { timers?: 'real' | 'manual' } = {}) {
    this.t = start
    this.mode = options.timers ?? 'real'
  }

  now (): number { return this.t }

  /** Move time forward by `ms`, firing (manual) timers that fall due, each at its own time. */
  advance (ms: number): void { this.set(this.t + ms) }

  /** Move time to `ms` (never backwards for manual timers), firing those that fall due. */
  set (ms: number): void {
    for (;;) {
      this.queue.sort((a, b) => a.due - b.due || a.seq - b.seq)
      const next = this.queue[0]
      if (next === undefined || next.due > ms) break
      this.t = Math.max(this.t, next.due)
      if (next.every === undefined) this.queue.shift()
      else next.due += Math.max(1, next.every)
      next.fn()
    }
    this.t = ms
  }

  /** Manual timers waiting to fire. */
  get pending (): number { return this.queue.length }

  setTimeout (fn: () => void, ms: number): Timer { return this.schedule(fn, ms, undefined) }
  setInterval (fn: () => void, ms: number): Timer { return this.schedule(fn, ms, ms) }
  async sleep (ms: number, signal?: AbortSignal): Promise<void> { return sleepWith(this, ms, signal) }

  timeout (ms: number): AbortSignal {
    if (this.mode === 'real') return AbortSignal.timeout(ms)
    const controller = new AbortController()
    this.setTimeout(() => { controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')) }, ms)
    return controller.signal
  }

  private schedule (fn: () => void, ms: number, every: number | undefined): Timer {
    if (this.mode === 'real') return every === undefined ? realTimers.setTimeout(fn, ms) : realTimers.setInterval(fn, ms)
    const entry: Scheduled = { due: this.t + Math.max(0, ms), every, fn, seq: this.seq++ }
    this.queue.push(entry)
    const timer: Timer = {
      clear: () => { const i = this.queue.indexOf(entry); if (i >= 0) this.queue.splice(i, 1) },
      unref: () => timer
    }
    return timer
  }
}
