/**
 * The lost numbers' records (group-store.ts `lostSeq`: per group and sender, the lowest number of
 * a parked message dropped unshown) are kept only while they can still tell the reader something
 * (gaps.ts), within a bound per group like the parking's. docs/DECISIONS.md, "Lost numbers are
 * pruned". At the periodic pass (and at once when we leave), a record goes:
 * - when we are no longer a member of its group (left, removed, or a group we never learned);
 * - when its sender is no longer a member, a horizon after it went (its last messages in flight
 *   may still be shown meanwhile, and counted from the lost number), or, for a sender never a
 *   member (its messages waited for an add), a horizon after the loss;
 * - a horizon after the gap was shown: the pass that first finds a message of the sender's shown
 *   above the lost number stamps the record, and a later pass past the horizon drops it (the
 *   reader has had the mail TTL and a day to see it);
 * - past MAX_LOST_PER_GROUP in a group: the oldest losses first.
 * A sender's numbers never restart: the count is kept over a new chain (group-send.ts) and over
 * leaving and coming back (group-prune.ts), so no rule is needed for a restart. (A client that
 * lost its store starts again from 1: not told apart, its old record goes by the rules above.)
 */
import type { Store } from '../../shared/store.js'
import type { Kv } from '../crypto/kv.js'
import { groupKeys, lastSeqShown, lostSeqRecord, putLostSeq } from './group-store.js'
import { MAX_PARKED_PER_GROUP } from './parking.js'

/** Lost numbers' records kept per group (one per sender at most): as many as messages parked. */
export const MAX_LOST_PER_GROUP = MAX_PARKED_PER_GROUP

export interface LostPruneInput {
  store: Store
  me: string
  /** Records whose gap was shown before this (clock ms) go; a departed sender's too. */
  cutoff: number
  /** The clock now: when a gap is first found shown. */
  now: number
  /** The group's members now (undefined: a group we never learned). */
  members: string[] | undefined
  /** When `sender` was removed or left (its author's time; 0 when none says). */
  departedAt: (sender: string) => Promise<number>
}

/** One group's records, pruned (and stamped) in `tx`. Returns how many went. */
export async function pruneLostSeqs (input: LostPruneInput, tx: Kv, gid: string): Promise<number> {
  const { store, me, cutoff, now, members } = input
  const prefix = `${groupKeys.lostSeqPrefix}${gid}/`
  const kept: Array<{ key: string, at: number }> = []
  let n = 0
  for await (const { key, value } of store.list(prefix)) {
    const sender = key.slice(prefix.length)
    const r = lostSeqRecord(value)
    let drop = members === undefined || !members.includes(me)
    // a sender never a member (its messages waited for an add) has a horizon from its loss to become one
    if (!drop && !(members as string[]).includes(sender)) drop = Math.max(await input.departedAt(sender), r.at || now) < cutoff
    if (!drop && r.shownAt === undefined && await lastSeqShown(store, gid, sender) > r.seq) {
      putLostSeq(tx, gid, sender, { ...r, at: r.at || now, shownAt: now }) // the gap is on the reader's screen from now
    } else if (!drop && r.at === 0) {
      putLostSeq(tx, gid, sender, { ...r, at: now }) // written before records had a time: its horizon starts now
    } else if (!drop && r.shownAt !== undefined) drop = r.shownAt < cutoff
    if (drop) { tx.delete(key); n++ } else kept.push({ key, at: r.at || now })
  }
  // the bound: a group whose senders lost more than that keeps the latest losses
  if (kept.length > MAX_LOST_PER_GROUP) {
    for (const { key } of kept.sort((a, b) => a.at - b.at).slice(0, kept.length - MAX_LOST_PER_GROUP)) { tx.delete(key); n++ }
  }
  return n
}
