/**
 * libp2p's view of an encrypted store: the same LevelDB, every value sealed on the way in and
 * opened on the way out (the key, as LevelDB holds it, is the associated data, as for the Store's
 * own records). The peer store (peers' addresses and keys, which show whom this node talks to)
 * and DHT records are then no more readable than mail. Filters and orders of a query run on the
 * opened values, as they would on a plain datastore.
 */
import type { AbortOptions } from '@libp2p/interface'
import type { Batch, Datastore, Key, KeyQuery, Pair, Query } from 'interface-datastore'
import type { ValueCipher } from './value-cipher.js'

export class EncryptedDatastore implements Datastore {
  constructor (private readonly inner: Datastore, private readonly cipher: ValueCipher) {}

  private seal (key: Key, value: Uint8Array): Uint8Array {
    return this.cipher.seal(key.toString(), value)
  }

  private open (key: Key, value: Uint8Array): Uint8Array {
    return this.cipher.open(key.toString(), value)
  }

  async put (key: Key, value: Uint8Array, options?: AbortOptions): Promise<Key> {
    return this.inner.put(key, this.seal(key, value), options)
  }

  async get (key: Key, options?: AbortOptions): Promise<Uint8Array> {
    return this.open(key, await this.inner.get(key, options))
  }

  async has (key: Key, options?: AbortOptions): Promise<boolean> {
    return this.inner.has(key, options)
  }

  async delete (key: Key, options?: AbortOptions): Promise<void> {
    await this.inner.delete(key, options)
  }

  async * putMany (source: Iterable<Pair> | AsyncIterable<Pair>, options?: AbortOptions): AsyncGenerator<Key> {
    for await (const { key, value } of source) yield await this.put(key, value, options)
  }

  async * getMany (source: Iterable<Key> | AsyncIterable<Key>, options?: AbortOptions): AsyncGenerator<Pair> {
    for await (const key of source) yield { key, value: await this.get(key, options) }
  }

  async * deleteMany (source: Iterable<Key> | AsyncIterable<Key>, options?: AbortOptions): AsyncGenerator<Key> {
    for await (const key of source) {
      await this.delete(key, options)
      yield key
    }
  }

  batch (): Batch {
    const inner = this.inner.batch()
    return {
      put: (key, value) => { inner.put(key, this.seal(key, value)) },
      delete: (key) => { inner.delete(key) },
      commit: async (options) => { await inner.commit(options) }
    }
  }

  async * query (q: Query, options?: AbortOptions): AsyncGenerator<Pair> {
    const opened = this.opened(this.inner.query(q.prefix === undefined ? {} : { prefix: q.prefix }, options))
    yield * refine(opened, q)
  }

  async * queryKeys (q: KeyQuery, options?: AbortOptions): AsyncGenerator<Key> {
    // keys are not sealed: the inner store can filter and order them itself
    yield * this.inner.queryKeys(q, options)
  }

  private async * opened (source: Iterable<Pair> | AsyncIterable<Pair>): AsyncGenerator<Pair> {
    for await (const { key, value } of source) yield { key, value: this.open(key, value) }
  }
}

/** A query's filters, orders, offset and limit, applied in that order (datastore-level's order). */
async function * refine (source: AsyncIterable<Pair>, q: Query): AsyncGenerator<Pair> {
  let items: AsyncIterable<Pair> | Pair[] = source
  const filters = q.filters ?? []
  if ((q.orders ?? []).length > 0) {
    const all: Pair[] = []
    for await (const p of source) if (filters.every(f => f(p))) all.push(p)
    for (const order of q.orders ?? []) all.sort(order)
    items = all
  }
  let skipped = 0
  let taken = 0
  for await (const p of items) {
    if (items === source && !filters.every(f => f(p))) continue
    if (q.offset !== undefined && skipped < q.offset) { skipped++; continue }
    if (q.limit !== undefined && taken >= q.limit) return
    taken++
    yield p
  }
}
