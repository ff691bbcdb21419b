/**
 * Gaps in a group sender's sequence numbers, as the reader sees them: each group message says how
 * many of the same sender's numbers below it (and above the previous one held) are missing. The
 * first message held from a sender is not flagged: we may have joined after its earlier ones.
 */
import type { InboxMessage } from '../inbox.js'

export function withGaps<T extends InboxMessage> (messages: T[]): Array<T & { gapBefore?: number }> {
  const bySender = new Map<string, T[]>()
  for (const m of messages) {
    if (m.group === undefined) continue
    const key = `${m.group.id}/${m.from}`
    bySender.set(key, [...(bySender.get(key) ?? []), m])
  }
  const gaps = new Map<T, number>()
  for (const list of bySender.values()) {
    const sorted = [...list].sort((a, b) => a.seq - b.seq)
    for (let i = 1; i < sorted.length; i++) {
      const missing = (sorted[i] as T).seq - (sorted[i - 1] as T).seq - 1
      if (missing > 0) gaps.set(sorted[i] as T, missing)
    }
  }
  return messages.map(m => gaps.has(m) ? { ...m, gapBefore: gaps.get(m) as number } : m)
}
