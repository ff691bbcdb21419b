/**
 * How far each message we sent got, per recipient, kept durably on the sender's side:
 * queued (in the outbox) → stored (at n mailbox replicas) → delivered (the recipient's device
 * stored it: a direct delivery says so, a mailbox-collected one is confirmed by the recipient's
 * delivery receipt) → read (its read receipt). A state only ever moves forward. A group message has
 * one record with a state per member. Updates are serialised here (read, change, write), whatever
 * path they come by (a delivery finishing, a receipt arriving), and announced as `change` events.
 *
 * Kept per conversation (a contact, a group): the newest `delivery.sentPerConversation`, found by a
 * second key per record that lists a conversation's records oldest first (NAMESPACES.sentOrder).
 * Past the cap plus a tenth, the oldest are deleted down to the cap, a conversation at a time, in
 * the background; a route's outcome or a receipt for a deleted record changes nothing.
 */
import { EventEmitter } from 'node:events'
import { setImmediate as turnDone } from 'node:timers/promises'
import type { CairnConfig } from '../../shared/config.js'
import { describeError } from '../../shared/errors.js'
import type { Logger } from '../../shared/logger.js'
import { NAMESPACES } from '../../shared/namespaces.js'
import { Mutex } from '../../shared/mutex.js'
import type { Store, StoreOp } from '../../shared/store.js'
import { dec, enc, type Kv } from '../crypto/kv.js'
import type { SendResult } from '../delivery.js'
import type { OutboxEntry, WaitReason } from '../outbox.js'

export type DeliveryState = 'queued' | 'stored' | 'delivered' | 'read'
export const DELIVERY_STATES: readonly DeliveryState[] = ['queued', 'stored', 'delivered', 'read']
const rank = (s: DeliveryState): number => DELIVERY_STATES.indexOf(s)

export interface RecipientState {
  state: DeliveryState
  /** Mailbox replicas that acknowledged it (state stored or later, when it went by mailbox). */
  replicas?: number
}

/** One message we sent, as the delivery log keeps it. */
export interface SentMessage {
  id: string
  /** The recipient's PeerId (1:1), or the group's id. */
  to: string
  group?: { id: string, name: string }
  /** A group message's sender-key chain (distribution id): a member who acknowledges it holds that chain. */
  chain?: string
  text: string
  sentAt: number
  /** Per recipient PeerId: where the message is. Only these may send receipts for it. */
  recipients: Record<string, RecipientState>
  /**
   * Per recipient, the id its copy carries when not the record's (a file sent to a group: each
   * member's copy has its own, so that no member learns another's): its receipts name that id.
   */
  copies?: Record<string, string>
}

/** A sent message with its state summed up: the least advanced recipient's, and counts. */
export interface SentView extends SentMessage {
  state: DeliveryState
  /** The most replicas any recipient's copy was stored at. */
  replicas: number
  /** How many recipients are at least at each state (1:1: all 0 or 1). */
  counts: { total: number, stored: number, delivered: number, read: number }
  /** Recipients still queued, and why each waits (the outbox's word, joined when listed: waiting.ts). */
  waiting?: Record<string, WaitReason>
}

const key = (id: string): string => `${NAMESPACES.sent}${id}`
const orderPrefix = (to: string): string => `${NAMESPACES.sentOrder}${to}/`
/** A record's place in its conversation: sentAt zero-padded, so that keys list oldest first. */
const orderKey = (m: Pick<SentMessage, 'id' | 'to' | 'sentAt'>): string => `${orderPrefix(m.to)}${String(m.sentAt).padStart(16, '0')}/${m.id}`
const copyKey = (peer: string, copyId: string): string => `${NAMESPACES.sentCopy}${peer}/${copyId}`
/** A record's copy ids' keys: deleted with it. */
const copyKeys = (m: SentMessage): StoreOp[] => Object.entries(m.copies ?? {}).map(([peer, id]) => ({ type: 'del' as const, key: copyKey(peer, id) }))
/** Set once every record has its order key (stores from before the cap had none). */
const ORDERED = `${NAMESPACES.meta}sent-order-v1`
const EMPTY = new Uint8Array(0)

export interface DeliveryLogComponents {
  store: Store
  log: Logger
}

/** sentPerConversation (@default 1000): records kept per conversation. */
export interface DeliveryLogInit {
  delivery: Pick<CairnConfig['delivery'], 'sentPerConversation'>
}

export function summarise (m: SentMessage): SentView {
  const states = Object.values(m.recipients)
  const atLeast = (s: DeliveryState): number => states.filter(r => rank(r.state) >= rank(s)).length
  const least = states.reduce<DeliveryState>((a, r) => rank(r.state) < rank(a) ? r.state : a, 'read')
  return {
    ...m,
    state: states.length === 0 ? 'delivered' : least,
    replicas: Math.max(0, ...states.map(r => r.replicas ?? 0)),
    counts: { total: states.length, stored: atLeast('stored'), delivered: atLeast('delivered'), read: atLeast('read') }
  }
}

interface Change { id: string, peer: string, to: RecipientState }
/** One caller's changes, and what became of them. */
/**
 * `durable: false`: a route's outcome, which a crash may lose (the receipts that follow record the
 * state again). `ops`: the caller's own writes that go with these changes (the outbox entries a
 * route took leaving), written whether or not a record moved.
 */
interface Batch { changes: Change[], ops: StoreOp[], moved: number, durable: boolean, error?: unknown }

export class DeliveryLog extends EventEmitter<{ change: [SentView] }> {
  private readonly lock = new Mutex()
  private readonly waiting: Batch[] = []
  /** Writes of changes under way: a read of the log waits for those handed over before it (settled). */
  private readonly writing = new Set<Promise<unknown>>()
  private readonly store: Store
  /** Per conversation: its records on disk when last counted, plus those recorded since (an over-estimate if a send rolled back). */
  private readonly estimate = new Map<string, number>()
  /** Conversations with a pruning pass under way or due. */
  private readonly pruning = new Map<string, Promise<void>>()
  private ordered = false

  constructor (private readonly c: DeliveryLogComponents, private readonly init: DeliveryLogInit) {
    super()
    this.store = c.store
  }

  private get cap (): number { return this.init.delivery.sentPerConversation }
  /** How far past the cap a conversation may grow before a pass: one listing per this many sends, not per send. */
  private get slack (): number { return Math.max(1, Math.ceil(this.cap / 10)) }

  /** A message just queued for its recipients: written in the transaction that writes its outbox entries. */
  record (tx: Kv, m: Omit<SentMessage, 'recipients'>, recipients: string[]): void {
    const rec: SentMessage = { ...m, recipients: Object.fromEntries(recipients.map(p => [p, { state: 'queued' as const }])) }
    tx.put(key(m.id), enc.encode(JSON.stringify(rec)))
    tx.put(orderKey(m), EMPTY)
    for (const [peer, copyId] of Object.entries(m.copies ?? {})) tx.put(copyKey(peer, copyId), enc.encode(m.id))
    const n = this.estimate.get(m.to)
    this.estimate.set(m.to, (n ?? 0) + 1)
    // a conversation's first send since start counts what is on disk
    if (n === undefined || n + 1 >= this.cap + this.slack) this.pruneSoon(m.to)
  }

  /** How many records the store holds for conversation `to` (its order keys). */
  async count (to: string): Promise<number> {
    let n = 0
    for await (const _ of this.store.listKeys(orderPrefix(to))) n++
    return n
  }

  private pruneSoon (to: string): void {
    if (this.pruning.has(to)) return
    // after the caller's transaction has its turn: what it adds is counted by the next pass
    const pass = Promise.resolve().then(async () => this.prune(to)).catch((err: unknown) => {
      this.c.log.info({ err: describeError(err) }, 'could not prune the delivery log; the next send tries again')
      this.estimate.delete(to)
    }).finally(() => { this.pruning.delete(to) })
    this.pruning.set(to, pass)
  }

  /**
   * Resolves once every change handed to the log before this call is written (readable; on disk
   * when it was a durable one). A send returns its result before its outcome is written
   * (Sender.deliverEntry); whoever reads the log, or the outbox, waits for this first.
   */
  async settled (): Promise<void> {
    if (this.writing.size > 0) await Promise.all([...this.writing])
  }

  /** Resolves once the pruning passes due now are done (for a clean stop, and tests). */
  async pruned (): Promise<void> {
    while (this.pruning.size > 0) await Promise.all([...this.pruning.values()])
  }

  /** Delete conversation `to`'s oldest records past the cap (under the lock: a receipt's write cannot bring one back). */
  private async prune (to: string): Promise<void> {
    await this.lock.run(async () => {
      await this.orderOnce()
      const before = this.estimate.get(to) ?? 0
      const keys: string[] = []
      for await (const k of this.store.listKeys(orderPrefix(to))) keys.push(k)
      const excess = keys.length > this.cap ? keys.slice(0, keys.length - this.cap) : []
      if (excess.length > 0) {
        const records = excess.map(k => key(k.slice(k.lastIndexOf('/') + 1)))
        const copies = (await this.store.getMany(records)).flatMap(b => b === undefined ? [] : copyKeys(JSON.parse(dec.decode(b)) as SentMessage))
        await this.store.write([...excess.flatMap((k, i) => [{ type: 'del' as const, key: k }, { type: 'del' as const, key: records[i] as string }]), ...copies])
        this.c.log.debug({ records: excess.length }, 'oldest sent messages pruned from the delivery log')
      }
      this.estimate.set(to, keys.length - excess.length + (this.estimate.get(to) ?? 0) - before)
    })
  }

  /** Records written before order keys existed get theirs, once per store. */
  private async orderOnce (): Promise<void> {
    if (this.ordered) return
    if (await this.store.get(ORDERED) === undefined) {
      const ops: Array<{ type: 'put', key: string, value: Uint8Array }> = []
      for await (const { value } of this.store.list(NAMESPACES.sent)) ops.push({ type: 'put', key: orderKey(JSON.parse(dec.decode(value)) as SentMessage), value: EMPTY })
      ops.push({ type: 'put', key: ORDERED, value: EMPTY })
      await this.store.write(ops, { durable: true })
    }
    this.ordered = true
  }

  async get (id: string): Promise<SentView | undefined> {
    await this.settled()
    const b = await this.store.get(key(id))
    return b === undefined ? undefined : summarise(JSON.parse(dec.decode(b)) as SentMessage)
  }

  /**
   * Delete the records of the messages we sent with these ids (the user deleted them), each with
   * its order key, in one synced write; under the lock, so that no receipt writes one back. A
   * route's outcome or a receipt for one later changes nothing, as for a pruned record.
   */
  async forget (ids: string[]): Promise<void> {
    if (ids.length === 0) return
    await this.lock.run(async () => {
      const values = await this.store.getMany(ids.map(key))
      const ops: StoreOp[] = []
      values.forEach((b, i) => {
        if (b === undefined) return
        const m = JSON.parse(dec.decode(b)) as SentMessage
        ops.push({ type: 'del', key: key(ids[i] as string) }, { type: 'del', key: orderKey(m) }, ...copyKeys(m))
      })
      await this.store.write(ops)
    })
  }

  /** Every message we sent, oldest first. */
  async list (): Promise<SentView[]> {
    await this.settled()
    const out: SentView[] = []
    for await (const { value } of this.store.list(NAMESPACES.sent)) out.push(summarise(JSON.parse(dec.decode(value)) as SentMessage))
    return out.sort((a, b) => a.sentAt - b.sentAt || a.id.localeCompare(b.id))
  }

  /**
   * Outbox entries a route took (or not): direct means delivered, a mailbox means stored at n
   * replicas. Written without waiting for the disk: a crash that loses it loses no message, and the
   * delivery receipt that follows records the state again. `ops` (the delivered entries leaving
   * the outbox, under the same rule) go in the same write. `later`: the caller does not wait for
   * it (a send's result goes first): the write starts once the caller's turn of the event loop is
   * done, and `settled` covers it from this call on.
   */
  async routed (done: Array<{ entry: OutboxEntry, result: SendResult }>, ops: StoreOp[] = [], options: { later?: boolean } = {}): Promise<void> {
    const changes: Change[] = []
    for (const { entry, result } of done) {
      if (entry.tracks === undefined || result.route === 'outbox') continue
      changes.push({ id: entry.tracks, peer: entry.to, to: result.route === 'mailbox' ? { state: 'stored', replicas: result.replicas ?? 0 } : { state: 'delivered' } })
    }
    await this.apply(changes, false, ops, options.later)
  }

  /**
   * A receipt from `from` for our message ids: ids we never sent to `from` (a forger's, another
   * recipient's, ids we never used) change nothing. Returns how many records moved.
   */
  async receipt (from: string, kind: 'delivered' | 'read', ids: string[]): Promise<number> {
    return this.apply(ids.map(id => ({ id, peer: from, to: { state: kind } })))
  }

  /**
   * Changes wait here for the write that takes them: one write (a read of the records, then a
   * durable write) takes every change queued while the one before it was on its way to disk. A
   * group send's copies finish at nearly the same moment, each updating the same record; written
   * one at a time, they would queue behind each other's fsync.
   */
  private async apply (changes: Change[], durable = true, ops: StoreOp[] = [], later = false): Promise<number> {
    if (changes.length === 0 && ops.length === 0) return 0
    const mine: Batch = { changes, ops, moved: 0, durable }
    const start = async (): Promise<SentMessage[]> => {
      this.waiting.push(mine)
      return this.lock.run(async () => this.write(this.waiting.splice(0))) // never rejects: errors go to each batch
    }
    const written = later ? turnDone().then(start) : start()
    this.writing.add(written)
    const moved = await written.finally(() => { this.writing.delete(written) })
    if (mine.error !== undefined) throw mine.error
    for (const m of moved) this.emit('change', summarise(m))
    return mine.moved
  }

  /** Apply `batches` (whatever queued; none if an earlier write took ours) in one durable write; returns the records moved. */
  private async write (batches: Batch[]): Promise<SentMessage[]> {
    try {
      return await this.applyAll(batches)
    } catch (err) {
      for (const b of batches) b.error = err // each caller throws its own
      return []
    }
  }

  private async applyAll (batches: Batch[]): Promise<SentMessage[]> {
    if (batches.length === 0) return []
    const ids = [...new Set(batches.flatMap(b => b.changes.map(c => c.id)))]
    const records = new Map<string, SentMessage>()
    // one record (a send's outcome): read on this thread (namespaces.ts); many (a receipt's ids): one trip
    const values = ids.length === 1 ? [await this.store.get(key(ids[0] as string))] : ids.length === 0 ? [] : await this.store.getMany(ids.map(key))
    ids.forEach((id, i) => { const b = values[i]; if (b !== undefined) records.set(id, JSON.parse(dec.decode(b)) as SentMessage) })
    // a copy's own id (a member's copy of a group file): its record's, as the copy's recipient names it
    const unknown = batches.flatMap(b => b.changes).filter(c => !records.has(c.id))
    if (unknown.length > 0) {
      const aliases = await this.store.getMany(unknown.map(c => copyKey(c.peer, c.id)))
      unknown.forEach((c, i) => { const a = aliases[i]; if (a !== undefined) c.id = dec.decode(a) })
      const more = [...new Set(unknown.map(c => c.id))].filter(id => !records.has(id))
      const found = more.length === 0 ? [] : await this.store.getMany(more.map(key))
      more.forEach((id, i) => { const b = found[i]; if (b !== undefined) records.set(id, JSON.parse(dec.decode(b)) as SentMessage) })
    }
    const touched = new Map<string, SentMessage>()
    for (const batch of batches) {
      const moved = new Set<string>()
      for (const c of batch.changes) {
        const m = records.get(c.id)
        const now = m?.recipients[c.peer]
        if (m === undefined || now === undefined) continue // not a message we sent, or not to this peer
        if (rank(c.to.state) < rank(now.state) || (rank(c.to.state) === rank(now.state) && (c.to.replicas ?? 0) <= (now.replicas ?? 0))) continue
        m.recipients[c.peer] = { state: c.to.state, ...((c.to.replicas ?? now.replicas) === undefined ? {} : { replicas: c.to.replicas ?? now.replicas }) }
        touched.set(c.id, m)
        moved.add(c.id)
      }
      batch.moved = moved.size
    }
    const ops: StoreOp[] = [...touched.values()].map(m => ({ type: 'put' as const, key: key(m.id), value: enc.encode(JSON.stringify(m)) }))
    await this.store.write([...ops, ...batches.flatMap(b => b.ops)], { durable: batches.some(b => b.durable) })
    return [...touched.values()]
  }
}
