/**
 * Received messages, kept in the store once decrypted, and the ids already seen (so a replayed or
 * re-delivered envelope is acknowledged again but never shown twice).
 */
import type { Store } from '../shared/store.js'
import { dec, enc, type Kv } from './crypto/kv.js'

export type Route = 'direct' | 'mailbox'

export interface InboxMessage {
  id: string
  from: string
  text: string
  sentAt: number
  seq: number
  receivedAt: number
  route: Route
}

const seenKey = (idHex: string): string => `/cairn/seen/${idHex}`
const messageKey = (m: InboxMessage): string => `/cairn/inbox/${m.receivedAt.toString().padStart(15, '0')}-${m.id}`

export async function alreadySeen (kv: Pick<Kv, 'get'>, idHex: string): Promise<boolean> {
  return (await kv.get(seenKey(idHex))) !== undefined
}

/** Remember an envelope id as handled (a stale copy arriving later is a duplicate, not re-opened). */
export function recordSeen (kv: Kv, idHex: string, at: number): void {
  kv.put(seenKey(idHex), enc.encode(at.toString()))
}

export function recordMessage (kv: Kv, m: InboxMessage): void {
  recordSeen(kv, m.id, m.receivedAt)
  kv.put(messageKey(m), enc.encode(JSON.stringify(m)))
}

/** All received messages, oldest first: by the sender's clock, then its per-conversation number. */
export async function listInbox (store: Store): Promise<InboxMessage[]> {
  const out: InboxMessage[] = []
  for await (const { value } of store.list('/cairn/inbox/')) out.push(JSON.parse(dec.decode(value)) as InboxMessage)
  return out.sort((a, b) => a.sentAt - b.sentAt || (a.from === b.from ? a.seq - b.seq : a.receivedAt - b.receivedAt))
}
