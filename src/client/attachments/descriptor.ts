/**
 * A received descriptor is the sender's word, checked before it is stored: well-formed sizes, one
 * address per chunk, a file name that can never leave the directory it is saved in.
 */
import { isChunkCid } from '../../shared/chunk-address.js'
import type { Attachment } from '../../../proto/cairn.js'
import { GROUP_ID_BYTES } from '../groups/change.js'
import { chunkCount, FILE_ID_BYTES, KEY_BYTES } from './chunk-cipher.js'

/** Largest chunk a peer may describe: a chunk, its tag and framing fit one 1 MiB mailbox frame. */
export const MAX_CHUNK_BYTES = 960 * 1024
export const MIN_CHUNK_BYTES = 1024

/** The most chunks a descriptor lists (the proto's limit on `chunks`): a streamed one may not promise more. */
export const MAX_CHUNKS = 2048

/**
 * A streamed descriptor (session 21): no chunk list and no digest yet; its chunks follow at once on
 * the sender's stream, which ends with what completes it (ChunkEnd), or a second message brings the
 * full descriptor (streamed.ts). A full one lists at least one chunk.
 */
export function isStreamed (a: Attachment): boolean {
  return a.chunks.length === 0 && a.sha256.length === 0
}

/** How many chunks the file has, listed or not. */
export function chunkTotal (a: Attachment): number {
  return isStreamed(a) ? chunkCount(a.size, a.chunkBytes) : a.chunks.length
}

/** What the inbox shows about an attachment. */
export interface AttachmentSummary { fileId: string, name: string, size: number, mediaType: string }

/** Why a descriptor is refused, or undefined when it is sound. */
export function descriptorProblem (a: Attachment): string | undefined {
  if (a.fileId.length !== FILE_ID_BYTES) return 'file id must be 16 bytes'
  if (a.key.length !== KEY_BYTES) return 'key must be 32 bytes'
  if (!Number.isSafeInteger(a.size) || a.size < 0) return 'bad size'
  if (!Number.isInteger(a.chunkBytes) || a.chunkBytes < MIN_CHUNK_BYTES || a.chunkBytes > MAX_CHUNK_BYTES) return 'bad chunk size'
  if (a.groupId !== undefined && a.groupId.length !== GROUP_ID_BYTES) return 'group id must be 16 bytes'
  if (a.groupHeads.length > 0 && (a.groupId === undefined || a.groupHeads.some(h => h.length !== 32))) return 'group heads must be 32-byte change ids of the group named'
  if (isStreamed(a)) return a.completes === true ? 'a completing descriptor lists its chunks' : chunkCount(a.size, a.chunkBytes) > MAX_CHUNKS ? 'too many chunks' : undefined
  if (a.sha256.length !== 32) return 'digest must be 32 bytes'
  if (a.chunks.length !== chunkCount(a.size, a.chunkBytes)) return 'chunk list does not match the size'
  if (!a.chunks.every(isChunkCid)) return 'malformed chunk address (not a CIDv1, raw, sha2-256)'
  return undefined
}

/**
 * A name safe to create in a directory: the last path component only, no control characters, not
 * "." or "..", at most 200 bytes of UTF-8 (the extension kept); "attachment" when nothing is left.
 */
export function safeFileName (name: string): string {
  // eslint-disable-next-line no-control-regex
  const last = (name.split(/[/\\]/).pop() ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim()
  // at most 200 bytes of UTF-8, whole characters, its extension kept: with a temporary name's or a
  // copy's additions it stays under the file systems' 255 bytes (200 characters of CJK would be 600
  // bytes: ENAMETOOLONG)
  const ext = /\.[^.]{1,15}$/.exec(last)?.[0] ?? ''
  const cut = Buffer.byteLength(last) <= 200 ? last : bytesOf(last.slice(0, last.length - ext.length), 200 - Buffer.byteLength(ext)) + ext
  return cut === '' || cut === '.' || cut === '..' ? 'attachment' : cut
}

/** The longest start of `text` of whole characters within `max` bytes of UTF-8. */
function bytesOf (text: string, max: number): string {
  let out = ''
  let bytes = 0
  for (const ch of text) {
    bytes += Buffer.byteLength(ch)
    if (bytes > max) break
    out += ch
  }
  return out
}

export function summaryOf (a: Attachment): AttachmentSummary {
  return { fileId: Buffer.from(a.fileId).toString('hex'), name: safeFileName(a.name), size: a.size, mediaType: a.mediaType }
}
