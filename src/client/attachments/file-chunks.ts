/**
 * Reading a file to send, one chunk at a time (memory stays at one chunk whatever the file's size):
 * a first pass makes the descriptor (chunk addresses, plaintext digest) and keeps each chunk's GCM
 * tag; later reads produce any chunk again, identical since the key and nonce are fixed per index.
 * A chunk that is not the one described means the file changed: it is never sent (a different
 * plaintext under the same nonce would leak both), and the transfer stops with FileChangedError.
 *
 * The later check compares the chunk's 16-byte tag with the one kept from the first pass rather
 * than hashing the chunk again for its address: a different plaintext under the same key, nonce
 * and associated data gives the same tag only by a GHASH collision under a key nobody who could
 * change the file knows (probability at most chunk blocks / 2^128), and the tag comes free with
 * the seal, where the address costs a SHA-256 pass over the chunk (docs/DECISIONS.md). Without
 * kept tags (a send recorded before them) the address is checked as before.
 */
import { createHash, randomBytes } from 'node:crypto'
import { open, type FileHandle } from 'node:fs/promises'
import type { Attachment } from '../../../proto/cairn.js'
import { partsCid } from '../../shared/chunk-address.js'
import { chunkCount, FILE_ID_BYTES, KEY_BYTES, sealChunkParts, sealedChunkCidAndTag, TAG_BYTES } from './chunk-cipher.js'
import { FileChangedError } from './errors.js'
import type { CheckedFile } from './file-check.js'

/** Read exactly `length` bytes at `position` (short only at the end of the file). */
export async function readAt (fh: FileHandle, buf: Buffer, length: number, position: number): Promise<Buffer> {
  let got = 0
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, position + got)
    if (bytesRead === 0) break
    got += bytesRead
  }
  return buf.subarray(0, got)
}

/** A described file: its descriptor, and every chunk's GCM tag in order (16 bytes each), kept by the sender only. */
export interface DescribedFile { descriptor: Attachment, tags: Buffer }

/** The descriptor of `file`: a fresh key and file id, every chunk's address, the plaintext digest. */
export async function describeFile (file: CheckedFile, chunkBytes: number, options: { onChunk?: (done: number, total: number) => void } = {}): Promise<Attachment> {
  return (await describeFileWithTags(file, chunkBytes, options)).descriptor
}

export interface DescribeOptions {
  onChunk?: (done: number, total: number) => void
  /** The key and file id of a file announced streamed, being described now (its chunks to go to mailboxes); fresh ones by default. */
  key?: Uint8Array<ArrayBuffer>
  fileId?: Uint8Array<ArrayBuffer>
}

/** `describeFile`, with the chunks' tags for FileChunks. */
export async function describeFileWithTags (file: CheckedFile, chunkBytes: number, options: DescribeOptions = {}): Promise<DescribedFile> {
  const key = options.key ?? randomBytes(KEY_BYTES)
  const fileId = options.fileId ?? randomBytes(FILE_ID_BYTES)
  const count = chunkCount(file.size, chunkBytes)
  const digest = createHash('sha256')
  const chunks: Array<Uint8Array<ArrayBuffer>> = []
  const tags = Buffer.alloc(count * TAG_BYTES)
  const fh = await open(file.path, 'r')
  try {
    const buf = Buffer.allocUnsafe(chunkBytes)
    let size = 0
    for (let i = 0; i < count; i++) {
      const plain = await readAt(fh, buf, chunkBytes, i * chunkBytes)
      digest.update(plain)
      size += plain.length
      const sealed = sealedChunkCidAndTag(key, { fileId, index: i, count }, plain)
      chunks.push(sealed.cid)
      sealed.tag.copy(tags, i * TAG_BYTES)
      options.onChunk?.(i + 1, count)
    }
    if (size !== file.size) throw new FileChangedError(file.path)
  } finally {
    await fh.close()
  }
  return { descriptor: { fileId, name: file.name, size: file.size, mediaType: file.mediaType, chunkBytes, chunks, key, sha256: digest.digest(), caption: '', groupHeads: [] }, tags }
}

/** Produces the encrypted chunks of a described file, on demand. Close it when done. */
export class FileChunks {
  private fh?: FileHandle
  private readonly buf: Buffer

  /** `tags`: from describeFileWithTags (every chunk's, in order); without them each chunk's address is checked. */
  constructor (private readonly path: string, private readonly d: Attachment, private readonly tags?: Uint8Array) {
    this.buf = Buffer.allocUnsafe(d.chunkBytes)
    if (tags !== undefined && tags.length !== d.chunks.length * TAG_BYTES) this.tags = undefined
  }

  get count (): number { return this.d.chunks.length }

  /** The encrypted chunk `index`, checked against its description, in one buffer (a mailbox put). */
  async chunk (index: number): Promise<Buffer<ArrayBuffer>> {
    return Buffer.concat(await this.chunkParts(index))
  }

  /** The encrypted chunk `index`, checked against its description, in pieces (its tag last): what a stream sends without joining them. */
  async chunkParts (index: number): Promise<Buffer[]> {
    this.fh ??= await open(this.path, 'r').catch(() => { throw new FileChangedError(this.path) })
    const plain = await readAt(this.fh, this.buf, this.d.chunkBytes, index * this.d.chunkBytes)
    const parts = sealChunkParts(this.d.key, { fileId: this.d.fileId, index, count: this.count }, plain)
    if (!this.isDescribed(index, parts)) throw new FileChangedError(this.path)
    return parts
  }

  private isDescribed (index: number, parts: Buffer[]): boolean {
    const cid = this.d.chunks[index]
    if (cid === undefined) return false
    if (this.tags === undefined) return Buffer.from(partsCid(parts)).equals(Buffer.from(cid))
    const tag = parts[parts.length - 1] as Buffer
    return tag.equals(this.tags.subarray(index * TAG_BYTES, (index + 1) * TAG_BYTES))
  }

  async close (): Promise<void> {
    await this.fh?.close()
    delete this.fh
  }
}
