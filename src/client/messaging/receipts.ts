/**
 * The receipts we send. A receipt is an ordinary sealed 1:1 message (a Content with a Receipt
 * body) to the message's sender, listing up to 256 message ids of one kind; it is never shown and
 * never receipted itself. Delivery receipts go for messages collected from a mailbox (a direct
 * delivery already told the sender), for group messages shown from the group's gossip (gossip
 * tells the sender nothing: it may have sent no 1:1 copy, and sends one if no receipt comes), and
 * for a mailbox copy of a group message shown before from gossip; read receipts when a message is shown (`chat`, `inbox`),
 * unless `delivery.readReceipts` is off. Only contacts' messages and group messages get receipts:
 * a stranger learns nothing about when, or whether, we are online. Receipts are queued in the
 * outbox like any message and go out in the background, or with the next flush: nothing waits for
 * them on the network.
 */
import { Receipt } from '../../../proto/cairn.js'
import type { Timer } from '../../shared/clock.js'
import { describeError } from '../../shared/errors.js'
import { NAMESPACES } from '../../shared/namespaces.js'
import type { Contacts } from '../contacts.js'
import { dec, enc } from '../crypto/kv.js'
import type { InboxMessage } from '../inbox.js'
import type { OutboxEntry } from '../outbox.js'
import type { CairnConfig } from '../../shared/config.js'
import type { MessagingComponents } from './context.js'
import type { SecondCopy } from './receiver.js'
import type { Sender } from './sender.js'

/** The proto's limit on ids in one Receipt. */
export const RECEIPT_IDS = 256

const readSentKey = (from: string, id: string): string => `${NAMESPACES.readSent}${from}/${id}`
const bytesOf = (h: string): Uint8Array<ArrayBuffer> => new Uint8Array(Buffer.from(h, 'hex'))

export interface ReceiptsComponents extends MessagingComponents {
  /** Receipts are sealed and sent like any message, through the outbox. */
  sender: Sender
  /** Only contacts' messages (and group messages) get receipts. */
  contacts: Contacts
}

/** The receipts' slice of the configuration (defaults applied in config.ts). */
export interface ReceiptsInit {
  /** readReceipts (@default true): whether a message shown to the user sends a read receipt. */
  delivery: Pick<CairnConfig['delivery'], 'readReceipts' | 'sentPerConversation'>
  /** gossipReceiptDelayMs (@default 1,000): how long receipts for messages opened from a topic wait for company. */
  groups: Pick<CairnConfig['groups'], 'gossipReceiptDelayMs'>
}

type Receiptable = Pick<InboxMessage, 'id' | 'from' | 'group'>

export class Receipts {
  /** Group messages opened from a topic, waiting to be receipted together (gossipReceiptDelayMs). */
  private gossiped: Receiptable[] = []
  private gossipTimer?: Timer

  constructor (private readonly ctx: ReceiptsComponents, private readonly init: ReceiptsInit) {}

  /**
   * Messages a batch showed, and second copies it held: a delivery receipt for those that came
   * from a mailbox, and, after gossipReceiptDelayMs (one receipt per sender for all that came
   * meanwhile), for those opened from a group's topic: the sender may have sent no 1:1 copy, and
   * sends one if no receipt comes. Receipts still waiting when the client stops are queued then
   * (`flush`): the sender would otherwise send a copy the member already has.
   */
  async shown (messages: InboxMessage[], copies: SecondCopy[] = []): Promise<void> {
    const all = [...messages, ...copies]
    const gossiped = all.filter(m => m.route === 'gossip')
    if (gossiped.length > 0) {
      this.gossiped.push(...gossiped)
      this.gossipTimer ??= this.ctx.clock.setTimeout(() => {
        delete this.gossipTimer
        const due = this.gossiped.splice(0)
        this.send(Receipt.Kind.DELIVERED, due).catch((err: unknown) => { this.ctx.log.info({ err: describeError(err) }, 'receipts for gossiped group messages not queued') })
      }, this.init.groups.gossipReceiptDelayMs).unref()
    }
    await this.send(Receipt.Kind.DELIVERED, all.filter(m => m.route === 'mailbox'))
  }

  /**
   * The client is stopping: receipts still waiting for company are queued now, in the outbox (on
   * disk), and delivered in the background as any; what has not left by the stop goes with the
   * next flush. Returns their outbox entries.
   */
  async flush (): Promise<OutboxEntry[]> {
    this.gossipTimer?.clear()
    delete this.gossipTimer
    const due = this.gossiped.splice(0)
    return (await this.queue(Receipt.Kind.DELIVERED, due)).entries
  }

  /** Messages shown to the user: a read receipt for each not read before (none when the config says so). Returns how many were queued. */
  async read (messages: Array<Pick<InboxMessage, 'id' | 'from' | 'group'>>): Promise<number> {
    if (!this.init.delivery.readReceipts) return 0
    const fresh: Array<Pick<InboxMessage, 'id' | 'from' | 'group'>> = []
    for (const m of messages) if (await this.ctx.store.get(readSentKey(m.from, m.id)) === undefined) fresh.push(m)
    return this.send(Receipt.Kind.READ, fresh)
  }

  /**
   * Keep the newest `delivery.sentPerConversation` read marks per sender, as the sender keeps that
   * many records per conversation: a message past it that is shown again is receipted again, and
   * the sender, which no longer holds its record, changes nothing. Returns how many went.
   */
  async pruneReadMarks (): Promise<number> {
    const cap = this.init.delivery.sentPerConversation
    const bySender = new Map<string, Array<{ key: string, at: number }>>()
    for await (const { key, value } of this.ctx.store.list(NAMESPACES.readSent)) {
      const from = key.slice(NAMESPACES.readSent.length).split('/')[0] as string
      const list = bySender.get(from) ?? []
      list.push({ key, at: Number(dec.decode(value)) })
      bySender.set(from, list)
    }
    const tx = this.ctx.store.transaction()
    let n = 0
    for (const marks of bySender.values()) {
      if (marks.length <= cap) continue
      for (const m of marks.sort((a, b) => a.at - b.at).slice(0, marks.length - cap)) { tx.delete(m.key); n++ }
    }
    await tx.commit()
    return n
  }

  private async send (kind: Receipt.Kind, messages: Array<Pick<InboxMessage, 'id' | 'from' | 'group'>>): Promise<number> {
    return (await this.queue(kind, messages)).ids
  }

  /** Queue receipts for `messages` (one per sender and 256 ids) and deliver them in the background; returns the entries and how many ids. */
  private async queue (kind: Receipt.Kind, messages: Array<Pick<InboxMessage, 'id' | 'from' | 'group'>>): Promise<{ entries: OutboxEntry[], ids: number }> {
    const me = this.ctx.identity.peerId.toString()
    const byPeer = new Map<string, string[]>()
    // a page of mail is mostly one sender's: whether a sender is a contact (not blocked) is asked once
    const contact = new Map<string, Promise<boolean>>()
    for (const m of messages) {
      if (m.from === me) continue
      if (m.group === undefined) {
        let known = contact.get(m.from)
        if (known === undefined) { known = this.isContact(m.from); contact.set(m.from, known) }
        if (!await known) continue
      } else if (await this.ctx.contacts.isBlocked(m.from)) continue
      const ids = byPeer.get(m.from)
      if (ids === undefined) byPeer.set(m.from, [m.id])
      else ids.push(m.id)
    }
    if (byPeer.size === 0) return { entries: [], ids: 0 }
    // one body per peer and per 256 ids: `peers` repeats a peer once per chunk
    const chunks: Array<{ peer: string, ids: string[] }> = []
    for (const [peer, ids] of byPeer) for (let i = 0; i < ids.length; i += RECEIPT_IDS) chunks.push({ peer, ids: ids.slice(i, i + RECEIPT_IDS) })
    let next = 0
    const entries = await this.ctx.sender.queueEach(chunks.map(c => c.peer), async (tx, peer) => {
      const chunk = chunks[next++] as { peer: string, ids: string[] }
      if (chunk.peer !== peer) throw new Error('receipt chunks out of order')
      if (kind === Receipt.Kind.READ) for (const id of chunk.ids) tx.put(readSentKey(peer, id), enc.encode(String(this.ctx.clock.now())))
      return { receipt: { kind, ids: chunk.ids.map(bytesOf) } }
    }, { receipt: true })
    this.ctx.sender.deliverSoon(entries)
    this.ctx.log.debug({ kind, receipts: entries.length, ids: messages.length }, 'receipts queued')
    return { entries, ids: chunks.reduce((n, c) => n + c.ids.length, 0) }
  }

  /** Whether `peer` is a contact and not blocked (its 1:1 messages get receipts; group messages need only the second). */
  private async isContact (peer: string): Promise<boolean> {
    return !await this.ctx.contacts.isBlocked(peer) && await this.ctx.contacts.byPeerId(peer) !== undefined
  }
}
