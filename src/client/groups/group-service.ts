/**
 * Groups for one user: membership changes (made, signed, stored and sent to whoever needs them),
 * the sending of group messages (group-send.ts: sender key, gossip, each member's 1:1 copy where
 * needed), the receive side (the messenger's ContentHandler for group bodies, and the topic's
 * messages), and the change log kept short at checkpoints (group-log.ts).
 */
import { createHash, randomBytes } from 'node:crypto'
import { GroupGossip, GroupPayload, type Content, type GroupChange } from '../../../proto/cairn.js'
import type { Clock } from '../../shared/clock.js'
import type { CairnConfig } from '../../shared/config.js'
import { InvalidInputError, ProtocolError, describeError } from '../../shared/errors.js'
import type { Logger } from '../../shared/logger.js'
import { Mutex } from '../../shared/mutex.js'
import { parsePeerId, peerIdBytes } from '../../shared/peer-id.js'
import type { Store } from '../../shared/store.js'
import type { Contacts, TrustState } from '../contacts.js'
import type { Kv } from '../crypto/kv.js'
import type { SendResult } from '../delivery.js'
import type { LocalIdentity } from '../identity.js'
import { messageSeen, recordMessage, type InboxMessage, type Route } from '../inbox.js'
import type { ContentHandler, Messenger, SecondCopy } from '../messenger.js'
import { GROUP_ID_BYTES, SECRET_BYTES, groupIdOf, signChange, verifyChange, type VerifiedChange } from './change.js'
import { AmbiguousGroupError, GroupFullError, NotGroupAdminError, NotGroupMemberError, UnknownGroupError } from './errors.js'
import {
  distributionSenders, getSenderState, groupMessageSeen, putDistribution, knownBy, lastSeqShown, listChangeBytes, listGroupIds, listParked, markGroupMessageSeen, markKnownBy,
  markGossiped, gossipedId, markSeqShown, park, putChange, seqShown, unpark, type ParkedMessage
} from './group-store.js'
import { GroupLog } from './group-log.js'
import { logFor } from './log-compaction.js'
import type { GossipFallback } from './gossip-fallback.js'
import { pruneChains, pruneGroup, type GroupPruneInput, type PruneCounts } from './group-prune.js'
import { GroupSend } from './group-send.js'
import * as senderKeys from './sender-keys.js'
import { changesUpTo, foldGroup, lastRemovalOf, type GroupState } from './state.js'

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
   * 10,000): gossip-fallback.ts; sealedSenderV2 (@default true): group-send.ts seals the copies of
   * members that advertise it and hold our chain together; checkpointEvery (@default 64): an admin
   * signs a checkpoint of the membership after that many changes (docs/DECISIONS.md, "Group checkpoints").
   */
  groups: Pick<CairnConfig['groups'], 'maxMembers' | 'gossipAckMs' | 'sealedSenderV2' | 'checkpointEvery'>
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

export const GROUP_GOSSIP_VERSION = 1

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

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
/** Names a sender-key ciphertext: the gossip copy and the 1:1 copy of one message carry the same bytes. */
const ciphertextHash = (ct: Uint8Array): string => createHash('sha256').update(ct).digest('hex').slice(0, 32)
const bytesOf = (h: string): Uint8Array<ArrayBuffer> => new Uint8Array(Buffer.from(h, 'hex'))
const ID_BYTES = 16
/** The proto's limit on changes in one GroupUpdate or GroupMessage is 4096; stay well inside it. */
const MAX_CHANGES_PER_ENVELOPE = 1024
/** Messages held per group until the membership they name arrives. */
const MAX_PARKED_PER_GROUP = 1000

/**
 * How many of `changes`, from `from` on, one envelope carries in `budget` bytes and the proto's
 * count limit: at least one, however large, unless the budget is 0 (text fills the envelope).
 */
function fitting (changes: VerifiedChange[], from: number, budget: number): number {
  let bytes = 0
  for (let i = from; i < changes.length; i++) {
    const size = (changes[i] as VerifiedChange).bytes.length
    if (i - from >= MAX_CHANGES_PER_ENVELOPE || (bytes + size > budget && (i > from || budget === 0))) return i - from
    bytes += size
  }
  return changes.length - from
}

/** How many updates carry all of `changes` (one, even when there are none). */
function updatesFor (changes: VerifiedChange[], budget: number): number {
  let n = 1
  for (let i = Math.max(1, fitting(changes, 0, budget)); i < changes.length; n++) i += Math.max(1, fitting(changes, i, budget))
  return n
}

export class Groups implements ContentHandler {
  private readonly me: string
  /** Verified changes per group, loaded from the store on first use and kept in step with it. */
  private readonly changes = new Map<string, Map<string, VerifiedChange>>()
  private readonly parked = new Map<string, ParkedMessage[]>()
  /** Changes made here are made one at a time, so each names the heads the previous one left. */
  private readonly changing = new Mutex()
  publisher?: GroupPublisher
  private readonly folded = new Map<string, { size: number, state: GroupState | undefined }>()
  /** The logs kept short: checkpoints, bases, pruning (group-log.ts). */
  private readonly logs: GroupLog
  /**
   * Every group id we keep changes for: the store's index, listed once (a LevelDB iterator at every
   * send cost ~0.4 ms, more than a member's share of a 10-member send's other work), and every id
   * a change was written for since (putChange here is the only writer; index keys are never removed).
   */
  private listedIds?: Promise<string[]>
  private readonly addedIds = new Set<string>()
  /** The send side: our chain, the copies, gossip (group-send.ts). */
  private readonly sending: GroupSend

  constructor (private readonly components: GroupsComponents, private readonly init: GroupsInit) {
    this.me = components.identity.peerId.toString()
    this.sending = new GroupSend(components, init, {
      me: this.me,
      resolve: async (group) => this.resolve(group),
      publisher: () => this.publisher,
      lacking: async (kv, gid, peers) => this.lacking(kv, gid, peers),
      takeChanges: (tx, gid, peer, lacking, budget) => this.takeChanges(tx, gid, peer, lacking, budget),
      changesBudget: (textBytes) => this.changesBudget(textBytes),
      sendUpdates: async (gid, peers) => this.sendUpdates(gid, peers)
    })
    this.logs = new GroupLog({
      me: this.me,
      store: components.store,
      log: components.log,
      checkpointEvery: init.groups.checkpointEvery,
      maxMembers: init.groups.maxMembers,
      changesOf: async (gid) => this.changesOf(gid),
      state: async (gid) => this.state(gid),
      makeChange: async (state, op) => this.makeChange(state, op),
      refold: (gid) => { this.folded.delete(gid) }
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
   * Prune what only grows (group-prune.ts): every group's marks older than the mail TTL and a
   * day, former members' notes, our chain in groups we are no longer in, other senders' spent
   * chains. `now`: the clock's (a test may look ahead). Returns how many keys of each kind went.
   */
  async prune (now = this.components.clock.now()): Promise<PruneCounts & { groups: number, changes: number }> {
    const input = { store: this.components.store, me: this.me, cutoff: now - this.init.delivery.ttlMs - MARK_MARGIN_MS }
    const total: PruneCounts & { groups: number, changes: number } = { seen: 0, seq: 0, gossiped: 0, known: 0, holds: 0, chains: 0, groups: 0, changes: 0 }
    const membersOf = async (gid: string): Promise<string[] | undefined> => (await this.state(gid))?.members
    for (const gid of await listGroupIds(this.components.store)) {
      total.changes += await this.compact(gid)
      const n = await this.pruneOne(input, gid, await membersOf(gid))
      for (const k of Object.keys(n) as Array<keyof PruneCounts>) total[k] += n[k]
      total.groups++
    }
    const tx = this.components.store.transaction()
    const departedAt = async (gid: string, sender: string): Promise<number> => {
      const state = await this.state(gid)
      return state === undefined ? 0 : lastRemovalOf(state, await this.changesOf(gid), sender)?.change.change.madeAt ?? 0
    }
    total.chains += await pruneChains(input, tx, { membersOf, departedAt })
    await tx.commit()
    this.components.log.info(total, 'group records pruned')
    return total
  }

  /** One group's pass, in its own transaction (a receive committing meanwhile may write a mark back: the next pass takes it). */
  private async pruneOne (input: GroupPruneInput, gid: string, members: string[] | undefined): Promise<PruneCounts> {
    const tx = this.components.store.transaction()
    const n = await pruneGroup(input, tx, gid, members)
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
   * In every group, our changes made stale by a checkpoint, made again (each sync runs it: a leave
   * or an add of ours should not wait for the hourly pass). Cheap when there are none: the fold is cached.
   */
  async remakeStale (): Promise<void> {
    for (const gid of await this.groupIds()) {
      if (await this.logs.hasStale(gid)) await this.changing.run(async () => this.logs.reissueStale(gid))
    }
  }

  /** One group's log kept short (group-log.ts): returns how many changes were deleted. */
  async compact (gid: string): Promise<number> {
    return this.changing.run(async () => this.logs.compact(gid))
  }

  private async makeChange (state: GroupState, op: Pick<GroupChange, 'add' | 'remove' | 'promote' | 'leave' | 'checkpoint'>): Promise<GroupState> {
    const bytes = await signChange(this.components.identity.peerKey, this.components.identity.peerId, {
      groupId: bytesOf(state.id), parents: state.heads.map(bytesOf), madeAt: this.components.clock.now(), ...op
    })
    const v = await verifyChange(bytes)
    // the removed and the leaving learn of it too (they stop sending; their clients show it)
    return this.commitChange(v, state.members)
  }

  /** Store a change made here, then send every member (and `alsoTo`) the changes it lacks. */
  private async commitChange (v: VerifiedChange, alsoTo: string[]): Promise<GroupState> {
    const cache = await this.changesOf(v.groupId)
    const tx = this.components.store.transaction()
    putChange(tx, v.groupId, v.id, v.bytes)
    this.addedIds.add(v.groupId)
    markKnownBy(tx, v.groupId, this.me, v.id)
    await tx.commit()
    cache.set(v.id, v)
    const state = await this.state(v.groupId)
    if (state === undefined || state.void.includes(v.id)) throw new ProtocolError('the change was void on the group state it was made on')
    this.publisher?.refresh(state)
    this.components.log.info({ group: v.groupId, change: v.id.slice(0, 16), kind: v.kind }, 'group change made')
    const to = [...new Set([...state.members, ...alsoTo])].filter(p => p !== this.me)
    await this.sendUpdates(v.groupId, to)
    return state
  }

  /**
   * Send each of `peers` the changes it lacks, in as many envelopes as they need: counted first
   * from a read outside the lock, then made and queued together (one bundle fetch per peer) from
   * what the send's own transaction reads.
   */
  private async sendUpdates (gid: string, peers: string[]): Promise<void> {
    const budget = this.changesBudget(0)
    const counted = await this.lacking(this.components.store.transaction(), gid, peers)
    const envelopes = peers.flatMap(p => Array<string>(updatesFor(counted.get(p) ?? [], budget)).fill(p))
    let lack: Map<string, VerifiedChange[]> | undefined
    await this.components.messenger.sendEach(envelopes, async (tx, peer) => {
      lack ??= await this.lacking(tx, gid, peers)
      return { groupUpdate: { changes: this.takeChanges(tx, gid, peer, lack.get(peer) ?? [], budget).changes } }
    })
  }

  /** Bytes of changes one envelope may carry beside `textBytes` of text: half an envelope, less the text. */
  private changesBudget (textBytes: number): number {
    return Math.max(0, Math.floor(this.init.limits.envelopeBytes / 2) - textBytes)
  }

  /**
   * Per peer, the changes it is not known to hold, in fold order. The marks for all peers are read
   * together (a send to many members would otherwise wait on the store once per member and change,
   * under the crypto lock).
   */
  private async lacking (kv: Kv, gid: string, peers: string[]): Promise<Map<string, VerifiedChange[]>> {
    const cache = await this.changesOf(gid)
    const state = await this.state(gid)
    const order = (state?.order ?? []).map(id => cache.get(id)).filter((c): c is VerifiedChange => c !== undefined)
    // a member who joined after the latest checkpoint is sent the create and that checkpoint on
    const logs = peers.map(p => state === undefined ? order : logFor(state, order, p))
    const known = await knownBy(kv, gid, peers.flatMap((member, i) => (logs[i] as VerifiedChange[]).map(c => ({ member, changeId: c.id }))))
    let at = 0
    return new Map(peers.map((p, i) => [p, (logs[i] as VerifiedChange[]).filter(() => !known[at++])]))
  }

  /**
   * The first of `lacking` (what `lacking()` found for `peer`) that fit in `budget` bytes and the
   * proto's count limit, taken off the list and marked as sent (the marks commit with the
   * envelope). `left`: more remain for later envelopes.
   */
  private takeChanges (tx: Kv, gid: string, peer: string, lacking: VerifiedChange[], budget: number): { changes: Uint8Array<ArrayBuffer>[], left: boolean } {
    const taken = lacking.splice(0, fitting(lacking, 0, budget))
    for (const c of taken) markKnownBy(tx, gid, peer, c.id)
    return { changes: taken.map(c => new Uint8Array(c.bytes)), left: lacking.length > 0 }
  }

  // ------------------------------------------------------------------ messages

  /** Encrypt `text` once with our sender key and deliver it to every other member (group-send.ts). */
  async send (group: string, text: string): Promise<GroupSendResult> {
    return this.sending.send(group, text)
  }

  /** ContentHandler: a group update or a group message from `sender`, in the receive transaction. */
  async open (tx: Kv, sender: string, content: Content, route: Route, now: number, envelopeIdHex: string, copies: SecondCopy[]): Promise<InboxMessage[]> {
    const gm = content.groupMessage
    const touched = await this.acceptChanges(tx, sender, gm?.changes ?? content.groupUpdate?.changes ?? [])
    const shown: InboxMessage[] = []
    if (gm !== undefined) {
      if (gm.groupId.length !== GROUP_ID_BYTES) throw new ProtocolError('group message has a malformed group id')
      const gid = hex(gm.groupId)
      // none in a sealed sender v2 part: sent only to members known to hold the chain already
      if (gm.distribution.length > 0) await putDistribution(tx, await senderKeys.accept(tx, sender, gm.distribution), sender, gid, now)
      const plaintext = await senderKeys.decrypt(tx, sender, gm.ciphertext) // undefined: had it already (gossip)
      if (plaintext !== undefined) {
        shown.push(...await this.openPayload(tx, gid, sender, plaintext, route, now, envelopeIdHex))
      } else {
        const id = await gossipedId(tx, gid, ciphertextHash(gm.ciphertext))
        const state = await this.state(gid)
        if (id !== undefined) copies.push({ id, from: sender, route, ...(state === undefined ? {} : { group: { id: gid, name: state.name } }) })
      }
    }
    for (const gid of touched) {
      const state = await this.state(gid)
      if (state !== undefined) this.publisher?.refresh(state)
      shown.push(...await this.unparkReady(tx, gid, now, envelopeIdHex))
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
    const candidates = (await distributionSenders(this.components.store, distributionId)).filter(c => c.gid === gid)
    const pseudoId = createHash('sha256').update(data).digest('hex').slice(0, 32)
    return this.components.messenger.receiveWith(async (tx, now) => {
      for (const { sender } of candidates) {
        let plaintext: Uint8Array | undefined
        try { plaintext = await senderKeys.decrypt(tx, sender, ciphertext) } catch { continue }
        if (plaintext === undefined) return [] // its 1:1 copy came first
        const shown = await this.openPayload(tx, gid, sender, plaintext, 'gossip', now, pseudoId).catch((err: unknown) => {
          this.components.log.info({ group: gid, err: describeError(err) }, 'gossip message refused')
          return []
        })
        for (const m of shown) markGossiped(tx, gid, ciphertextHash(ciphertext), m.id, now)
        return shown
      }
      this.components.log.debug({ group: gid }, 'gossip message that opens as no member\'s dropped')
      return []
    })
  }

  private async openPayload (tx: Kv, gid: string, sender: string, plaintext: Uint8Array, route: Route, now: number, envelopeIdHex: string): Promise<InboxMessage[]> {
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
  private async acceptChanges (tx: Kv, sender: string, list: Uint8Array[]): Promise<Set<string>> {
    const touched = new Set<string>()
    const added: VerifiedChange[] = []
    for (const bytes of list) {
      let v: VerifiedChange
      try { v = await verifyChange(bytes) } catch (err) {
        this.components.log.warn({ from: sender, err: describeError(err) }, 'group change refused')
        continue
      }
      const cache = await this.changesOf(v.groupId)
      markKnownBy(tx, v.groupId, sender, v.id)
      if (cache.has(v.id)) continue
      if (await this.logs.admit(tx, v, sender) === 'drop') continue
      putChange(tx, v.groupId, v.id, v.bytes)
      this.addedIds.add(v.groupId)
      cache.set(v.id, v)
      touched.add(v.groupId)
      added.push(v)
      if (v.kind === 'checkpoint' && !v.parents.every(p => cache.has(p))) await this.logs.adopt(tx, v)
    }
    for (const gid of touched) this.logs.report(await this.state(gid), added.filter(a => a.groupId === gid), sender)
    return touched
  }

  private async showOrPark (tx: Kv, gid: string, m: ParkedMessage, now: number, envelopeIdHex: string): Promise<InboxMessage | undefined> {
    const cache = await this.changesOf(gid)
    const state = await this.state(gid)
    // a head we pruned: sent under membership we have folded past (its sender had not seen the checkpoint yet)
    const unknown = async (h: string): Promise<boolean> => (!cache.has(h) || state?.waiting.includes(h) === true) && !await this.logs.isPruned(gid, h)
    if (state === undefined || (await Promise.all(m.heads.map(unknown))).some(Boolean)) {
      // a group we may never learn (a stranger's) must not grow the store without bound
      const parked = await this.parkedOf(gid)
      if (parked.length >= MAX_PARKED_PER_GROUP) {
        this.components.log.warn({ group: gid, sender: m.sender }, 'too many group messages waiting for their group\'s changes: dropped')
        return undefined
      }
      park(tx, gid, m)
      this.parked.set(gid, [...parked.filter(p => p.sender !== m.sender || p.id !== m.id), m])
      return undefined
    }
    if (!state.members.includes(m.sender) && !await this.sentBeforeRemoval(tx, gid, state, m)) {
      this.components.log.warn({ group: gid, sender: m.sender, seq: m.seq }, 'group message from a non-member dropped')
      return undefined
    }
    if (await this.components.contacts.isBlocked(m.sender)) {
      this.components.log.info({ group: gid, sender: m.sender }, 'group message from a blocked peer dropped')
      return undefined
    }
    const shown: InboxMessage = { id: m.id, from: m.sender, text: m.text, sentAt: m.sentAt, seq: m.seq, receivedAt: now, route: m.route, group: { id: gid, name: state.name } }
    recordMessage(tx, shown, envelopeIdHex)
    markSeqShown(tx, gid, m.sender, m.seq, now)
    // its sender holds the latest checkpoint when its heads follow it: a step towards pruning
    this.logs.noteHeads(tx, state, m.sender, m.heads)
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
    const cache = await this.changesOf(gid)
    const removal = lastRemovalOf(state, cache, m.sender)
    if (removal === undefined || m.seq < 1 || m.seq > removal.lastSeq) return false
    if (await seqShown(tx, gid, m.sender, m.seq)) return false
    // sent under membership pruned here: the removal vouches for it, but whether its sender was a member then is not known any more
    if (m.heads.some(h => !cache.has(h))) return false
    return foldGroup(gid, [...cache.values()].filter(c => c.kind === 'create').concat(changesUpTo(cache, m.heads)), this.max, await this.logs.foldOptions(gid))?.members.includes(m.sender) === true
  }

  /** Show (or drop) parked messages whose heads are now known; the rest stay parked. */
  private async unparkReady (tx: Kv, gid: string, now: number, envelopeIdHex: string): Promise<InboxMessage[]> {
    const waiting = [...await this.parkedOf(gid)]
    this.parked.set(gid, [])
    const shown: InboxMessage[] = []
    for (const m of waiting) {
      unpark(tx, gid, m)
      const out = await this.showOrPark(tx, gid, m, now, envelopeIdHex) // parks it again if still waiting
      if (out !== undefined) shown.push(out)
    }
    return shown
  }

  // ------------------------------------------------------------------ state

  async fromFellowMember (sender: string, content: Content): Promise<boolean> {
    const gm = content.groupMessage
    const gids = new Set<string>(gm !== undefined ? [hex(gm.groupId)] : [])
    // which groups it is about, not whether it is sound: acceptChanges verifies what it applies
    for (const bytes of gm?.changes ?? content.groupUpdate?.changes ?? []) {
      const gid = groupIdOf(bytes)
      if (gid === undefined) return false
      gids.add(gid)
    }
    if (gids.size === 0) return false
    for (const gid of gids) {
      const state = await this.state(gid)
      if (state === undefined || !state.members.includes(this.me) || !state.members.includes(sender)) return false
    }
    return true
  }

  /** Whether this user is a member of group `gid` now (not: unknown, left, or removed). */
  async isMember (gid: string): Promise<boolean> {
    return (await this.state(gid))?.members.includes(this.me) === true
  }

  /** The group's state now; folded again only when a change was added (or the log was pruned: compact() clears it). */
  async state (gid: string): Promise<GroupState | undefined> {
    const changes = await this.changesOf(gid)
    const known = this.folded.get(gid)
    if (known?.size === changes.size) return known.state
    const state = foldGroup(gid, changes.values(), this.max, await this.logs.foldOptions(gid))
    this.folded.set(gid, { size: changes.size, state })
    return state
  }

  /** The ids of every group we keep changes for (listedIds, addedIds), in no particular order. */
  private async groupIds (): Promise<string[]> {
    this.listedIds ??= listGroupIds(this.components.store).catch((err: unknown) => { this.listedIds = undefined; throw err })
    return [...new Set([...await this.listedIds, ...this.addedIds])]
  }

  private async changesOf (gid: string): Promise<Map<string, VerifiedChange>> {
    let cache = this.changes.get(gid)
    if (cache === undefined) {
      cache = new Map()
      for (const bytes of await listChangeBytes(this.components.store, gid)) {
        const v = await verifyChange(bytes)
        cache.set(v.id, v)
      }
      // another call may have loaded it meanwhile: keep one map
      cache = this.changes.get(gid) ?? cache
      this.changes.set(gid, cache)
    }
    return cache
  }

  private async parkedOf (gid: string): Promise<ParkedMessage[]> {
    let list = this.parked.get(gid)
    if (list === undefined) {
      list = await listParked(this.components.store, gid)
      list = this.parked.get(gid) ?? list
      this.parked.set(gid, list)
    }
    return list
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
