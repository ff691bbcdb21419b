/**
 * Ranges of the 16-byte envelope-id space and what a holder has in them, for handover by set
 * reconciliation (Negentropy-style; see proto/README.md). A recipient's ids are kept as one sorted,
 * contiguous buffer (16 bytes each), so a range is two binary searches and its fingerprint one pass
 * over the ids inside it: no hashing per id, no scan of the store per round.
 *
 * The fingerprint is SHA-256(count || sum of the ids mod 2^128)[0:16]. Ids are already hashes bound
 * to content (src/shared/envelope-id.ts), so the sum is as good as a sum of per-id hashes; someone
 * grinding envelope contents to forge a collision gains only that two replicas overlook a
 * difference in that range until the sets change again.
 */
import { createHash } from 'node:crypto'

export const ID_BYTES = 16
/** A range with at most this many ids (envelopes and tombstones together) is sent as a list. */
export const LEAF_IDS = 64
/** A differing range is split into this many equal parts of the id space. */
export const FANOUT = 16
/** The most ranges one Reconcile (or its answer) carries; the proto's limit. */
export const MAX_RANGES = 128
/** The most ids listed in one Reconcile, over all its ranges (what one answer's `wanted` holds). */
export const MAX_LISTED_IDS = 1024

/** Ids in ascending byte order, 16 bytes each, back to back. */
export class SortedIds {
  readonly count: number
  constructor (readonly bytes: Buffer<ArrayBuffer>) { this.count = bytes.length / ID_BYTES }

  /** From hex ids (any order). */
  static fromHex (ids: Iterable<string>): SortedIds {
    const list = [...ids].filter(id => id.length === ID_BYTES * 2)
    list.sort()
    return new SortedIds(Buffer.from(list.join(''), 'hex'))
  }

  at (i: number): Buffer<ArrayBuffer> { return this.bytes.subarray(i * ID_BYTES, (i + 1) * ID_BYTES) }

  /** The first index whose id is >= `key` (count when none). */
  lowerBound (key: Uint8Array): number {
    let lo = 0
    let hi = this.count
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (Buffer.compare(this.at(mid), key) < 0) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** Index bounds [from, to) of the ids in `range`. */
  span (range: IdRange): [number, number] {
    return [this.lowerBound(range.lower), range.upper === undefined ? this.count : this.lowerBound(range.upper)]
  }

  has (id: Uint8Array): boolean {
    const i = this.lowerBound(id)
    return i < this.count && Buffer.compare(this.at(i), id) === 0
  }
}

/** [lower, upper) of the id space; no upper: to the end. */
export interface IdRange { lower: Buffer<ArrayBuffer>, upper?: Buffer<ArrayBuffer> }

export const FULL_RANGE: IdRange = { lower: Buffer.alloc(ID_BYTES) }

/** Count and fingerprint of the ids of `set` with indexes [from, to). */
export function fingerprint (set: SortedIds, from: number, to: number): { count: number, fingerprint: Uint8Array<ArrayBuffer> } {
  // the sum mod 2^128 as four 32-bit limbs held in doubles: each id adds < 2^32 to a limb, so
  // carrying every 2^20 ids keeps every limb below 2^53 (exact)
  const limbs = [0, 0, 0, 0]
  const carry = (): void => {
    for (let l = 3; l > 0; l--) {
      const c = Math.floor(limbs[l] as number / 0x1_0000_0000)
      limbs[l] = (limbs[l] as number) % 0x1_0000_0000
      limbs[l - 1] = (limbs[l - 1] as number) + c
    }
    limbs[0] = (limbs[0] as number) % 0x1_0000_0000
  }
  const b = set.bytes
  for (let i = from; i < to; i++) {
    const o = i * ID_BYTES
    limbs[0] = (limbs[0] as number) + b.readUInt32BE(o)
    limbs[1] = (limbs[1] as number) + b.readUInt32BE(o + 4)
    limbs[2] = (limbs[2] as number) + b.readUInt32BE(o + 8)
    limbs[3] = (limbs[3] as number) + b.readUInt32BE(o + 12)
    if (((i - from) & 0xfffff) === 0xfffff) carry()
  }
  carry()
  const buf = Buffer.alloc(4 + ID_BYTES)
  buf.writeUInt32BE(to - from, 0)
  limbs.forEach((v, l) => buf.writeUInt32BE(v, 4 + l * 4))
  return { count: to - from, fingerprint: createHash('sha256').update(buf).digest().subarray(0, ID_BYTES) }
}

const toBig = (b: Buffer): bigint => BigInt('0x' + b.toString('hex'))
const toBuf = (n: bigint): Buffer<ArrayBuffer> => Buffer.from(n.toString(16).padStart(ID_BYTES * 2, '0'), 'hex')
const END = 1n << BigInt(ID_BYTES * 8)

/** `range` cut into up to FANOUT equal parts of the id space (fewer when it is narrower). */
export function split (range: IdRange): IdRange[] {
  const lo = toBig(range.lower)
  const hi = range.upper === undefined ? END : toBig(range.upper)
  const width = hi - lo
  const parts = width < BigInt(FANOUT) ? Number(width) : FANOUT
  const out: IdRange[] = []
  for (let i = 0; i < parts; i++) {
    const a = lo + width * BigInt(i) / BigInt(parts)
    const b = i === parts - 1 ? hi : lo + width * BigInt(i + 1) / BigInt(parts)
    out.push(b === END ? { lower: toBuf(a) } : { lower: toBuf(a), upper: toBuf(b) })
  }
  return out
}

/** A range as bounds on the wire say, or undefined when they are malformed (wrong length, empty). */
export function rangeOf (lower: Uint8Array, upper: Uint8Array): IdRange | undefined {
  if (lower.length !== ID_BYTES || (upper.length !== 0 && upper.length !== ID_BYTES)) return undefined
  const range: IdRange = upper.length === 0 ? { lower: Buffer.from(lower) } : { lower: Buffer.from(lower), upper: Buffer.from(upper) }
  if (range.upper !== undefined && Buffer.compare(range.lower, range.upper) >= 0) return undefined
  return range
}

/** Whether `ranges` are in ascending order and do not overlap (what keeps a round's work within one pass over the ids). */
export function ascending (ranges: IdRange[]): boolean {
  for (let i = 1; i < ranges.length; i++) {
    const prev = ranges[i - 1]?.upper
    if (prev === undefined || Buffer.compare(prev, (ranges[i] as IdRange).lower) > 0) return false
  }
  return true
}

/** A key naming a range, to match an answer's ranges to the ones asked about. */
export const rangeKey = (r: IdRange): string => r.lower.toString('hex') + '-' + (r.upper?.toString('hex') ?? '')

export function inRange (id: Uint8Array, r: IdRange): boolean {
  return Buffer.compare(id, r.lower) >= 0 && (r.upper === undefined || Buffer.compare(id, r.upper) < 0)
}
