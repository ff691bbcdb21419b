/**
 * One user's group change logs kept short with checkpoints (docs/DECISIONS.md, "Group
 * checkpoints"): where each group's fold starts (its base checkpoint, the ids pruned), what a
 * received change is when it names pruned history, a checkpoint adopted by a member who joined
 * after it, who is known to hold a checkpoint, our stale changes made again, checkpoints made when
 * due, and the log pruned. The decisions are log-compaction.ts's and state.ts's; this reads and
 * writes the store and signs through group-service.ts.
 */
import type { GroupChange } from '../../../proto/cairn.js'
import type { Logger } from '../../shared/logger.js'
import { CONTENT_FEATURES } from '../../shared/protocols/ids.js'
import type { Store } from '../../shared/store.js'
import type { CommittingKv } from '../crypto/kv.js'
import { peersWith } from '../messaging/peer-features.js'
import type { VerifiedChange } from './change.js'
import type { GroupChanges } from './group-changes.js'
import { CheckpointRejectedError, checkpointDue, type CheckpointFault } from './checkpoint.js'
import { addPruned, deleteChange, getBase, getPruned, groupKeys, listAcked, listRemade, markAcked, markKnownBy, putBase } from './group-store.js'
import { adoptChoice, changesSinceCheckpoint, checkpointOp, follows, prunable, toReissue } from './log-compaction.js'
import { changesUpTo, foldGroup, type FoldOptions, type GroupState } from './state.js'
import { describeError } from '../../shared/errors.js'

/** What the log needs of the membership side (group-service.ts). */
export interface GroupLogHost {
  me: string
  store: Store
  log: Logger
  /** groups.checkpointEvery: 0, none made here. */
  checkpointEvery: number
  /** groups.maxMembers, as the fold takes it. */
  maxMembers: number
  /** Each group's changes and state, as of now. */
  groups: GroupChanges
  /**
   * Sign `op` on `state`'s heads, store it and send it (the caller holds the changes lock).
   * `remakes`: the stale change of ours it makes again, noted as such in the same write.
   */
  makeChange: (state: GroupState, op: Pick<GroupChange, 'add' | 'remove' | 'promote' | 'leave' | 'checkpoint'>, remakes?: string) => Promise<GroupState>
  /** The cached fold of `gid` is out of date. */
  refold: (gid: string) => void
}

/**
 * Where a group's fold starts here: its base checkpoint, the ids pruned (`legacy`: those still in
 * the one-record list of the layout before the batches, moved by the next write), the verdicts
 * reached, and our stale changes already made again (never twice: log-compaction.ts toReissue).
 */
interface Floor { base?: string, pruned: Set<string>, legacy: string[], verdicts: Map<string, CheckpointFault | null>, remade: Set<string> }

export class GroupLog {
  private readonly floors = new Map<string, Floor>()
  /** (group, checkpoint, member) acknowledgements written since start: a message names the same heads again and again. */
  private readonly ackedSeen = new Set<string>()

  constructor (private readonly host: GroupLogHost) {}

  /** What foldGroup needs to fold `gid` as this member does (its base, the ids it pruned, verdicts reached). */
  async foldOptions (gid: string): Promise<FoldOptions> {
    const floor = await this.floorOf(gid)
    return { ...(floor.base === undefined ? {} : { base: floor.base }), pruned: floor.pruned, verdicts: floor.verdicts }
  }

  /** Whether `id` was pruned here (or recognised as made on pruned history). */
  async isPruned (gid: string, id: string): Promise<boolean> {
    return (await this.floorOf(gid)).pruned.has(id)
  }

  /**
   * A received change, before it is stored: 'keep' it, or 'drop' it: pruned here already (a member
   * that does not know sent it again), or made on history we pruned, without the checkpoint (void
   * everywhere: state.ts); its id then joins the pruned ones, so that what names it is stale too.
   */
  async admit (tx: CommittingKv, v: VerifiedChange, from: string): Promise<'keep' | 'drop'> {
    const floor = await this.floorOf(v.groupId)
    if (floor.pruned.has(v.id)) return 'drop'
    if (!v.parents.some(p => floor.pruned.has(p))) return 'keep'
    this.host.log.info({ group: v.groupId, from, change: v.id.slice(0, 16), author: v.author }, 'group change made without a checkpoint (on history pruned here): void')
    floor.pruned.add(v.id)
    const legacy = floor.legacy
    addPruned(tx, v.groupId, [v.id], legacy)
    floor.legacy = []
    tx.onUndo(() => {
      floor.pruned.delete(v.id) // it was not pruned before (above): only this receive added it
      if (legacy.length > 0) this.legacyBack(v.groupId, legacy)
    })
    return 'drop'
  }

  /**
   * Checkpoints whose ancestry we do not hold, that do not list us (`arrived`: stored by this
   * receive, after all of its changes; with those still waiting from earlier): we joined after them
   * (or rejoined), and are sent one and what follows, not what came before (log-compaction.ts
   * logFor): we fold from the newest, never going back to an older one whose update came late
   * (adoptChoice). A member a checkpoint lists waits for its ancestry instead and judges it by that
   * (checkpoint.ts): the ancestry is on its way, sent like any change it lacks.
   */
  async adopt (tx: CommittingKv, gid: string, arrived: VerifiedChange[]): Promise<void> {
    const cache = await this.host.groups.changesOf(gid)
    const waiting = (await this.host.groups.state(gid))?.waiting ?? []
    const seen = new Set<string>()
    const candidates = [...arrived, ...waiting.map(id => cache.get(id)).filter((c): c is VerifiedChange => c !== undefined)].filter(v => {
      if (seen.has(v.id) || v.kind !== 'checkpoint' || v.attested === undefined || v.attested.members.includes(this.host.me)) return false
      seen.add(v.id)
      return !v.parents.every(p => cache.has(p))
    })
    // one pass: an adoption only when shown newer, or when we are no member (no loop between two)
    for (const v of candidates) {
      const floor = await this.floorOf(gid)
      if (v.id === floor.base) continue
      const memberAtBase = floor.base !== undefined && (await this.host.groups.state(gid))?.members.includes(this.host.me) === true
      if (adoptChoice(cache, floor.base, v.id, memberAtBase) === 'keep') {
        if (arrived.includes(v)) this.host.log.info({ group: gid, checkpoint: v.id.slice(0, 16), base: floor.base?.slice(0, 16) }, 'group checkpoint not adopted: not shown to follow the one we fold from')
        continue
      }
      putBase(tx, gid, v.id)
      const adopted: Floor = { ...floor, base: v.id, verdicts: new Map() }
      this.floors.set(gid, adopted)
      this.host.refold(gid)
      // not adopted after all: the floor as it was, unless a prune moved it since (it committed)
      tx.onUndo(() => { if (this.floors.get(gid) === adopted) { this.floors.set(gid, floor); this.host.refold(gid) } })
      this.host.log.info({ group: gid, checkpoint: v.id.slice(0, 16), author: v.author }, 'group joined at a checkpoint: folded from it')
    }
  }

  /** Log what the fold made of changes just received: a checkpoint refused, or a change made without one. */
  report (state: GroupState | undefined, added: VerifiedChange[], from: string): void {
    for (const v of added) {
      const fault = state?.rejected.find(r => r.id === v.id)?.fault
      if (fault !== undefined) this.host.log.warn({ group: v.groupId, from, err: describeError(new CheckpointRejectedError(v.id, fault, v.author)) }, 'group checkpoint rejected')
      else if (state?.stale.includes(v.id) === true) this.host.log.info({ group: v.groupId, change: v.id.slice(0, 16), author: v.author, kind: v.kind }, 'group change made without a checkpoint: void (its author makes it again)')
    }
  }

  /** A group message from `sender` naming `heads` was shown: it holds the latest checkpoint if they follow it. */
  noteHeads (tx: CommittingKv, state: GroupState, sender: string, heads: string[]): void {
    const cp = state.checkpoints.at(-1)
    const mark = `${state.id}/${cp ?? ''}/${sender}`
    if (cp === undefined || this.ackedSeen.has(mark) || heads.length === 0 || !heads.every(h => follows(state, cp, h))) return
    this.markAcked(tx, state.id, cp, sender, mark)
  }

  /**
   * A hold note from `sender` (GroupUpdate.holds): it holds `checkpoint` ('' for none). Kept only
   * from a member, for a checkpoint of this group we hold: anything else is dropped.
   */
  noteHold (tx: CommittingKv, state: GroupState, sender: string, checkpoint: string): void {
    if (checkpoint === '' || !state.members.includes(sender) || !state.checkpoints.includes(checkpoint)) return
    const mark = `${state.id}/${checkpoint}/${sender}`
    if (this.ackedSeen.has(mark)) return
    this.markAcked(tx, state.id, checkpoint, sender, mark)
  }

  /** The cached fold of `gid` is out of date (a change taken back out of the cache). */
  refold (gid: string): void {
    this.host.refold(gid)
  }

  /**
   * Whether changes of our own that a checkpoint made stale are still to be made again (once one
   * is, or when it would change nothing, there is nothing to do: toReissue).
   */
  async hasStale (gid: string): Promise<boolean> {
    const state = await this.host.groups.state(gid)
    if (state === undefined || state.stale.length === 0) return false
    const cache = await this.host.groups.changesOf(gid)
    return state.stale.some(id => cache.get(id)?.author === this.host.me) && toReissue(state, cache, this.host.me, (await this.floorOf(gid)).remade).length > 0
  }

  /** Our own changes that went stale, made again on top of the checkpoint; under the changes lock. */
  async reissueStale (gid: string): Promise<void> {
    const state = await this.host.groups.state(gid)
    if (state === undefined || state.stale.length === 0) return
    const floor = await this.floorOf(gid)
    for (const { op, of } of toReissue(state, await this.host.groups.changesOf(gid), this.host.me, floor.remade)) {
      this.host.log.info({ group: gid, kind: Object.keys(op)[0], of: of.slice(0, 16) }, 'group change made again: ours was made without a checkpoint')
      try {
        await this.host.makeChange(await this.host.groups.state(gid) as GroupState, op, of)
      } finally {
        // noted with the change itself: so, once stored, even when it turned out void (it is not tried again)
        if (await this.host.store.get(groupKeys.remade(gid, of)) !== undefined) floor.remade.add(of)
      }
    }
  }

  /** A checkpoint on `state`'s heads when one is due here (checkpoint.ts); under the changes lock. Returns the state after. */
  async checkpointIfDue (state: GroupState): Promise<GroupState> {
    const { me, checkpointEvery } = this.host
    const since = changesSinceCheckpoint(state, await this.host.groups.changesOf(state.id))
    if (!state.members.includes(me) || !checkpointDue(me, state.admins, since, checkpointEvery)) return state
    // a client that predates checkpoints would refuse it and stop following the membership: wait
    // until every other member has said (in any message or receipt) that it follows them
    const others = state.members.filter(m => m !== me)
    if (!(await peersWith(this.host.store.transaction(), others, CONTENT_FEATURES.groupCheckpoints)).every(Boolean)) {
      this.host.log.debug({ group: state.id, since }, 'group checkpoint due, not made: not every member is known to follow checkpoints')
      return state
    }
    // what it attests is the fold of its parents' ancestry, as every member will judge it (the
    // state now is that, unless something held is not an ancestor of our heads)
    const cache = await this.host.groups.changesOf(state.id)
    const at = foldGroup(state.id, [cache.get(state.order[0] as string) as VerifiedChange, ...changesUpTo(cache, state.heads)], this.host.maxMembers, await this.foldOptions(state.id))
    if (at === undefined || !at.admins.includes(me)) return state
    try {
      const after = await this.host.makeChange(state, checkpointOp(at))
      this.host.log.info({ group: state.id, since }, 'group checkpoint made')
      return after
    } catch (err) {
      // a checkpoint is housekeeping: the change the user asked for is made whatever becomes of it
      this.host.log.warn({ group: state.id, err: describeError(err) }, 'group checkpoint not made')
      return await this.host.groups.state(state.id) ?? state
    }
  }

  /**
   * One group's log kept short: our stale changes made again, a checkpoint if one is due, and the
   * ancestry of the latest checkpoint every member is known to hold deleted (all but the create),
   * in one transaction. Under the changes lock. Returns how many changes were deleted.
   */
  async compact (gid: string): Promise<number> {
    const { store, me } = this.host
    await this.reissueStale(gid)
    const state = await this.host.groups.state(gid)
    if (state === undefined) return 0
    const after = await this.checkpointIfDue(state)
    const cache = await this.host.groups.changesOf(gid)
    const cut = prunable(after, cache, await listAcked(store, gid), me)
    if (cut === undefined) return 0
    const floor = await this.floorOf(gid)
    const tx = store.transaction()
    for (const id of cut.ids) {
      deleteChange(tx, gid, id)
      if (floor.remade.has(id)) tx.delete(groupKeys.remade(gid, id))
      for (const m of new Set([me, ...after.members])) tx.delete(groupKeys.known(gid, m, id))
    }
    // notes of who holds a checkpoint before this one are of no more use
    const kept = new Set(after.checkpoints.slice(after.checkpoints.indexOf(cut.checkpoint)))
    const ackedPrefix = groupKeys.ackedPrefix(gid)
    for await (const key of store.listKeys(ackedPrefix)) if (!kept.has(key.slice(ackedPrefix.length).split('/')[0] as string)) tx.delete(key)
    putBase(tx, gid, cut.checkpoint)
    // only what this pass pruned is written (a receive may add a late stale change's id meanwhile)
    addPruned(tx, gid, cut.ids, floor.legacy)
    floor.legacy = []
    await tx.commit()
    for (const id of cut.ids) { cache.delete(id); floor.pruned.add(id); floor.remade.delete(id) }
    this.floors.set(gid, { base: cut.checkpoint, pruned: floor.pruned, legacy: [], verdicts: new Map(), remade: floor.remade })
    this.host.refold(gid)
    this.host.log.info({ group: gid, checkpoint: cut.checkpoint.slice(0, 16), deleted: cut.ids.length }, 'group log pruned up to a checkpoint')
    return cut.ids.length
  }

  /** Written once per process (`ackedSeen`), unless `tx` does not commit it: then written again when next shown. */
  private markAcked (tx: CommittingKv, gid: string, checkpoint: string, member: string, mark: string): void {
    markAcked(tx, gid, checkpoint, member)
    // it holds the checkpoint's change too: nobody here sends it to that member again (a hold
    // note of ours carries it only to those not known to hold it, change-distribution.ts)
    markKnownBy(tx, gid, member, checkpoint)
    this.ackedSeen.add(mark)
    tx.onUndo(() => { this.ackedSeen.delete(mark) })
  }

  /** A receive that did not commit had moved the old layout's ids (`legacy`): still to move (moving them twice writes the same batch again). */
  private legacyBack (gid: string, legacy: string[]): void {
    const floor = this.floors.get(gid)
    if (floor !== undefined && floor.legacy.length === 0) floor.legacy = legacy
  }

  /** The group's base checkpoint and pruned ids, read from the store once. */
  private async floorOf (gid: string): Promise<Floor> {
    let floor = this.floors.get(gid)
    if (floor === undefined) {
      const base = await getBase(this.host.store.transaction(), gid)
      const { ids, legacy } = await getPruned(this.host.store, gid)
      const read: Floor = { ...(base === undefined ? {} : { base }), pruned: ids, legacy, verdicts: new Map(), remade: await listRemade(this.host.store, gid) }
      floor = this.floors.get(gid) ?? read
      this.floors.set(gid, floor)
    }
    return floor
  }
}
