/**
 * Stage timing without touching the source: wrap one method of one live object so each call's
 * duration is recorded, and put the original back afterwards.
 */
import { now } from './stats.js'

export interface Probe {
  /** Durations (ms) of the calls since the last take(). */
  take: () => number[]
  restore: () => void
}

/** `only`: time just the calls it accepts (by their arguments); the others run untimed. */
export function probe<T extends object, K extends keyof T> (target: T, method: K, onCall?: (args: unknown[]) => void, only?: (args: unknown[]) => boolean): Probe {
  const original = target[method] as unknown as (...args: unknown[]) => unknown
  let calls: number[] = []
  const wrapped = async function (this: unknown, ...args: unknown[]): Promise<unknown> {
    if (only !== undefined && !only(args)) return original.apply(this, args)
    onCall?.(args)
    const t0 = now()
    try {
      return await original.apply(this, args)
    } finally {
      calls.push(now() - t0)
    }
  }
  Object.defineProperty(target, method, { value: wrapped, configurable: true, writable: true })
  return {
    take: () => { const out = calls; calls = []; return out },
    restore: () => { delete (target as Record<PropertyKey, unknown>)[method as PropertyKey]; if (target[method] !== original) Object.defineProperty(target, method, { value: original, configurable: true, writable: true }) }
  }
}
