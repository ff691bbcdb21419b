/**
 * The one LevelDB a data dir has, opened once per process. libp2p gets it as its datastore (peer
 * store, DHT records); Cairn's own records live under `/cairn/` and are written through `write()`
 * or a Transaction, which commit with fsync (group commit: concurrent writers share one sync), so
 * that anything acknowledged to a user or a peer is on disk first. Opened with a cipher (an
 * encrypted data dir, at-rest/), every value is sealed on its way to LevelDB and opened on its way
 * back, libp2p's included, and so is every key after its namespace (at-rest/key-cipher.ts; not in
 * a data dir encrypted before keys were, header version 1). Callers see plaintext keys only; the
 * read cache holds plaintext. Sealed keys lose their order in LevelDB: `list` and `listKeys` put
 * it back by reading the whole prefix before yielding (key-order.ts), and `scan` is the streaming
 * walk for callers that do not need order.
 */
import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { LevelDatastore } from 'datastore-level'
import type { Datastore } from 'interface-datastore'
import { EncryptedDatastore } from './at-rest/encrypted-datastore.js'
import { keptPlain, type KeyCipher } from './at-rest/key-cipher.js'
import type { ValueCipher } from './at-rest/value-cipher.js'
import { DIR_MODE, restrictUmask, tightenTree } from './data-dir.js'
import { StoreLockedError } from './errors.js'
import { inKeyOrder } from './key-order.js'
import { CACHED_NAMESPACES, SYNC_READ_NAMESPACES } from './namespaces.js'

export type StoreOp = { type: 'put', key: string, value: Uint8Array } | { type: 'del', key: string }

interface Level {
  get: (key: string) => Promise<Uint8Array | undefined>
  getSync: (key: string) => Uint8Array | undefined
  getMany: (keys: string[]) => Promise<Array<Uint8Array | undefined>>
  batch: (ops: StoreOp[], options: { sync: boolean }) => Promise<void>
  iterator: (options: Record<string, unknown>) => AsyncIterableIterator<[string, Uint8Array]>
  keys: (options: Record<string, unknown>) => AsyncIterableIterator<string>
  open: (options?: Record<string, unknown>) => Promise<void>
  compactRange: (start: string, end: string) => Promise<void>
}

export interface Entry { key: string, value: Uint8Array }

/**
 * The hot records (namespaces.ts) are kept in memory, written through. Everything else (mail,
 * prekeys, libp2p's records) is read from LevelDB each time.
 */
const CACHED_PREFIXES = CACHED_NAMESPACES
const CACHE_BYTES = 4 * 1024 * 1024
const cacheable = (key: string): boolean => CACHED_PREFIXES.some(p => key.startsWith(p))
const readHere = (key: string): boolean => SYNC_READ_NAMESPACES.some(p => key.startsWith(p))

/**
 * A least-recently-used map of cacheable keys to their value (null: known to be absent), bounded
 * in bytes. The Store fills it from reads and from its own committed writes.
 */
class ReadCache {
  private readonly entries = new Map<string, Uint8Array | null>()
  private bytes = 0

  get (key: string): Uint8Array | null | undefined {
    const v = this.entries.get(key)
    if (v === undefined) return undefined
    this.entries.delete(key) // most recently used goes last
    this.entries.set(key, v)
    return v
  }

  set (key: string, value: Uint8Array | null): void {
    this.drop(key)
    this.entries.set(key, value)
    this.bytes += key.length + (value?.length ?? 0)
    for (const [k] of this.entries) {
      if (this.bytes <= CACHE_BYTES) break
      this.drop(k)
    }
  }

  private drop (key: string): void {
    if (!this.entries.has(key)) return
    this.bytes -= key.length + (this.entries.get(key)?.length ?? 0)
    this.entries.delete(key)
  }
}

const open = new Map<string, Store>()

export interface StoreOptions {
  /** Encryption at rest (at-rest/): every value, Cairn's and libp2p's, is sealed with it. */
  cipher?: ValueCipher
}

export class Store {
  /** What libp2p writes through: the LevelDB itself, or a sealing view of it when encrypted. */
  readonly datastore: Datastore
  readonly path: string
  private readonly level: LevelDatastore
  private readonly db: Level
  private readonly cipher: ValueCipher | undefined
  /** Seals record keys (an encrypted data dir since header version 2); undefined: keys are stored as they are. */
  private readonly keys: KeyCipher | undefined
  private queue: Array<{ ops: StoreOp[], durable: boolean, resolve: () => void, reject: (err: unknown) => void }> = []
  private flushing = false
  /** The flush loop running now (close waits for it). */
  private flushRun: Promise<void> = Promise.resolve()
  private closed = false
  private readonly cache = new ReadCache()
  /** Bumped after each committed batch: a read that overlapped one does not fill the cache. */
  private generation = 0

  private constructor (path: string, cipher: ValueCipher | undefined) {
    this.path = path
    this.cipher = cipher
    this.keys = cipher?.keys
    this.level = new LevelDatastore(path)
    this.datastore = cipher === undefined ? this.level : new EncryptedDatastore(this.level, cipher)
    this.db = (this.level as unknown as { db: Level }).db
  }

  /**
   * Open the store at `path`. A second open of the same path in this process is refused rather
   * than attempted: a failed LevelDB open drops the process's lock on the directory.
   */
  static async open (path: string, options: StoreOptions = {}): Promise<Store> {
    if (open.has(path)) throw new StoreLockedError(path)
    // LevelDB writes the plaintext inbox, sessions and prekey private keys in files it creates
    // with the process umask: 0600 only (and a store made before this rule is tightened)
    restrictUmask()
    mkdirSync(path, { recursive: true, mode: DIR_MODE })
    tightenTree(path)
    const store = new Store(path, options.cipher)
    open.set(path, store)
    try {
      // open through classic-level directly: datastore-level loses the cause (LEVEL_LOCKED)
      await store.db.open({ createIfMissing: true })
      await store.level.open()
    } catch (err) {
      open.delete(path)
      const cause = (err as { cause?: { code?: string } }).cause
      if (cause?.code === 'LEVEL_LOCKED' || /lock/i.test(String((err as Error).message) + String(cause))) throw new StoreLockedError(path, { cause: err })
      throw err
    }
    return store
  }

  /**
   * Whether this process has a store open at `path`. LevelDB names its files by the path it was
   * opened at, so a store whose directory is renamed while open goes on compacting into, and
   * deleting "obsolete" files from, whatever directory takes that path next (at-rest/conversion.ts).
   */
  static isOpen (path: string): boolean {
    const wanted = resolve(path)
    for (const p of open.keys()) if (resolve(p) === wanted) return true
    return false
  }

  async get (key: string): Promise<Uint8Array | undefined> {
    // small records read per message: on this thread, not through the thread pool (namespaces.ts)
    if (readHere(key)) return this.readNow(key)
    if (!cacheable(key)) return this.read(key)
    const hit = this.cache.get(key)
    if (hit !== undefined) return hit === null ? undefined : new Uint8Array(hit) // a copy: callers may mutate (Buffer#slice would share)
    const generation = this.generation
    const value = await this.read(key)
    // a batch that committed meanwhile may have changed the key after this read saw it
    if (generation === this.generation) this.cache.set(key, value === undefined ? null : new Uint8Array(value))
    return value
  }

  /** Several keys in one read (one trip to LevelDB's thread pool for those not cached). */
  async getMany (keys: string[]): Promise<Array<Uint8Array | undefined>> {
    const out: Array<Uint8Array | undefined> = new Array(keys.length)
    const misses: number[] = []
    keys.forEach((key, i) => {
      const hit = cacheable(key) ? this.cache.get(key) : undefined
      if (hit === undefined) misses.push(i)
      else out[i] = hit === null ? undefined : new Uint8Array(hit)
    })
    if (misses.length === 0) return out
    const generation = this.generation
    const values = await this.db.getMany(misses.map(i => this.stored(keys[i] as string)))
    misses.forEach((i, j) => {
      const key = keys[i] as string
      const stored = values[j] ?? undefined
      // opened as `read` opens one (the cache holds plaintext)
      const value = stored === undefined || this.cipher === undefined ? stored : this.cipher.open(key, stored)
      out[i] = value
      if (cacheable(key) && generation === this.generation) this.cache.set(key, value === undefined ? null : new Uint8Array(value))
    })
    return out
  }

  async has (key: string): Promise<boolean> {
    return (await this.get(key)) !== undefined
  }

  /**
   * Entries whose key starts with `prefix`, in key order, after `after` (exclusive) if given. With
   * sealed keys (outside the mailbox's plain namespace) the prefix is read whole, sorted, then
   * yielded: memory in proportion to it, which every caller outside the mailbox holds anyway.
   */
  async * list (prefix: string, options: { after?: string, limit?: number, reverse?: boolean } = {}): AsyncGenerator<Entry> {
    if (this.keys === undefined || keptPlain(prefix)) {
      const range: Record<string, unknown> = { gte: prefix, lt: prefix + '\xff', reverse: options.reverse ?? false }
      if (options.after !== undefined) { delete range.gte; range.gt = options.after }
      if (options.limit !== undefined) range.limit = options.limit
      for await (const [key, value] of this.db.iterator(range)) yield { key, value: this.cipher === undefined ? value : this.cipher.open(key, value) }
      return
    }
    const all: Array<{ key: string, value: Uint8Array }> = []
    for await (const [key, value] of this.sealedScan(prefix, true)) all.push({ key, value })
    for (const e of inKeyOrder(all, options)) yield { key: e.key, value: this.open(e.key, e.value) }
  }

  async * listKeys (prefix: string): AsyncGenerator<string> {
    if (this.keys === undefined || keptPlain(prefix)) {
      yield * this.db.keys({ gte: prefix, lt: prefix + '\xff' })
      return
    }
    const all: Array<{ key: string }> = []
    for await (const [key] of this.sealedScan(prefix, false)) all.push({ key })
    for (const e of inKeyOrder(all)) yield e.key
  }

  /** Keys starting with `prefix`, streamed in no particular order (key order when keys are plain). */
  async * scanKeys (prefix: string): AsyncGenerator<string> {
    if (this.keys === undefined) {
      yield * this.listKeys(prefix)
      return
    }
    for await (const [key] of this.sealedScan(prefix, false)) yield key
  }

  /** Entries whose key starts with `prefix`, streamed in no particular order (key order when keys are plain). */
  async * scan (prefix: string): AsyncGenerator<Entry> {
    if (this.keys === undefined) {
      yield * this.list(prefix)
      return
    }
    for await (const [key, value] of this.sealedScan(prefix, true)) yield { key, value: this.open(key, value) }
  }

  /**
   * Apply `ops` atomically and durably (fsync before this resolves). `durable: false` is for
   * bookkeeping a crash may lose without harm (what was delivered leaving the outbox: lost, it is
   * sent again and the recipient drops the copy by id): it resolves once readable, without waiting
   * for the disk, and the next durable write, which LevelDB's log orders after it, syncs it too.
   */
  async write (ops: StoreOp[], options: { durable?: boolean } = {}): Promise<void> {
    if (ops.length === 0) return
    if (this.closed) throw new Error('store is closed')
    await new Promise<void>((resolve, reject) => {
      this.queue.push({ ops, durable: options.durable ?? true, resolve, reject })
      if (!this.flushing) this.flushRun = this.flush()
    })
  }

  /**
   * Compact the records under each of `prefixes`: LevelDB keeps a deleted or overwritten value in
   * its log and table files until a compaction rewrites them, so what a user deleted would stay
   * readable on disk (docs/DECISIONS.md "Deleting messages"). Rewrites only the files that overlap
   * these ranges, after flushing the memtable (and so the log that held the values).
   */
  async compact (prefixes: string[]): Promise<void> {
    if (this.closed) throw new Error('store is closed')
    for (const prefix of prefixes) {
      const stored = this.keys === undefined ? prefix : this.keys.prefix(prefix).stored
      await this.db.compactRange(stored, stored + '\xff')
    }
  }

  transaction (): Transaction {
    return new Transaction(this)
  }

  async close (): Promise<void> {
    if (this.closed) return
    while (this.flushing || this.queue.length > 0) await this.flushRun
    this.closed = true
    open.delete(this.path)
    await this.level.close()
  }

  private async read (key: string): Promise<Uint8Array | undefined> {
    const value = await this.db.get(this.stored(key))
    return value === undefined ? value : this.open(key, value)
  }

  /** `read` on the calling thread (a batch being written is seen whole or not at all, as by `read`). */
  private readNow (key: string): Uint8Array | undefined {
    const value = this.db.getSync(this.stored(key))
    return value === undefined ? value : this.open(key, value)
  }

  /** A key as LevelDB holds it. */
  private stored (key: string): string {
    return this.keys === undefined ? key : this.keys.seal(key)
  }

  /** A value read for plaintext `key`. */
  private open (key: string, value: Uint8Array): Uint8Array {
    return this.cipher === undefined ? value : this.cipher.open(key, value)
  }

  /** An op as LevelDB applies it: key and value sealed. The value stays bound to the plaintext key. */
  private sealed (op: StoreOp): StoreOp {
    const key = this.stored(op.key)
    return op.type === 'put' && this.cipher !== undefined ? { ...op, key, value: this.cipher.seal(op.key, op.value) } : { ...op, key }
  }

  /** [plaintext key, stored value] of every record under `prefix`, in LevelDB's (sealed) order. */
  private async * sealedScan (prefix: string, values: boolean): AsyncGenerator<[string, Uint8Array]> {
    const keys = this.keys as KeyCipher
    const { stored, exact } = keys.prefix(prefix)
    const range = { gte: stored, lt: stored + '\xff' }
    const source: AsyncIterable<[string, Uint8Array]> = values ? this.db.iterator(range) : mapKeys(this.db.keys(range))
    for await (const [raw, value] of source) {
      const key = keys.open(raw)
      if (exact || key.startsWith(prefix)) yield [key, value]
    }
  }

  private async flush (): Promise<void> {
    this.flushing = true
    try {
      while (this.queue.length > 0) {
        const group = this.queue.splice(0)
        try {
          const ops = group.flatMap(g => g.ops)
          await this.db.batch(this.cipher === undefined ? ops : ops.map(op => this.sealed(op)), { sync: group.some(g => g.durable) })
          for (const op of ops) if (cacheable(op.key)) this.cache.set(op.key, op.type === 'put' ? new Uint8Array(op.value) : null)
          this.generation++
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

async function * mapKeys (keys: AsyncIterable<string>): AsyncGenerator<[string, Uint8Array]> {
  for await (const key of keys) yield [key, EMPTY]
}
const EMPTY = new Uint8Array(0)

/** A point a Transaction can roll back to (Transaction.checkpoint). */
export type Checkpoint = number

/**
 * Buffered writes that commit as one durable batch. Reads see the transaction's own writes, so a
 * multi-step operation (decrypt, then store the message) either lands whole or not at all.
 */
export class Transaction {
  private readonly pending = new Map<string, Uint8Array | null>()
  /** Each write's previous pending state (or a hook), so a rollback undoes only what came after its checkpoint. */
  private readonly undo: Array<{ key: string, had: boolean, prev: Uint8Array | null | undefined } | { hook: true } | { restore: () => void }> = []
  /** What to start once the writes are durable (afterCommit), in the order registered. */
  private readonly hooks: Array<() => void> = []
  /** Values read ahead (`prime`) for keys nothing else writes while this transaction is open. */
  private readonly primed = new Map<string, Uint8Array | undefined>()

  constructor (private readonly store: Store) {}

  async get (key: string): Promise<Uint8Array | undefined> {
    const p = this.pending.get(key)
    if (p === null) return undefined
    if (p !== undefined) return p
    if (this.primed.has(key)) return this.primed.get(key)
    return this.store.get(key)
  }

  /** Several keys, seeing this transaction's writes; those it has not written in one read of the store. */
  async getMany (keys: string[]): Promise<Array<Uint8Array | undefined>> {
    const out = keys.map(k => this.pending.get(k) ?? (this.pending.has(k) ? null : this.primed.get(k)))
    const unwritten = keys.flatMap((k, i) => out[i] === undefined && !this.pending.has(k) && !this.primed.has(k) ? [i] : [])
    const values = await this.store.getMany(unwritten.map(i => keys[i] as string))
    unwritten.forEach((i, j) => { out[i] = values[j] })
    return out.map(v => v ?? undefined)
  }

  /**
   * Read `keys` ahead in one trip to the store, so that later `get`s of them are answered from
   * memory. Only for keys that no other writer changes while this transaction is open (those
   * written under the lock its owner holds, such as the inbox's seen marks).
   */
  async prime (keys: string[]): Promise<void> {
    const unread = keys.filter(k => !this.pending.has(k) && !this.primed.has(k))
    if (unread.length === 0) return
    const values = await this.store.getMany(unread)
    unread.forEach((k, i) => { this.primed.set(k, values[i]) })
  }

  put (key: string, value: Uint8Array): void {
    this.remember(key)
    this.pending.set(key, value)
  }

  delete (key: string): void {
    this.remember(key)
    this.pending.set(key, null)
  }

  /** A point to roll back to: later writes can be discarded without losing earlier ones. */
  checkpoint (): Checkpoint {
    return this.undo.length
  }

  rollback (to: Checkpoint): void {
    while (this.undo.length > to) {
      const u = this.undo.pop() as (typeof this.undo)[number]
      if ('hook' in u) this.hooks.pop() // hooks are registered in undo's order: the last is this one
      else if ('restore' in u) u.restore()
      else if (u.had) this.pending.set(u.key, u.prev as Uint8Array | null)
      else this.pending.delete(u.key)
    }
  }

  /**
   * Call `fn` once this transaction's writes are durable: not if the commit fails, nor if a rollback
   * to a checkpoint taken before this call undoes it. It is called inside commit(), under whatever
   * lock the committer holds: it should start work (and not wait for it), and never throw.
   */
  afterCommit (fn: () => void): void {
    this.undo.push({ hook: true })
    this.hooks.push(fn)
  }

  /**
   * `fn` puts back what the caller changed in memory along with these writes (a cache kept in step
   * with the store, changed now so that the rest of this transaction sees it): called, latest
   * first, by a rollback to a checkpoint taken before this call, or when the commit fails. So
   * memory never keeps what the store does not. It should only undo its own change, and never throw.
   */
  onUndo (fn: () => void): void {
    this.undo.push({ restore: fn })
  }

  get size (): number {
    return this.pending.size
  }

  async commit (): Promise<void> {
    const ops: StoreOp[] = []
    for (const [key, value] of this.pending) ops.push(value === null ? { type: 'del', key } : { type: 'put', key, value })
    const hooks = this.hooks.splice(0)
    const restores = this.undo.flatMap(u => 'restore' in u ? [u.restore] : []).reverse()
    this.pending.clear()
    this.undo.length = 0
    this.primed.clear()
    try {
      await this.store.write(ops)
    } catch (err) {
      for (const fn of restores) fn()
      throw err
    }
    for (const fn of hooks) fn()
  }

  private remember (key: string): void {
    this.undo.push({ key, had: this.pending.has(key), prev: this.pending.get(key) })
  }
}
