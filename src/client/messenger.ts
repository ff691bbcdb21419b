/**
 * The messenger: turns text into sealed envelopes and back. It composes three parts that share one
 * sealed-sender session and one crypto lock (messaging/context.ts):
 * - the Sender (messaging/sender.ts): send policy (each route in order — direct, then mailbox —
 *   and otherwise the durable outbox), sealing, outbox flushes;
 * - the Receiver (messaging/receiver.ts): opening, sender binding, exactly-once display, events;
 * - the PreKeySupply (crypto/prekey-supply.ts): the bundles others start sessions from, rotation.
 * This class only builds them and passes calls through, so callers hold one object.
 */
import type { CiphertextMessage } from '@signalapp/libsignal-client'
import type { Envelope, PreKeyBundle } from '../../proto/cairn.js'
import type { Clock } from '../shared/clock.js'
import type { CairnConfig } from '../shared/config.js'
import { forComponent, type Logger } from '../shared/logger.js'
import { Mutex } from '../shared/mutex.js'
import type { Store } from '../shared/store.js'
import type { Contacts } from './contacts.js'
import type { CommittingKv, Kv } from './crypto/kv.js'
import type { PreKeyOwner } from './crypto/prekeys.js'
import { PreKeySupply } from './crypto/prekey-supply.js'
import { SealedSession } from './crypto/sealed-session.js'
import type { DeliveryRoute, SendResult } from './delivery.js'
import type { LocalIdentity } from './identity.js'
import type { InboxMessage, Route } from './inbox.js'
import type { ContentBody } from './messaging/content-body.js'
import type { MessagingComponents } from './messaging/context.js'
import { DeliveryLog, type SentView } from './messaging/delivery-log.js'
import { Receipts } from './messaging/receipts.js'
import { Receiver, type ContentHandler, type DescribedFile, type ReceiveStatus, type RejectedEnvelopeError } from './messaging/receiver.js'
import { Sender, type SendEachOptions, type SendOptions } from './messaging/sender.js'
import { withWaiting } from './messaging/waiting.js'
import type { OutboxEntry } from './outbox.js'
import type { SenderGate } from './senders/index.js'

export type { ContentBody } from './messaging/content-body.js'
export { RejectedEnvelopeError, type ContentHandler, type DescribedFile, type ReceiveStatus, type SecondCopy } from './messaging/receiver.js'

export interface MessengerInit {
  identity: LocalIdentity
  store: Store
  contacts: Contacts
  config: CairnConfig
  clock: Clock
  log: Logger
  /** Who may put a message in the inbox (blocked peers, strangers' caps); none: everyone. */
  senders?: SenderGate
}

type Events = { message: [InboxMessage], identityChanged: [string], described: [DescribedFile] }

export class Messenger {
  readonly me: string
  readonly sender: Sender
  readonly receiver: Receiver
  readonly preKeys: PreKeySupply
  /** How far each message we sent got (queued, stored, delivered, read), per recipient. */
  readonly deliveries: DeliveryLog
  /** The delivery and read receipts we send. */
  readonly receipts: Receipts
  private routesInUse: DeliveryRoute[] = []
  private readonly session: SealedSession
  private readonly clock: Clock

  constructor (init: MessengerInit) {
    this.me = init.identity.peerId.toString()
    const log = (component: string): Logger => forComponent(init.log, component)
    this.deliveries = new DeliveryLog({ store: init.store, log: log('delivery log') }, init.config)
    this.session = new SealedSession({ peerId: this.me, identity: init.identity.signal, registrationId: init.identity.registrationId })
    this.clock = init.clock
    const shared: Omit<MessagingComponents, 'log'> = {
      identity: init.identity,
      store: init.store,
      clock: init.clock,
      session: this.session,
      lock: new Mutex(),
      deliveries: this.deliveries
    }
    this.sender = new Sender({ ...shared, log: log('sender'), contacts: init.contacts }, init.config)
    this.receiver = new Receiver({ ...shared, log: log('receiver'), senders: init.senders }, init.config)
    this.receipts = new Receipts({ ...shared, log: log('receipts'), sender: this.sender, contacts: init.contacts }, init.config)
    this.receiver.whenShown(async (shown, copies) => this.receipts.shown(shown, copies))
    this.preKeys = new PreKeySupply({ store: init.store, identity: init.identity, clock: init.clock, log: log('prekeys'), lock: shared.lock }, init.config)
  }

  /** The routes sends try, in order (none until the network is up: everything waits in the outbox). */
  get routes (): readonly DeliveryRoute[] { return this.routesInUse }

  useRoutes (routes: readonly DeliveryRoute[]): void {
    this.routesInUse = [...routes]
    this.sender.useRoutes(this.routesInUse)
  }

  handleContentWith (handler: ContentHandler): void { this.receiver.handleContentWith(handler) }

  on<K extends keyof Events> (event: K, listener: (...args: Events[K]) => void): this {
    this.receiver.on(event, listener as never)
    return this
  }

  off<K extends keyof Events> (event: K, listener: (...args: Events[K]) => void): this {
    this.receiver.off(event, listener as never)
    return this
  }

  // sending (Sender)
  async send (to: string, text: string, options: SendOptions = {}): Promise<SendResult> { return this.sender.send(to, text, options) }
  async sendEach (peers: string[], bodyFor: (tx: Kv, peer: string) => Promise<ContentBody>, options: SendEachOptions = {}): Promise<SendResult[]> { return this.sender.sendEach(peers, bodyFor, options) }
  async sendMany (to: string, texts: string[], options: { signal?: AbortSignal } = {}): Promise<SendResult[]> { return this.sender.sendMany(to, texts, options) }
  /** Of `peers`, who a sealed sender v2 part can be made for in `tx` (a session, an accepted key): SealedSession.sealableFor. */
  async sealableFor (tx: Kv, peers: string[]): Promise<boolean[]> { return this.session.sealableFor(tx, peers, this.clock.now()) }
  /** One sender-key ciphertext sealed for all of `peers` at once, a part each (SealedSession.sealForMembers). */
  async sealForMembers (tx: Kv, peers: string[], ciphertext: CiphertextMessage, groupId: Uint8Array): Promise<Map<string, Uint8Array<ArrayBuffer>>> {
    return this.session.sealForMembers(tx, peers, ciphertext, groupId, this.clock.now())
  }

  async flushOutbox (options: { signal?: AbortSignal, only?: ReadonlySet<string> } = {}): Promise<number> { return this.sender.flushOutbox(options) }
  async pending (): Promise<OutboxEntry[]> { return this.sender.pending() }
  /** The messages we sent, oldest first, each queued copy with why it waits (waiting.ts). */
  async sent (): Promise<SentView[]> { return withWaiting(await this.deliveries.list(), await this.pending()) }
  /** One message we sent, as `sent` lists it. */
  async sentOne (id: string): Promise<SentView | undefined> {
    const v = await this.deliveries.get(id)
    return v === undefined ? undefined : withWaiting([v], await this.pending())[0]
  }

  // receiving (Receiver)
  async inbox (): Promise<InboxMessage[]> { return this.receiver.inbox() }
  /** The received messages whose id starts with `idPrefix` (lower-case hex, 8 digits or more), without reading the rest of the inbox. */
  async findReceived (idPrefix: string): Promise<InboxMessage[]> { return this.receiver.findReceived(idPrefix) }
  async receive (envelope: Envelope, route: Route, from?: string): Promise<ReceiveStatus> { return this.receiver.receive(envelope, route, from) }
  async receiveMany (envelopes: Envelope[], route: Route, from?: string, committed?: (results: Array<ReceiveStatus | RejectedEnvelopeError>) => void): Promise<Array<ReceiveStatus | RejectedEnvelopeError>> { return this.receiver.receiveMany(envelopes, route, from, committed) }
  async receiveWith (fn: (tx: CommittingKv, now: number) => Promise<InboxMessage[]>): Promise<InboxMessage[]> { return this.receiver.receiveWith(fn) }
  async unseen<T extends Uint8Array> (ids: T[]): Promise<T[]> { return this.receiver.unseen(ids) }
  async unseenFrom (sender: string, messageIds: string[]): Promise<string[]> { return this.receiver.unseenFrom(sender, messageIds) }

  // prekeys (PreKeySupply)
  /** A bundle for a sender who asks us directly: one one-time prekey of each kind (none with `oneTime` false). */
  async bundleForSender (oneTime = true): Promise<PreKeyBundle> {
    return this.preKeys.share(oneTime ? { preKeys: 1, kyberPreKeys: 1 } : { preKeys: 0, kyberPreKeys: 0 })
  }

  async bundleShare (counts: { preKeys: number, kyberPreKeys: number }): Promise<PreKeyBundle> { return this.preKeys.share(counts) }
  /** Rotate the signed prekey if due (true: publish a new bundle); expire unused given one-time prekeys. */
  async rotatePreKeysIfDue (): Promise<boolean> { return this.preKeys.rotateIfDue() }
  owner (): PreKeyOwner { return this.preKeys.owner() }
}
