/**
 * Deleting messages, received and sent (`cairn delete`). A received message loses its inbox record
 * and, with it, a received file's record (the file's key), chunk records and chunk file; a sent one
 * loses its delivery-log record. What stays: the seen records (a copy arriving again from another
 * mailbox replica or a resend is still a duplicate, never shown again) and a deleted group
 * message's sequence number where a gap count can read it (no false gap before its sender's next;
 * the ones no count can read go in the same batch: deleted-seqs.ts). Each message goes in one
 * synced write; then the ranges are compacted, so that LevelDB's files no longer hold the deleted
 * values (docs/DECISIONS.md "Deleting messages").
 */
import type { Clock } from '../shared/clock.js'
import { InvalidInputError } from '../shared/errors.js'
import type { Logger } from '../shared/logger.js'
import { NAMESPACES } from '../shared/namespaces.js'
import type { Store, StoreOp } from '../shared/store.js'
import type { Attachments } from './attachments/index.js'
import type { Contacts } from './contacts.js'
import type { Groups } from './groups/index.js'
import { deletedSeqsOf, deletionSeqOps } from './deleted-seqs.js'
import { deleteMessageOps, groupSeqOf, type DeletedSeq, type InboxMessage } from './inbox.js'
import { resolveMessageIds } from './message-ids.js'
import type { Messenger } from './messenger.js'
import { pastCap } from './received-retention.js'

export interface DeletedMessage {
  id: string
  /** A message we sent (its delivery-log record), or one we received (its inbox record). */
  outgoing: boolean
}

export interface DeleteResult {
  deleted: DeletedMessage[]
  count: number
}

/** What a retention pass deleted, and the inbox it left. */
export interface TrimResult {
  /** Received messages deleted. */
  count: number
  /** Conversations they were deleted from. */
  conversations: number
  /** `inbox` less what was deleted (the messages kept, in the same order). */
  kept: InboxMessage[]
}

export interface MessageDeletionComponents {
  store: Store
  messenger: Messenger
  contacts: Contacts
  groups: Groups
  attachments: Attachments
  clock: Clock
  log: Logger
}

/** Messages written per store write: each whole in one, so each is deleted atomically. */
const MESSAGES_PER_WRITE = 256
/** What a deletion rewrites: compacted after it (the outbox's delivered entries may hold a sent text). */
const COMPACTED = [NAMESPACES.inbox, NAMESPACES.inboxById, NAMESPACES.attachmentIn, NAMESPACES.attachmentInChunk, NAMESPACES.sent, NAMESPACES.sentOrder, NAMESPACES.outbox]

interface Found { received: InboxMessage[], sent: string[] }

/** A batch's writes for the deleted numbers of its group messages, given when. */
type BatchSeqs = (slice: InboxMessage[], at: number) => Promise<StoreOp[]>

export class MessageDeletion {
  constructor (private readonly c: MessageDeletionComponents) {}

  /**
   * Delete the messages with these ids, or their first 8+ hex digits (message-ids.ts). Every id is
   * checked first: one that names no message, or more than one, is exit 2 and nothing is deleted.
   */
  async byIds (ids: string[]): Promise<DeleteResult> {
    if (ids.length === 0) throw new InvalidInputError('no message id given')
    // read once: the ids are looked up in it, and the deleted numbers' writes need the rest of it
    const inbox = await this.c.messenger.inbox()
    const matches = await resolveMessageIds(this.c, ids, { sent: true, what: 'received or sent message', nothingDone: 'nothing was deleted', inbox })
    return this.delete(inbox, {
      received: matches.flatMap(m => m.outgoing ? [] : [m.message]),
      sent: matches.flatMap(m => m.outgoing ? [m.message.id] : [])
    })
  }

  /**
   * Every message received from and sent to a contact (a name or a PeerId), or in a group
   * (`@NAME`, or `@` and its id or first 8+ hex digits). `dryRun`: what would go, nothing deleted.
   */
  async conversation (target: string, options: { dryRun?: boolean } = {}): Promise<DeleteResult> {
    const inConversation = await this.matcher(target)
    const inbox = await this.c.messenger.inbox()
    const found: Found = {
      received: inbox.filter(m => inConversation(m.group?.id, m.from)),
      sent: (await this.c.messenger.deliveries.list()).filter(m => inConversation(m.group?.id, m.to)).map(m => m.id)
    }
    return options.dryRun === true ? result(found) : this.delete(inbox, found)
  }

  /**
   * The retention pass (delivery.receivedPerConversation, received-retention.ts): of `inbox` (as
   * listInbox gives it, read by the caller, which goes on with what is kept), every conversation's
   * received messages past its newest `cap` are deleted, each as `byIds` deletes it (its files,
   * the deleted group numbers a gap count needs; seen records kept). Sent messages are not touched
   * (the delivery log keeps its own cap). `cap` 0: nothing goes.
   */
  async trimReceived (inbox: InboxMessage[], cap: number): Promise<TrimResult> {
    const past = pastCap(inbox, cap)
    if (past.messages.length === 0) return { count: 0, conversations: 0, kept: inbox }
    await this.delete(inbox, { received: past.messages, sent: [] })
    const gone = new Set(past.messages)
    return { count: past.messages.length, conversations: past.conversations, kept: inbox.filter(m => !gone.has(m)) }
  }

  /** Whether a message (its group's id, or the other party's PeerId) is in conversation `target`. */
  private async matcher (target: string): Promise<(group: string | undefined, peer: string) => boolean> {
    if (target.startsWith('@')) {
      const gid = (await this.c.groups.resolve(target.slice(1))).id
      return (group) => group === gid
    }
    const { peerId } = await this.c.contacts.resolve(target)
    return (group, peer) => group === undefined && peer === peerId
  }

  /** Delete what was `found` in `inbox` (the inbox as read before, with the messages found). */
  private async delete (inbox: InboxMessage[], found: Found): Promise<DeleteResult> {
    if (found.received.length + found.sent.length === 0) return result(found)
    const now = this.c.clock.now()
    const seqs = await this.groupSeqs(inbox, found.received)
    for (let i = 0; i < found.received.length; i += MESSAGES_PER_WRITE) {
      const slice = found.received.slice(i, i + MESSAGES_PER_WRITE)
      const ops: StoreOp[] = []
      for (const m of slice) ops.push(...deleteMessageOps(m), ...await this.c.attachments.deleteOps(m))
      ops.push(...await seqs(slice, now))
      // under the receiver's lock: a receive that settles a group file's claim rewrites its record
      // there (group-claims.ts), and must not bring back one deleted meanwhile
      await this.c.messenger.receiveWith(async (tx) => {
        for (const op of ops) {
          if (op.type === 'put') tx.put(op.key, op.value)
          else tx.delete(op.key)
        }
        return []
      })
      for (const m of slice) await this.c.attachments.removeReceived(m)
    }
    for (let i = 0; i < found.sent.length; i += MESSAGES_PER_WRITE) await this.c.messenger.deliveries.forget(found.sent.slice(i, i + MESSAGES_PER_WRITE))
    await this.c.store.compact(COMPACTED)
    const out = result(found)
    this.c.log.info({ received: found.received.length, sent: found.sent.length }, 'messages deleted')
    return out
  }

  /**
   * The deleted numbers' writes for each batch of a deletion (deleted-seqs.ts): for the group
   * senders the deletion touches, the group messages still held after the batch (`inbox`, as read
   * for the lookup, less what each batch deletes: a message that arrives meanwhile is above every
   * number read or in a hole, and neither kind of number is dropped) and the numbers recorded
   * (read again before each batch: the previous one changed them; one sender's are few).
   */
  private async groupSeqs (inbox: InboxMessage[], received: InboxMessage[]): Promise<BatchSeqs> {
    const senderOf = (m: InboxMessage): string | undefined => {
      const s = groupSeqOf(m)
      return s === undefined ? undefined : `${s.group}/${s.from}`
    }
    const touched = new Set(received.map(senderOf).filter(k => k !== undefined))
    if (touched.size === 0) return async () => []
    const held = new Map<string, InboxMessage>() // by sender and message id
    for (const m of inbox) if (touched.has(senderOf(m) as string)) held.set(`${m.from}/${m.id}`, m)
    const member = new Map<string, boolean>()
    for (const m of received) { const s = groupSeqOf(m); if (s !== undefined && !member.has(s.group)) member.set(s.group, await this.c.groups.isMember(s.group)) }
    return async (slice, at) => {
      for (const m of slice) held.delete(`${m.from}/${m.id}`)
      const senders = new Map<string, { group: string, from: string }>()
      for (const m of slice) { const s = groupSeqOf(m); if (s !== undefined) senders.set(senderOf(m) as string, { group: s.group, from: s.from }) }
      if (senders.size === 0) return []
      const recorded: DeletedSeq[] = []
      for (const s of senders.values()) recorded.push(...await deletedSeqsOf(this.c.store, s.group, s.from))
      const stillHeld = [...held.values()].flatMap(m => senders.has(senderOf(m) as string) ? groupSeqOf(m) ?? [] : [])
      return deletionSeqOps(slice, stillHeld, recorded, g => member.get(g) === true, at)
    }
  }
}

function result (found: Found): DeleteResult {
  const deleted = [...found.received.map(m => ({ id: m.id, outgoing: false })), ...found.sent.map(id => ({ id, outgoing: true }))]
  return { deleted, count: deleted.length }
}
