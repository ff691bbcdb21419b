/**
 * Keeping the deleted group messages' sequence numbers (inbox.ts DeletedSeq) to the ones that can
 * still change a gap count (groups/gaps.ts withGaps). withGaps compares each group message with the
 * highest number below it that its sender's group history holds, a message or a deleted number.
 * So, per (group, sender), a deleted number `d` is read only as such a "number below": by the held
 * message just above it, by a message still to come above everything (d is the highest), or by one
 * that comes late into a hole just above d (a 1:1 copy after later gossip: d + 1 is missing). A
 * deleted number followed directly by another deleted one (d + 1 deleted) is never the nearest
 * number below anything, now or later: it goes, with no change to what the reader sees. What stays
 * is at most one per held message, one per hole, and one per sender (docs/DECISIONS.md "Deleting
 * messages").
 *
 * In a group this user is no longer in, nothing more comes: only the numbers just below held
 * messages stay, and none once the group's messages are all deleted.
 */
import { NAMESPACES } from '../shared/namespaces.js'
import type { Store, StoreOp } from '../shared/store.js'
import { deletedSeqOps, groupSeqOf, listDeletedSeqs, type DeletedSeq, type InboxMessage } from './inbox.js'

/** A group message held in the inbox, as far as the gap count looks at it. */
type Held = Pick<DeletedSeq, 'group' | 'from' | 'seq'>

const senderKey = (d: Held): string => `${d.group}/${d.from}`

/**
 * Of `deleted`, the numbers that no gap count can read, given the group messages `held` (for the
 * same senders; others are ignored) and whether this user is still in each group.
 */
export function redundantDeletedSeqs (held: Iterable<Held>, deleted: DeletedSeq[], member: (group: string) => boolean): DeletedSeq[] {
  const bySender = new Map<string, { deleted: Set<number>, held: Set<number> }>()
  for (const d of deleted) {
    const k = senderKey(d)
    let seqs = bySender.get(k)
    if (seqs === undefined) bySender.set(k, seqs = { deleted: new Set(), held: new Set() })
    seqs.deleted.add(d.seq)
  }
  for (const h of held) bySender.get(senderKey(h))?.held.add(h.seq)
  const out: DeletedSeq[] = []
  for (const [k, seqs] of bySender) {
    const sorted = [...new Set([...seqs.deleted, ...seqs.held])].sort((a, b) => a - b)
    const slash = k.indexOf('/')
    const group = k.slice(0, slash)
    const from = k.slice(slash + 1)
    const stillIn = member(group)
    sorted.forEach((seq, i) => {
      if (!seqs.deleted.has(seq)) return
      const next = sorted[i + 1]
      // held as well (a copy recorded again after the delete): the message itself says it
      const redundant = seqs.held.has(seq)
        ? true
        : next !== undefined && seqs.held.has(next)
          ? false // the number below a held message
          : !(stillIn && (next === undefined || next > seq + 1)) // the highest, or below a hole, while more can come
      if (redundant) out.push({ group, from, seq })
    })
  }
  return out
}

/** The deleted numbers recorded for one sender in one group. */
export async function deletedSeqsOf (store: Store, group: string, from: string): Promise<DeletedSeq[]> {
  return (await listDeletedSeqs(store, `${NAMESPACES.inboxDeleted}${group}/${from}/`)).filter(d => d.group === group && d.from === from)
}

/**
 * The writes that record the deletion of `deleting` (received group messages, about to leave the
 * inbox in the same batch) and drop the numbers that become redundant for their senders. `held`:
 * the inbox's group messages after the batch (those of the senders touched suffice); `recorded`:
 * the numbers already in the store for those senders. A new number that would be redundant at
 * once is not written at all.
 */
export function deletionSeqOps (deleting: InboxMessage[], held: Held[], recorded: DeletedSeq[], member: (group: string) => boolean, at: number): StoreOp[] {
  const id = (d: Held): string => `${senderKey(d)}/${d.seq}`
  const known = new Set(recorded.map(id))
  const fresh = deleting.flatMap(m => groupSeqOf(m) ?? []).filter(d => !known.has(id(d)))
  const redundant = new Set(redundantDeletedSeqs(held, [...recorded, ...fresh], member).map(id))
  return deletedSeqOps(fresh.filter(d => !redundant.has(id(d))), recorded.filter(d => redundant.has(id(d))), at)
}

/**
 * The periodic pass (and a group's, when this user leaves it): every redundant number goes, given
 * the whole inbox. Returns how many went.
 */
export async function pruneDeletedSeqs (store: Store, inbox: InboxMessage[], member: (group: string) => Promise<boolean>, group?: string): Promise<number> {
  const deleted = await listDeletedSeqs(store, group === undefined ? NAMESPACES.inboxDeleted : `${NAMESPACES.inboxDeleted}${group}/`)
  if (deleted.length === 0) return 0
  const groups = new Map<string, boolean>()
  for (const d of deleted) if (!groups.has(d.group)) groups.set(d.group, await member(d.group))
  const held = inbox.flatMap(m => groupSeqOf(m) ?? [])
  const redundant = redundantDeletedSeqs(held, deleted, g => groups.get(g) === true)
  for (let i = 0; i < redundant.length; i += 1024) await store.write(deletedSeqOps([], redundant.slice(i, i + 1024), 0), { durable: false })
  return redundant.length
}
