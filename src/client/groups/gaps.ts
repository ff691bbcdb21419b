/**
 * Gaps in a group sender's sequence numbers, as the reader sees them: each group message says how
 * many of the same sender's numbers below it (and above the previous one held) are missing. The
 * first message held from a sender is not flagged: we may have joined after its earlier ones. A
 * message the reader deleted still counts as held (its number is kept: inbox.ts DeletedSeq), so
 * deleting one never shows a gap before the sender's next.
 */
import type { DeletedSeq, InboxMessage } from '../inbox.js'

export function withGaps<T extends InboxMessage> (messages: T[], deleted: DeletedSeq[] = []): Array<T & { gapBefore?: number }> {
  const held = new Map<string, number[]>()
  const hold = (key: string, seq: number): void => {
    const seqs = held.get(key)
    if (seqs === undefined) held.set(key, [seq])
    else seqs.push(seq)
  }
  for (const m of messages) if (m.group !== undefined) hold(`${m.group.id}/${m.from}`, m.seq)
  for (const d of deleted) hold(`${d.group}/${d.from}`, d.seq)
  // per sender: each held number → the one held before it
  const previous = new Map<string, Map<number, number>>()
  for (const [key, seqs] of held) {
    const sorted = [...new Set(seqs)].sort((a, b) => a - b)
    previous.set(key, new Map(sorted.slice(1).map((s, i) => [s, sorted[i] as number])))
  }
  return messages.map(m => {
    if (m.group === undefined) return m
    const before = previous.get(`${m.group.id}/${m.from}`)?.get(m.seq)
    const missing = before === undefined ? 0 : m.seq - before - 1
    return missing > 0 ? { ...m, gapBefore: missing } : m
  })
}
