/**
 * Group checkpoints: a signed snapshot of the membership (docs/DECISIONS.md, "Group checkpoints"),
 * so that the change log stops only growing. Here: how one is judged (its author must be an admin,
 * and the state it attests the fold's, at its parents), what one attests, and when one is due.
 */
import { ProtocolError } from '../../shared/errors.js'
import type { Attested, VerifiedChange } from './change.js'

/** Why a checkpoint is void: its author was no admin at its parents, or it attests another state. */
export type CheckpointFault = 'not-admin' | 'wrong-state'

/** A checkpoint the fold refused: logged by its name, so that a hostile admin's forgery is seen. */
export class CheckpointRejectedError extends ProtocolError {
  constructor (readonly change: string, readonly fault: CheckpointFault, readonly author: string) {
    super(fault === 'not-admin'
      ? `group checkpoint ${change.slice(0, 16)} is void: its author ${author} was not an admin at its parents`
      : `group checkpoint ${change.slice(0, 16)} is void: it attests a membership other than the fold's at its parents`)
    this.name = 'CheckpointRejectedError'
  }
}

/** The state at a checkpoint's parents, as the fold of its ancestry reached it. */
export interface FoldedAt { name: string, members: string[], admins: string[] }

/** Undefined: the checkpoint stands; else why it is void. `at`: the fold of its ancestry alone. */
export function judgeCheckpoint (c: VerifiedChange, at: FoldedAt): CheckpointFault | undefined {
  if (!at.admins.includes(c.author)) return 'not-admin'
  const a = c.attested
  const same = (x: string[], y: string[]): boolean => x.length === y.length && x.every((v, i) => v === y[i])
  if (a === undefined || a.name !== at.name || !same(a.members, [...at.members].sort()) || !same(a.admins, [...at.admins].sort())) return 'wrong-state'
  return undefined
}

/** What a checkpoint made on `state` attests (the lists sorted, as verifyChange requires). */
export function attest (state: FoldedAt): Attested {
  return { name: state.name, members: [...state.members].sort(), admins: [...state.admins].sort() }
}

/**
 * Whether `me` should make a checkpoint now: `since` changes were folded after the last checkpoint
 * (or the create), at least `every` (0: never). One admin makes them (the smallest PeerId), so that
 * two rarely race; any other admin steps in at twice the count (that one may be away for good).
 */
export function checkpointDue (me: string, admins: string[], since: number, every: number): boolean {
  if (every <= 0 || !admins.includes(me)) return false
  const first = [...admins].sort()[0]
  return since >= (first === me ? every : 2 * every)
}
