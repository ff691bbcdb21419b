/**
 * Group membership changes as signed, content-addressed records. The author's PeerId key signs the
 * change (it is relayed by others, so the 1:1 session's sender proves nothing about its author);
 * the id hashes the bytes as sent, so every member names a change the same way, and a group's id
 * is its create change's id, so a second "create" for a group cannot be forged.
 */
import { createHash } from 'node:crypto'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import { GroupChange } from '../../../proto/cairn.js'
import { BadSignatureError, ProtocolError } from '../../shared/errors.js'
import { peerIdBytes, peerIdFromBytes } from '../../shared/peer-id.js'

const enc = new TextEncoder()
const SIGN_DOMAIN = enc.encode('cairn/group-change/v1')
const ID_DOMAIN = enc.encode('cairn/group-change-id/v1')
export const GROUP_ID_BYTES = 16
export const SECRET_BYTES = 32

export type ChangeKind = 'create' | 'add' | 'remove' | 'leave' | 'promote' | 'checkpoint'

/** What a checkpoint attests: the state the fold reaches at its parents (PeerId strings, sorted). */
export interface Attested { name: string, members: string[], admins: string[] }

/** A change whose signature was checked, with its id and author. */
export interface VerifiedChange {
  /** hex of SHA-256(ID_DOMAIN || bytes) */
  id: string
  bytes: Uint8Array
  change: GroupChange
  author: string
  kind: ChangeKind
  /** The group id (hex): the change's own for a create. */
  groupId: string
  parents: string[]
  /** The PeerIds the op names (create: the initial members besides the author; a checkpoint: none). */
  targets: string[]
  /** A checkpoint's attested state. */
  attested?: Attested
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

export function changeId (bytes: Uint8Array): string {
  return createHash('sha256').update(ID_DOMAIN).update(bytes).digest('hex')
}

function signedPart (change: GroupChange): Uint8Array {
  const body = GroupChange.encode({ ...change, signature: new Uint8Array(0) })
  const out = new Uint8Array(SIGN_DOMAIN.length + body.length)
  out.set(SIGN_DOMAIN)
  out.set(body, SIGN_DOMAIN.length)
  return out
}

export function kindOf (change: GroupChange): ChangeKind | undefined {
  if (change.create !== undefined) return 'create'
  if (change.add !== undefined) return 'add'
  if (change.remove !== undefined) return 'remove'
  if (change.leave !== undefined) return 'leave'
  if (change.promote !== undefined) return 'promote'
  if (change.checkpoint !== undefined) return 'checkpoint'
  return undefined
}

/** Sign a change as `author` and return its bytes as sent. */
export async function signChange (key: PrivateKey, author: PeerId, change: Omit<GroupChange, 'author' | 'signature'>): Promise<Uint8Array> {
  const unsigned: GroupChange = { ...change, author: peerIdBytes(author), signature: new Uint8Array(0) }
  const signature = new Uint8Array(await key.sign(signedPart(unsigned)))
  return GroupChange.encode({ ...unsigned, signature })
}

/**
 * The group a change names, read without checking its signature (undefined: it does not parse).
 * For deciding where it belongs only; what is applied goes through verifyChange.
 */
export function groupIdOf (bytes: Uint8Array): string | undefined {
  let change: GroupChange
  try { change = GroupChange.decode(bytes) } catch { return undefined }
  return kindOf(change) === 'create' ? changeId(bytes).slice(0, GROUP_ID_BYTES * 2) : hex(change.groupId)
}

/**
 * Parse and check one change: well formed, a single op, signed by its author. A change whose
 * encoding is not the canonical one (what protons writes) fails its signature check.
 */
export async function verifyChange (bytes: Uint8Array): Promise<VerifiedChange> {
  let change: GroupChange
  try { change = GroupChange.decode(bytes) } catch (err) { throw new ProtocolError('group change does not parse', { cause: err }) }
  const kind = kindOf(change)
  if (kind === undefined) throw new ProtocolError('group change names no operation')
  const author = peerIdFromBytes(change.author)
  const ok = change.signature.length === 64 && author.publicKey !== undefined && await author.publicKey.verify(signedPart(change), change.signature)
  if (!ok) throw new BadSignatureError(`group change signature does not verify for ${author.toString()}`)
  const id = changeId(bytes)
  if (kind === 'create') {
    if (change.groupId.length !== 0 || change.parents.length !== 0) throw new ProtocolError('a group create has no group id and no parents')
    if (change.create?.secret.length !== SECRET_BYTES) throw new ProtocolError('a group create carries a 32-byte secret')
  } else {
    if (change.groupId.length !== GROUP_ID_BYTES) throw new ProtocolError('group change has a malformed group id')
    if (change.parents.length === 0 || change.parents.some(p => p.length !== 32)) throw new ProtocolError('group change has malformed parents')
  }
  const attested = change.checkpoint === undefined ? undefined : attestedOf(change.checkpoint)
  const names = change.create?.members ?? change.add?.members ?? change.remove?.members ?? change.promote?.members ?? []
  const targets = names.map(b => peerIdFromBytes(b).toString())
  return {
    id,
    bytes,
    change,
    author: author.toString(),
    kind,
    groupId: kind === 'create' ? id.slice(0, GROUP_ID_BYTES * 2) : hex(change.groupId),
    parents: change.parents.map(hex),
    targets,
    ...(attested === undefined ? {} : { attested })
  }
}

/**
 * A checkpoint's lists as PeerId strings. Each must be sorted and without repeats, the admins among
 * the members: one state has one encoding, so two honest admins attesting it sign the same lists.
 */
function attestedOf (cp: NonNullable<GroupChange['checkpoint']>): Attested {
  const members = cp.members.map(b => peerIdFromBytes(b).toString())
  const admins = cp.admins.map(b => peerIdFromBytes(b).toString())
  const canonical = (xs: string[]): boolean => xs.every((x, i) => i === 0 || (xs[i - 1] as string) < x)
  if (!canonical(members) || !canonical(admins)) throw new ProtocolError('a group checkpoint lists its members and admins sorted, once each')
  if (admins.some(a => !members.includes(a))) throw new ProtocolError('a group checkpoint names an admin who is not a member')
  return { name: cp.name, members, admins }
}
