/**
 * The offering side of handover by set reconciliation: describe what is held for a recipient as
 * ranges of the id space (count + fingerprint, or the ids themselves when few), ask, split the
 * ranges the replica says differ, and repeat. Two replicas in sync settle in one round of one
 * range; a difference costs ~log16(n) rounds around it. Bounded: a range is split only when this
 * node sent it unlisted in the round just answered, a range with at most LEAF_IDS ids here is
 * always listed (never split again), and a pass makes at most MAX_ROUNDS requests per replica.
 */
import { MailboxStatus, type MailboxRequest, type MailboxResponse, type SyncRange } from '../../proto/cairn.js'
import { fingerprint, FULL_RANGE, LEAF_IDS, MAX_LISTED_IDS, MAX_RANGES, rangeKey, rangeOf, split, type IdRange } from './id-ranges.js'
import type { HeldIds } from './held-ids.js'
import type { MailboxStore } from './mailbox-store.js'
import { ProtocolError } from '../shared/errors.js'
import { MAILBOX_VERSION } from '../shared/protocols/ids.js'

/** The most reconciliation requests one pass sends one replica (the rest waits for the next pass). */
export const MAX_ROUNDS = 256

export interface ReconcileOutcome {
  /** Envelope ids the replica lacks: send them with `handover`. */
  wanted: string[]
  /** Tombstone ids the replica lacks: send them, signed, in an Offer. */
  wantTombstones: string[]
  wantBundle: boolean
  /** Tombstones from the replica were applied here (what is held changed). */
  changed: boolean
  rounds: number
}

export interface ReconcileInit {
  store: MailboxStore
  recipient: string
  recipientBytes: Uint8Array<ArrayBuffer>
  bundlePublishedAt: number
  now: () => number
  ask: (req: Partial<MailboxRequest>) => Promise<MailboxResponse>
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/**
 * Why a replica did not reconcile, and the holder offers by list instead: 'unsupported', it
 * predates Reconcile; 'outside', it does not count this holder among the recipient's replica
 * peers (it takes an offer by list on a deposit's terms).
 */
export type ByList = 'unsupported' | 'outside'

/** Reconcile with one replica, or say why it offers by list instead (ByList). */
export async function reconcile (o: ReconcileInit): Promise<ReconcileOutcome | ByList> {
  const held = await o.store.heldIds(o.recipient)
  const out: ReconcileOutcome = { wanted: [], wantTombstones: [], wantBundle: false, changed: false, rounds: 0 }
  const wanted = new Set<string>()
  const wantTombstones = new Set<string>()
  const walked = await walkRanges(held, async (ranges, round) => {
    const res = await o.ask({ version: MAILBOX_VERSION, reconcile: { recipient: o.recipientBytes, ranges, bundlePublishedAt: round === 0 ? o.bundlePublishedAt : 0 } })
    const answer = res.reconcile
    if (answer === undefined) {
      if (round === 0 && (res.status === MailboxStatus.MAILBOX_BAD_REQUEST || res.status === MailboxStatus.MAILBOX_OK)) return 'unsupported'
      if (round === 0 && res.status === MailboxStatus.MAILBOX_NOT_RESPONSIBLE) return 'outside'
      throw new ProtocolError(`reconcile refused: ${MailboxStatus[res.status]} ${res.detail}`)
    }
    if (answer.wantBundle) out.wantBundle = true
    // only what is held here can be wanted: an answer naming other ids costs no lookups
    for (const id of res.wanted) if (id.length === 16 && held.ids.has(id)) wanted.add(hex(id))
    for (const id of answer.wantTombstones) if (id.length === 16 && held.tombstones.has(id)) wantTombstones.add(hex(id))
    if (res.tombstones.length > 0) {
      // only the owner's signature makes these count (checked in the store)
      const removed = await o.store.applyTombstones(o.recipient, res.tombstones.map(t => ({ id: hex(t.id), expiresAt: t.expiresAt, signature: t.signature })), o.now())
      out.changed ||= removed > 0 || res.tombstones.length > 0
    }
    return answer.differ
  })
  if (typeof walked === 'string') return walked
  out.rounds = walked
  out.wanted = [...wanted]
  out.wantTombstones = [...wantTombstones]
  return out
}

/**
 * One round of a walk: ask the replica about `ranges` (round `round`, from 0), take what its answer
 * says, and return the ranges it says differ; a reason (ByList) ends the walk (a replica that
 * predates it, or one that does not reconcile with this holder).
 */
export type AskRanges<Why extends ByList = ByList> = (ranges: SyncRange[], round: number) => Promise<SyncRange[] | Why>

/**
 * The walk every reconciliation shares (envelopes and tombstones here, attachment chunks in
 * chunk-reconcile.ts): ask about the whole id space, split what differs, repeat, up to MAX_ROUNDS.
 * Returns the rounds made, or the reason the first round gave for not walking.
 */
export async function walkRanges<Why extends ByList> (held: HeldIds, ask: AskRanges<Why>): Promise<number | Why> {
  let queue: IdRange[] = [FULL_RANGE]
  let rounds = 0
  while (queue.length > 0 && rounds < MAX_ROUNDS) {
    const { batch, ranges, rest } = nextRound(held, queue)
    queue = rest
    const differ = await ask(ranges, rounds)
    if (typeof differ === 'string') return differ
    rounds++
    // split only what was asked about unlisted in this round: a garbled answer cannot grow the walk
    const unlisted = new Map(batch.filter((_, i) => ranges[i]?.listed === false).map(r => [rangeKey(r), r]))
    for (const d of differ) {
      const r = rangeOf(d.lower, d.upper)
      const asked = r === undefined ? undefined : unlisted.get(rangeKey(r))
      if (asked === undefined) continue
      unlisted.delete(rangeKey(asked))
      queue.push(...split(asked))
    }
  }
  return rounds
}

/**
 * The next round's ranges: up to MAX_RANGES and MAX_LISTED_IDS listed ids, sent in ascending
 * order (queued ranges never overlap: a range is queued only once its parent has left the queue).
 */
function nextRound (held: HeldIds, queue: IdRange[]): { batch: IdRange[], ranges: SyncRange[], rest: IdRange[] } {
  const picked: Array<{ range: IdRange, sync: SyncRange }> = []
  let listed = 0
  let i = 0
  for (; i < queue.length && picked.length < MAX_RANGES; i++) {
    const range = queue[i] as IdRange
    const sync = describe(held, range)
    const n = sync.ids.length + sync.tombstoneIds.length
    if (picked.length > 0 && listed + n > MAX_LISTED_IDS) break
    listed += n
    picked.push({ range, sync })
  }
  picked.sort((x, y) => Buffer.compare(x.range.lower, y.range.lower))
  return { batch: picked.map(p => p.range), ranges: picked.map(p => p.sync), rest: queue.slice(i) }
}

/** A range as this node holds it: the ids when few, else counts and fingerprints. */
function describe (held: HeldIds, range: IdRange): SyncRange {
  const [ia, ib] = held.ids.span(range)
  const [ta, tb] = held.tombstones.span(range)
  const base = { lower: range.lower, upper: range.upper ?? new Uint8Array() }
  if ((ib - ia) + (tb - ta) <= LEAF_IDS) {
    const ids = []
    for (let i = ia; i < ib; i++) ids.push(held.ids.at(i))
    const tombstoneIds = []
    for (let i = ta; i < tb; i++) tombstoneIds.push(held.tombstones.at(i))
    return { ...base, idsCount: ids.length, idsFingerprint: new Uint8Array(), tombstonesCount: tombstoneIds.length, tombstonesFingerprint: new Uint8Array(), listed: true, ids, tombstoneIds }
  }
  const ids = fingerprint(held.ids, ia, ib)
  const tombs = fingerprint(held.tombstones, ta, tb)
  return { ...base, idsCount: ids.count, idsFingerprint: ids.fingerprint, tombstonesCount: tombs.count, tombstonesFingerprint: tombs.fingerprint, listed: false, ids: [], tombstoneIds: [] }
}
