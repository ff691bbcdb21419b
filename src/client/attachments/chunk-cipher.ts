/**
 * One attachment chunk's encryption and address. Each file has a fresh random key, so the nonce can
 * be the chunk index; the associated data binds the file id, the index and the chunk count, so a
 * chunk moved to another place, another file, or a shortened list does not open. A chunk's
 * address is a CIDv1 (raw codec, sha2-256) over its ciphertext: holders can check what they hold
 * without learning anything, and equal files from different senders share no chunk.
 */
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto'
import { CID } from 'multiformats/cid'
import type { Uint8ArrayList } from 'uint8arraylist'
import { namesBytes, partsCid } from '../../shared/chunk-address.js'
import { CorruptChunkError } from './errors.js'

export { chunkCid } from '../../shared/chunk-address.js'

export const KEY_BYTES = 32
export const FILE_ID_BYTES = 16
export const TAG_BYTES = 16
const AAD_LABEL = Buffer.from('cairn/attachment-chunk/v1')

/** Where a chunk sits: what its associated data binds. */
export interface ChunkPlace { fileId: Uint8Array, index: number, count: number }

function nonce (index: number): Buffer {
  const iv = Buffer.alloc(12)
  iv.writeUInt32BE(index, 8)
  return iv
}

function associatedData (p: ChunkPlace): Buffer {
  const tail = Buffer.alloc(8)
  tail.writeUInt32BE(p.index, 0)
  tail.writeUInt32BE(p.count, 4)
  return Buffer.concat([AAD_LABEL, p.fileId, tail])
}

/** The chunk count of a file of `size` bytes cut into `chunkBytes` (an empty file is one empty chunk). */
export function chunkCount (size: number, chunkBytes: number): number {
  return Math.max(1, Math.ceil(size / chunkBytes))
}

export function sealChunk (key: Uint8Array, place: ChunkPlace, plaintext: Uint8Array): Buffer<ArrayBuffer> {
  return Buffer.concat(sealedParts(key, place, plaintext))
}

/** A sealed chunk in the pieces the cipher gave, its tag last: `sealChunk`'s bytes without joining them (sending a chunk). */
export function sealChunkParts (key: Uint8Array, place: ChunkPlace, plaintext: Uint8Array): Buffer[] {
  return sealedParts(key, place, plaintext)
}

/**
 * The address and the GCM tag `sealChunk` would give, without joining the chunk into one buffer
 * (describing a file: the tag lets a later seal of the same chunk be checked without hashing it).
 */
export function sealedChunkCidAndTag (key: Uint8Array, place: ChunkPlace, plaintext: Uint8Array): { cid: Uint8Array<ArrayBuffer>, tag: Buffer } {
  const parts = sealedParts(key, place, plaintext)
  return { cid: partsCid(parts), tag: parts[parts.length - 1] as Buffer }
}

function sealedParts (key: Uint8Array, place: ChunkPlace, plaintext: Uint8Array): Buffer[] {
  const c = createCipheriv('aes-256-gcm', key, nonce(place.index))
  c.setAAD(associatedData(place))
  const body = c.update(plaintext)
  const rest = c.final()
  return rest.length === 0 ? [body, c.getAuthTag()] : [body, rest, c.getAuthTag()]
}

/** Open a chunk whose address was already checked; a chunk from another place fails here. */
export function openChunk (key: Uint8Array, place: ChunkPlace, ciphertext: Uint8Array): Buffer {
  const n = ciphertext.length
  if (n < TAG_BYTES) throw tooShort(place)
  const plain = openParts(key, place, ciphertext.subarray(n - TAG_BYTES), [ciphertext.subarray(0, n - TAG_BYTES)])
  return plain.length === 1 ? plain[0] as Buffer : Buffer.concat(plain) // GCM's final adds nothing: no copy then
}

/**
 * `openChunk` for a chunk still in the pieces it arrived in (a sender's stream): the plaintext in
 * as many pieces, none of the chunk joined or copied on the way.
 */
export function openChunkPieces (key: Uint8Array, place: ChunkPlace, ciphertext: Uint8ArrayList): Buffer[] {
  const n = ciphertext.byteLength
  if (n < TAG_BYTES) throw tooShort(place)
  // the tag's 16 bytes are joined only if they straddle two pieces
  return openParts(key, place, ciphertext.subarray(n - TAG_BYTES), ciphertext.sublist(0, n - TAG_BYTES))
}

const tooShort = (place: ChunkPlace): CorruptChunkError => new CorruptChunkError(place.index, 'authentication', `chunk ${place.index} is shorter than its tag`)

/** The AES-256-GCM open of a chunk's `body` (in pieces) under `tag` at its place: the plaintext's pieces. */
function openParts (key: Uint8Array, place: ChunkPlace, tag: Uint8Array, body: Iterable<Uint8Array>): Buffer[] {
  const d = createDecipheriv('aes-256-gcm', key, nonce(place.index))
  d.setAAD(associatedData(place))
  d.setAuthTag(tag)
  try {
    const out: Buffer[] = []
    for (const piece of body) out.push(d.update(piece))
    const rest = d.final()
    if (rest.length > 0) out.push(rest)
    return out
  } catch {
    throw new CorruptChunkError(place.index, 'authentication', `chunk ${place.index} does not open at its place`)
  }
}

/** Throws CorruptChunkError unless `ciphertext` is what `cid` names. */
export function checkChunk (cid: Uint8Array, ciphertext: Uint8Array, index: number): void {
  if (!namesBytes(cid, ciphertext)) throw new CorruptChunkError(index, 'address', `chunk ${index} does not match its address`)
}

const TAGS_LABEL = Buffer.from('cairn/attachment-tags/v1')

/**
 * SHA-256("cairn/attachment-tags/v1" || every chunk's GCM tag in index order): what ChunkEnd carries
 * for a file announced streamed (proto/cairn.proto), from the sender's tags or read back from the
 * recipient's slots.
 */
export function tagsDigest (tags: Uint8Array): Buffer<ArrayBuffer> {
  return createHash('sha256').update(TAGS_LABEL).update(tags).digest()
}

/** A CID in its usual text form (logs, keys). */
export function cidText (cid: Uint8Array): string {
  return CID.decode(cid).toString()
}
