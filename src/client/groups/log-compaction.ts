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
 * member all along, and may lack any of it).
 */
export function logFor (state: GroupState, order: VerifiedChange[], peer: string): VerifiedChange[] {
  const byId = new Map(order.map((c, i) => [c.id, i]))
  for (let k = state.checkpoints.length - 1; k >= 0; k--) {
    const at = byId.get(state.checkpoints[k] as string) ?? -1
    const cp = order[at]
    if (at <= 0 || cp?.attested === undefined || cp.attested.members.includes(peer)) continue
    const stale = new Set(state.stale)
    return [order[0] as VerifiedChange, ...order.slice(at).filter(c => !stale.has(c.id))]
  }
  return order
}

/** Whether `head` (a message's) names membership from the checkpoint `cp` on. */
export function follows (state: GroupState, cp: string, head: string): boolean {
  if (head === cp) return true
  const at = state.order.indexOf(cp)
  const h = state.order.indexOf(head)
  return at >= 0 && h > at && !state.stale.includes(head)
}

/**
 * Our own changes made stale by a checkpoint (we had not seen it), to be made again on top of it:
 * each once (none of ours that stands was made after it), and only what still changes something.
 */
export function toReissue (state: GroupState, byId: ReadonlyMap<string, VerifiedChange>, me: string): Array<Pick<GroupChange, 'add' | 'remove' | 'promote' | 'leave'>> {
  const stale = new Set(state.stale)
  const voided = new Set(state.void)
  const mine = state.order.map(id => byId.get(id)).filter((c): c is VerifiedChange => c !== undefined && c.author === me)
  const latestStanding = Math.max(-1, ...mine.filter(c => !voided.has(c.id) && !stale.has(c.id)).map(c => c.change.madeAt))
  const admin = state.admins.includes(me)
  const ops: Array<Pick<GroupChange, 'add' | 'remove' | 'promote' | 'leave'>> = []
  for (const c of mine.filter(c => stale.has(c.id) && c.change.madeAt > latestStanding).sort((a, b) => a.change.madeAt - b.change.madeAt)) {
    const pick = (f: (t: string) => boolean): Uint8Array<ArrayBuffer>[] => c.targets.filter(f).map(t => peerIdBytes(parsePeerId(t)))
    if (c.kind === 'leave' && state.members.includes(me)) ops.push({ leave: { lastSeq: c.change.leave?.lastSeq ?? 0 } })
    if (!admin) continue
    if (c.kind === 'add') { const m = pick(t => !state.members.includes(t)); if (m.length > 0) ops.push({ add: { members: m } }) }
    if (c.kind === 'promote') { const m = pick(t => state.members.includes(t) && !state.admins.includes(t)); if (m.length > 0) ops.push({ promote: { members: m } }) }
    if (c.kind === 'remove') {
      const keep = c.targets.map((t, i) => ({ t, seq: c.change.remove?.lastSeqs[i] ?? 0 })).filter(x => state.members.includes(x.t))
      if (keep.length > 0) ops.push({ remove: { members: keep.map(x => peerIdBytes(parsePeerId(x.t))), lastSeqs: keep.map(x => x.seq) } })
    }
  }
  return ops
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
