/**
 * A Map that holds at most `limit` entries: `set` puts its key last (the most recently written)
 * and, when that makes one too many, drops the first (the least recently written). The bound for
 * every cache and per-peer counter a remote party can grow by sending new keys: parsed PeerIds,
 * checked certificates, token buckets, responsibility answers.
 */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor (readonly limit: number) {
    super()
  }

  override set (key: K, value: V): this {
    this.delete(key)
    super.set(key, value)
    if (this.size > this.limit) this.delete(this.keys().next().value as K)
    return this
  }
}
