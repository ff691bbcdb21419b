/**
 * How a received file waits in the data dir: as the chunk ciphertext it arrived as, never as
 * plaintext, so a stolen data dir reveals a file no more than the store that holds its key (which
 * is encrypted at rest when the data dir is). Chunk i sits in slot i, at i × (chunkBytes + tag): a
 * fixed place, so chunks can arrive in any order and a killed receive resumes. Reading decrypts
 * one chunk at a time: memory stays at one chunk whatever the file's size.
 */
import { createHash } from 'node:crypto'
import { open, type FileHandle } from 'node:fs/promises'
import type { Attachment } from '../../../proto/cairn.js'
import { chunkCid, openChunk, sealChunk, TAG_BYTES } from './chunk-cipher.js'
import { chunkTotal } from './descriptor.js'
import { readAt } from './file-chunks.js'

/** The suffix of a received file in this layout; `.part` files held plaintext (before issue 15). */
export const RECEIVED_SUFFIX = '.chunks'
export const OLD_PLAINTEXT_SUFFIX = '.part'

/**
 * The name a received file waits under: a digest of its sender and file id, so the data dir's file
 * names do not say who sent what (the file id is random and only in the store, sealed when the data
 * dir is encrypted). Before session 10 the name was `<sender PeerId>-<file id>` (`legacyReceivedBase`).
 */
export function receivedBase (from: string, fileIdHex: string): string {
  return createHash('sha256').update(`cairn/received-file\0${from}\0${fileIdHex}`).digest('hex')
}

export function legacyReceivedBase (from: string, fileIdHex: string): string {
  return `${from}-${fileIdHex}`
}

/** Bytes of chunk `index`'s plaintext (the last chunk is shorter). */
export function plainLength (d: Attachment, index: number): number {
  return index === chunkTotal(d) - 1 ? d.size - index * d.chunkBytes : d.chunkBytes
}

/** Where chunk `index`'s ciphertext starts in the received file. */
export function slotOffset (d: Attachment, index: number): number {
  return index * (d.chunkBytes + TAG_BYTES)
}

/**
 * The plaintext of every chunk in order, each opened (and so authenticated) at its place. A chunk
 * that does not open (the disk altered it, or it is missing) throws CorruptChunkError.
 */
export async function * plaintextChunks (path: string, d: Attachment): AsyncGenerator<Buffer> {
  for await (const { plain } of plaintextChunksAt(path, d, () => true)) yield plain
}

/** `plaintextChunks` of the chunks `wanted` picks only, each with its index (a save ahead's rest). */
export async function * plaintextChunksAt (path: string, d: Attachment, wanted: (index: number) => boolean): AsyncGenerator<{ index: number, plain: Buffer }> {
  const count = chunkTotal(d)
  let i = 0
  while (i < count && !wanted(i)) i++
  if (i === count) return
  const fh = await open(path, 'r')
  try {
    const buf = Buffer.allocUnsafe(d.chunkBytes + TAG_BYTES)
    for (; i < count; i++) {
      if (!wanted(i)) continue
      const sealed = await readAt(fh, buf, plainLength(d, i) + TAG_BYTES, slotOffset(d, i))
      yield { index: i, plain: openChunk(d.key, { fileId: d.fileId, index: i, count }, sealed) }
    }
  } finally {
    await fh.close()
  }
}

/** Every chunk's GCM tag, read from the end of its slot (every chunk must be held). */
export async function heldTags (path: string, d: Attachment): Promise<Buffer> {
  const count = chunkTotal(d)
  const tags = Buffer.alloc(count * TAG_BYTES)
  const fh = await open(path, 'r')
  try {
    for (let i = 0; i < count; i++) {
      const tag = await readAt(fh, tags.subarray(i * TAG_BYTES, (i + 1) * TAG_BYTES), TAG_BYTES, slotOffset(d, i) + plainLength(d, i))
      if (tag.length !== TAG_BYTES) throw new RangeError(`chunk ${i} is cut short`)
    }
  } finally {
    await fh.close()
  }
  return tags
}

/**
 * Turn a plaintext `.part` file (the layout before issue 15) into slots of ciphertext: each held
 * chunk is sealed again (the same key and nonce give the same bytes) and kept only if it matches
 * its address. Returns the indexes kept; the caller syncs the new file before removing the old.
 */
export async function convertPlaintext (oldPath: string, out: FileHandle, d: Attachment, held: Iterable<number>): Promise<Set<number>> {
  const kept = new Set<number>()
  const fh = await open(oldPath, 'r')
  try {
    const buf = Buffer.allocUnsafe(d.chunkBytes)
    const count = d.chunks.length
    for (const i of held) {
      const cid = d.chunks[i]
      if (cid === undefined) continue
      const plain = await readAt(fh, buf, plainLength(d, i), i * d.chunkBytes)
      if (plain.length !== plainLength(d, i)) continue
      const sealed = sealChunk(d.key, { fileId: d.fileId, index: i, count }, plain)
      if (!Buffer.from(chunkCid(sealed)).equals(Buffer.from(cid))) continue
      await out.write(sealed, 0, sealed.length, slotOffset(d, i))
      kept.add(i)
    }
  } finally {
    await fh.close()
  }
  return kept
}
