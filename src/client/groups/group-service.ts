/**
 * Groups for one user: membership changes (made, signed, stored and sent to whoever needs them),
 * the sending of group messages (group-send.ts: sender key, gossip, each member's 1:1 copy where
 * needed), the receive side (group-receive.ts: the messenger's ContentHandler for group bodies, and
 * the topic's messages), who lacks which changes (change-distribution.ts), the change log kept
 * short at checkpoints (group-log.ts), and each group's changes and state as all of them read
 * them (group-changes.ts).
 */
import { randomBytes } from 'node:crypto'
import type { Content, GroupChange } from '../../../proto/cairn.js'
import type { Clock } from '../../shared/clock.js'
import type { CairnConfig } from '../../shared/config.js'
import { InvalidInputError, ProtocolError, describeError } from '../../shared/errors.js'
import type { Logger } from '../../shared/logger.js'
import { Mutex } from '../../shared/mutex.js'
import { parsePeerId, peerIdBytes } from '../../shared/peer-id.js'
import type { Store } from '../../shared/store.js'
import type { Contacts, TrustState } from '../contacts.js'
import type { CommittingKv } from '../crypto/kv.js'
import type { SendResult } from '../delivery.js'
import type { LocalIdentity } from '../identity.js'
import type { InboxMessage, Route } from '../inbox.js'
import type { ContentHandler, Messenger, SecondCopy } from '../messenger.js'
import { SECRET_BYTES, signChange, verifyChange, type VerifiedChange } from './change.js'
import { AmbiguousGroupError, GroupFullError, NotGroupAdminError, NotGroupMemberError, UnknownGroupError } from './errors.js'
import { getNoted, getSenderState, lastSeqShown, listGroupIds, markKnownBy, markRemade, putChange } from './group-store.js'
import { ChangeDistribution } from './change-distribution.js'
import { GroupChangeCache } from './group-changes.js'
import { GroupLog } from './group-log.js'
import { GroupReceive } from './group-receive.js'
import type { GossipFallback } from './gossip-fallback.js'
import { pruneChains, pruneGroup, type GroupPruneInput, type PruneCounts } from './group-prune.js'
import { pruneLostSeqs } from './lost-seqs.js'
import { GroupSend } from './group-send.js'
import { lastRemovalOf, type GroupState } from './state.js'

export interface GroupsComponents {
  identity: LocalIdentity
  store: Store
  contacts: Contacts
  /** Changes and messages go over the pairwise sessions, as sealed 1:1 messages. */
  messenger: Messenger
  clock: Clock
  log: Logger
}

/** The groups' slice of the configuration (defaults applied in config.ts). */
export interface GroupsInit {
  /**
   * maxMembers (@default 256): a larger group is refused with a clear error; gossipAckMs (@default
   * 10,000): gossip-fallback.ts; sealedParts (@default true): group-send.ts seals the copy of each
   * member that advertises it and holds our chain as a part; checkpointEvery (@default 64): an admin
   * signs a checkpoint of the membership after that many changes (docs/DECISIONS.md, "Group checkpoints").
   */
  groups: Pick<CairnConfig['groups'], 'maxMembers' | 'gossipAckMs' | 'sealedParts' | 'checkpointEvery'>
  /** textBytes (@default 61,440): a group message's limit; envelopeBytes (@default 65,536): what membership changes may ride along in. */
  limits: Pick<CairnConfig['limits'], 'textBytes' | 'envelopeBytes'>
  /** ttlMs (@default 14 days): how long a copy can still come by mailbox; marks live a day longer (prune). */
  delivery: Pick<CairnConfig['delivery'], 'ttlMs'>
}

/** Beyond the mail TTL, how long de-duplication marks are kept (clock skew, a collect under way). */
export const MARK_MARGIN_MS = 24 * 60 * 60_000

/** Live delivery of a group's ciphertexts to its online members (group-gossip.ts). */
export interface GroupPublisher {
  /** Resolves with the PeerIds the publish went to ([] when it failed); never rejects. */
  publish: (state: GroupState, ciphertext: Uint8Array) => Promise<string[]>
  /** The PeerIds connected to us and subscribed to the group's topic: a publish goes to each. */
  subscribers: (state: GroupState) => string[]
  /** Our membership of this group may have changed: subscribe or unsubscribe its topic. */
  refresh: (state: GroupState) => void
}

export interface GroupMemberView {
  peerId: string
  /** The contact name, if this member is in the contact book. */
  name: string | null
  admin: boolean
  /** Our safety state with this member's identity key (null for ourselves). */
  trust: TrustState | null
}

export interface GroupView {
  id: string
  name: string
  members: GroupMemberView[]
  me: { member: boolean, admin: boolean }
  changes: number
}

export interface GroupSendResult extends SendResult {
  /** Per member: direct, mailbox or outbox. */
  members: Record<string, SendResult['route']>
}

/** Whom a file sent to a group goes to: the group, every other member, and our membership heads (fileRecipients). */
export interface GroupRecipients { id: string, name: string, others: string[], heads: string[] }

const bytesOf = (h: string): Uint8Array<ArrayBuffer> => new Uint8Array(Buffer.from(h, 'hex'))

export class Groups implements ContentHandler {
  private readonly me: string
  /** Each group's changes and the state they fold to, cached (group-changes.ts). */
  private readonly groups: GroupChangeCache
  /** Changes made here are made one at a time, so each names the heads the previous one left. */
  private readonly changing = new Mutex()
  publisher?: GroupPublisher
  /** The logs kept short: checkpoints, bases, pruning (group-log.ts). */
  private readonly logs: GroupLog
  /**
   * Every group id we keep changes for: the store's index, listed once (a LevelDB iterator at every
   * send cost ~0.4 ms, more than a member's share of a 10-member send's other work), and every id
   * a change was written for since (putChange here is the only writer; index keys are never removed).
   */
  private listedIds?: Promise<string[]>
  private readonly addedIds = new Set<string>()
  /** Groups that gained a change since the receiver last asked (takeChanged): the files that wait for one are looked at again. */
  private readonly changedSince = new Set<string>()
  /** The send side: our chain, the copies, gossip (group-send.ts). */
  private readonly sending: GroupSend
  /** The receive side: changes kept, messages shown or parked (group-receive.ts). */
  private readonly receiving: GroupReceive
  /** Who lacks which changes, and sending them (change-distribution.ts). */
  private readonly distribution: ChangeDistribution
  /** Groups whose stale changes of ours a receive asked to make again, not yet started (one run each). */
  private readonly remakeQueued = new Set<string>()
  /** Those runs, until they end: stop() waits for them (they write and send). */
  private readonly remaking = new Set<Promise<void>>()
  private stopped = false

  constructor (private readonly components: GroupsComponents, private readonly init: GroupsInit) {
    this.me = components.identity.peerId.toString()
    this.groups = new GroupChangeCache({ store: components.store, maxMembers: init.groups.maxMembers, foldOptions: async (gid) => this.logs.foldOptions(gid) })
    const groups = this.groups
    this.distribution = new ChangeDistribution({ store: components.store, messenger: components.messenger, groups }, init.limits.envelopeBytes)
    this.sending = new GroupSend(components, init, {
      me: this.me,
      resolve: async (group) => this.resolve(group),
      publisher: () => this.publisher,
      changes: this.distribution
    })
    this.logs = new GroupLog({
      me: this.me,
      store: components.store,
      log: components.log,
      checkpointEvery: init.groups.checkpointEvery,
      maxMembers: init.groups.maxMembers,
      groups,
      makeChange: async (state, op, remakes) => this.makeChange(state, op, remakes),
      refold: (gid) => { groups.refold(gid) }
    })
    this.receiving = new GroupReceive({
      me: this.me,
      store: components.store,
      contacts: components.contacts,
      messenger: components.messenger,
      log: components.log,
      logs: this.logs,
      maxMembers: init.groups.maxMembers,
      groups,
      changeStored: (gid) => { this.addedIds.add(gid); this.changedSince.add(gid) },
      refresh: (s) => { this.publisher?.refresh(s) },
      remakeStale: (gid) => { this.remakeSoon(gid) }
    })
  }

  /** Members sent a message by gossip alone: their receipts, or their 1:1 copies after all (start it with the network). */
  get fallback (): GossipFallback { return this.sending.fallback }

  private get max (): number { return this.init.groups.maxMembers }

  // ------------------------------------------------------------------ membership

  async create (name: string, members: string[]): Promise<GroupView> {
    if (name.trim() === '' || name.startsWith('@')) throw new InvalidInputError('a group name must be non-empty and not start with @')
    const peers = await this.resolveMembers(members)
    const size = new Set([this.me, ...peers]).size
    if (size > this.max) throw new GroupFullError(name, size, this.max)
    return this.changing.run(async () => {
      const bytes = await signChange(this.components.identity.peerKey, this.components.identity.peerId, {
        groupId: new Uint8Array(0),
        parents: [],
        madeAt: this.components.clock.now(),
        create: { name, secret: new Uint8Array(randomBytes(SECRET_BYTES)), members: peers.filter(p => p !== this.me).map(p => peerIdBytes(parsePeerId(p))) }
      })
      const v = await verifyChange(bytes)
      const state = await this.commitChange(v, [])
      return this.view(state)
    })
  }

  async add (group: string, members: string[]): Promise<GroupView> {
    const peers = await this.resolveMembers(members)
    return this.changeAsAdmin(group, async (state) => {
      const size = new Set([...state.members, ...peers]).size
      if (size > this.max) throw new GroupFullError(state.name, size, this.max)
      return { add: { members: peers.map(p => peerIdBytes(parsePeerId(p))) } }
    })
  }

  async remove (group: string, members: string[]): Promise<GroupView> {
    const peers = await this.resolveMembers(members)
    const view = await this.changeAsAdmin(group, async (state) => {
      const lastSeqs: number[] = []
      for (const p of peers) {
        if (!state.members.includes(p)) throw new NotGroupMemberError(state.name, `${await this.nameOf(p)} is`)
        lastSeqs.push(await lastSeqShown(this.components.store, state.id, p))
      }
      return { remove: { members: peers.map(p => peerIdBytes(parsePeerId(p))), lastSeqs } }
    })
    // what each removed member was sent goes now (it is sent nothing more)
    await this.pruneOne({ store: this.components.store, me: this.me, cutoff: 0 }, view.id, view.members.map(m => m.peerId))
    return view
  }

  async promote (group: string, members: string[]): Promise<GroupView> {
    const peers = await this.resolveMembers(members)
    return this.changeAsAdmin(group, async (state) => {
      for (const p of peers) if (!state.members.includes(p)) throw new NotGroupMemberError(state.name, `${await this.nameOf(p)} is`)
      return { promote: { members: peers.map(p => peerIdBytes(parsePeerId(p))) } }
    })
  }

  async leave (group: string): Promise<GroupView> {
    return this.changing.run(async () => {
      await this.logs.reissueStale((await this.resolve(group)).id)
      const state = await this.resolve(group)
      if (!state.members.includes(this.me)) throw new NotGroupMemberError(state.name)
      const lastSeq = (await getSenderState(this.components.store.transaction(), state.id))?.seq ?? 0
      const after = await this.makeChange(state, { leave: { lastSeq } })
      // our chain, its notes and what each member was sent go now (the rest with the periodic pass)
      await this.pruneOne({ store: this.components.store, me: this.me, cutoff: 0 }, state.id, after.members)
      return this.view(after)
    })
  }

  /**
   * Prune what only grows (group-prune.ts): every group's marks and parked messages older than the
   * mail TTL and a day, former members' notes, our chain in groups we are no longer in, other senders' spent
   * chains. `now`: the clock's (a test may look ahead). Returns how many keys of each kind went.
   */
  async prune (now = this.components.clock.now()): Promise<PruneCounts & { groups: number, changes: number, notes: number, parked: number }> {
    const input = { store: this.components.store, me: this.me, cutoff: now - this.init.delivery.ttlMs - MARK_MARGIN_MS, now }
    const total: PruneCounts & { groups: number, changes: number, notes: number, parked: number } = { seen: 0, seq: 0, gossiped: 0, known: 0, holds: 0, chains: 0, lost: 0, groups: 0, changes: 0, notes: 0, parked: 0 }
    const membersOf = async (gid: string): Promise<string[] | undefined> => (await this.state(gid))?.members
    for (const gid of await listGroupIds(this.components.store)) {
      total.notes += await this.noteHolding(gid)
      total.changes += await this.compact(gid)
      // what it waits for travels in envelopes that expired by now: parking.ts
      total.parked += await this.receiving.expireParked(gid, input.cutoff)
      const n = await this.pruneOne(input, gid, await membersOf(gid))
      for (const k of Object.keys(n) as Array<keyof PruneCounts>) total[k] += n[k]
      total.groups++
    }
    const tx = this.components.store.transaction()
    const departedAt = async (gid: string, sender: string): Promise<number> => {
      const state = await this.state(gid)
      return state === undefined ? 0 : lastRemovalOf(state, await this.groups.changesOf(gid), sender)?.change.change.madeAt ?? 0
    }
    total.chains += await pruneChains(input, tx, { membersOf, departedAt })
    await tx.commit()
    this.components.log.info(total, 'group records pruned')
    return total
  }

  /**
   * A hold note to the other members (change-distribution.ts) when we have not told them which
   * checkpoint we hold, by a message since it or a note: a member that never writes to the group
   * would otherwise keep everyone's log from being pruned (and, before its client's features are
   * known, any checkpoint from being made). Not for a checkpoint we made: its author holds it.
   * Returns the envelopes queued.
   */
  private async noteHolding (gid: string): Promise<number> {
    const state = await this.state(gid)
    if (state === undefined || !state.members.includes(this.me)) return 0
    const cp = state.checkpoints.at(-1)
    if (await getNoted(this.components.store.transaction(), gid) === (cp ?? '')) return 0
    if (cp !== undefined && (await this.groups.changesOf(gid)).get(cp)?.author === this.me) return 0
    return this.distribution.sendHoldNote(state, this.me)
  }

  /** One group's pass, in its own transaction (a receive committing meanwhile may write a mark back: the next pass takes it). */
  private async pruneOne (input: GroupPruneInput, gid: string, members: string[] | undefined): Promise<PruneCounts> {
    const tx = this.components.store.transaction()
    const n = await pruneGroup(input, tx, gid, members)
    const departedAt = async (sender: string): Promise<number> => {
      const state = await this.state(gid)
      return state === undefined ? 0 : lastRemovalOf(state, await this.groups.changesOf(gid), sender)?.change.change.madeAt ?? 0
    }
    n.lost = await pruneLostSeqs({ ...input, now: input.now ?? this.components.clock.now(), members, departedAt }, tx, gid)
    await tx.commit()
    return n
  }

  async list (): Promise<GroupView[]> {
    const out: GroupView[] = []
    for (const gid of await this.groupIds()) {
      const state = await this.state(gid)
      if (state !== undefined) out.push(await this.view(state))
    }
    return out.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
  }

  async info (group: string): Promise<GroupView> {
    return this.view(await this.resolve(group))
  }

  /** The group named `group` (a name, or an id or its first 8+ hex digits). */
  async resolve (group: string): Promise<GroupState> {
    const matches: GroupState[] = []
    for (const gid of await this.groupIds()) {
      const state = await this.state(gid)
      if (state === undefined) continue
      if (state.name === group || (group.length >= 8 && gid.startsWith(group.toLowerCase()))) matches.push(state)
    }
    if (matches.length === 0) throw new UnknownGroupError(group)
    if (matches.length > 1) {
      const exact = matches.filter(m => m.id === group.toLowerCase())
      if (exact.length === 1) return exact[0] as GroupState
      throw new AmbiguousGroupError(group, matches.map(m => m.id))
    }
    return matches[0] as GroupState
  }

  private async changeAsAdmin (group: string, op: (state: GroupState) => Promise<Pick<GroupChange, 'add' | 'remove' | 'promote'>>): Promise<GroupView> {
    return this.changing.run(async () => {
      await this.logs.reissueStale((await this.resolve(group)).id)
      const state = await this.resolve(group)
      if (!state.members.includes(this.me)) throw new NotGroupMemberError(state.name)
      if (!state.admins.includes(this.me)) throw new NotGroupAdminError(state.name)
      return this.view(await this.logs.checkpointIfDue(await this.makeChange(state, await op(state))))
    })
  }

  /**
   * In every group, our changes made stale by a checkpoint, made again (each sync runs it, for a
   * checkpoint that arrived while we were stopped, or a remake that failed). Cheap when there are
   * none: the fold is cached.
   */
  async remakeStale (): Promise<void> {
    for (const gid of await this.groupIds()) {
      if (await this.logs.hasStale(gid)) await this.changing.run(async () => this.logs.reissueStale(gid))
    }
  }

  /**
   * A receive stored what made changes of ours in `gid` stale (group-receive.ts, after its commit):
   * they are made again now, in the background, under the changes lock. Arrivals meanwhile share
   * the run that has not started yet; a run that finds nothing left to do (toReissue: each stale
   * change is made again once) does nothing. No loop: what is made again is never a checkpoint, and
   * only a receive starts a run, never a change made here.
   */
  private remakeSoon (gid: string): void {
    if (this.stopped || this.remakeQueued.has(gid)) return
    this.remakeQueued.add(gid)
    const run: Promise<void> = this.changing.run(async () => {
      this.remakeQueued.delete(gid)
      if (!this.stopped) await this.logs.reissueStale(gid)
    }).catch((err: unknown) => {
      this.components.log.info({ group: gid, err: describeError(err) }, 'our stale group changes not made again now: the next sync tries again')
    }).finally(() => { this.remaking.delete(run) })
    this.remaking.add(run)
  }

  /** No more changes made again in the background; resolves once those under way are done (before the store closes). */
  async stop (): Promise<void> {
    this.stopped = true
    while (this.remaking.size > 0) await Promise.all(this.remaking)
  }

  /** One group's log kept short (group-log.ts): returns how many changes were deleted. */
  async compact (gid: string): Promise<number> {
    return this.changing.run(async () => this.logs.compact(gid))
  }

  /** `remakes`: the stale change of ours this one makes again (group-log.ts reissueStale). */
  private async makeChange (state: GroupState, op: Pick<GroupChange, 'add' | 'remove' | 'promote' | 'leave' | 'checkpoint'>, remakes?: string): Promise<GroupState> {
    const bytes = await signChange(this.components.identity.peerKey, this.components.identity.peerId, {
      groupId: bytesOf(state.id), parents: state.heads.map(bytesOf), madeAt: this.components.clock.now(), ...op
    })
    const v = await verifyChange(bytes)
    // the removed and the leaving learn of it too (they stop sending; their clients show it)
    return this.commitChange(v, state.members, remakes)
  }

  /** Store a change made here (and, with `remakes`, that it makes that stale one again), then send every member (and `alsoTo`) the changes it lacks. */
  private async commitChange (v: VerifiedChange, alsoTo: string[], remakes?: string): Promise<GroupState> {
    const cache = await this.groups.changesOf(v.groupId)
    const tx = this.components.store.transaction()
    putChange(tx, v.groupId, v.id, v.bytes)
    if (remakes !== undefined) markRemade(tx, v.groupId, remakes, v.id)
    this.addedIds.add(v.groupId)
    this.changedSince.add(v.groupId)
    markKnownBy(tx, v.groupId, this.me, v.id)
    await tx.commit()
    cache.set(v.id, v)
    const state = await this.state(v.groupId)
    if (state === undefined || state.void.includes(v.id)) throw new ProtocolError('the change was void on the group state it was made on')
    this.publisher?.refresh(state)
    this.components.log.info({ group: v.groupId, change: v.id.slice(0, 16), kind: v.kind }, 'group change made')
    const to = [...new Set([...state.members, ...alsoTo])].filter(p => p !== this.me)
    await this.distribution.sendUpdates(v.groupId, to)
    return state
  }

  // ------------------------------------------------------------------ messages

  /** Encrypt `text` once with our sender key and deliver it to every other member (group-send.ts). */
  async send (group: string, text: string): Promise<GroupSendResult> {
    return this.sending.send(group, text)
  }

  /** ContentHandler: a group update or a group message from `sender`, in the receive transaction (group-receive.ts). */
  async open (tx: CommittingKv, sender: string, content: Content, route: Route, now: number, envelopeIdHex: string, copies: SecondCopy[]): Promise<InboxMessage[]> {
    return this.receiving.open(tx, sender, content, route, now, envelopeIdHex, copies)
  }

  /** A ciphertext from group `gid`'s gossip topic (group-receive.ts). */
  async openGossip (gid: string, data: Uint8Array): Promise<InboxMessage[]> {
    return this.receiving.openGossip(gid, data)
  }

  // ------------------------------------------------------------------ state

  async fromFellowMember (sender: string, content: Content): Promise<boolean> {
    return this.receiving.fromFellowMember(sender, content)
  }

  /** ContentHandler: where a file sent to group `gid` under membership `heads` is shown (group-receive.ts fileGroup). */
  async fileGroup (sender: string, gid: string, heads: string[]): Promise<{ id: string, name: string } | 'wait' | undefined> {
    return this.receiving.fileGroup(sender, gid, heads)
  }

  /** ContentHandler: the groups that gained a change since the last call. */
  takeChanged (): string[] {
    const out = [...this.changedSince]
    this.changedSince.clear()
    return out
  }

  /** Group `gid`'s id and name when we and `sender` are both members now (a fellow member's file is taken directly whatever its size): fileGroup's rule, naming no heads. */
  async fellowGroup (sender: string, gid: string): Promise<{ id: string, name: string } | undefined> {
    const group = await this.receiving.fileGroup(sender, gid, [])
    return group === 'wait' ? undefined : group
  }

  /** Who a file sent to `group` goes to (attachments/index.ts): every other member now. Not a member: NotGroupMemberError. */
  async fileRecipients (group: string): Promise<GroupRecipients> {
    const state = await this.resolve(group)
    if (!state.members.includes(this.me)) throw new NotGroupMemberError(state.name)
    return { id: state.id, name: state.name, others: state.members.filter(p => p !== this.me), heads: state.heads }
  }

  /** Whether this user is a member of group `gid` now (not: unknown, left, or removed). */
  async isMember (gid: string): Promise<boolean> {
    return (await this.state(gid))?.members.includes(this.me) === true
  }

  /** The group's state now; folded again only when a change was added (or the log was pruned: compact() clears it). */
  async state (gid: string): Promise<GroupState | undefined> {
    return this.groups.state(gid)
  }

  /** The ids of every group we keep changes for (listedIds, addedIds), in no particular order. */
  private async groupIds (): Promise<string[]> {
    this.listedIds ??= listGroupIds(this.components.store).catch((err: unknown) => { this.listedIds = undefined; throw err })
    return [...new Set([...await this.listedIds, ...this.addedIds])]
  }

  private async resolveMembers (names: string[]): Promise<string[]> {
    const out: string[] = []
    for (const n of names) out.push((await this.components.contacts.resolve(n)).peerId)
    return [...new Set(out)]
  }

  private async nameOf (peerId: string): Promise<string> {
    return (await this.components.contacts.byPeerId(peerId))?.name ?? peerId
  }

  /** As for a contact: new (no key yet), changed (a new key not accepted), verified or unverified. */
  private async trustIn (peerId: string): Promise<TrustState> {
    const c = await this.components.contacts.byPeerId(peerId)
    if (c !== undefined) return this.components.contacts.trust(c)
    const { accepted, seen } = await this.components.contacts.identityKeys(peerId)
    if (accepted === undefined) return 'new'
    return seen !== undefined && !seen.equals(accepted) ? 'changed' : 'unverified'
  }

  private async view (state: GroupState): Promise<GroupView> {
    const members: GroupMemberView[] = []
    for (const p of state.members) {
      const c = p === this.me ? undefined : await this.components.contacts.byPeerId(p)
      members.push({ peerId: p, name: p === this.me ? '(you)' : c?.name ?? null, admin: state.admins.includes(p), trust: p === this.me ? null : await this.trustIn(p) })
    }
    return { id: state.id, name: state.name, members, me: { member: state.members.includes(this.me), admin: state.admins.includes(this.me) }, changes: state.order.length }
  }
}
