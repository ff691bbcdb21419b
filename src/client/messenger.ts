/**
 * The messenger: turns text into sealed envelopes and back. Owns the delivery policy (each route
 * in order — direct, then mailbox — and otherwise the durable outbox) and exactly-once display
 * (envelope ids are remembered; a re-delivered envelope is acknowledged, never shown twice).
 * Every crypto step runs under one lock and commits with what it produced, so a crash never
 * leaves a ratchet that moved without its message.
 */
import { randomBytes } from 'node:crypto'
import { EventEmitter } from 'node:events'
import type { PeerId } from '@libp2p/interface'
import { Attachment, Content, Envelope, type PreKeyBundle } from '../../proto/cairn.js'
import { verifyBundle } from '../shared/bundle.js'
import type { Clock } from '../shared/clock.js'
import type { CairnConfig } from '../shared/config.js'
import { CairnError, MessageTooLargeError, ProtocolError, UntrustedIdentityError, describeError } from '../shared/errors.js'
import { verifyIdentityCertificate } from '../shared/identity-certificate.js'
import type { Logger } from '../shared/logger.js'
import { Mutex } from '../shared/mutex.js'
import { parsePeerId, peerIdBytes, peerIdFromBytes } from '../shared/peer-id.js'
import { envelopeId, hasBoundId } from '../shared/envelope-id.js'
import { CONTENT_VERSION, ENVELOPE_VERSION } from '../shared/protocols/ids.js'
import type { Store } from '../shared/store.js'
import type { Contacts } from './contacts.js'
import { decodeNumber, encodeNumber, keys, type Kv } from './crypto/kv.js'
import type { PreKeyOwner } from './crypto/prekeys.js'
import { PreKeySupply } from './crypto/prekey-supply.js'
import { SealedSession } from './crypto/sealed-session.js'
import { descriptorProblem, summaryOf } from './attachments/descriptor.js'
import { recordIncoming } from './attachments/incoming-store.js'
import type { DeliveryRoute, SendResult } from './delivery.js'
import type { LocalIdentity } from './identity.js'
import { alreadySeen, listInbox, messageSeen, recordMessage, recordSeen, recordSeenMessage, type InboxMessage, type Route } from './inbox.js'
import { listOutbox, putOutbox, removeOutbox, type OutboxEntry } from './outbox.js'
import type { SenderGate } from './senders/index.js'
import { sendPipelined, type PipelineDeps } from './outbox-pipeline.js'

export type ReceiveStatus = 'stored' | 'duplicate'

/** What a Content may carry besides its header: one body. */
export type ContentBody = Pick<Content, 'text' | 'receipt' | 'groupUpdate' | 'groupMessage' | 'attachment'>

/**
 * Opens bodies other than text (groups): runs in the receive transaction after the sender is
 * bound, stores what it shows in the inbox itself, and returns it. Throwing refuses the envelope.
 */
export interface ContentHandler {
  open: (tx: Kv, sender: string, content: Content, route: Route, now: number, envelopeIdHex: string) => Promise<InboxMessage[]>
}

/** Why an incoming envelope was refused; maps to a wire status at the protocol boundary. */
export class RejectedEnvelopeError extends CairnError {
  constructor (readonly reason: 'bad-request' | 'too-large' | 'wrong-recipient' | 'expired' | 'undecryptable' | 'untrusted-sender', message: string, options?: { cause?: unknown }) {
    super('PROTOCOL', message, options)
    this.name = 'RejectedEnvelopeError'
  }
}

export interface MessengerInit {
  identity: LocalIdentity
  store: Store
  contacts: Contacts
  config: CairnConfig
  clock: Clock
  log: Logger
  routes?: DeliveryRoute[]
  /** Who may put a message in the inbox (blocked peers, strangers' caps); none: everyone. */
  senders?: SenderGate
}

const ID_BYTES = 16
/** An unsealed body kept in the outbox: a Content holding only the body. */
const encodeBody = (body: ContentBody): string => Buffer.from(Content.encode({ version: 0, id: new Uint8Array(0), sentAt: 0, seq: 0, ...body })).toString('base64')
const decodeBody = (b64: string): ContentBody => {
  const { text, receipt, groupUpdate, groupMessage, attachment } = Content.decode(Buffer.from(b64, 'base64'))
  return { text, receipt, groupUpdate, groupMessage, attachment }
}
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
/** A text message's body; with an attachment (its descriptor, base64), the text is the file's caption. */
const bodyOf = (text: string, attachment: string | undefined): ContentBody =>
  attachment === undefined ? { text: { body: text } } : { attachment: { ...Attachment.decode(Buffer.from(attachment, 'base64')), caption: text } }

export class Messenger extends EventEmitter<{ message: [InboxMessage], identityChanged: [string] }> {
  readonly me: string
  routes: DeliveryRoute[]
  contentHandler?: ContentHandler
  private readonly session: SealedSession
  private readonly lock = new Mutex()
  private readonly preKeys: PreKeySupply
  private lastSentAt = 0

  constructor (private readonly init: MessengerInit) {
    super()
    this.me = init.identity.peerId.toString()
    this.routes = init.routes ?? []
    this.session = new SealedSession({ peerId: this.me, identity: init.identity.signal, registrationId: init.identity.registrationId })
    this.preKeys = new PreKeySupply({ store: init.store, identity: init.identity, clock: init.clock, log: init.log, lock: this.lock }, { delivery: init.config.delivery })
  }

  private get now (): number { return this.init.clock.now() }

  /** Seal `text` for `to` (a contact name or PeerId) and deliver it by the first route that works. */
  async send (to: string, text: string, options: { signal?: AbortSignal, attachment?: Attachment } = {}): Promise<SendResult> {
    const { peerId, contact } = await this.init.contacts.resolve(to)
    const size = Buffer.byteLength(text, 'utf8')
    if (size > this.init.config.limits.textBytes) throw new MessageTooLargeError(size, this.init.config.limits.textBytes)
    const { accepted, seen } = await this.init.contacts.identityKeys(peerId)
    if (accepted !== undefined && seen !== undefined && !accepted.equals(seen)) throw new UntrustedIdentityError(contact?.name ?? peerId)
    const entry: OutboxEntry = { id: hex(randomBytes(ID_BYTES)), to: peerId, createdAt: this.now, attempts: 0 }
    const bundle = await this.bundleIfNoSession(entry.to, options)
    await this.lock.run(async () => {
      const tx = this.init.store.transaction()
      if (options.attachment !== undefined) entry.attachment = Buffer.from(Attachment.encode(options.attachment)).toString('base64')
      const envelope = await this.trySeal(tx, entry, bodyOf(text, entry.attachment), bundle)
      if (envelope === undefined) entry.text = text
      else { delete entry.attachment; entry.envelope = Buffer.from(Envelope.encode(envelope)).toString('base64') }
      putOutbox(tx, entry)
      await tx.commit()
    })
    return this.deliverEntry(entry, options)
  }

  /**
   * Seal a body for each of `peers` in one transaction under the crypto lock, then deliver each.
   * `bodyFor` runs in that transaction too, so what it advances (a group's sender key, what each
   * member was sent) commits with the outbox entries that carry it. A peer that cannot be sealed
   * for yet (no bundle, an identity change not accepted) keeps its body in the outbox.
   */
  async sendEach (peers: string[], bodyFor: (tx: Kv, peer: string) => Promise<ContentBody>, options: { signal?: AbortSignal, onQueued?: () => void } = {}): Promise<SendResult[]> {
    const bundles = new Map<string, PreKeyBundle | undefined>()
    await Promise.all([...new Set(peers)].map(async p => { bundles.set(p, await this.bundleIfNoSession(p, options).catch(() => undefined)) }))
    const entries = await this.lock.run(async () => {
      const tx = this.init.store.transaction()
      const out: OutboxEntry[] = []
      for (const to of peers) {
        const entry: OutboxEntry = { id: hex(randomBytes(ID_BYTES)), to, createdAt: this.now, attempts: 0 }
        const body = await bodyFor(tx, to)
        const mark = tx.checkpoint()
        const envelope = await this.trySeal(tx, entry, body, bundles.get(to)).catch((err: unknown) => {
          if (!CairnError.is(err, 'UNTRUSTED_IDENTITY')) throw err
          tx.rollback(mark)
          this.init.log.warn({ to }, 'identity key changed and not accepted: kept in the outbox')
          return undefined
        })
        if (envelope === undefined) entry.body = encodeBody(body)
        else entry.envelope = Buffer.from(Envelope.encode(envelope)).toString('base64')
        putOutbox(tx, entry)
        out.push(entry)
      }
      await tx.commit()
      return out
    })
    options.onQueued?.() // on disk: what it triggers (a gossip publish) can no longer be undone by a crash
    return Promise.all(entries.map(async e => this.deliverEntry(e, options)))
  }

  /**
   * Run `fn` under the crypto lock in one transaction, committed durably before this resolves, and
   * show what it returns (another route's messages, e.g. a group's gossip).
   */
  async receiveWith (fn: (tx: Kv, now: number) => Promise<InboxMessage[]>): Promise<InboxMessage[]> {
    const shown = await this.lock.run(async () => {
      const tx = this.init.store.transaction()
      const out = await fn(tx, this.now)
      await tx.commit()
      return out
    })
    for (const m of shown) this.emit('message', m)
    return shown
  }

  /**
   * Seal many texts for one contact and deliver them, pipelined (outbox-pipeline.ts): sealed and
   * written to the outbox in groups, each group deposited in batches while the next is sealed.
   * One result per text, in order.
   */
  async sendMany (to: string, texts: string[], options: { signal?: AbortSignal } = {}): Promise<SendResult[]> {
    const { peerId, contact } = await this.init.contacts.resolve(to)
    for (const text of texts) {
      const size = Buffer.byteLength(text, 'utf8')
      if (size > this.init.config.limits.textBytes) throw new MessageTooLargeError(size, this.init.config.limits.textBytes)
    }
    const { accepted, seen } = await this.init.contacts.identityKeys(peerId)
    if (accepted !== undefined && seen !== undefined && !accepted.equals(seen)) throw new UntrustedIdentityError(contact?.name ?? peerId)
    const bundle = await this.bundleIfNoSession(peerId, options)
    const createdAt = this.now
    const entries: OutboxEntry[] = texts.map(text => ({ id: hex(randomBytes(ID_BYTES)), to: peerId, createdAt, attempts: 0, text }))
    return sendPipelined(this.pipeline(async () => bundle, true), entries, options)
  }

  /** Try every outbox entry again, in groups (outbox-pipeline.ts); returns how many left the outbox. */
  async flushOutbox (options: { signal?: AbortSignal } = {}): Promise<number> {
    const bundles = new Map<string, Promise<PreKeyBundle | undefined>>()
    const bundleFor = async (to: string): Promise<PreKeyBundle | undefined> => {
      let b = bundles.get(to)
      if (b === undefined) { b = this.bundleIfNoSession(to, options).catch(() => undefined); bundles.set(to, b) }
      return b
    }
    const results = await sendPipelined(this.pipeline(bundleFor, false), await listOutbox(this.init.store), options)
    return results.filter(r => r.route !== 'outbox').length
  }

  /**
   * What the pipeline needs from the messenger: routes, and a seal step that seals a group's text
   * entries in one transaction under the crypto lock (bundles fetched before, outside it). New
   * entries (`fresh`) are all written and a seal failure is thrown, as `send` does; queued ones
   * are rewritten only when sealed now, and one that cannot be sealed yet waits.
   */
  private pipeline (bundleFor: (to: string) => Promise<PreKeyBundle | undefined>, fresh: boolean): PipelineDeps {
    return {
      routes: this.routes,
      store: this.init.store,
      log: this.init.log,
      seal: async (group) => {
        const unsealed = group.filter(e => e.envelope === undefined && (e.text !== undefined || e.body !== undefined))
        const bundles = new Map(await Promise.all([...new Set(unsealed.map(e => e.to))].map(async to => [to, await bundleFor(to)] as const)))
        await this.lock.run(async () => {
          const tx = this.init.store.transaction()
          for (const entry of group) {
            if (entry.envelope !== undefined || (entry.text === undefined && entry.body === undefined)) continue
            const body = entry.text !== undefined ? bodyOf(entry.text, entry.attachment) : decodeBody(entry.body as string)
            const mark = tx.checkpoint()
            const envelope = await this.trySeal(tx, entry, body, bundles.get(entry.to)).catch((err: unknown) => {
              if (fresh) throw err
              this.init.log.warn({ id: entry.id, err: describeError(err) }, 'cannot seal queued message yet')
              tx.rollback(mark)
              return undefined
            })
            if (envelope !== undefined) {
              delete entry.text
              delete entry.attachment
              delete entry.body
              entry.envelope = Buffer.from(Envelope.encode(envelope)).toString('base64')
            }
            if (envelope !== undefined || fresh) putOutbox(tx, entry)
          }
          await tx.commit()
        })
      }
    }
  }

  async pending (): Promise<OutboxEntry[]> {
    return listOutbox(this.init.store)
  }

  async inbox (): Promise<InboxMessage[]> {
    return listInbox(this.init.store)
  }

  /**
   * Open an envelope that reached us (directly or from a mailbox), store it and remember its id.
   * Resolves only after the message is on disk. Throws RejectedEnvelopeError for bad input.
   */
  async receive (envelope: Envelope, route: Route, from?: string): Promise<ReceiveStatus> {
    const statuses = await this.receiveMany([envelope], route, from)
    const status = statuses[0]
    if (status instanceof Error) throw status
    return status ?? 'duplicate'
  }

  /** Which of `sender`'s message ids (hex) this node has not handled yet (shown or dropped). */
  async unseenFrom (sender: string, messageIds: string[]): Promise<string[]> {
    const seen = await Promise.all(messageIds.map(async id => messageSeen(this.init.store, sender, id)))
    return messageIds.filter((_, i) => !seen[i])
  }

  /** Which envelope `ids` are not in the inbox yet (a read of what only grows: no lock needed). */
  async unseen<T extends Uint8Array> (ids: T[]): Promise<T[]> {
    const seen = await Promise.all(ids.map(async id => alreadySeen(this.init.store, hex(id))))
    return ids.filter((_, i) => seen[i] !== true)
  }

  /**
   * Open a batch in one durable commit (a mailbox sync); one bad envelope spoils only itself.
   *
   * `from` is the peer that handed the envelopes over, when known: on the direct protocol, an
   * envelope whose sender is someone else was pushed by a mailbox node, and is labelled so.
   */
  async receiveMany (envelopes: Envelope[], route: Route, from?: string): Promise<Array<ReceiveStatus | RejectedEnvelopeError>> {
    const stored: InboxMessage[] = []
    const results = await this.lock.run(async () => {
      const tx = this.init.store.transaction()
      const out: Array<ReceiveStatus | RejectedEnvelopeError> = []
      for (const envelope of envelopes) {
        const mark = tx.checkpoint()
        try {
          const m = await this.openOne(tx, envelope, route, from)
          if (m === undefined) { out.push('duplicate'); continue }
          stored.push(...(Array.isArray(m) ? m : [m]))
          out.push('stored')
        } catch (err) {
          tx.rollback(mark) // a refused envelope leaves no trace, not even a ratchet step
          out.push(err instanceof RejectedEnvelopeError ? err : new RejectedEnvelopeError('undecryptable', describeError(err), { cause: err }))
        }
      }
      await tx.commit()
      return out
    })
    for (const m of stored) this.emit('message', m)
    return results
  }

  /** A bundle for a sender who asks us directly: one one-time prekey of each kind (none with `oneTime` false). */
  async bundleForSender (oneTime = true): Promise<PreKeyBundle> {
    return this.bundleShare(oneTime ? { preKeys: 1, kyberPreKeys: 1 } : { preKeys: 0, kyberPreKeys: 0 })
  }

  /** A bundle carrying `counts` one-time prekeys (see PreKeySupply.share). */
  async bundleShare (counts: { preKeys: number, kyberPreKeys: number }): Promise<PreKeyBundle> {
    return this.preKeys.share(counts)
  }

  /** Rotate the signed prekey if due (true: publish a new bundle); expire unused given one-time prekeys. */
  async rotatePreKeysIfDue (): Promise<boolean> {
    return this.preKeys.rotateIfDue()
  }

  owner (): PreKeyOwner {
    return this.preKeys.owner()
  }

  /**
   * Fetched before taking the crypto lock: holding it across the network would deadlock two users
   * who write to each other for the first time at the same moment (each serves the other's request).
   */
  private async bundleIfNoSession (peerId: string, options: { signal?: AbortSignal }): Promise<PreKeyBundle | undefined> {
    if (await this.session.hasSession(this.init.store.transaction(), peerId)) return undefined
    return this.fetchBundle(parsePeerId(peerId), options)
  }

  private async trySeal (tx: Kv, entry: OutboxEntry, body: ContentBody, bundle: PreKeyBundle | undefined): Promise<Envelope | undefined> {
    const peer = parsePeerId(entry.to)
    if (!await this.session.hasSession(tx, entry.to)) {
      if (bundle === undefined) return undefined
      await this.session.startSession(tx, entry.to, bundle, this.now)
    }
    const seqKey = keys.meta(`conversation-seq/${entry.to}`)
    const seq = decodeNumber(await tx.get(seqKey), 0) + 1
    tx.put(seqKey, encodeNumber(seq))
    this.lastSentAt = Math.max(this.now, this.lastSentAt + 1)
    const id = Buffer.from(entry.id, 'hex')
    const content = Content.encode({ version: CONTENT_VERSION, id, sentAt: this.lastSentAt, seq, senderCertificate: this.init.identity.certificate, ...body })
    const sealed = await this.session.seal(tx, entry.to, content, this.now)
    if (sealed.length > this.init.config.limits.envelopeBytes) throw new MessageTooLargeError(sealed.length, this.init.config.limits.envelopeBytes)
    const recipient = peerIdBytes(peer)
    return { version: ENVELOPE_VERSION, id: envelopeId({ version: ENVELOPE_VERSION, recipient, sealed }), recipient, sealed, createdAt: entry.createdAt, expiresAt: entry.createdAt + this.init.config.delivery.ttlMs }
  }

  /**
   * A verified bundle from the first route that has one. A bad bundle (a replica's forgery, a
   * tampered copy) only rules out where it came from: the next route is tried, and the signature
   * error surfaces only when no route had a good one.
   */
  private async fetchBundle (peer: PeerId, options: { signal?: AbortSignal }): Promise<PreKeyBundle | undefined> {
    let forged: unknown
    for (const route of this.routes) {
      try {
        const bundle = await route.takeBundle(peer, options)
        if (bundle === undefined) continue
        await verifyBundle(bundle, peer)
        return bundle
      } catch (err) {
        if (CairnError.is(err, 'BAD_SIGNATURE')) forged ??= err
        this.init.log.info({ route: route.name, peer: peer.toString(), err: describeError(err) }, 'no bundle by this route')
      }
    }
    if (forged !== undefined) throw forged
    return undefined
  }

  private async deliverEntry (entry: OutboxEntry, options: { signal?: AbortSignal }): Promise<SendResult> {
    if (entry.envelope === undefined) return { id: entry.id, route: 'outbox' }
    const envelope = Envelope.decode(Buffer.from(entry.envelope, 'base64'))
    const peer = parsePeerId(entry.to)
    const errors: string[] = []
    for (const route of this.routes) {
      const result = await route.deliver(envelope, peer, options).catch((err: unknown) => ({ ok: false as const, code: 'unreachable' as const, error: describeError(err) }))
      if (result.ok) {
        await removeOutbox(this.init.store, entry)
        this.init.log.info({ id: entry.id, to: entry.to, route: route.name }, 'delivered')
        return { id: entry.id, route: route.name, ...(result.replicas === undefined ? {} : { replicas: result.replicas }) }
      }
      errors.push(`${route.name}: ${result.code} (${result.error})`)
    }
    entry.attempts++
    entry.lastError = errors.join('; ')
    const tx = this.init.store.transaction()
    putOutbox(tx, entry)
    await tx.commit()
    this.init.log.info({ id: entry.id, to: entry.to, errors }, 'kept in outbox')
    return { id: entry.id, route: 'outbox' }
  }

  private async openOne (tx: Kv, envelope: Envelope, via: Route, from?: string): Promise<InboxMessage | InboxMessage[] | undefined> {
    const now = this.now
    if (envelope.version !== ENVELOPE_VERSION) throw new RejectedEnvelopeError('bad-request', `unsupported envelope version ${envelope.version}`)
    if (envelope.id.length !== ID_BYTES) throw new RejectedEnvelopeError('bad-request', 'envelope id must be 16 bytes')
    if (envelope.sealed.length > this.init.config.limits.envelopeBytes) throw new RejectedEnvelopeError('too-large', `envelope is ${envelope.sealed.length} bytes`)
    let recipient: PeerId
    try { recipient = peerIdFromBytes(envelope.recipient) } catch { throw new RejectedEnvelopeError('bad-request', 'malformed recipient') }
    if (recipient.toString() !== this.me) throw new RejectedEnvelopeError('wrong-recipient', 'envelope is for someone else')
    // the id names these bytes: a copy under someone else's id, or a swapped body, is refused
    // before it is opened, so it can never make us take a genuine pending id for seen
    if (!hasBoundId(envelope)) throw new RejectedEnvelopeError('bad-request', 'envelope id does not match its content')
    const id = hex(envelope.id)
    if (await alreadySeen(tx, id)) return undefined
    if (envelope.expiresAt < now) throw new RejectedEnvelopeError('expired', 'envelope expired')
    let opened
    try {
      opened = await this.session.open(tx, envelope.sealed, now)
    } catch (err) {
      throw new RejectedEnvelopeError('undecryptable', describeError(err), { cause: err })
    }
    let content: Content
    try { content = Content.decode(opened.plaintext) } catch (err) { throw new RejectedEnvelopeError('bad-request', 'content does not parse', { cause: err }) }
    if (content.id.length !== ID_BYTES) throw new RejectedEnvelopeError('bad-request', 'message id must be 16 bytes')
    await this.bindSender(opened, content)
    const messageId = hex(content.id)
    // message ids are the sender's to choose, so they are only ever compared within one sender's
    if (await messageSeen(tx, opened.sender, messageId)) {
      recordSeen(tx, id, now)
      return undefined
    }
    if (this.contentHandler !== undefined && (content.groupUpdate !== undefined || content.groupMessage !== undefined)) {
      const route: Route = via === 'direct' && from !== undefined && from !== opened.sender ? 'mailbox' : via
      const shown = await this.contentHandler.open(tx, opened.sender, content, route, now, id)
      recordSeenMessage(tx, opened.sender, messageId, id, now)
      return shown
    }
    if (content.attachment !== undefined) {
      const problem = descriptorProblem(content.attachment)
      if (problem !== undefined) throw new RejectedEnvelopeError('bad-request', `attachment refused: ${problem}`)
    }
    const text = content.text?.body ?? content.attachment?.caption
    if (text === undefined) {
      // receipts and future kinds: nothing to show, but handled (a copy from another replica is a
      // duplicate; opening it again would fail, its message key being spent)
      recordSeenMessage(tx, opened.sender, messageId, id, now)
      return undefined
    }
    // blocked senders and strangers over their daily cap: seen (so acknowledged), never shown
    if (await this.init.senders?.admits(tx, opened.sender, id, now) === false) { recordSeenMessage(tx, opened.sender, messageId, id, now); return undefined }
    const route: Route = via === 'direct' && from !== undefined && from !== opened.sender ? 'mailbox' : via
    const m: InboxMessage = { id: messageId, from: opened.sender, text, sentAt: content.sentAt, seq: content.seq, receivedAt: now, route }
    if (content.attachment !== undefined) {
      m.attachment = summaryOf(content.attachment)
      await recordIncoming(tx, opened.sender, messageId, content.attachment, now)
    }
    recordMessage(tx, m, id)
    return m
  }

  /** The certificate names a PeerId; a new or changed key must be vouched for by that PeerId's key. */
  private async bindSender (opened: Awaited<ReturnType<SealedSession['open']>>, content: Content): Promise<void> {
    const known = opened.previouslyAccepted
    if (known?.equals(opened.senderKey) === true) return
    try {
      const claimed = parsePeerId(opened.sender)
      const v = await verifyIdentityCertificate(content.senderCertificate, claimed)
      if (!v.identityKey.equals(opened.senderKey)) throw new ProtocolError('identity certificate is for another key')
    } catch (err) {
      throw new RejectedEnvelopeError('untrusted-sender', `sender ${opened.sender} is not vouched for by its PeerId: ${describeError(err)}`, { cause: err })
    }
    if (known !== null) {
      this.init.log.warn({ peer: opened.sender }, 'identity key changed; sending to this peer is blocked until accepted')
      this.emit('identityChanged', opened.sender)
    }
  }
}

