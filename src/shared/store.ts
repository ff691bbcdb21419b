/**
 * The one LevelDB a data dir has, opened once per process. libp2p gets it as its datastore (peer
 * store, DHT records); Cairn's own records live under `/cairn/` and are written through `write()`
 * or a Transaction, which commit with fsync (group commit: concurrent writers share one sync), so
 * that anything acknowledged to a user or a peer is on disk first.
 */
import { LevelDatastore } from 'datastore-level'
import { StoreLockedError } from './errors.js'

export type StoreOp = { type: 'put', key: string, value: Uint8Array } | { type: 'del', key: string }

interface Level {
  get: (key: string) => Promise<Uint8Array | undefined>
  batch: (ops: StoreOp[], options: { sync: boolean }) => Promise<void>
  iterator: (options: Record<string, unknown>) => AsyncIterableIterator<[string, Uint8Array]>
  keys: (options: Record<string, unknown>) => AsyncIterableIterator<string>
  open: (options?: Record<string, unknown>) => Promise<void>
}

export interface Entry { key: string, value: Uint8Array }

const open = new Map<string, Store>()

export class Store {
  readonly datastore: LevelDatastore
  readonly path: string
  private readonly db: Level
  private queue: Array<{ ops: StoreOp[], resolve: () => void, reject: (err: unknown) => void }> = []
  private flushing = false
  private closed = false

  private constructor (path: string) {
    this.path = path
    this.datastore = new LevelDatastore(path)
    this.db = (this.datastore as unknown as { db: Level }).db
  }

  /**
   * Open the store at `path`. A second open of the same path in this process is refused rather
   * than attempted: a failed LevelDB open drops the process's lock on the directory.
   */
  static async open (path: string): Promise<Store> {
    if (open.has(path)) throw new StoreLockedError(path)
    const store = new Store(path)
    open.set(path, store)
    try {
      // open through classic-level directly: datastore-level loses the cause (LEVEL_LOCKED)
      await store.db.open({ createIfMissing: true })
      await store.datastore.open()
    } catch (err) {
      open.delete(path)
      const cause = (err as { cause?: { code?: string } }).cause
      if (cause?.code === 'LEVEL_LOCKED' || /lock/i.test(String((err as Error).message) + String(cause))) throw new StoreLockedError(path, { cause: err })
      throw err
    }
    return store
  }

  async get (key: string): Promise<Uint8Array | undefined> {
    return this.db.get(key)
  }

  async has (key: string): Promise<boolean> {
    return (await this.db.get(key)) !== undefined
  }

  /** Entries whose key starts with `prefix`, in key order, after `after` (exclusive) if given. */
  async * list (prefix: string, options: { after?: string, limit?: number, reverse?: boolean } = {}): AsyncGenerator<Entry> {
    const range: Record<string, unknown> = { gte: prefix, lt: prefix + '\xff', reverse: options.reverse ?? false }
    if (options.after !== undefined) { delete range.gte; range.gt = options.after }
    if (options.limit !== undefined) range.limit = options.limit
    for await (const [key, value] of this.db.iterator(range)) yield { key, value }
  }

  async * listKeys (prefix: string): AsyncGenerator<string> {
    yield * this.db.keys({ gte: prefix, lt: prefix + '\xff' })
  }

  /** Apply `ops` atomically and durably (fsync before this resolves). */
  async write (ops: StoreOp[]): Promise<void> {
    if (ops.length === 0) return
    if (this.closed) throw new Error('store is closed')
    await new Promise<void>((resolve, reject) => {
      this.queue.push({ ops, resolve, reject })
      if (!this.flushing) void this.flush()
    })
  }

  transaction (): Transaction {
    return new Transaction(this)
  }

  async close (): Promise<void> {
    if (this.closed) return
    while (this.flushing || this.queue.length > 0) await new Promise(resolve => setTimeout(resolve, 5))
    this.closed = true
    open.delete(this.path)
    await this.datastore.close()
  }

  private async flush (): Promise<void> {
    this.flushing = true
    try {
      while (this.queue.length > 0) {
        const group = this.queue.splice(0)
        try {
          await this.db.batch(group.flatMap(g => g.ops), { sync: true })
          for (const g of group) g.resolve()
        } catch (err) {
          for (const g of group) g.reject(err)
        }
      }
    } finally {
      this.flushing = false
    }
  }
}

/**
 * Buffered writes that commit as one durable batch. Reads see the transaction's own writes, so a
 * multi-step operation (decrypt, then store the message) either lands whole or not at all.
 */
export class Transaction {
  private readonly pending = new Map<string, Uint8Array | null>()

  constructor (private readonly store: Store) {}

  async get (key: string): Promise<Uint8Array | undefined> {
    const p = this.pending.get(key)
    if (p === null) return undefined
    if (p !== undefined) return p
    return this.store.get(key)
  }

  put (key: string, value: Uint8Array): void {
    this.pending.set(key, value)
  }

  delete (key: string): void {
    this.pending.set(key, null)
  }

  /** A point to roll back to: later writes can be discarded without losing earlier ones. */
  checkpoint (): Map<string, Uint8Array | null> {
    return new Map(this.pending)
  }

  rollback (to: Map<string, Uint8Array | null>): void {
    this.pending.clear()
    for (const [k, v] of to) this.pending.set(k, v)
  }

  get size (): number {
    return this.pending.size
  }

  async commit (): Promise<void> {
    const ops: StoreOp[] = []
    for (const [key, value] of this.pending) ops.push(value === null ? { type: 'del', key } : { type: 'put', key, value })
    this.pending.clear()
    await this.store.write(ops)
  }
}
