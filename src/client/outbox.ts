/**
 * The durable outbox: every message is here from the moment `send` accepts it until a recipient or
 * a mailbox acknowledged it. A message whose recipient could not be reached for a prekey bundle is
 * kept as plaintext (in the 0600 store) and sealed once a session can start.
 */
import { Envelope } from '../../proto/cairn.js'
import type { Store, StoreOp } from '../shared/store.js'
import { dec, enc, type Kv } from './crypto/kv.js'
import { NAMESPACES } from '../shared/namespaces.js'
import type { SendResult } from './delivery.js'

export interface OutboxEntry {
  id: string
  to: string
  createdAt: number
  attempts: number
  /** The encoded Envelope, once sealed. */
  envelope?: string
  /**
   * A 1:1 envelope's ratchet message (base64, SealedSession.seal's `inner`) and when the sender
   * certificate it was sealed under expires: an entry that waits until the certificate would not
   * outlive its envelope is sealed again (needsNewSeal).
   */
  inner?: string
  certExpires?: number
  /** The text, while no session could be started. */
  text?: string
  /** An attachment's descriptor (base64 of the encoded Attachment) sent with the text, until sealed. */
  attachment?: string
  /** Any other body (groups), base64 of a Content holding only it, while no session could be started. */
  body?: string
  /**
   * A sealed sender v2 group part's 1:1 copy (a body, as `body`): sent instead when the part did
   * not go at once or its recipient refused it (a part never waits: docs/DECISIONS.md).
   */
  fallback?: string
  lastError?: string
  /** Why it could not be sealed, while unsealed (WaitReason: `keys` or `identity`). */
  waiting?: Exclude<WaitReason, 'route'>
  /** The sent message (its id in the delivery log) this entry carries to `to`: a 1:1 message's own id, a group message's id. */
  tracks?: string
  /**
   * The id its Content carries, when not the entry's own: a member's copy of a file sent to a group
   * (attachments/index.ts sendToGroup), whose receipts name it (delivery-log.ts `copies`).
   */
  messageId?: string
  /** A receipt (messaging/receipts.ts): not counted among the messages a flush sent. */
  receipt?: true
}

/**
 * Why a message waits in the outbox: `keys`, no session with the recipient and the mailboxes had no
 * prekey bundle of theirs to start one (sealed and sent once one is found); `identity`, the
 * recipient's identity key changed and the change is not accepted (`cairn contact accept`);
 * `route`, sealed, but every route tried failed it (the recipient unreachable, and no mailbox
 * stored it).
 */
export type WaitReason = 'keys' | 'identity' | 'route'

/**
 * Why `e` waits: why it could not be sealed (`waiting`, set by the sender), else whether a route
 * failed it (its `lastError`; a group part's 1:1 copy, unsealed after a route failed the part, is
 * such a one). Undefined when nothing has said yet (no network, nothing tried: a line typed in
 * `chat` before it is up), and for receipts.
 */
export function waitReason (e: OutboxEntry): WaitReason | undefined {
  if (e.receipt === true) return undefined
  if (e.envelope === undefined && e.waiting !== undefined) return e.waiting
  return e.lastError !== undefined && e.lastError !== '' ? 'route' : undefined
}

/** The result for an entry that stays in the outbox, saying why. */
export function keptResult (e: OutboxEntry): SendResult {
  const waiting = waitReason(e)
  return { id: e.id, route: 'outbox', ...(waiting === undefined ? {} : { waiting }) }
}

/** An envelope with less than this left before its expiry is given a new one before it goes out. */
export const EXPIRY_MARGIN_MS = 60 * 60_000

/**
 * The sealed entry's envelope as it goes out now. A message waits in the outbox for as long as it
 * takes (a sender offline for weeks still wants it delivered), but an envelope whose expiry has
 * passed is refused by every holder and by the recipient: so one that has (or nearly has) gets a
 * new expiry, `ttlMs` from now. The expiry is the holders' business — bound neither into the
 * envelope id nor into the ciphertext, so anyone relaying it can change it, and what stops a
 * replay is the ratchet and the recipient's seen records — so the sealed bytes and the id stay.
 */
export function envelopeToSend (e: OutboxEntry, now: number, ttlMs: number): Envelope {
  const envelope = Envelope.decode(Buffer.from(e.envelope as string, 'base64'))
  return envelope.expiresAt - now >= EXPIRY_MARGIN_MS ? envelope : { ...envelope, expiresAt: now + ttlMs }
}

/**
 * Whether `e`'s envelope must be sealed again before it goes: its sender certificate could expire
 * before an envelope leaving now (with a new expiry, envelopeToSend) does, and the recipient opens
 * nothing under an expired certificate (a mailbox would hold it, the recipient would refuse it).
 * Only mail that waited in the outbox for weeks: a fresh seal's certificate outlives the mail TTL.
 */
export function needsNewSeal (e: OutboxEntry, now: number, ttlMs: number): boolean {
  return e.envelope !== undefined && e.inner !== undefined && e.certExpires !== undefined && e.certExpires < now + ttlMs + EXPIRY_MARGIN_MS
}

const entryKey = (e: Pick<OutboxEntry, 'createdAt' | 'id'>): string => `${NAMESPACES.outbox}${e.createdAt.toString().padStart(15, '0')}-${e.id}`

export function putOutbox (kv: Kv, e: OutboxEntry): void {
  kv.put(entryKey(e), enc.encode(JSON.stringify(e)))
}

/**
 * Remove entries a route took (delivered, or stored at replicas that answered after their fsync),
 * in one write that does not wait for the disk: a crash that loses it sends them again, and the
 * recipient drops a copy it has by id (Store.write, `durable: false`).
 */
export async function removeDelivered (store: Store, entries: OutboxEntry[]): Promise<void> {
  await store.write(deliveredOps(entries), { durable: false })
}

/** The deletes removeDelivered writes, for a caller that writes them with its own (same rule: not durable). */
export function deliveredOps (entries: OutboxEntry[]): StoreOp[] {
  return entries.map(e => ({ type: 'del' as const, key: entryKey(e) }))
}

/**
 * `e` (a sealed sender v2 part) made its 1:1 copy, unsealed: the next seal step seals it on the
 * pairwise session (its distribution message opens it where the part could not be). Once only.
 */
export function asCopy (e: OutboxEntry): void {
  if (e.fallback === undefined) return
  e.body = e.fallback
  delete e.fallback
  delete e.envelope
}

export async function listOutbox (store: Store): Promise<OutboxEntry[]> {
  const out: OutboxEntry[] = []
  for await (const { value } of store.list(NAMESPACES.outbox)) out.push(JSON.parse(dec.decode(value)) as OutboxEntry)
  return out
}
