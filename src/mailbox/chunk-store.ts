/**
 * Attachment chunks a mailbox holds for recipients: opaque bytes under their address, checked on
 * write (the address must name the bytes), kept until the mail TTL, counted in bytes against the
 * recipient's quota and the node-wide cap together with its mail. Each stored chunk is one durable
 * write (chunk, expiry entry, usage) before it is acknowledged. Mail deposits do not count chunk
 * bytes: attachments can never crowd out a recipient's messages. When the owner has saved the file
 * it releases the chunks (release_chunks): they go at once, and a mark per chunk id stays until the
 * chunk's expiry so that neither handover from a replica that missed the release nor a resumed
 * upload stores it here again.
 */
import { isChunkCid, namesBytes } from '../shared/chunk-address.js'
import type { CairnConfig } from '../shared/config.js'
import { NAMESPACES } from '../shared/namespaces.js'
import type { Store, StoreOp } from '../shared/store.js'
import { MailboxRefusal } from './errors.js'
import { HeldIdsCache, type HeldIds } from './held-ids.js'
import { ID_BYTES, SortedIds } from './id-ranges.js'
import type { MailboxStore } from './mailbox-store.js'

const N = NAMESPACES
const k = {
  chunk: (r: string, cid: string) => `${N.mailboxChunk}${r}/${cid}`,
  exp: (at: number, r: string, cid: string) => `${N.mailboxChunkExpiry}${String(at).padStart(15, '0')}/${r}/${cid}`,
  usage: (r: string) => `${N.mailboxChunkUsage}${r}`,
  /** By chunk id (idOfCid), as reconciliation names chunks. */
  released: (r: string, id: string) => `${N.mailboxChunkReleased}${r}/${id}`
}
const enc = new TextEncoder()
const dec = new TextDecoder()
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/** A chunk of at most 960 KiB plaintext, its 16-byte tag. */
export const MAX_HELD_CHUNK_BYTES = 960 * 1024 + 16

interface Held { data: Uint8Array, expiresAt: number }

/**
 * Every address a holder takes starts with these bytes (CIDv1, raw codec, sha2-256, 32 bytes), so
 * the next 16 (the digest's first half) name a chunk in the 16-byte id space of set reconciliation.
 */
const CID_HEAD = '01551220'
/** A chunk's id for reconciliation (hex), from its address in hex; undefined for any other shape. */
const idOfCid = (cid: string): string | undefined => cid.length === 72 && cid.startsWith(CID_HEAD) ? cid.slice(8, 8 + ID_BYTES * 2) : undefined

/** A held chunk as handover reads it: its address, bytes and expiry. */
export interface HeldChunk { cid: Uint8Array<ArrayBuffer>, data: Uint8Array<ArrayBuffer>, expiresAt: number }

export function encodeHeld (h: Held): Uint8Array {
  const out = new Uint8Array(8 + h.data.length)
  new DataView(out.buffer).setFloat64(0, h.expiresAt)
  out.set(h.data, 8)
  return out
}

function decodeHeld (b: Uint8Array): Held {
  return { expiresAt: new DataView(b.buffer, b.byteOffset, b.byteLength).getFloat64(0), data: b.subarray(8) }
}

export class ChunkStore {
  private readonly usage = new Map<string, number>()
  private total = 0
  /** Chunks being put now, by `recipient/cid`: their write's end (a release waits for it). */
  private readonly writing = new Map<string, Promise<void>>()
  /** Per recipient, bumped on every change to its chunks: the sorted id set is re-read only then. */
  private readonly revisions = new Map<string, number>()
  /** Sorted chunk ids of recent recipients, up to 100,000 ids (1.6 MB); a recipient with more is read each pass, not cached. */
  private readonly heldCache = new HeldIdsCache(100_000)
  /** Chunks served (get_chunk answered with bytes) and chunk writes asked for (put_chunk, held or not), for metrics and tests. */
  reads = 0
  puts = 0

  private readonly store: Store
  /** The mail held for the same recipients: quotas count both. */
  private readonly mail: MailboxStore

  /**
   * init.mailbox: maxBytesPerRecipient (@default 128 MiB) and maxTotalBytes (@default 256 MiB),
   * shared with mail; ttlMs (@default 14 days), the longest a chunk is held.
   */
  constructor (components: { store: Store, mail: MailboxStore }, private readonly init: { mailbox: Pick<CairnConfig['mailbox'], 'maxBytesPerRecipient' | 'maxTotalBytes' | 'ttlMs'> }) {
    this.store = components.store
    this.mail = components.mail
  }

  async open (): Promise<void> {
    for await (const { key, value } of this.store.list(N.mailboxChunkUsage)) this.setUsage(key.slice(N.mailboxChunkUsage.length), Number(dec.decode(value)))
  }

  bytesOf (r: string): number { return this.usage.get(r) ?? 0 }
  get heldBytes (): number { return this.total }
  /** Recipients this node holds chunks for. */
  recipients (): string[] { return [...this.usage.keys()] }

  /**
   * A recipient's chunk ids for reconciliation (expired ones included until swept), sorted, read
   * from keys only (no chunk bytes) and only when something changed since the last call.
   */
  async heldIds (r: string): Promise<HeldIds> {
    return this.heldCache.get(r, this.revisions.get(r) ?? 0, async () => {
      const ids: string[] = []
      const prefix = k.chunk(r, '')
      for await (const key of this.store.listKeys(prefix)) {
        const id = idOfCid(key.slice(prefix.length))
        if (id !== undefined) ids.push(id)
      }
      return { ids: SortedIds.fromHex(ids), tombstones: SortedIds.fromHex([]) }
    })
  }

  /** The chunk held for `r` whose id (heldIds) is `id`: one chunk read, address and all. */
  async byId (r: string, id: Uint8Array): Promise<HeldChunk | undefined> {
    for await (const { key, value } of this.store.list(k.chunk(r, CID_HEAD + hex(id)), { limit: 1 })) {
      const h = decodeHeld(value)
      return { cid: Buffer.from(key.slice(k.chunk(r, '').length), 'hex'), data: new Uint8Array(h.data), expiresAt: h.expiresAt }
    }
    return undefined
  }

  /** When the chunk held for `r` under `cid` expires (undefined: not held). */
  async expiryOf (r: string, cid: Uint8Array): Promise<number | undefined> {
    const b = await this.store.get(k.chunk(r, hex(cid)))
    return b === undefined ? undefined : decodeHeld(b).expiresAt
  }

  /** Store a chunk for `r`; throws MailboxRefusal. Resolves once it is on disk. */
  async put (r: string, cid: Uint8Array, data: Uint8Array, expiresAt: number, now: number): Promise<'stored' | 'duplicate'> {
    this.puts++
    if (!isChunkCid(cid)) throw new MailboxRefusal('bad-request', 'chunk address is not a CIDv1 (raw, sha2-256)')
    if (data.length === 0) throw new MailboxRefusal('bad-request', 'empty chunk')
    if (data.length > MAX_HELD_CHUNK_BYTES) throw new MailboxRefusal('too-large', `chunk is ${data.length} bytes; the limit is ${MAX_HELD_CHUNK_BYTES}`)
    if (!namesBytes(cid, data)) throw new MailboxRefusal('bad-request', 'chunk address does not name its bytes')
    if (expiresAt <= now) throw new MailboxRefusal('expired', 'chunk already expired')
    const id = hex(cid)
    const slot = `${r}/${id}`
    // claimed before the first await: two puts of one chunk at once (holders handing it over
    // together, an upload beside them) store it, and count its bytes, once
    if (this.writing.has(slot)) return 'duplicate'
    let written = (): void => {}
    this.writing.set(slot, new Promise<void>(resolve => { written = resolve }))
    try {
      if (await this.store.has(k.chunk(r, id))) return 'duplicate'
      // the owner saved this file and released the chunk: its copy is not wanted here again
      if (await this.wasReleased(r, id)) return 'duplicate'
      const m = this.init.mailbox
      const size = data.length
      const mine = this.mail.usageOf(r).bytes + this.bytesOf(r)
      if (mine + size > m.maxBytesPerRecipient) throw new MailboxRefusal('quota-exceeded', `mailbox for ${r} is full (${mine} bytes)`)
      if (this.mail.heldBytes + this.total + size > m.maxTotalBytes) throw new MailboxRefusal('node-full', `this node holds ${this.mail.heldBytes + this.total} bytes; its cap is ${m.maxTotalBytes}`)
      this.setUsage(r, this.bytesOf(r) + size) // reserved before the write: concurrent puts cannot pass the quota together
      const at = Math.min(expiresAt, now + m.ttlMs)
      try {
        await this.store.write([
          { type: 'put', key: k.chunk(r, id), value: encodeHeld({ data, expiresAt: at }) },
          { type: 'put', key: k.exp(at, r, id), value: new Uint8Array() },
          { type: 'put', key: k.usage(r), value: enc.encode(String(this.bytesOf(r))) }
        ])
      } catch (err) {
        this.setUsage(r, this.bytesOf(r) - size)
        throw err
      } finally {
        this.changed(r)
      }
    } finally {
      this.writing.delete(slot)
      written()
    }
    return 'stored'
  }

  async get (r: string, cid: Uint8Array, now: number): Promise<Uint8Array<ArrayBuffer> | undefined> {
    const b = await this.store.get(k.chunk(r, hex(cid)))
    if (b === undefined) return undefined
    const h = decodeHeld(b)
    if (h.expiresAt <= now) return undefined
    this.reads++
    return new Uint8Array(h.data)
  }

  /** Whether the owner released the chunk `cidHex` here (its mark lasts until the chunk's expiry). */
  async wasReleased (r: string, cidHex: string): Promise<boolean> {
    const id = idOfCid(cidHex)
    return id !== undefined && await this.store.has(k.released(r, id))
  }

  /** Whether a chunk id (reconciliation's 16 bytes) was released here by its owner. */
  async releasedId (r: string, id: Uint8Array): Promise<boolean> {
    return this.store.has(k.released(r, hex(id)))
  }

  /**
   * The owner `r` released these chunks (it saved their file): each one held goes, with its bytes
   * in the quota, in one durable write; its expiry entry stays, to sweep the mark left in its place.
   * A chunk being put at that moment (a holder's handover copy, an upload resumed) is released once
   * its write ends, not skipped: skipped, it stayed, counted in the quota, until its expiry.
   * Returns how many were held and deleted.
   */
  async release (r: string, cids: Uint8Array[]): Promise<number> {
    const wanted = new Set(cids.map(hex))
    await Promise.all([...wanted].map(async cid => this.writing.get(`${r}/${cid}`)))
    if (this.bytesOf(r) === 0) return 0 // nothing held for r: no reads at all
    const ops: StoreOp[] = []
    let freed = 0
    let released = 0
    for (const cid of wanted) {
      const id = idOfCid(cid)
      if (id === undefined) continue
      const b = await this.store.get(k.chunk(r, cid))
      if (b === undefined) continue
      ops.push({ type: 'del', key: k.chunk(r, cid) }, { type: 'put', key: k.released(r, id), value: new Uint8Array() })
      freed += b.length - 8
      released++
    }
    if (released === 0) return 0
    // in memory first, as a put reserves: the usage written is the one every later write starts from
    this.setUsage(r, this.bytesOf(r) - freed)
    const left = this.bytesOf(r)
    ops.push(left === 0 ? { type: 'del', key: k.usage(r) } : { type: 'put', key: k.usage(r), value: enc.encode(String(left)) })
    try {
      await this.store.write(ops)
    } catch (err) {
      this.setUsage(r, this.bytesOf(r) + freed)
      throw err
    } finally {
      this.changed(r)
    }
    return released
  }

  /** Drop expired chunks (and the marks of released ones). Returns how many chunks went. */
  async sweep (now: number): Promise<number> {
    const ops: StoreOp[] = []
    const freed = new Map<string, number>()
    let dropped = 0
    const end = N.mailboxChunkExpiry + String(now).padStart(15, '0') + '/\xff'
    for await (const key of this.store.listKeys(N.mailboxChunkExpiry)) {
      if (key > end) break
      const [, r, id] = key.slice(N.mailboxChunkExpiry.length).split('/') as [string, string, string]
      ops.push({ type: 'del', key })
      const released = idOfCid(id)
      if (released !== undefined) ops.push({ type: 'del', key: k.released(r, released) })
      const b = await this.store.get(k.chunk(r, id))
      if (b === undefined) continue
      ops.push({ type: 'del', key: k.chunk(r, id) })
      dropped++
      freed.set(r, (freed.get(r) ?? 0) + b.length - 8)
    }
    for (const [r, bytes] of freed) {
      this.setUsage(r, this.bytesOf(r) - bytes)
      const left = this.bytesOf(r)
      ops.push(left === 0 ? { type: 'del', key: k.usage(r) } : { type: 'put', key: k.usage(r), value: enc.encode(String(left)) })
    }
    await this.store.write(ops)
    // after the write: a read of the ids meanwhile must not be cached as the new revision
    for (const r of freed.keys()) this.changed(r)
    return dropped
  }

  private changed (r: string): void {
    this.revisions.set(r, (this.revisions.get(r) ?? 0) + 1)
  }

  private setUsage (r: string, bytes: number): void {
    const next = Math.max(0, bytes)
    this.total += next - this.bytesOf(r)
    if (next === 0) this.usage.delete(r)
    else this.usage.set(r, next)
  }
}
