/**
 * The receiving half of the messenger: opens envelopes that reached us (directly or from a
 * mailbox), binds each sender to its PeerId, and stores what it shows exactly once (envelope and
 * message ids are remembered; a re-delivered envelope is acknowledged, never shown twice). Every
 * batch commits durably before it resolves; a refused envelope leaves no trace.
 */
import { EventEmitter } from 'node:events'
import type { PeerId } from '@libp2p/interface'
import { Content, Receipt, type Envelope } from '../../../proto/cairn.js'
import { CairnError, ProtocolError, describeError } from '../../shared/errors.js'
import { verifyIdentityCertificate } from '../../shared/identity-certificate.js'
import { parsePeerId, peerIdBytes, peerIdFromBytes } from '../../shared/peer-id.js'
import { hasBoundId } from '../../shared/envelope-id.js'
import { ENVELOPE_VERSION } from '../../shared/protocols/ids.js'
import { descriptorProblem, summaryOf } from '../attachments/descriptor.js'
import { settleGroupClaims } from './group-claims.js'
import { completesStreamed, recordIncoming, recordUnannounced } from '../attachments/incoming-store.js'
import type { CommittingKv } from '../crypto/kv.js'
import { UnboundSenderError, UndecryptableError, type OpenedMessage, type SealedSession } from '../crypto/sealed-session.js'
import { alreadySeen, findReceived, listInbox, messageSeen, recordMessage, recordSeen, recordSeenMessage, seenAmong, seenKeys, type InboxMessage, type Route } from '../inbox.js'
import type { SenderGate } from '../senders/index.js'
import { ID_BYTES, hex } from './content-body.js'
import { notePeerFeatures } from './peer-features.js'
import type { CairnConfig } from '../../shared/config.js'
import type { MessagingComponents } from './context.js'

export type ReceiveStatus = 'stored' | 'duplicate'

/** A receipt opened in a batch: applied to the delivery log once the batch is on disk. */
interface OpenedReceipt { from: string, kind: 'delivered' | 'read', ids: string[] }

/**
 * Opens bodies other than text (groups): runs in the receive transaction after the sender is
 * bound, stores what it shows in the inbox itself, and returns it. Throwing refuses the envelope.
 */
/** A message an envelope carried a second copy of, shown before from another route: receipted, not shown again. */
export type SecondCopy = Pick<InboxMessage, 'id' | 'from' | 'group' | 'route'>

/**
 * A file announced streamed that its second (unshown) message just described in full: its chunks
 * go to mailboxes. `id`: the message that shows it; `fileId`: hex.
 */
export interface DescribedFile { id: string, from: string, fileId: string }

export interface ContentHandler {
  /**
   * Open group content; second copies of messages already shown (by gossip, say) go into `copies`.
   * What should follow the receive (our stale changes made again) hangs on `tx.afterCommit`.
   */
  open: (tx: CommittingKv, sender: string, content: Content, route: Route, now: number, envelopeIdHex: string, copies: SecondCopy[]) => Promise<InboxMessage[]>
  /**
   * Whether `content` is only about groups we are in now with `sender` as a member (a fellow
   * member's message or change, not a stranger's: a new group's invitation is a stranger's).
   */
  fromFellowMember: (sender: string, content: Content) => Promise<boolean>
  /**
   * Where a file `sender` sent to group `gid` under membership `heads` is shown: the group, 'wait'
   * (a change it names is not here yet), or undefined (as the sender's own message).
   */
  fileGroup: (sender: string, gid: string, heads: string[]) => Promise<{ id: string, name: string } | 'wait' | undefined>
  /** The groups that gained a change since the last call (the files that wait for one are looked at again). */
  takeChanged: () => string[]
}

/** Why an incoming envelope was refused; maps to a wire status at the protocol boundary. */
export class RejectedEnvelopeError extends CairnError {
  constructor (readonly reason: 'bad-request' | 'too-large' | 'wrong-recipient' | 'expired' | 'undecryptable' | 'untrusted-sender', message: string, options?: { cause?: unknown }) {
    super('PROTOCOL', message, options)
    this.name = 'RejectedEnvelopeError'
  }
}

export interface ReceiverComponents extends MessagingComponents {
  /** Who may put a message in the inbox (blocked peers, strangers' caps); none: everyone. */
  senders?: SenderGate
}

/** The receiver's slice of the configuration (defaults applied in config.ts). */
export interface ReceiverInit {
  /** envelopeBytes (@default 65,536): a larger envelope is refused unopened. */
  limits: Pick<CairnConfig['limits'], 'envelopeBytes'>
}

/** A mailbox node that pushed someone else's envelope over the direct protocol: labelled mailbox. */
function routeOf (via: Route, from: string | undefined, sender: string): Route {
  return via === 'direct' && from !== undefined && from !== sender ? 'mailbox' : via
}

export class Receiver extends EventEmitter<{ message: [InboxMessage], identityChanged: [string], described: [DescribedFile] }> {
  private readonly me: string
  /** Our PeerId as envelopes carry it: an envelope for us names exactly these bytes (parsing them costs ~50 µs a message). */
  private readonly meBytes: Buffer
  private contentHandler?: ContentHandler
  private shownHook?: (shown: InboxMessage[], copies: SecondCopy[]) => Promise<void>

  constructor (private readonly ctx: ReceiverComponents, private readonly init: ReceiverInit) {
    super()
    this.me = ctx.identity.peerId.toString()
    this.meBytes = Buffer.from(peerIdBytes(ctx.identity.peerId))
  }

  /** Where group bodies go (they are not shown as text). */
  handleContentWith (handler: ContentHandler): void {
    this.contentHandler = handler
  }

  /**
   * Called with what a batch showed (and the second copies it held of messages shown before), once
   * it is on disk and before the batch resolves (receipts.ts queues delivery receipts there: local
   * work only, never the network).
   */
  whenShown (hook: (shown: InboxMessage[], copies: SecondCopy[]) => Promise<void>): void {
    this.shownHook = hook
  }

  async inbox (): Promise<InboxMessage[]> {
    return listInbox(this.ctx.store)
  }

  async findReceived (idPrefix: string): Promise<InboxMessage[]> {
    return findReceived(this.ctx.store, idPrefix)
  }

  /**
   * Run `fn` under the crypto lock in one transaction, committed durably before this resolves, and
   * show what it returns (another route's messages, e.g. a group's gossip).
   */
  async receiveWith (fn: (tx: CommittingKv, now: number) => Promise<InboxMessage[]>): Promise<InboxMessage[]> {
    const shown = await this.ctx.lock.run(async () => {
      const tx = this.ctx.store.transaction()
      let out: InboxMessage[]
      try {
        out = await fn(tx, this.ctx.clock.now())
      } catch (err) {
        tx.rollback(0) // nothing is written: what it changed in memory with its writes is undone too
        throw err
      }
      await tx.commit()
      return out
    })
    await this.afterShown(shown)
    for (const m of shown) this.emit('message', m)
    return shown
  }

  private async afterShown (shown: InboxMessage[], copies: SecondCopy[] = []): Promise<void> {
    if ((shown.length === 0 && copies.length === 0) || this.shownHook === undefined) return
    await this.shownHook(shown, copies).catch((err: unknown) => { this.ctx.log.warn({ err: describeError(err) }, 'could not queue receipts') })
  }

  /** Open one envelope; resolves only after the message is on disk. Throws RejectedEnvelopeError for bad input. */
  async receive (envelope: Envelope, route: Route, from?: string): Promise<ReceiveStatus> {
    const statuses = await this.receiveMany([envelope], route, from)
    const status = statuses[0]
    if (status instanceof Error) throw status
    return status ?? 'duplicate'
  }

  /** Which of `sender`'s message ids (hex) this node has not handled yet (shown or dropped). */
  async unseenFrom (sender: string, messageIds: string[]): Promise<string[]> {
    const seen = await Promise.all(messageIds.map(async id => messageSeen(this.ctx.store, sender, id)))
    return messageIds.filter((_, i) => !seen[i])
  }

  /** Which envelope `ids` are not in the inbox yet (a read of what only grows: no lock needed). */
  async unseen<T extends Uint8Array> (ids: T[]): Promise<T[]> {
    const seen = await seenAmong(this.ctx.store, ids.map(id => hex(id)))
    return ids.filter((_, i) => !seen[i])
  }

  /**
   * Open a batch in one durable commit (a mailbox sync); one bad envelope spoils only itself.
   *
   * `from` is the peer that handed the envelopes over, when known: on the direct protocol, an
   * envelope whose sender is someone else was pushed by a mailbox node, and is labelled so.
   * `committed` is called with the results once the batch is on disk and the lock released, before
   * the receipts it queues (which take the lock again, behind whatever waits for it): a collect
   * fetches its next page, and acknowledges this one, from then on, not only once those receipts
   * are queued.
   */
  async receiveMany (envelopes: Envelope[], route: Route, from?: string, committed?: (results: Array<ReceiveStatus | RejectedEnvelopeError>) => void): Promise<Array<ReceiveStatus | RejectedEnvelopeError>> {
    const stored: InboxMessage[] = []
    const receipts: OpenedReceipt[] = []
    const copies: SecondCopy[] = []
    const described: DescribedFile[] = []
    const moved: InboxMessage[] = [] // earlier batches' group files settled into their group by this one
    const results = await this.ctx.lock.run(async () => {
      const tx = this.ctx.store.transaction()
      // whether each envelope of a page was seen before, read in one trip (seen marks are written
      // under this lock only); one envelope (a direct delivery) reads its mark on this thread when
      // it gets there (Store.get): a trip to the thread pool for one key is the slower way
      if (envelopes.length > 1) await tx.prime(seenKeys(envelopes.map(e => hex(e.id))))
      const out: Array<ReceiveStatus | RejectedEnvelopeError> = []
      for (const envelope of envelopes) {
        const mark = tx.checkpoint()
        try {
          const m = await this.openOne(tx, envelope, route, from, receipts, copies, described)
          if (m === undefined) { out.push('duplicate'); continue }
          stored.push(...(Array.isArray(m) ? m : [m]))
          out.push('stored')
        } catch (err) {
          tx.rollback(mark) // a refused envelope leaves no trace, not even a ratchet step
          out.push(err instanceof RejectedEnvelopeError ? err : new RejectedEnvelopeError('undecryptable', describeError(err), { cause: err }))
        }
      }
      // files sent to a group that wait for a change of it: this batch's, and those of groups that
      // gained one (none, the usual case: no read)
      if (this.contentHandler !== undefined) moved.push(...await settleGroupClaims(tx, this.ctx.store, stored, this.contentHandler, this.ctx.clock.now()))
      await tx.commit()
      return out
    })
    committed?.(results)
    for (const r of receipts) await this.ctx.deliveries.receipt(r.from, r.kind, r.ids)
    await this.afterShown([...stored, ...moved], copies)
    for (const m of stored) this.emit('message', m)
    // a file shown in this batch is already described as its 'message' event is heard
    for (const d of described) if (!stored.some(m => m.id === d.id && m.from === d.from)) this.emit('described', d)
    return results
  }

  private async openOne (tx: CommittingKv, envelope: Envelope, via: Route, from: string | undefined, receipts: OpenedReceipt[], copies: SecondCopy[], described: DescribedFile[]): Promise<InboxMessage | InboxMessage[] | undefined> {
    const now = this.ctx.clock.now()
    if (envelope.version !== ENVELOPE_VERSION) throw new RejectedEnvelopeError('bad-request', `unsupported envelope version ${envelope.version}`)
    if (envelope.id.length !== ID_BYTES) throw new RejectedEnvelopeError('bad-request', 'envelope id must be 16 bytes')
    if (envelope.sealed.length > this.init.limits.envelopeBytes) throw new RejectedEnvelopeError('too-large', `envelope is ${envelope.sealed.length} bytes`)
    if (!this.meBytes.equals(envelope.recipient)) this.refuseRecipient(envelope.recipient)
    // the id names these bytes: a copy under someone else's id, or a swapped body, is refused
    // before it is opened, so it can never make us take a genuine pending id for seen
    if (!hasBoundId(envelope)) throw new RejectedEnvelopeError('bad-request', 'envelope id does not match its content')
    const id = hex(envelope.id)
    if (await alreadySeen(tx, id)) return undefined
    if (envelope.expiresAt < now) throw new RejectedEnvelopeError('expired', 'envelope expired')
    let opened
    try {
      opened = await this.ctx.session.open(tx, envelope.sealed, now)
    } catch (err) {
      // a ratchet message we opened before (its key spent), in a new envelope: the sender sealed
      // it again under a newer certificate after a long wait in its outbox (outbox.ts
      // needsNewSeal), its acknowledgement having been lost. Only the sender can seal it so (the
      // outer layer opened under its identity); it will never open here, and was handled when it
      // did (shown, or deleted since). So a duplicate: acknowledged, and this envelope noted as
      // seen. Refused, the sender's outbox would send it again at every flush.
      if (err instanceof UndecryptableError && err.duplicate) {
        recordSeen(tx, id, now)
        return undefined
      }
      throw new RejectedEnvelopeError(err instanceof UnboundSenderError ? 'untrusted-sender' : 'undecryptable', describeError(err), { cause: err })
    }
    if (opened.groupId !== undefined) return this.openGroupPart(tx, opened, opened.groupId, id, via, from, copies, now)
    let content: Content
    try { content = Content.decode(opened.plaintext) } catch (err) { throw new RejectedEnvelopeError('bad-request', 'content does not parse', { cause: err }) }
    if (content.id.length !== ID_BYTES) throw new RejectedEnvelopeError('bad-request', 'message id must be 16 bytes')
    await this.bindSender(opened, content)
    await notePeerFeatures(tx, opened.sender, content.features)
    const messageId = hex(content.id)
    // message ids are the sender's to choose, so they are only ever compared within one sender's
    if (await messageSeen(tx, opened.sender, messageId)) {
      recordSeen(tx, id, now)
      return undefined
    }
    const route = routeOf(via, from, opened.sender)
    if (this.contentHandler !== undefined && (content.groupUpdate !== undefined || content.groupMessage !== undefined)) {
      const shown = await this.openGroupContent(tx, opened.sender, content, route, id, copies, now)
      recordSeenMessage(tx, opened.sender, messageId, id, now)
      return shown
    }
    if (content.attachment !== undefined) {
      const problem = descriptorProblem(content.attachment)
      if (problem !== undefined) throw new RejectedEnvelopeError('bad-request', `attachment refused: ${problem}`)
      // the full descriptor of a file announced streamed (its second message): completes its
      // record, never shown. One marked so (`completes`) is never shown either, even opened before
      // the announcement: kept for it then (not a blocked sender's, nor a stranger's over the cap)
      const second = await completesStreamed(tx, opened.sender, content.attachment)
      if (second.outcome === 'completed' || second.outcome === 'unchanged' || content.attachment.completes === true) {
        if (second.outcome === 'completed') described.push({ id: second.record.messageId, from: opened.sender, fileId: hex(content.attachment.fileId) })
        else if (second.outcome === 'unknown' && await this.ctx.senders?.admits(tx, opened.sender, id, now) !== false) recordUnannounced(tx, opened.sender, messageId, content.attachment, now)
        recordSeenMessage(tx, opened.sender, messageId, id, now)
        return undefined
      }
    }
    if (content.receipt !== undefined) {
      // never shown, never receipted; the delivery log ignores ids this sender was not sent
      const ids = content.receipt.ids.filter(i => i.length === ID_BYTES).map(hex)
      if (ids.length > 0) receipts.push({ from: opened.sender, kind: content.receipt.kind === Receipt.Kind.READ ? 'read' : 'delivered', ids })
      recordSeenMessage(tx, opened.sender, messageId, id, now)
      return undefined
    }
    const text = content.text?.body ?? content.attachment?.caption
    if (text === undefined) {
      // future kinds: nothing to show, but handled (a copy from another replica is a
      // duplicate; opening it again would fail, its message key being spent)
      recordSeenMessage(tx, opened.sender, messageId, id, now)
      return undefined
    }
    // a file sent to a group is shown there once the membership its sender named is here and we
    // and the sender are members; until that membership is here, as its sender's message with a
    // claim (group-claims.ts); when it is and the sender is no member, as its sender's message
    const groupId = content.attachment?.groupId === undefined ? undefined : hex(content.attachment.groupId)
    const heads = content.attachment?.groupHeads.map(hex) ?? []
    const verdict = groupId === undefined ? undefined : await this.contentHandler?.fileGroup(opened.sender, groupId, heads)
    const group = verdict === 'wait' ? undefined : verdict
    // blocked senders and strangers over their daily cap: seen (so acknowledged), never shown. A
    // fellow member's group file passes as its group messages do (not counted as a stranger's)
    const admitted = group !== undefined ? await this.ctx.senders?.blocks(opened.sender) !== true : await this.ctx.senders?.admits(tx, opened.sender, id, now) !== false
    if (!admitted) { recordSeenMessage(tx, opened.sender, messageId, id, now); return undefined }
    const m: InboxMessage = { id: messageId, from: opened.sender, text, sentAt: content.sentAt, seq: content.seq, receivedAt: now, route }
    if (group !== undefined) m.group = group
    else if (verdict === 'wait' && groupId !== undefined) m.groupClaim = { id: groupId, heads } // looked at again as its group's changes come (group-claims.ts)
    if (content.attachment !== undefined) {
      m.attachment = summaryOf(content.attachment)
      await recordIncoming(tx, opened.sender, messageId, content.attachment, now)
    }
    recordMessage(tx, m, id)
    return m
  }

  /** Throws why `recipient` (not our PeerId's bytes) is refused, unless it still names us. */
  private refuseRecipient (recipient: Uint8Array): void {
    let id: PeerId
    try { id = peerIdFromBytes(recipient) } catch { throw new RejectedEnvelopeError('bad-request', 'malformed recipient') }
    if (id.toString() !== this.me) throw new RejectedEnvelopeError('wrong-recipient', 'envelope is for someone else')
  }

  /**
   * Group content, through the same gate as text: a blocked peer's is dropped whatever its group;
   * a stranger's (a new group's invitation, say) counts against the strangers' daily caps, unless
   * it is about a group we are in with the sender (fellow members need not be contacts). Returns
   * what it showed; undefined when the gate dropped it.
   */
  private async openGroupContent (tx: CommittingKv, sender: string, content: Content, route: Route, envelopeIdHex: string, copies: SecondCopy[], now: number): Promise<InboxMessage[] | undefined> {
    const handler = this.contentHandler as ContentHandler
    if (this.ctx.senders !== undefined) {
      const member = await handler.fromFellowMember(sender, content)
      const admitted = member ? !await this.ctx.senders.blocks(sender) : await this.ctx.senders.admits(tx, sender, envelopeIdHex, now)
      if (!admitted) return undefined
    }
    return handler.open(tx, sender, content, route, now, envelopeIdHex, copies)
  }

  /**
   * A sealed sender v2 group part (the sender already bound by the key we hold for it): its
   * sender-key ciphertext opened as the group message of a 1:1 copy that carries no distribution
   * message and no changes, so de-duplicated, gap-checked and membership-checked the same way.
   */
  private async openGroupPart (tx: CommittingKv, opened: OpenedMessage, groupId: Uint8Array, envelopeIdHex: string, via: Route, from: string | undefined, copies: SecondCopy[], now: number): Promise<InboxMessage[] | undefined> {
    if (this.contentHandler === undefined) throw new RejectedEnvelopeError('bad-request', 'a group part, and no groups here')
    const content: Content = { version: 0, id: new Uint8Array(0), sentAt: 0, seq: 0, features: 0, groupMessage: { groupId: new Uint8Array(groupId), distribution: new Uint8Array(0), ciphertext: new Uint8Array(opened.plaintext), changes: [] } }
    const shown = await this.openGroupContent(tx, opened.sender, content, routeOf(via, from, opened.sender), envelopeIdHex, copies, now)
    recordSeen(tx, envelopeIdHex, now)
    return shown
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
      this.ctx.log.warn({ peer: opened.sender }, 'identity key changed; sending to this peer is blocked until accepted')
      this.emit('identityChanged', opened.sender)
    }
  }
}
