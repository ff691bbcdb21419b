/**
 * Gaps in a group sender's sequence numbers, as the reader sees them: each group message says how
 * many of the same sender's numbers below it (and above the previous one held) are missing. The
 * first message held from a sender is not flagged: we may have joined after its earlier ones. A
 * message the reader deleted still counts as held (its number is kept: inbox.ts DeletedSeq), so
 * deleting one never shows a gap before the sender's next.
 */
import { groupSeqOf, type DeletedSeq, type InboxMessage } from '../inbox.js'
import type { LostSeq } from './group-store.js'

/**
 * `lost`: per sender, the lowest number of a message parked here and dropped unshown (parking.ts).
 * It proves we were there from that number on: the first message held above it is flagged with
 * the numbers missing from it (it is not the sender's first one here), where it would otherwise
 * show none.
 */
export function withGaps<T extends InboxMessage> (messages: T[], deleted: DeletedSeq[] = [], lost: LostSeq[] = []): Array<T & { gapBefore?: number }> {
  const held = new Map<string, number[]>()
  const hold = (key: string, seq: number): void => {
    const seqs = held.get(key)
    if (seqs === undefined) held.set(key, [seq])
    else seqs.push(seq)
  }
  for (const m of messages) { const s = groupSeqOf(m); if (s !== undefined) hold(`${s.group}/${s.from}`, s.seq) }
  for (const d of deleted) hold(`${d.group}/${d.from}`, d.seq)
  // per sender: each held number → the one held before it
  const previous = new Map<string, Map<number, number>>()
  for (const [key, seqs] of held) {
    const sorted = [...new Set(seqs)].sort((a, b) => a - b)
    previous.set(key, new Map(sorted.slice(1).map((s, i) => [s, sorted[i] as number])))
  }
  const lowestLost = new Map(lost.map(l => [`${l.group}/${l.from}`, l.seq]))
  return messages.map(m => {
    const s = groupSeqOf(m)
    if (s === undefined) return m
    const key = `${s.group}/${s.from}`
    const before = previous.get(key)?.get(m.seq)
    // none held below (the sender's first here): flagged only when a lost number lies below it
    const lostFrom = before === undefined ? lowestLost.get(key) : undefined
    const missing = before !== undefined ? m.seq - before - 1 : lostFrom !== undefined && lostFrom < m.seq ? m.seq - lostFrom : 0
    return missing > 0 ? { ...m, gapBefore: missing } : m
  })
}
