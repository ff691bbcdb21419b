/**
 * The receive side of groups: group updates and group messages from 1:1 envelopes (the
 * messenger's ContentHandler, in its receive transaction) and ciphertexts from a group's gossip
 * topic. Changes are verified and kept (a bad one is skipped); a message is shown once, when the
 * membership it names is known and its sender a member (or one whose removal vouches for it), and
 * parked until then, within a bound per group.
 */
import { createHash } from 'node:crypto'
import { GroupGossip, GroupPayload, type Content } from '../../../proto/cairn.js'
import { ProtocolError, describeError } from '../../shared/errors.js'
import type { Logger } from '../../shared/logger.js'
import type { Store } from '../../shared/store.js'
import type { Contacts } from '../contacts.js'
import type { CommittingKv, Kv } from '../crypto/kv.js'
import { messageSeen, recordMessage, type InboxMessage, type Route } from '../inbox.js'
import type { Messenger, SecondCopy } from '../messenger.js'
import { GROUP_ID_BYTES, groupIdOf, verifyChange, type VerifiedChange } from './change.js'
import type { GroupChanges } from './group-changes.js'
import type { GroupLog } from './group-log.js'
import {
  distributionSenders, groupMessageSeen, gossipedId, markGossiped, markGroupMessageSeen, markKnownBy, markSeqShown,
  putChange, putDistribution, seqShown, type ParkedMessage
} from './group-store.js'
import { Parking } from './parking.js'
import * as senderKeys from './sender-keys.js'
import { changesUpTo, foldGroup, lastRemovalOf, type GroupState } from './state.js'

export const GROUP_GOSSIP_VERSION = 1

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
/** Names a sender-key ciphertext: the gossip copy and the 1:1 copy of one message carry the same bytes. */
export const ciphertextHash = (ct: Uint8Array): string => createHash('sha256').update(ct).digest('hex').slice(0, 32)
const ID_BYTES = 16

export interface GroupReceiveComponents {
  me: string
  store: Store
  contacts: Contacts
  messenger: Messenger
  log: Logger
  /** The logs kept short: what a checkpoint admits, adopts and prunes (group-log.ts). */
  logs: GroupLog
  maxMembers: number
  /** Each group's changes and state, as of now (a change kept here is added to its changes). */
  groups: GroupChanges
  /** A change was written for `gid` (the service's list of group ids). */
  changeStored: (gid: string) => void
  /** Our membership of `state`'s group may have changed (the gossip topic follows it). */
  refresh: (state: GroupState) => void
  /**
   * Changes of ours in `gid` are stale (a checkpoint we had not seen when we made them): make them
   * again. Called once the receive that showed it is durable, outside its transaction; it starts
   * the work and does not wait for it.
   */
  remakeStale: (gid: string) => void
}

export class GroupReceive {
  /** Messages waiting for the membership they name (parking.ts). */
  readonly parking: Parking

  constructor (private readonly c: GroupReceiveComponents) {
    this.parking = new Parking({ store: c.store, log: c.log })
  }

  /**
   * The periodic pass: messages of `gid` parked before `cutoff` are dropped (their numbers noted
   * as lost, so the reader sees a gap), under the receive lock, so that no receive shows or parks
   * one meanwhile. Returns how many went.
   */
  async expireParked (gid: string, cutoff: number): Promise<number> {
    if ((await this.parking.of(gid)).length === 0) return 0 // the usual case: no lock, no write
    let n = 0
    await this.c.messenger.receiveWith(async (tx, now) => {
      n = (await this.parking.expire(tx, gid, cutoff, now)).length
      return []
    })
    return n
  }

  /** ContentHandler: a group update or a group message from `sender`, in the receive transaction. */
  async open (tx: CommittingKv, sender: string, content: Content, route: Route, now: number, envelopeIdHex: string, copies: SecondCopy[]): Promise<InboxMessage[]> {
    const gm = content.groupMessage
    const touched = await this.acceptChanges(tx, sender, gm?.changes ?? content.groupUpdate?.changes ?? [])
    const shown: InboxMessage[] = []
    if (gm !== undefined) {
      if (gm.groupId.length !== GROUP_ID_BYTES) throw new ProtocolError('group message has a malformed group id')
      const gid = hex(gm.groupId)
      // none in a sealed part: sent only to members known to hold the chain already
      if (gm.distribution.length > 0) await putDistribution(tx, await senderKeys.accept(tx, sender, gm.distribution), sender, gid, now)
      const plaintext = await senderKeys.decrypt(tx, sender, gm.ciphertext) // undefined: had it already (gossip)
      if (plaintext !== undefined) {
        shown.push(...await this.openPayload(tx, gid, sender, plaintext, route, now, envelopeIdHex))
      } else {
        const id = await gossipedId(tx, gid, ciphertextHash(gm.ciphertext))
        const state = await this.c.groups.state(gid)
        if (id !== undefined) copies.push({ id, from: sender, route, ...(state === undefined ? {} : { group: { id: gid, name: state.name } }) })
      }
    }
    for (const gid of touched) {
      const state = await this.c.groups.state(gid)
      if (state !== undefined) this.c.refresh(state)
      // a checkpoint (or the rest of its ancestry) that made changes of ours stale: they are made
      // again as soon as it is stored, not at our next sync or change (its author need not sync)
      if (await this.c.logs.hasStale(gid)) tx.afterCommit(() => { this.c.remakeStale(gid) })
      shown.push(...await this.unparkReady(tx, gid, now, envelopeIdHex))
    }
    for (const h of content.groupUpdate?.holds ?? []) {
      // after the changes: a note carries the checkpoint it names
      const state = h.groupId.length === GROUP_ID_BYTES ? await this.c.groups.state(hex(h.groupId)) : undefined
      if (state !== undefined) this.c.logs.noteHold(tx, state, sender, hex(h.checkpoint))
    }
    return shown
  }

  /**
   * A ciphertext from group `gid`'s gossip topic: opened if it decrypts as the message of someone
   * who gave us that chain over a 1:1 session and is a member now; anything else is dropped.
   */
  async openGossip (gid: string, data: Uint8Array): Promise<InboxMessage[]> {
    let ciphertext: Uint8Array
    try {
      const g = GroupGossip.decode(data)
      if (g.version !== GROUP_GOSSIP_VERSION) return []
      ciphertext = g.ciphertext
    } catch { return [] }
    const distributionId = senderKeys.distributionIdOf(ciphertext)
    if (distributionId === undefined) return []
    const candidates = (await distributionSenders(this.c.store, distributionId)).filter(c => c.gid === gid)
    const pseudoId = createHash('sha256').update(data).digest('hex').slice(0, 32)
    return this.c.messenger.receiveWith(async (tx, now) => {
      for (const { sender } of candidates) {
        let plaintext: Uint8Array | undefined
        try { plaintext = await senderKeys.decrypt(tx, sender, ciphertext) } catch { continue }
        if (plaintext === undefined) return [] // its 1:1 copy came first
        const shown = await this.openPayload(tx, gid, sender, plaintext, 'gossip', now, pseudoId).catch((err: unknown) => {
          this.c.log.info({ group: gid, err: describeError(err) }, 'gossip message refused')
          return []
        })
        for (const m of shown) markGossiped(tx, gid, ciphertextHash(ciphertext), m.id, now)
        return shown
      }
      this.c.log.debug({ group: gid }, 'gossip message that opens as no member\'s dropped')
      return []
    })
  }

  /** Whether `content` is only about groups both we and `sender` are members of (a stranger's message is then let in). */
  async fromFellowMember (sender: string, content: Content): Promise<boolean> {
    const gm = content.groupMessage
    const gids = new Set<string>(gm !== undefined ? [hex(gm.groupId)] : [])
    for (const h of content.groupUpdate?.holds ?? []) gids.add(hex(h.groupId))
    // which groups it is about, not whether it is sound: acceptChanges verifies what it applies
    for (const bytes of gm?.changes ?? content.groupUpdate?.changes ?? []) {
      const gid = groupIdOf(bytes)
      if (gid === undefined) return false
      gids.add(gid)
    }
    if (gids.size === 0) return false
    for (const gid of gids) {
      const state = await this.c.groups.state(gid)
      if (state === undefined || !state.members.includes(this.c.me) || !state.members.includes(sender)) return false
    }
    return true
  }

  private async openPayload (tx: CommittingKv, gid: string, sender: string, plaintext: Uint8Array, route: Route, now: number, envelopeIdHex: string): Promise<InboxMessage[]> {
    let payload: GroupPayload
    try { payload = GroupPayload.decode(plaintext) } catch (err) { throw new ProtocolError('group payload does not parse', { cause: err }) }
    if (hex(payload.groupId) !== gid || payload.id.length !== ID_BYTES) throw new ProtocolError('group payload names another group or a malformed id')
    const id = hex(payload.id)
    // the inbox's own mark outlives the group's (pruned once no copy can still come by mailbox)
    if (await groupMessageSeen(tx, gid, sender, id) || await messageSeen(tx, sender, id)) return []
    markGroupMessageSeen(tx, gid, sender, id, now)
    const m: ParkedMessage = { sender, id, seq: payload.seq, sentAt: payload.sentAt, heads: payload.heads.map(hex), text: payload.text, route }
    const out = await this.showOrPark(tx, gid, m, now, envelopeIdHex)
    return out === undefined ? [] : [out]
  }

  /** Verify and keep signed changes; returns the groups that gained any. A bad one is skipped. */
  private async acceptChanges (tx: CommittingKv, sender: string, list: Uint8Array[]): Promise<Set<string>> {
    const touched = new Set<string>()
    const added: VerifiedChange[] = []
    for (const bytes of list) {
      let v: VerifiedChange
      try { v = await verifyChange(bytes) } catch (err) {
        this.c.log.warn({ from: sender, err: describeError(err) }, 'group change refused')
        continue
      }
      const cache = await this.c.groups.changesOf(v.groupId)
      markKnownBy(tx, v.groupId, sender, v.id)
      if (cache.has(v.id)) continue
      if (await this.c.logs.admit(tx, v, sender) === 'drop') continue
      putChange(tx, v.groupId, v.id, v.bytes)
      this.c.changeStored(v.groupId)
      cache.set(v.id, v)
      // not stored after all (the envelope refused later, or the commit failed): out of the cache
      // too, or it would never be stored until a restart (a copy sent again is taken as held)
      tx.onUndo(() => { if (cache.get(v.id) === v) { cache.delete(v.id); this.c.logs.refold(v.groupId) } })
      touched.add(v.groupId)
      added.push(v)
    }
    // once all are stored: what came with a checkpoint may show how it stands to the one we fold from
    for (const gid of touched) await this.c.logs.adopt(tx, gid, added.filter(a => a.groupId === gid && a.kind === 'checkpoint'))
    for (const gid of touched) this.c.logs.report(await this.c.groups.state(gid), added.filter(a => a.groupId === gid), sender)
    return touched
  }

  /** Whether any of `heads` is a change of `gid` not here yet (a head we pruned counts as here: sent under membership we have folded past). */
  private async lacksHeads (gid: string, state: GroupState, heads: string[]): Promise<boolean> {
    const cache = await this.c.groups.changesOf(gid)
    const unknown = async (h: string): Promise<boolean> => (!cache.has(h) || state.waiting.includes(h)) && !await this.c.logs.isPruned(gid, h)
    return (await Promise.all(heads.map(unknown))).some(Boolean)
  }

  /**
   * Where a file that `sender` sent to group `gid` under membership `heads` is shown: in the group
   * (its id and name) once that membership is here and we and the sender are members now;
   * 'wait' while the group or a head is not here (a change still on its way); undefined when it
   * never will be: the membership it names is here, and the sender is no member. As a group
   * message is (showOrPark): nobody who was not a member when it sent puts a file in the group.
   */
  async fileGroup (sender: string, gid: string, heads: string[]): Promise<{ id: string, name: string } | 'wait' | undefined> {
    const state = await this.c.groups.state(gid)
    if (state === undefined || await this.lacksHeads(gid, state, heads)) return 'wait'
    return state.members.includes(this.c.me) && state.members.includes(sender) ? { id: gid, name: state.name } : undefined
  }

  private async showOrPark (tx: CommittingKv, gid: string, m: ParkedMessage, now: number, envelopeIdHex: string): Promise<InboxMessage | undefined> {
    const state = await this.c.groups.state(gid)
    if (state === undefined || await this.lacksHeads(gid, state, m.heads)) {
      // a group we may never learn (a stranger's) must not grow the store without bound: parking.ts
      await this.parking.park(tx, gid, m, now)
      return undefined
    }
    if (!state.members.includes(m.sender) && !await this.sentBeforeRemoval(tx, gid, state, m)) {
      this.c.log.warn({ group: gid, sender: m.sender, seq: m.seq }, 'group message from a non-member dropped')
      return undefined
    }
    if (await this.c.contacts.isBlocked(m.sender)) {
      this.c.log.info({ group: gid, sender: m.sender }, 'group message from a blocked peer dropped')
      return undefined
    }
    const shown: InboxMessage = { id: m.id, from: m.sender, text: m.text, sentAt: m.sentAt, seq: m.seq, receivedAt: now, route: m.route, group: { id: gid, name: state.name } }
    recordMessage(tx, shown, envelopeIdHex)
    markSeqShown(tx, gid, m.sender, m.seq, now)
    // its sender holds the latest checkpoint when its heads follow it: a step towards pruning
    this.c.logs.noteHeads(tx, state, m.sender, m.heads)
    return shown
  }

  /**
   * A message from someone who is no longer a member, still shown because it was in flight when
   * its sender was removed (or left): its sender was a member under the membership it names, its
   * sequence number is one the removal vouches for (at most the remover's last held from it, or the
   * leaver's own last) and none shown before. A former member cannot add anything past that bound,
   * whatever heads it names.
   */
  private async sentBeforeRemoval (tx: Kv, gid: string, state: GroupState, m: ParkedMessage): Promise<boolean> {
    const cache = await this.c.groups.changesOf(gid)
    const removal = lastRemovalOf(state, cache, m.sender)
    if (removal === undefined || m.seq < 1 || m.seq > removal.lastSeq) return false
    if (await seqShown(tx, gid, m.sender, m.seq)) return false
    // sent under membership pruned here: the removal vouches for it, but whether its sender was a member then is not known any more
    if (m.heads.some(h => !cache.has(h))) return false
    return foldGroup(gid, [...cache.values()].filter(c => c.kind === 'create').concat(changesUpTo(cache, m.heads)), this.c.maxMembers, await this.c.logs.foldOptions(gid))?.members.includes(m.sender) === true
  }

  /** Show (or drop) parked messages whose heads are now known; the rest stay parked. */
  private async unparkReady (tx: CommittingKv, gid: string, now: number, envelopeIdHex: string): Promise<InboxMessage[]> {
    const waiting = await this.parking.takeAll(tx, gid)
    const shown: InboxMessage[] = []
    for (const m of waiting) {
      const out = await this.showOrPark(tx, gid, m, now, envelopeIdHex) // parks it again if still waiting
      if (out !== undefined) shown.push(out)
    }
    return shown
  }
}
