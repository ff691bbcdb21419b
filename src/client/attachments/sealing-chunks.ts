/**
 * The chunks of a file announced streamed (descriptor.ts isStreamed), read and sealed once, as they
 * are sent: no describe pass before the announcement (a read, a seal and two SHA-256 passes over
 * the file), and no second seal. Each chunk's GCM tag is kept, in memory only: ChunkEnd's digest is
 * made from them once the last chunk was sealed. Chunks come in order, each once (what a first push
 * of a fresh file asks for); anything else, a file that is no longer the announced size, or one
 * written to while it was read (its modification time moved by the last chunk) stops the push with
 * FileChangedError before the stream's end, so the recipient never completes a file that never
 * existed as a whole (what the second seal's check caught before session 21). A push that breaks
 * leaves nothing to check a chunk sealed again against, so a resumed or mailbox-bound send
 * describes the file in full first (index.ts), and a recipient holding chunks of a file that
 * changed since finds its tags' digest wrong (incoming-file.ts finishStreamed).
 */
import { open, type FileHandle } from 'node:fs/promises'
import type { Attachment } from '../../../proto/cairn.js'
import { sealChunkParts, TAG_BYTES, tagsDigest } from './chunk-cipher.js'
import type { ChunkSource } from './chunk-push.js'
import { chunkTotal } from './descriptor.js'
import { FileChangedError } from './errors.js'
import { readAt } from './file-chunks.js'

export class SealingChunks implements ChunkSource {
  readonly count: number
  private readonly tags: Buffer
  private readonly buf: Buffer
  private fh?: FileHandle
  private modifiedAt = 0
  private sealed = 0

  constructor (private readonly path: string, private readonly d: Attachment) {
    this.count = chunkTotal(d)
    this.tags = Buffer.alloc(this.count * TAG_BYTES)
    this.buf = Buffer.allocUnsafe(d.chunkBytes)
  }

  async chunkParts (index: number): Promise<Buffer[]> {
    if (index !== this.sealed) throw new RangeError(`a streamed file's chunks are sealed once, in order: ${index} asked for after ${this.sealed - 1}`)
    if (this.fh === undefined) {
      this.fh = await open(this.path, 'r').catch(() => { throw new FileChangedError(this.path) })
      const st = await this.fh.stat()
      if (st.size !== this.d.size) throw new FileChangedError(this.path)
      this.modifiedAt = st.mtimeMs
    }
    const last = index === this.count - 1
    const expected = last ? this.d.size - index * this.d.chunkBytes : this.d.chunkBytes
    // the last chunk reads a whole chunk's worth: a file grown since it was announced is refused too
    const plain = await readAt(this.fh, this.buf, this.d.chunkBytes, index * this.d.chunkBytes)
    if (plain.length !== expected) throw new FileChangedError(this.path)
    if (last && (await this.fh.stat()).mtimeMs !== this.modifiedAt) throw new FileChangedError(this.path)
    const parts = sealChunkParts(this.d.key, { fileId: this.d.fileId, index, count: this.count }, plain)
    ;(parts[parts.length - 1] as Buffer).copy(this.tags, index * TAG_BYTES)
    this.sealed++
    return parts
  }

  /** ChunkEnd's digest: every chunk was sealed. */
  endDigest (): Buffer<ArrayBuffer> {
    if (this.sealed !== this.count) throw new RangeError(`${this.sealed} of ${this.count} chunks sealed`)
    return tagsDigest(this.tags)
  }

  async close (): Promise<void> {
    await this.fh?.close()
    delete this.fh
  }
}
