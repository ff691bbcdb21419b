/**
 * What a member does with checkpoints (docs/DECISIONS.md, "Group checkpoints"), as pure functions
 * of a folded state and its changes; group-service.ts does the reading, signing and writing.
 * - when one is due (changes folded since the last), and what a new member is sent from;
 * - which of our own changes went stale (made concurrently with a checkpoint) and are made again;
 * - when a checkpoint's ancestry may be deleted: once every member is known to hold it.
 */
import type { GroupChange } from '../../../proto/cairn.js'
import { peerIdBytes, parsePeerId } from '../../shared/peer-id.js'
import type { VerifiedChange } from './change.js'
import { attest } from './checkpoint.js'
import { changesUpTo, type GroupState } from './state.js'

/** Changes folded after the last checkpoint that stands (or the create), checkpoints and stale ones not counted. */
export function changesSinceCheckpoint (state: GroupState, byId: ReadonlyMap<string, VerifiedChange>): number {
  const last = state.checkpoints.at(-1)
  const from = last === undefined ? 1 : state.order.indexOf(last) + 1
  const stale = new Set(state.stale)
  return state.order.slice(from).filter(id => !stale.has(id) && byId.get(id)?.kind !== 'checkpoint').length
}

/** The op of a checkpoint of `state` (what the fold reached at its heads). */
export function checkpointOp (state: GroupState): Pick<GroupChange, 'checkpoint'> {
  const a = attest(state)
  const bytes = (xs: string[]): Uint8Array<ArrayBuffer>[] => xs.map(p => peerIdBytes(parsePeerId(p)))
  return { checkpoint: { name: a.name, members: bytes(a.members), admins: bytes(a.admins) } }
}

/**
 * What `peer` is sent of the log (`order`, the changes in fold order): from the latest checkpoint
 * that does not list it (it joined, or rejoined, after that one and folds from it), the create and
 * that checkpoint on, not what came before; all of it when every checkpoint lists it (it was a
 * member all along, and may lack any of it). `held`: checkpoints `peer` is known to hold; from the
 * latest of them before that checkpoint, the changes leading to it are sent too, so that a
 * newcomer that adopted the older one can tell that the newer follows it (adoptChoice).
 */
export function logFor (state: GroupState, order: VerifiedChange[], peer: string, held: ReadonlySet<string> = new Set()): VerifiedChange[] {
  const byId = new Map(order.map((c, i) => [c.id, i]))
  for (let k = state.checkpoints.length - 1; k >= 0; k--) {
    const at = byId.get(state.checkpoints[k] as string) ?? -1
    const cp = order[at]
    if (at <= 0 || cp?.attested === undefined || cp.attested.members.includes(peer)) continue
    const stale = new Set(state.stale)
    const changes = new Map(order.map(c => [c.id, c]))
    const older = state.checkpoints.slice(0, k).filter(id => held.has(id)).at(-1)
    const before = older === undefined ? new Set<string>() : new Set(changesUpTo(changes, [older]).map(c => c.id))
    const path = older === undefined ? new Set<string>() : new Set(changesUpTo(changes, cp.parents).map(c => c.id).filter(id => !before.has(id)))
    return [order[0] as VerifiedChange, ...order.slice(1).filter((c, i) => i + 1 >= at ? !stale.has(c.id) : path.has(c.id))]
  }
  return order
}

/** Whether `to` is `from` or follows it through changes held here (`from` is in its held ancestry). */
export function followsHeld (byId: ReadonlyMap<string, VerifiedChange>, from: string, to: string): boolean {
  return to === from || changesUpTo(byId, [to]).some(c => c.id === from || c.parents.includes(from))
}

/**
 * A member folding from `base` (a checkpoint whose ancestry it lacks) is sent checkpoint `cp`,
 * whose ancestry it lacks too and which does not list it: whether it now folds from `cp`. Updates
 * can arrive in any order, so `cp` may be older than the base (its update was late), and folding
 * from it would bring back the membership the base replaced. So: kept when the base follows `cp`
 * through changes held here; adopted when `cp` follows the base, or when there is no base. When
 * neither is shown (the changes between are not held): adopted only if we are no member in the fold
 * from the base (a member removed and added again, sent the checkpoint after its return: there is
 * no membership of ours to lose); otherwise kept, `cp` waiting, judged again as changes arrive
 * (docs/DECISIONS.md, "A newcomer never goes back to an older checkpoint").
 */
export function adoptChoice (byId: ReadonlyMap<string, VerifiedChange>, base: string | undefined, cp: string, memberAtBase: boolean): 'adopt' | 'keep' {
  if (base === undefined) return 'adopt'
  if (followsHeld(byId, cp, base)) return 'keep'
  if (followsHeld(byId, base, cp)) return 'adopt'
  return memberAtBase ? 'keep' : 'adopt'
}

/** Whether `head` (a message's) names membership from the checkpoint `cp` on. */
export function follows (state: GroupState, cp: string, head: string): boolean {
  if (head === cp) return true
  const at = state.order.indexOf(cp)
  const h = state.order.indexOf(head)
  return at >= 0 && h > at && !state.stale.includes(head)
}

/** A stale change of ours to make again: the op, and the stale change (`of`) it makes again. */
export interface Reissue { op: Pick<GroupChange, 'add' | 'remove' | 'promote' | 'leave'>, of: string }

/**
 * Our own changes made stale by a checkpoint (we had not seen it), to be made again on top of it:
 * each once (none of ours that stands was made after it, and none in `remade`: already made again,
 * whatever became of the remake), and only what still changes something, judged on the state as
 * the ops before it in the list leave it (two stale changes adding the same member add it once).
 * Why `remade`: a remake can go stale in turn (a third checkpoint it did not see); it is then made
 * again itself, and its original, stale too, must not be: its targets are what they were before
 * the first remake (one already added by someone else, and removed since, would come back).
 */
export function toReissue (state: GroupState, byId: ReadonlyMap<string, VerifiedChange>, me: string, remade: ReadonlySet<string> = new Set()): Reissue[] {
  const stale = new Set(state.stale)
  const voided = new Set(state.void)
  const mine = state.order.map(id => byId.get(id)).filter((c): c is VerifiedChange => c !== undefined && c.author === me)
  const latestStanding = Math.max(-1, ...mine.filter(c => !voided.has(c.id) && !stale.has(c.id)).map(c => c.change.madeAt))
  const admin = state.admins.includes(me)
  // the membership as the ops listed so far leave it
  const members = new Set(state.members)
  const admins = new Set(state.admins)
  const out: Reissue[] = []
  const bytes = (ts: string[]): Uint8Array<ArrayBuffer>[] => ts.map(t => peerIdBytes(parsePeerId(t)))
  for (const c of mine.filter(c => stale.has(c.id) && !remade.has(c.id) && c.change.madeAt > latestStanding).sort((a, b) => a.change.madeAt - b.change.madeAt)) {
    if (c.kind === 'leave' && members.has(me)) {
      out.push({ op: { leave: { lastSeq: c.change.leave?.lastSeq ?? 0 } }, of: c.id })
      members.delete(me)
      admins.delete(me)
    }
    if (!admin || !members.has(me)) continue
    if (c.kind === 'add') {
      const m = c.targets.filter(t => !members.has(t))
      if (m.length > 0) out.push({ op: { add: { members: bytes(m) } }, of: c.id })
      for (const t of m) members.add(t)
    }
    if (c.kind === 'promote') {
      const m = c.targets.filter(t => members.has(t) && !admins.has(t))
      if (m.length > 0) out.push({ op: { promote: { members: bytes(m) } }, of: c.id })
      for (const t of m) admins.add(t)
    }
    if (c.kind === 'remove') {
      const keep = c.targets.map((t, i) => ({ t, seq: c.change.remove?.lastSeqs[i] ?? 0 })).filter(x => members.has(x.t))
      if (keep.length > 0) out.push({ op: { remove: { members: bytes(keep.map(x => x.t)), lastSeqs: keep.map(x => x.seq) } }, of: c.id })
      for (const x of keep) { members.delete(x.t); admins.delete(x.t) }
    }
  }
  return out
}

/**
 * The checkpoint whose ancestry may now be deleted here, and those changes (all but the create):
 * the latest that stands whose every current member is known to hold it, having made a change
 * that follows it or sent a group message naming membership from it on (`acked`: per checkpoint,
 * who did by message). Until then a member may still lack its ancestry, or a checkpoint made
 * concurrently (by an admin who had not seen it) may still arrive and stand instead.
 */
export function prunable (state: GroupState, byId: ReadonlyMap<string, VerifiedChange>, acked: ReadonlyMap<string, ReadonlySet<string>>, me: string): { checkpoint: string, ids: string[] } | undefined {
  const voided = new Set(state.void)
  const who = new Set<string>([me])
  // walk back from the newest: whoever followed a later checkpoint followed the earlier ones too
  for (let i = state.order.length - 1; i >= 0; i--) {
    const id = state.order[i] as string
    const c = byId.get(id)
    if (c === undefined) continue
    for (const m of acked.get(id) ?? []) who.add(m)
    if (state.checkpoints.includes(id)) {
      if (id === state.base) return undefined
      who.add(c.author) // it made it
      if (state.members.every(m => who.has(m))) {
        const ids = new Set(changesUpTo(byId, c.parents).map(x => x.id))
        // stale changes before it go too: a member holding the checkpoint never needs them
        for (const s of state.stale) if (!changesUpTo(byId, [s]).some(x => x.id === id)) ids.add(s)
        ids.delete(state.order[0] as string) // the create stays: the group's id, name and secret
        return { checkpoint: id, ids: [...ids] }
      }
    }
    // a change that stands after a checkpoint was made on it: its author holds it
    if (!voided.has(id) && c.kind !== 'create') who.add(c.author)
  }
  return undefined
}
