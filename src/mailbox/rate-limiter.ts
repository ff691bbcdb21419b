import { BoundedMap } from '../shared/bounded-map.js'

/** Token buckets per key (a remote peer, a recipient), bounded in how many keys it remembers. */
export class RateLimiter {
  private readonly buckets: BoundedMap<string, { tokens: number, at: number }>

  constructor (private readonly perMinute: number, private readonly burst: number, maxKeys = 10_000) {
    this.buckets = new BoundedMap(maxKeys)
  }

  /** Take `cost` tokens (one request, or its bytes) for `key`; false when its bucket lacks them. */
  take (key: string, now: number, cost = 1): boolean {
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: now }
    b.tokens = Math.min(this.burst, b.tokens + (now - b.at) * this.perMinute / 60_000)
    b.at = now
    this.buckets.set(key, b) // most recently used last, so eviction takes the idlest key
    if (b.tokens < cost) return false
    b.tokens -= cost
    return true
  }
}
