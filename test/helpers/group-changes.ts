/**
 * Signed group changes made in-process, for fold tests (no network, no store): authors with their
 * keys, changes on given parents, deterministic shuffles, and folding changes one arrival at a time.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import type { GroupChange } from '../../proto/cairn.js'
import { signChange, verifyChange, type VerifiedChange } from '../../src/client/groups/change.js'
import { foldGroup, type FoldOptions, type GroupState } from '../../src/client/groups/state.js'
import { peerIdBytes } from '../../src/shared/peer-id.js'

export interface Who { key: PrivateKey, id: PeerId, s: string }
export const who = async (): Promise<Who> => { const key = await generateKeyPair('Ed25519'); const id = peerIdFromPrivateKey(key); return { key, id, s: id.toString() } }
export const b = (h: string): Uint8Array<ArrayBuffer> => new Uint8Array(Buffer.from(h, 'hex'))
export const names = (...ws: Who[]): Uint8Array<ArrayBuffer>[] => ws.map(w => peerIdBytes(w.id))

export async function make (author: Who, gid: string, parents: Array<VerifiedChange | string>, op: Partial<GroupChange>, madeAt = 0): Promise<VerifiedChange> {
  return verifyChange(await signChange(author.key, author.id, { groupId: b(gid), parents: parents.map(p => b(typeof p === 'string' ? p : p.id)), madeAt, ...op }))
}
export async function create (author: Who, members: Who[]): Promise<VerifiedChange> {
  return verifyChange(await signChange(author.key, author.id, { groupId: new Uint8Array(0), parents: [], madeAt: 0, create: { name: 'g', secret: new Uint8Array(32).fill(7), members: names(...members) } }))
}

/** Deterministic shuffles (a small LCG), so a failure names the permutation that broke. */
export function shuffled<T> (xs: T[], seed: number): T[] {
  const out = [...xs]
  let x = seed
  for (let i = out.length - 1; i > 0; i--) {
    x = (x * 1103515245 + 12345) % 2 ** 31
    const j = x % (i + 1)
    ;[out[i], out[j]] = [out[j] as T, out[i] as T]
  }
  return out
}

export const summary = (s: GroupState | undefined): unknown => s === undefined ? undefined : { members: s.members, admins: s.admins, heads: s.heads, void: [...s.void].sort(), waiting: s.waiting }

/** Feed the changes one at a time in this order (as a member receiving them would) and fold after each. */
export function foldArriving (gid: string, order: VerifiedChange[], max = 256, opts: FoldOptions = {}): GroupState | undefined {
  const held = new Map<string, VerifiedChange>()
  let state: GroupState | undefined
  for (const c of order) { held.set(c.id, c); state = foldGroup(gid, held.values(), max, opts) }
  return state
}
