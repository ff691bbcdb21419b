/**
 * Sending group messages: our sender-key chain (a new one when anyone it was given to is no longer
 * a member), one ciphertext for all, the delivery-log record, a gossip publish, and each member's
 * copy except for members the topic alone serves (gossip-fallback.ts settles those: their
 * receipts, or their copies after all). A copy is a sealed part (one sealed sender seal per such
 * member) for a member that opens them, holds the chain and lacks no change; else a 1:1 copy
 * (with its distribution message and the changes it may lack). A part that does not go at once,
 * or that its member refuses, goes as its 1:1 copy instead (the Sender sees to it).
 */
import { randomBytes } from 'node:crypto'
import { GroupPayload, type Content } from '../../../proto/cairn.js'
import type { CiphertextMessage } from '@signalapp/libsignal-client'
import { MessageTooLargeError } from '../../shared/errors.js'
import { CONTENT_FEATURES } from '../../shared/protocols/ids.js'
import type { Kv } from '../crypto/kv.js'
import type { SendResult } from '../delivery.js'
import { encodeBody } from '../messaging/content-body.js'
import { peersWith } from '../messaging/peer-features.js'
import type { SealedPart } from '../messaging/sender.js'
import type { VerifiedChange } from './change.js'
import type { ChangeDistribution } from './change-distribution.js'
import { NotGroupMemberError } from './errors.js'
import { GossipFallback } from './gossip-fallback.js'
import type { GroupPublisher, GroupSendResult, GroupsComponents, GroupsInit } from './group-service.js'
import { getSenderState, holdChain, markNoted, pruneHolds, putGossipOnly, putSenderState, type GossipOnly } from './group-store.js'
import * as senderKeys from './sender-keys.js'
import type { GroupState } from './state.js'

/** What sending needs of the membership side (group-service.ts). */
export interface GroupMembership {
  me: string
  resolve: (group: string) => Promise<GroupState>
  publisher: () => GroupPublisher | undefined
  /** Who lacks which changes: what each copy carries, and updates for the rest. */
  changes: Pick<ChangeDistribution, 'lacking' | 'takeChanges' | 'changesBudget' | 'sendUpdates'>
}

/** One send's sender-key ciphertext (and libsignal's object of it), the distribution message each member is given, and the chain's id. */
interface Prepared { ciphertext: Uint8Array<ArrayBuffer>, message: CiphertextMessage, given: Record<string, string>, distributionId: string }

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const bytesOf = (h: string): Uint8Array<ArrayBuffer> => new Uint8Array(Buffer.from(h, 'hex'))
const ID_BYTES = 16

export class GroupSend {
  /** Members sent a message by gossip alone: their receipts, or their 1:1 copies after all (start it with the network). */
  readonly fallback: GossipFallback

  constructor (private readonly c: GroupsComponents, private readonly init: GroupsInit, private readonly m: GroupMembership) {
    const { store, clock, log, messenger } = c
    this.fallback = new GossipFallback({ store, clock, log, deliveries: messenger.deliveries, resend: async (g, members, rest) => this.resend(g, members, rest) }, init.groups.gossipAckMs)
  }

  /**
   * Encrypt `text` once with our sender key, publish it on the group's topic and hand every other
   * member its 1:1 copy, except members the publish reaches who are known to hold our chain and
   * lack no change (gossip-fallback.ts: their receipts, or their copies after all).
   */
  async send (group: string, text: string): Promise<GroupSendResult> {
    const size = Buffer.byteLength(text, 'utf8')
    if (size > this.init.limits.textBytes) throw new MessageTooLargeError(size, this.init.limits.textBytes)
    const state = await this.m.resolve(group)
    if (!state.members.includes(this.m.me)) throw new NotGroupMemberError(state.name)
    const others = state.members.filter(p => p !== this.m.me)
    const id = hex(randomBytes(ID_BYTES))
    if (others.length === 0) return { id, route: 'direct', members: {} }
    let prepared: Prepared | undefined
    let byGossip: GossipOnly | undefined
    let copies: string[] = others
    let parts: string[] = [] // members sent a sealed part, not a 1:1 copy
    const more = new Set<string>() // members who lack more changes than fit beside the text
    let lack: Map<string, VerifiedChange[]> | undefined
    // in the sealing transaction, before any copy: the chain, the record, who gets a 1:1 copy
    const select = async (tx: Kv): Promise<string[]> => {
      prepared = await this.prepare(tx, state, id, text)
      // its heads tell every member which checkpoint we hold: no hold note needed for it
      markNoted(tx, state.id, state.checkpoints.at(-1) ?? '')
      this.c.messenger.deliveries.record(tx, { id, to: state.id, group: { id: state.id, name: state.name }, chain: prepared.distributionId, text, sentAt: this.c.clock.now() }, others)
      lack = await this.m.changes.lacking(tx, state.id, others)
      const live = await this.reachedByGossip(tx, state, prepared.distributionId, others, lack)
      if (live.length > 0) {
        byGossip = { id, gid: state.id, ciphertext: Buffer.from(prepared.ciphertext).toString('base64'), members: Object.fromEntries(live.map(p => [p, prepared?.given[p] as string])), due: this.fallback.dueFromNow() }
        putGossipOnly(tx, byGossip)
      }
      parts = await this.partsFor(tx, state, prepared.distributionId, others.filter(p => !live.includes(p)), lack)
      copies = others.filter(p => !live.includes(p) && !parts.includes(p))
      return copies
    }
    const sealed = async (tx: Kv): Promise<Map<string, SealedPart>> => {
      const p = prepared as Prepared
      const seals = await this.c.messenger.sealForMembers(tx, parts, p.message, bytesOf(state.id))
      // each part's 1:1 copy, should the part not go at once: members given the chain at one point share its bytes
      const copyOf = new Map<string, string>()
      const out = new Map<string, SealedPart>()
      for (const [peer, part] of seals) {
        const given = p.given[peer] as string
        let fallback = copyOf.get(given)
        if (fallback === undefined) copyOf.set(given, fallback = encodeBody({ groupMessage: this.groupMessage(state.id, given, p.ciphertext, []) }))
        out.set(peer, { sealed: part, fallback })
      }
      return out
    }
    // on disk: publish, then deliver the copies (whichever of a member's two copies arrives second is a duplicate)
    const onQueued = (): void => {
      const publisher = this.m.publisher()
      if (prepared === undefined || publisher === undefined) return
      // with no member on the topic the publish reaches nobody now, and gossipsub would offer it
      // to whoever subscribes in the next heartbeats: a second copy of what its 1:1 copy carries
      if (byGossip === undefined && !publisher.subscribers(state).some(p => others.includes(p))) return
      const published = publisher.publish(state, prepared.ciphertext)
      if (byGossip === undefined) return
      this.fallback.arm(byGossip)
      void published.then(reached => { this.fallback.published(id, reached) })
    }
    const results = await this.c.messenger.sendEach(others, async (tx, peer) => {
      const { changes, left } = this.m.changes.takeChanges(tx, state.id, peer, lack?.get(peer) ?? [], this.m.changes.changesBudget(size))
      if (left) more.add(peer)
      return { groupMessage: this.groupMessage(state.id, (prepared as Prepared).given[peer] as string, (prepared as Prepared).ciphertext, changes) }
    }, { onQueued, tracks: id, select, sealed })
    // the message waits (parked) at those members until the rest of the changes it names arrive
    if (more.size > 0) await this.m.changes.sendUpdates(state.id, [...more])
    const members: Record<string, SendResult['route']> = {}
    for (const p of others) members[p] = 'gossip'
    copies.forEach((p, i) => { members[p] = results[i]?.route ?? 'outbox' })
    parts.forEach((p, i) => { members[p] = results[copies.length + i]?.route ?? 'outbox' })
    const routes = Object.values(members)
    const route = routes.every(r => r === 'direct' || r === 'gossip') ? 'direct' : routes.includes('outbox') ? 'outbox' : 'mailbox'
    this.c.log.info({ group: state.id, id, members: others.length, byGossipAlone: others.length - copies.length - parts.length, sealedParts: parts.length }, 'group message sent')
    return { id, route, members }
  }

  /**
   * Of `others`, who gets this message by gossip alone: the publish will reach it (connected and
   * subscribed), it acknowledged a message on this chain before, and the message names no
   * change it may lack (its copy would carry them). None when the fallback is off or not running.
   */
  private async reachedByGossip (tx: Kv, state: GroupState, distributionId: string, others: string[], lack: Map<string, VerifiedChange[]>): Promise<string[]> {
    const publisher = this.m.publisher()
    if (publisher === undefined || !this.fallback.enabled) return []
    const subscribed = new Set(publisher.subscribers(state))
    const candidates = others.filter(p => subscribed.has(p) && (lack.get(p)?.length ?? 0) === 0)
    const holds = await holdChain(tx, state.id, distributionId, candidates)
    return candidates.filter((_, i) => holds[i])
  }

  /**
   * Of `others` (members not served by gossip alone), who gets a sealed part rather than
   * a 1:1 copy: its client said it opens them, it is known to hold this chain (the part carries no
   * distribution message), it lacks no change (nor can it carry any), and we have a session with
   * it under the key the user accepted. None when config turns it off.
   */
  private async partsFor (tx: Kv, state: GroupState, distributionId: string, others: string[], lack: Map<string, VerifiedChange[]>): Promise<string[]> {
    if (!this.init.groups.sealedParts || others.length === 0) return []
    const opens = await peersWith(tx, others, CONTENT_FEATURES.groupSealedParts)
    const candidates = others.filter((p, i) => opens[i] === true && (lack.get(p)?.length ?? 0) === 0)
    const holds = await holdChain(tx, state.id, distributionId, candidates)
    const holding = candidates.filter((_, i) => holds[i])
    const sealable = await this.c.messenger.sealableFor(tx, holding)
    return holding.filter((_, i) => sealable[i])
  }

  private groupMessage (gid: string, distribution: string, ciphertext: Uint8Array<ArrayBuffer>, changes: Uint8Array<ArrayBuffer>[]): NonNullable<Content['groupMessage']> {
    return { groupId: bytesOf(gid), distribution: new Uint8Array(Buffer.from(distribution, 'base64')), ciphertext, changes }
  }

  /** 1:1 copies of a message sent by gossip alone, for `members` (gossip-fallback.ts); `rest` is written with them. */
  async resend (g: GossipOnly, members: string[], rest: GossipOnly): Promise<void> {
    const ciphertext = new Uint8Array(Buffer.from(g.ciphertext, 'base64'))
    let lack: Map<string, VerifiedChange[]> | undefined
    const more = new Set<string>()
    const select = async (tx: Kv): Promise<string[]> => {
      putGossipOnly(tx, rest)
      lack = await this.m.changes.lacking(tx, g.gid, members)
      return members
    }
    await this.c.messenger.sendEach(members, async (tx, peer) => {
      const { changes, left } = this.m.changes.takeChanges(tx, g.gid, peer, lack?.get(peer) ?? [], this.m.changes.changesBudget(ciphertext.length))
      if (left) more.add(peer)
      return { groupMessage: this.groupMessage(g.gid, g.members[peer] ?? '', ciphertext, changes) }
    }, { tracks: g.id, select })
    if (more.size > 0) await this.m.changes.sendUpdates(g.gid, [...more])
  }

  /**
   * Our chain for this send: a new one when anyone we gave the current one to is no longer a
   * member; a distribution message for every member who has none for it yet; the next sequence
   * number; one sender-key ciphertext for all.
   */
  private async prepare (tx: Kv, state: GroupState, id: string, text: string): Promise<Prepared> {
    let s = await getSenderState(tx, state.id)
    if (s === undefined || s.distributionId === '' || Object.keys(s.given).some(p => !state.members.includes(p))) {
      // the rotated-out chain is never sent on again (copies still due carry their own bytes)
      if (s !== undefined && s.distributionId !== '') senderKeys.forget(tx, this.m.me, s.distributionId)
      s = { distributionId: await senderKeys.startChain(tx, this.m.me), given: {}, seq: s?.seq ?? 0 }
      const pruned = await pruneHolds(this.c.store, tx, state.id, s.distributionId)
      this.c.log.info({ group: state.id, prunedHolds: pruned }, 'new sender key for this group')
    }
    for (const p of state.members) {
      if (p !== this.m.me && s.given[p] === undefined) s.given[p] = Buffer.from(await senderKeys.distribution(tx, this.m.me, s.distributionId)).toString('base64')
    }
    s.seq++
    const payload = GroupPayload.encode({ groupId: bytesOf(state.id), id: bytesOf(id), seq: s.seq, sentAt: this.c.clock.now(), heads: state.heads.map(bytesOf), text })
    const message = await senderKeys.encryptMessage(tx, this.m.me, s.distributionId, payload)
    putSenderState(tx, state.id, s)
    return { ciphertext: message.serialize(), message, given: s.given, distributionId: s.distributionId }
  }
}
