/**
 * Received messages, kept in the store once decrypted, and what was already seen, so a replayed or
 * re-delivered envelope is acknowledged again but never shown twice. Two records: the envelope id
 * (bound to the envelope's bytes, so only an exact copy matches) and the message id scoped by its
 * sender (so one sender's ids can never shadow another's).
 */
import type { Store, StoreOp } from '../shared/store.js'
import { CERT_LIFETIME } from './crypto/sealed-session.js'
import type { AttachmentSummary } from './attachments/descriptor.js'
import { dec, enc, type Kv } from './crypto/kv.js'
import { NAMESPACES } from '../shared/namespaces.js'

/** How a message reached us: the direct protocol, a mailbox, or a group's gossip topic. */
export type Route = 'direct' | 'mailbox' | 'gossip'

export interface InboxMessage {
  id: string
  from: string
  text: string
  sentAt: number
  seq: number
  receivedAt: number
  route: Route
  /** A file sent with the message (its text is the caption); fetched and saved apart (attachments/). */
  attachment?: AttachmentSummary
  /** Set for a group message: the group's id and its name when received. */
  group?: { id: string, name: string }
  /**
   * A file sent to a group (its id, and the membership heads its sender named) whose group or heads
   * were not here when it came (a change still on its way): shown as the sender's own message
   * until they are, then in the group if its sender is a member (messaging/group-claims.ts).
   */
  groupClaim?: { id: string, heads: string[] }
}

/**
 * How long the seen records are kept. A copy of a message handled longer ago than this cannot be
 * opened again: a copy of the same sealed bytes carries a sender certificate that expired within
 * CERT_LIFETIME of its sealing, and its ratchet key was used up anyway; a fresh seal of the same
 * message id (a resend of an outbox entry or a group copy) is made within the mail TTL of the
 * first. So after this they only cost disk (docs/DECISIONS.md "Seen records are kept 60 days").
 */
export const SEEN_KEPT_MS = CERT_LIFETIME

/** The digits of a short id, as `inbox` shows it: also the fewest a typed prefix may have (message-ids.ts), and the index by id's first segment. */
export const SHORT_ID_DIGITS = 8
const seenKey = (envelopeIdHex: string): string => `${NAMESPACES.seen}${envelopeIdHex}`
const seenMessageKey = (sender: string, messageIdHex: string): string => `${NAMESPACES.seenMessage}${sender}/${messageIdHex}`
const messageKey = (m: Pick<InboxMessage, 'receivedAt' | 'from' | 'id'>): string => `${NAMESPACES.inbox}${m.receivedAt.toString().padStart(15, '0')}-${m.from}-${m.id}`
/**
 * A message's entry in the index by id. Its first segment is the id's first SHORT_ID_DIGITS, so a
 * prefix as a person types it (that many digits or more) lists one small range, even in an encrypted data
 * dir, where only whole segments keep a range (at-rest/key-cipher.ts).
 */
const byIdPrefix = (idPrefix: string): string => `${NAMESPACES.inboxById}${idPrefix.slice(0, SHORT_ID_DIGITS)}/${idPrefix}`
const byIdKey = (m: Pick<InboxMessage, 'from' | 'id'>): string => `${byIdPrefix(m.id)}/${m.from}`
/** A message's index entry: its key, and when it was received (which names its inbox record). */
const byIdEntry = (m: InboxMessage): { type: 'put', key: string, value: Uint8Array } => ({ type: 'put', key: byIdKey(m), value: enc.encode(m.receivedAt.toString()) })
/** Set once every message stored before the index existed has its entry (indexInbox). */
const INDEXED_KEY = `${NAMESPACES.meta}inbox-id-indexed`

/** Whether this exact envelope was handled already. */
export async function alreadySeen (kv: Pick<Kv, 'get'>, envelopeIdHex: string): Promise<boolean> {
  return (await kv.get(seenKey(envelopeIdHex))) !== undefined
}

/** Which of these envelopes were handled already, in one read of the store. */
export async function seenAmong (kv: Pick<Kv, 'getMany'>, envelopeIdsHex: string[]): Promise<boolean[]> {
  return (await kv.getMany(envelopeIdsHex.map(seenKey))).map(v => v !== undefined)
}

/** The keys `alreadySeen` reads for these envelopes (for a transaction to read them ahead in one trip). */
export function seenKeys (envelopeIdsHex: string[]): string[] {
  return envelopeIdsHex.map(seenKey)
}

/** Whether `sender` already delivered a message with this id (under any envelope). */
export async function messageSeen (kv: Pick<Kv, 'get'>, sender: string, messageIdHex: string): Promise<boolean> {
  return (await kv.get(seenMessageKey(sender, messageIdHex))) !== undefined
}

/** Remember an envelope as handled (a stale copy arriving later is a duplicate, not re-opened). */
export function recordSeen (kv: Kv, envelopeIdHex: string, at: number): void {
  kv.put(seenKey(envelopeIdHex), enc.encode(at.toString()))
}

/** Remember a sender's message id as handled, and the envelope that carried it. */
export function recordSeenMessage (kv: Kv, sender: string, messageIdHex: string, envelopeIdHex: string, at: number): void {
  recordSeen(kv, envelopeIdHex, at)
  kv.put(seenMessageKey(sender, messageIdHex), enc.encode(at.toString()))
}

export function recordMessage (kv: Kv, m: InboxMessage, envelopeIdHex: string): void {
  recordSeenMessage(kv, m.from, m.id, envelopeIdHex, m.receivedAt)
  kv.put(messageKey(m), enc.encode(JSON.stringify(m)))
  const entry = byIdEntry(m)
  kv.put(entry.key, entry.value)
  if (m.groupClaim !== undefined) kv.put(claimKey(m.groupClaim.id, m), enc.encode(m.receivedAt.toString()))
}

const claimKey = (gid: string, m: Pick<InboxMessage, 'from' | 'id'>): string => `${NAMESPACES.groupClaim}${gid}/${m.from}/${m.id}`

/**
 * The received files that wait for a change of group `gid` (groupClaim), their records read in
 * `kv` (the receive's transaction, under its lock: a message deleted meanwhile is not brought
 * back); a claim whose message is gone goes.
 */
export async function claimedMessages (store: Store, kv: Kv, gid: string): Promise<InboxMessage[]> {
  const claims: Array<{ claim: string, record: string }> = []
  for await (const { key, value } of store.list(`${NAMESPACES.groupClaim}${gid}/`)) {
    const [, from, id] = key.slice(NAMESPACES.groupClaim.length).split('/')
    if (from !== undefined && id !== undefined) claims.push({ claim: key, record: messageKey({ receivedAt: Number(dec.decode(value)), from, id }) })
  }
  if (claims.length === 0) return []
  const out: InboxMessage[] = []
  const values = await kv.getMany(claims.map(c => c.record))
  values.forEach((v, i) => {
    if (v !== undefined) out.push(JSON.parse(dec.decode(v)) as InboxMessage)
    else kv.delete(claims[i]?.claim as string)
  })
  return out
}

/** `m`'s claim settled (in `kv`): shown in `group` from now on, or (undefined) kept as its sender's own message and no longer looked at. */
export function settleClaim (kv: Kv, m: InboxMessage, group: { id: string, name: string } | undefined): void {
  if (m.groupClaim === undefined) return
  kv.delete(claimKey(m.groupClaim.id, m))
  delete m.groupClaim
  if (group !== undefined) m.group = group
  kv.put(messageKey(m), enc.encode(JSON.stringify(m)))
}

/** A deleted group message's place in its sender's sequence: held, for the gap count (groups/gaps.ts). */
export interface DeletedSeq { group: string, from: string, seq: number }

/**
 * A received message's place in its sender's sequence in its group: a group message's. None for a
 * 1:1 message, nor for a file sent to a group, which comes in its sender's 1:1 message (a group
 * message carries no file: attachments/index.ts sendToGroup) and whose `seq` numbers that
 * conversation, not the group's.
 */
export function groupSeqOf (m: InboxMessage): DeletedSeq | undefined {
  return m.group === undefined || m.attachment !== undefined ? undefined : { group: m.group.id, from: m.from, seq: m.seq }
}

const deletedKey = (d: DeletedSeq): string => `${NAMESPACES.inboxDeleted}${d.group}/${d.from}/${String(d.seq).padStart(16, '0')}`

/**
 * What deletes received message `m` from the inbox: its record. Its seen records stay, so a copy
 * that arrives again (another replica's, a resend) is still dropped as a duplicate; a group
 * message leaves its sender's sequence number behind where a gap count may need it, so the next
 * one shows no false gap (deletedSeqOps; deleted-seqs.ts; docs/DECISIONS.md "Deleting messages").
 */
export function deleteMessageOps (m: InboxMessage): StoreOp[] {
  return [{ type: 'del', key: messageKey(m) }, { type: 'del', key: byIdKey(m) }, ...(m.groupClaim === undefined ? [] : [{ type: 'del' as const, key: claimKey(m.groupClaim.id, m) }])]
}

/** The writes that record the deleted numbers `put` (value: `at`, when) and forget `del`. */
export function deletedSeqOps (put: DeletedSeq[], del: DeletedSeq[], at: number): StoreOp[] {
  return [
    ...put.map(d => ({ type: 'put' as const, key: deletedKey(d), value: enc.encode(at.toString()) })),
    ...del.map(d => ({ type: 'del' as const, key: deletedKey(d) }))
  ]
}

/** Every deleted group message's sender and sequence number (under `prefix`: one group's, one sender's). */
export async function listDeletedSeqs (store: Store, prefix: string = NAMESPACES.inboxDeleted): Promise<DeletedSeq[]> {
  const out: DeletedSeq[] = []
  for await (const key of store.listKeys(prefix)) {
    const [group, from, seq] = key.slice(NAMESPACES.inboxDeleted.length).split('/')
    if (group !== undefined && from !== undefined && seq !== undefined) out.push({ group, from, seq: Number(seq) })
  }
  return out
}

/** All received messages, oldest first: by the sender's clock, then its per-conversation number. */
export async function listInbox (store: Store): Promise<InboxMessage[]> {
  const out: InboxMessage[] = []
  for await (const { value } of store.list(NAMESPACES.inbox)) out.push(JSON.parse(dec.decode(value)) as InboxMessage)
  return out.sort(inboxOrder)
}

function inboxOrder (a: InboxMessage, b: InboxMessage): number {
  return a.sentAt - b.sentAt || (a.from === b.from ? a.seq - b.seq : a.receivedAt - b.receivedAt)
}

/**
 * The received messages whose id starts with `idPrefix` (lower-case hex, at least 8 digits; the
 * whole id: those with this very id, one per sender that chose it), in listInbox's order. Reads
 * their index entries and their records only, whatever the inbox holds.
 */
export async function findReceived (store: Store, idPrefix: string): Promise<InboxMessage[]> {
  const keys: string[] = []
  for await (const { key, value } of store.list(byIdPrefix(idPrefix))) {
    const [, id, from] = key.slice(NAMESPACES.inboxById.length).split('/')
    if (id !== undefined && from !== undefined) keys.push(messageKey({ receivedAt: Number(dec.decode(value)), from, id }))
  }
  if (keys.length === 0) return []
  const out: InboxMessage[] = []
  for (const v of await store.getMany(keys)) if (v !== undefined) out.push(JSON.parse(dec.decode(v)) as InboxMessage)
  return out.sort(inboxOrder)
}

/**
 * Give every message stored before the index by id existed its entry, once per store (a client's
 * open): later ones get theirs with the message (recordMessage).
 */
export async function indexInbox (store: Store): Promise<number> {
  if (await store.get(INDEXED_KEY) !== undefined) return 0
  let n = 0
  let ops: StoreOp[] = []
  for await (const { value } of store.list(NAMESPACES.inbox)) {
    const m = JSON.parse(dec.decode(value)) as InboxMessage
    ops.push(byIdEntry(m))
    if (ops.length >= 1024) { await store.write(ops); n += ops.length; ops = [] }
  }
  n += ops.length
  await store.write([...ops, { type: 'put', key: INDEXED_KEY, value: enc.encode('1') }])
  return n
}

/** Delete the seen records (envelope ids and message ids) recorded before `before`; returns how many went. */
export async function pruneSeen (store: Store, before: number): Promise<number> {
  let n = 0
  for (const prefix of [NAMESPACES.seen, NAMESPACES.seenMessage]) {
    let ops: Array<{ type: 'del', key: string }> = []
    for await (const { key, value } of store.list(prefix)) {
      if (Number(dec.decode(value)) >= before) continue
      ops.push({ type: 'del', key })
      if (ops.length >= 1024) { await store.write(ops, { durable: false }); n += ops.length; ops = [] }
    }
    if (ops.length > 0) { await store.write(ops, { durable: false }); n += ops.length }
  }
  return n
}
