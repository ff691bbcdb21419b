/**
 * Which envelope ids this node may hold (as an envelope or a tombstone): a Bloom filter over every
 * id written, so that a deposit of a fresh id (nearly all of them) is known not to be a duplicate
 * without reading LevelDB. Those reads were most of a deposit's cost: two point reads of absent
 * keys each, and LevelDB charges such reads to its files until it compacts them ("seek
 * compaction": 20,000 deposits rewrote 3.5× the data the writes themselves did). A "maybe" is
 * checked against the store as before, so the filter only ever saves reads; it never decides.
 *
 * Saved by a clean stop and loaded at the next open (`save`, `build(saved)`): a scan of what is
 * held pages the tables it reads into the process (255 MiB of a 1,000,000-envelope node's RSS,
 * LevelDB reads its tables through mmap, and the scan's read samples start compactions). Built
 * from the ids held when nothing was saved (the first start, or after a crash): the store lists
 * them from its expiry index, whose keys-only blocks hold nothing else; listing the envelope keys
 * paged every envelope's bytes in with them. Every id written afterwards is added once its write is
 * applied (the writer's claim on the id covers it until then). Ids removed (acked, swept) stay in
 * until the next build, which happens in the background once as many ids were added as the filter
 * was sized for; until it is done the full filter answers "maybe" more often, which costs reads,
 * not correctness.
 */

/** Bits per id: with 7 probes, about 1 % "maybe" for ids not held while within capacity. */
const BITS_PER_ID = 10
const PROBES = 7
/** The smallest filter (80 KiB): a node holding little still takes a burst without a rebuild. */
const MIN_CAPACITY = 65_536

/** A saved filter: version, capacity, ids added, then the words (all little-endian u32). */
const SAVED_VERSION = 1
const SAVED_HEADER = 12

/** The bits themselves, sized for `capacity` ids. Ids are 32 hex digits of SHA-256: already uniform. */
class BloomBits {
  private readonly words: Uint32Array
  private readonly size: number
  added = 0

  constructor (readonly capacity: number) {
    this.words = new Uint32Array(Math.ceil(capacity * BITS_PER_ID / 32))
    this.size = this.words.length * 32
  }

  toBytes (): Uint8Array {
    const out = new Uint8Array(SAVED_HEADER + this.words.byteLength)
    const view = new DataView(out.buffer)
    view.setUint32(0, SAVED_VERSION, true)
    view.setUint32(4, this.capacity, true)
    view.setUint32(8, this.added, true)
    for (let i = 0; i < this.words.length; i++) view.setUint32(SAVED_HEADER + 4 * i, this.words[i] as number, true)
    return out
  }

  /** The filter `toBytes` saved, or undefined when these bytes are not one (another version, cut short). */
  static fromBytes (bytes: Uint8Array): BloomBits | undefined {
    if (bytes.byteLength < SAVED_HEADER) return undefined
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    const capacity = view.getUint32(4, true)
    if (view.getUint32(0, true) !== SAVED_VERSION || capacity < MIN_CAPACITY) return undefined
    const bits = new BloomBits(capacity)
    if (bytes.byteLength !== SAVED_HEADER + bits.words.byteLength) return undefined
    bits.added = view.getUint32(8, true)
    for (let i = 0; i < bits.words.length; i++) bits.words[i] = view.getUint32(SAVED_HEADER + 4 * i, true)
    return bits
  }

  /** Add the id whose first two 32-bit words are `h1`, `w2` (idWords). */
  add (h1: number, w2: number): void {
    this.added++
    const h2 = (w2 | 1) >>> 0 // odd, so the probes differ; unsigned, so positions are
    for (let i = 0; i < PROBES; i++) {
      const pos = (h1 + i * h2) % this.size
      this.words[pos >>> 5] = (this.words[pos >>> 5] as number) | (1 << (pos & 31))
    }
  }

  has (h1: number, w2: number): boolean {
    const h2 = (w2 | 1) >>> 0
    for (let i = 0; i < PROBES; i++) {
      const pos = (h1 + i * h2) % this.size
      if (((this.words[pos >>> 5] as number) & (1 << (pos & 31))) === 0) return false
    }
    return true
  }
}

/** The first two 32-bit words of a hex id (double hashing needs no more); undefined if not hex. */
function idWords (id: string): [number, number] | undefined {
  const h1 = Number.parseInt(id.slice(0, 8), 16)
  const w2 = Number.parseInt(id.slice(8, 16), 16)
  return Number.isNaN(h1) || Number.isNaN(w2) || id.length < 16 ? undefined : [h1, w2]
}

/** Ids as word pairs in a growing array: a scan of a million ids holds 8 MB, not a million strings. */
class IdWords {
  private words = new Uint32Array(2 * 4096)
  count = 0

  push (h1: number, w2: number): void {
    if (2 * this.count === this.words.length) {
      const grown = new Uint32Array(this.words.length * 2)
      grown.set(this.words)
      this.words = grown
    }
    this.words[2 * this.count] = h1
    this.words[2 * this.count + 1] = w2
    this.count++
  }

  into (bits: BloomBits): void {
    for (let i = 0; i < this.count; i++) bits.add(this.words[2 * i] as number, this.words[2 * i + 1] as number)
  }
}

/** Every envelope and tombstone id held (32 hex digits each), in any order; repeats are harmless. */
export type HeldIdList = () => AsyncIterable<string>

export class HeldFilter {
  /** Undefined until built: every id is a "maybe" then. */
  private bits: BloomBits | undefined
  /** Ids added while a build scans the store (its snapshot may predate their writes). */
  private during: IdWords | undefined
  /** Rebuild once this many ids were added to the current bits (raised after a failed build). */
  private rebuildAt = Infinity
  /** The first build (started by `build`); resolves when it is done or has failed. */
  built: Promise<void> = Promise.resolve()

  constructor (private readonly ids: HeldIdList) {}

  /**
   * At open: take the filter a clean stop saved (`save`), which covers every id written before it;
   * without one (or one that does not read), start reading every id held into a fresh filter, in
   * the background: a store of a million ids takes seconds to list, and until the filter is built
   * every id is a "maybe", read from the store as before. `built` says when it is done.
   */
  build (saved?: Uint8Array): void {
    const bits = saved === undefined ? undefined : BloomBits.fromBytes(saved)
    if (bits === undefined) {
      this.built = this.rebuild()
      return
    }
    this.bits = bits
    this.rebuildAt = bits.capacity
    if (bits.added >= this.rebuildAt) void this.rebuild()
  }

  /**
   * The filter as bytes for `build` to take at the next open, or undefined while none is built.
   * Valid only if no id is written after it is taken: the store saves it once its writers stopped.
   */
  save (): Uint8Array | undefined {
    return this.bits?.toBytes()
  }

  /** Whether `id` (32 hex digits) may be held; false means certainly not. */
  mayHold (id: string): boolean {
    if (this.bits === undefined) return true
    const w = idWords(id)
    return w === undefined || this.bits.has(w[0], w[1])
  }

  /**
   * Record an id once its write is applied. Until then the caller's own claim on the id (the
   * store's `writing` set) answers for it; adding only after the write lets a rebuild's scan
   * and these adds cover every id between them.
   */
  add (id: string): void {
    const w = idWords(id)
    if (w === undefined) return // never ruled out anyway
    this.during?.push(w[0], w[1])
    if (this.bits === undefined) return
    this.bits.add(w[0], w[1])
    if (this.bits.added >= this.rebuildAt && this.during === undefined) void this.rebuild()
  }

  private async rebuild (): Promise<void> {
    const current = this.bits
    try {
      this.bits = await this.scan()
      this.rebuildAt = this.bits.capacity
    } catch {
      // the store closed or failed mid-scan: the old filter (or none) still answers correctly; try much later
      this.bits = current
      this.rebuildAt = current === undefined ? Infinity : current.added * 2
    }
  }

  /** A filter for twice what is held: every id the store has, and every id added while it was read. */
  private async scan (): Promise<BloomBits> {
    const during = new IdWords()
    this.during = during // before the scan's snapshot: a write applied after it is added here
    try {
      const ids = new IdWords()
      for await (const id of this.ids()) {
        const w = idWords(id)
        if (w !== undefined) ids.push(w[0], w[1])
      }
      const bits = new BloomBits(Math.max(MIN_CAPACITY, 2 * ids.count))
      ids.into(bits)
      during.into(bits)
      return bits
    } finally {
      this.during = undefined
    }
  }
}
