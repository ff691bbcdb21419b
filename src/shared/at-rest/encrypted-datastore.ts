/**
 * libp2p's view of an encrypted store: the same LevelDB, every value sealed on the way in and
 * opened on the way out (the key, as LevelDB holds it, is the associated data, as for the Store's
 * own records). The peer store (peers' addresses and keys, which show whom this node talks to)
 * and DHT records are then no more readable than mail. Keys are sealed too after their first
 * segment (key-cipher.ts; not in a data dir encrypted before keys were, header version 1), so the
 * stored keys do not list the PeerIds the node knew. Filters and orders of a query run on the
 * opened keys and values, as they would on a plain datastore; with sealed keys a query reads its
 * prefix whole and answers in key order, as datastore-level does.
 */
import type { AbortOptions } from '@libp2p/interface'
import { Key, type Batch, type Datastore, type KeyQuery, type Pair, type Query } from 'interface-datastore'
import { compareKeys } from '../key-order.js'
import type { KeyCipher } from './key-cipher.js'
import type { ValueCipher } from './value-cipher.js'

export class EncryptedDatastore implements Datastore {
  private readonly keys: KeyCipher | undefined

  constructor (private readonly inner: Datastore, private readonly cipher: ValueCipher) {
    this.keys = cipher.keys
  }

  /** The key as LevelDB holds it. */
  private stored (key: Key): Key {
    return this.keys === undefined ? key : new Key(this.keys.seal(key.toString()), false)
  }

  private seal (key: Key, value: Uint8Array): Uint8Array {
    return this.cipher.seal(key.toString(), value)
  }

  private open (key: Key, value: Uint8Array): Uint8Array {
    return this.cipher.open(key.toString(), value)
  }

  async put (key: Key, value: Uint8Array, options?: AbortOptions): Promise<Key> {
    await this.inner.put(this.stored(key), this.seal(key, value), options)
    return key
  }

  async get (key: Key, options?: AbortOptions): Promise<Uint8Array> {
    return this.open(key, await this.inner.get(this.stored(key), options))
  }

  async has (key: Key, options?: AbortOptions): Promise<boolean> {
    return this.inner.has(this.stored(key), options)
  }

  async delete (key: Key, options?: AbortOptions): Promise<void> {
    await this.inner.delete(this.stored(key), options)
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
      put: (key, value) => { inner.put(this.stored(key), this.seal(key, value)) },
      delete: (key) => { inner.delete(this.stored(key)) },
      commit: async (options) => { await inner.commit(options) }
    }
  }

  async * query (q: Query, options?: AbortOptions): AsyncGenerator<Pair> {
    if (this.keys === undefined) {
      yield * refine(this.opened(this.inner.query(q.prefix === undefined ? {} : { prefix: q.prefix }, options)), q)
      return
    }
    const all: Pair[] = []
    for await (const { key, value } of this.underPrefix(q.prefix, options)) all.push({ key, value: this.open(key, value) })
    yield * refine(inOrder(all), q)
  }

  async * queryKeys (q: KeyQuery, options?: AbortOptions): AsyncGenerator<Key> {
    // plain keys: the inner store can filter and order them itself
    if (this.keys === undefined) {
      yield * this.inner.queryKeys(q, options)
      return
    }
    const all: Array<{ key: Key }> = []
    for await (const { key } of this.underPrefix(q.prefix, options)) all.push({ key })
    yield * refine(inOrder(all).map(p => p.key), q)
  }

  /** The records under plaintext `prefix`, keys opened, values still sealed, in LevelDB's (sealed) order. */
  private async * underPrefix (prefix: string | undefined, options?: AbortOptions): AsyncGenerator<Pair> {
    const keys = this.keys as KeyCipher
    const { stored, exact } = keys.prefix(prefix ?? '')
    for await (const { key, value } of this.inner.query(stored === '' ? {} : { prefix: stored }, options)) {
      const plain = new Key(keys.open(key.toString()), false)
      if (exact || plain.toString().startsWith(prefix ?? '')) yield { key: plain, value }
    }
  }

  private async * opened (source: Iterable<Pair> | AsyncIterable<Pair>): AsyncGenerator<Pair> {
    for await (const { key, value } of source) yield { key, value: this.open(key, value) }
  }
}

/** Key order, as datastore-level yields a query without orders. */
function inOrder<T extends { key: Key }> (items: T[]): T[] {
  return items.sort((a, b) => compareKeys(a.key.toString(), b.key.toString()))
}

interface Refinement<T> {
  filters?: Array<(item: T) => boolean>
  orders?: Array<(a: T, b: T) => number>
  offset?: number
  limit?: number
}

/** A query's filters, orders, offset and limit, applied in that order (datastore-level's order). */
async function * refine<T> (source: AsyncIterable<T> | T[], q: Refinement<T>): AsyncGenerator<T> {
  let items: AsyncIterable<T> | T[] = source
  const filters = q.filters ?? []
  if ((q.orders ?? []).length > 0) {
    const all: T[] = []
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
