/**
 * The answering side of one reconciliation round (proto Reconcile). Stateless: every round carries
 * the ranges it asks about, so a peer cannot make this node keep anything between rounds (but for
 * the bounded, short-lived record of which holder was asked for which copy, asked-copies.ts), and each
 * round costs at most MAX_RANGES binary searches and fingerprints plus LEAF_IDS lookups per listed
 * range. Nothing here deletes: tombstones arrive only signed, by Offer, and are checked in the store.
 */
import { MailboxStatus, type MailboxResponse, type Reconcile, type SyncRange, type Tombstone } from '../../proto/cairn.js'
import { MailboxRefusal } from './errors.js'
import { ascending, fingerprint, ID_BYTES, inRange, MAX_LISTED_IDS, rangeOf, type IdRange, type SortedIds } from './id-ranges.js'
import type { MailboxStore } from './mailbox-store.js'

/** The most ids one answer carries in `wanted`, `tombstones` and `want_tombstones` each (the proto's limit). */
const MAX_ANSWER_IDS = 1024

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/**
 * `mayAsk(id)`: whether to ask this offerer for a copy this node lacks (false while another holder
 * was just asked for it: asked-copies.ts); every copy by default.
 */
export async function answerReconcile (store: MailboxStore, r: string, req: Reconcile, now: number, mayAsk: (id: Uint8Array) => boolean = () => true): Promise<Partial<MailboxResponse>> {
  const held = await store.heldIds(r)
  const differ: SyncRange[] = []
  const wanted: Array<Uint8Array<ArrayBuffer>> = []
  const wantTombstones: Array<Uint8Array<ArrayBuffer>> = []
  const theyLack: string[] = []
  const ranges = checkedRanges(req.ranges)
  for (const [i, s] of req.ranges.entries()) {
    const range = ranges[i] as IdRange
    if (!s.listed) {
      if (!same(held.ids, range, s.idsCount, s.idsFingerprint) || !same(held.tombstones, range, s.tombstonesCount, s.tombstonesFingerprint)) differ.push(bounds(s))
      continue
    }
    for (const id of s.ids) {
      if (!held.ids.has(id) && !held.tombstones.has(id) && wanted.length < MAX_ANSWER_IDS && mayAsk(id)) wanted.push(id)
    }
    for (const id of s.tombstoneIds) {
      if (!held.tombstones.has(id) && wantTombstones.length < MAX_ANSWER_IDS) wantTombstones.push(id)
    }
    // every tombstone here the offerer lacks, which covers each offered id acked here
    const theirs = new Set(s.tombstoneIds.map(hex))
    const [from, to] = held.tombstones.span(range)
    for (let i = from; i < to && theyLack.length < MAX_ANSWER_IDS; i++) {
      const id = held.tombstones.at(i).toString('hex')
      if (!theirs.has(id)) theyLack.push(id)
    }
  }
  const tombstones: Tombstone[] = (await store.tombstonesOf(r, theyLack))
    .filter(t => t.expiresAt > now)
    .map(t => ({ id: Buffer.from(t.id, 'hex'), expiresAt: t.expiresAt, signature: new Uint8Array(t.signature) }))
  let wantBundle = false
  if (req.bundlePublishedAt > 0) wantBundle = ((await store.getBundle(r))?.publishedAt ?? 0) < req.bundlePublishedAt
  return { status: MailboxStatus.MAILBOX_OK, wanted, tombstones, reconcile: { differ, wantTombstones, wantBundle } }
}

/**
 * The ranges of one round, checked: well-formed, ascending and disjoint (so a round's fingerprints
 * add up to one pass over the ids at most), at most MAX_LISTED_IDS listed in all, each listed id
 * 16 bytes and inside its range. Throws MailboxRefusal('bad-request').
 */
export function checkedRanges (sync: SyncRange[]): IdRange[] {
  const ranges = sync.map(s => rangeOf(s.lower, s.upper))
  if (ranges.some(r => r === undefined)) throw new MailboxRefusal('bad-request', 'malformed range')
  if (!ascending(ranges as IdRange[])) throw new MailboxRefusal('bad-request', 'ranges overlap or are out of order')
  if (sync.reduce((n, s) => n + s.ids.length + s.tombstoneIds.length, 0) > MAX_LISTED_IDS) throw new MailboxRefusal('bad-request', 'too many ids listed')
  for (const [i, s] of sync.entries()) {
    const range = ranges[i] as IdRange
    if (s.listed && [...s.ids, ...s.tombstoneIds].some(id => id.length !== ID_BYTES || !inRange(id, range))) throw new MailboxRefusal('bad-request', 'listed id outside its range')
  }
  return ranges as IdRange[]
}

/** A range by its bounds only, as `differ` names it. */
export function bounds (s: SyncRange): SyncRange {
  return { lower: s.lower, upper: s.upper, idsCount: 0, idsFingerprint: new Uint8Array(), tombstonesCount: 0, tombstonesFingerprint: new Uint8Array(), listed: false, ids: [], tombstoneIds: [] }
}

/** Whether `set` holds `count` ids in `range` with fingerprint `fp`. */
export function same (set: SortedIds, range: IdRange, count: number, fp: Uint8Array): boolean {
  const [from, to] = set.span(range)
  if (to - from !== count) return false
  return Buffer.compare(fingerprint(set, from, to).fingerprint, fp) === 0
}
