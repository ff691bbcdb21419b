/** Small statistics for benchmark samples: order statistics, not means, on noisy machines. */
import { performance } from 'node:perf_hooks'

/** The q-quantile (0..1) of `xs` by the nearest-rank method; NaN for no samples. */
export function quantile (xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN
  const v = [...xs].sort((a, b) => a - b)
  const rank = Math.min(v.length, Math.max(1, Math.ceil(q * v.length)))
  return v[rank - 1] as number
}

export function median (xs: readonly number[]): number {
  if (xs.length === 0) return NaN
  const v = [...xs].sort((a, b) => a - b)
  const m = v.length >> 1
  return v.length % 2 === 1 ? v[m] as number : ((v[m - 1] as number) + (v[m] as number)) / 2
}

export function sum (xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0)
}

/** Milliseconds since an arbitrary origin, sub-millisecond resolution. */
export const now = (): number => performance.now()

/** Time one call, in milliseconds. */
export async function timed<T> (fn: () => Promise<T>): Promise<{ ms: number, value: T }> {
  const t0 = now()
  const value = await fn()
  return { ms: now() - t0, value }
}

/** Run `fn` `n` times in sequence and return each call's duration in milliseconds. */
export async function samples (n: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    const t0 = now()
    await fn(i)
    out.push(now() - t0)
  }
  return out
}

/** Round for display and JSON: 3 significant digits, whole numbers above 100. */
export function round (x: number): number {
  if (!Number.isFinite(x)) return x
  if (Math.abs(x) >= 100) return Math.round(x)
  return Number(x.toPrecision(3))
}

/** A seeded PRNG (mulberry32), so a simulation or workload is reproducible from its seed. */
export function rng (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
