/**
 * Which envelope ids this node may hold (as an envelope or a tombstone): a Bloom filter over every
 * id written, so that a deposit of a fresh id (nearly all of them) is known not to be a duplicate
 * without reading LevelDB. Those reads were most of a deposit's cost: two point reads of absent
 * keys each, and LevelDB charges such reads to its files until it compacts them ("seek
 * compaction": 20,000 deposits rewrote 3.5× the data the writes themselves did). A "maybe" is
 * checked against the store as before, so the filter only ever saves reads; it never decides.
 *
 * Built at open from the keys held; every id written afterwards is added once its write is
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

/** The bits themselves, sized for `capacity` ids. Ids are 32 hex digits of SHA-256: already uniform. */
class BloomBits {
  private readonly words: Uint32Array
  private readonly size: number
  added = 0

  constructor (readonly capacity: number) {
    this.words = new Uint32Array(Math.ceil(capacity * BITS_PER_ID / 32))
    this.size = this.words.length * 32
  }

  add (id: string): void {
    this.added++
    this.probe(id, (word, bit) => { this.words[word] = (this.words[word] as number) | bit; return true })
  }

  has (id: string): boolean {
    return this.probe(id, (word, bit) => ((this.words[word] as number) & bit) !== 0)
  }

  /** Double hashing over two 32-bit words of the id; stops at the first probe `at` refuses. */
  private probe (id: string, at: (word: number, bit: number) => boolean): boolean {
    const h1 = Number.parseInt(id.slice(0, 8), 16)
    const w2 = Number.parseInt(id.slice(8, 16), 16)
    if (Number.isNaN(h1) || Number.isNaN(w2)) return true // not an id: nothing to rule out
    const h2 = (w2 | 1) >>> 0 // odd, so the probes differ; unsigned, so positions are
    for (let i = 0; i < PROBES; i++) {
      const pos = (h1 + i * h2) % this.size
      if (!at(pos >>> 5, 1 << (pos & 31))) return false
    }
    return true
  }
}

/** Every envelope and tombstone key, each ending in its 32-digit id. */
export type HeldKeys = () => AsyncIterable<string>

export class HeldFilter {
  /** Undefined until built: every id is a "maybe" then. */
  private bits: BloomBits | undefined
  /** Ids added while a build scans the store (its snapshot may predate their writes). */
  private during: string[] | undefined
  /** Rebuild once this many ids were added to the current bits (raised after a failed build). */
  private rebuildAt = Infinity

  constructor (private readonly keys: HeldKeys) {}

  /** Read every id held into a fresh filter (at open). */
  async build (): Promise<void> {
    this.bits = await this.scan()
    this.rebuildAt = this.bits.capacity
  }

  /** Whether `id` (32 hex digits) may be held; false means certainly not. */
  mayHold (id: string): boolean {
    return this.bits === undefined || this.bits.has(id)
  }

  /**
   * Record an id once its write is applied. Until then the caller's own claim on the id (the
   * store's `writing` set) answers for it; adding only after the write lets a rebuild's scan
   * and these adds cover every id between them.
   */
  add (id: string): void {
    this.during?.push(id)
    if (this.bits === undefined) return
    this.bits.add(id)
    if (this.bits.added >= this.rebuildAt && this.during === undefined) void this.rebuild()
  }

  private async rebuild (): Promise<void> {
    const current = this.bits as BloomBits
    try {
      this.bits = await this.scan()
      this.rebuildAt = this.bits.capacity
    } catch {
      // the store closed or failed mid-scan: the full filter still answers correctly; try much later
      this.bits = current
      this.rebuildAt = current.added * 2
    }
  }

  /** A filter for twice what is held: every id the store has, and every id added while it was read. */
  private async scan (): Promise<BloomBits> {
    const during: string[] = []
    this.during = during // before the scan's snapshot: a write applied after it is added here
    try {
      const ids: string[] = []
      for await (const key of this.keys()) ids.push(key.slice(-32))
      const bits = new BloomBits(Math.max(MIN_CAPACITY, 2 * ids.length))
      for (const id of ids) bits.add(id)
      for (const id of during) bits.add(id)
      return bits
    } finally {
      this.during = undefined
    }
  }
}
