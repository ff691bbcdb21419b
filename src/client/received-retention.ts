/**
 * Which received messages a retention cap (delivery.receivedPerConversation) lets go: per
 * conversation, all but the newest `cap`. A conversation is what `cairn delete NAME|@GROUP` takes
 * (message-deletion.ts): a contact's 1:1 messages (its PeerId, no group), or a group's messages from
 * any member (the group's id). "Newest" is the inbox's order (inbox.ts listInbox: the sender's
 * clock, then its number), the order `inbox` and `chat` show, so what goes is what the user sees at
 * the top of the conversation. No index: the daily pass (client.ts pruneIfDue) reads the whole inbox
 * anyway, and this is one walk over it (docs/DECISIONS.md "Received messages kept per conversation").
 */
import type { InboxMessage } from './inbox.js'

/** The conversation a received message is in: its group, or (a 1:1 message) its sender. */
export function conversationOf (m: Pick<InboxMessage, 'from' | 'group'>): string {
  return m.group === undefined ? `peer/${m.from}` : `group/${m.group.id}`
}

export interface PastCap {
  /** The messages to delete, oldest first. */
  messages: InboxMessage[]
  /** How many conversations they come from. */
  conversations: number
}

/** Of `inbox` (oldest first, as listInbox gives it), the messages older than their conversation's newest `cap`; 0: none. */
export function pastCap (inbox: InboxMessage[], cap: number): PastCap {
  if (cap <= 0) return { messages: [], conversations: 0 }
  const keys = inbox.map(conversationOf)
  const counts = new Map<string, number>()
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1)
  // each conversation's oldest (count - cap) go: the first that many of it in the inbox's order
  const excess = new Map([...counts].flatMap(([k, n]) => n > cap ? [[k, n - cap] as const] : []))
  const conversations = excess.size
  const messages: InboxMessage[] = []
  if (conversations === 0) return { messages, conversations }
  inbox.forEach((m, i) => {
    const k = keys[i] as string
    const left = excess.get(k) ?? 0
    if (left === 0) return
    messages.push(m)
    excess.set(k, left - 1)
  })
  return { messages, conversations }
}
