/**
 * Reading a file to send, one chunk at a time (memory stays at one chunk whatever the file's size):
 * a first pass makes the descriptor (chunk addresses, plaintext digest); later reads produce any
 * chunk again, identical since the key and nonce are fixed per index. A chunk whose address no
 * longer matches means the file changed: it is never sent (a different plaintext under the same
 * nonce would leak both), and the transfer stops with FileChangedError.
 */
import { createHash, randomBytes } from 'node:crypto'
import { open, type FileHandle } from 'node:fs/promises'
import type { Attachment } from '../../../proto/cairn.js'
import { chunkCid, chunkCount, FILE_ID_BYTES, KEY_BYTES, sealChunk, sealedChunkCid } from './chunk-cipher.js'
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

/** The descriptor of `file`: a fresh key and file id, every chunk's address, the plaintext digest. */
export async function describeFile (file: CheckedFile, chunkBytes: number, options: { onChunk?: (done: number, total: number) => void } = {}): Promise<Attachment> {
  const key = randomBytes(KEY_BYTES)
  const fileId = randomBytes(FILE_ID_BYTES)
  const count = chunkCount(file.size, chunkBytes)
  const digest = createHash('sha256')
  const chunks: Array<Uint8Array<ArrayBuffer>> = []
  const fh = await open(file.path, 'r')
  try {
    const buf = Buffer.allocUnsafe(chunkBytes)
    let size = 0
    for (let i = 0; i < count; i++) {
      const plain = await readAt(fh, buf, chunkBytes, i * chunkBytes)
      digest.update(plain)
      size += plain.length
      chunks.push(sealedChunkCid(key, { fileId, index: i, count }, plain))
      options.onChunk?.(i + 1, count)
    }
    if (size !== file.size) throw new FileChangedError(file.path)
  } finally {
    await fh.close()
  }
  return { fileId, name: file.name, size: file.size, mediaType: file.mediaType, chunkBytes, chunks, key, sha256: digest.digest(), caption: '' }
}

/** Produces the encrypted chunks of a described file, on demand. Close it when done. */
export class FileChunks {
  private fh?: FileHandle
  private readonly buf: Buffer

  constructor (private readonly path: string, private readonly d: Attachment) {
    this.buf = Buffer.allocUnsafe(d.chunkBytes)
  }

  get count (): number { return this.d.chunks.length }

  /** The encrypted chunk `index`, checked against its address. */
  async chunk (index: number): Promise<Buffer<ArrayBuffer>> {
    this.fh ??= await open(this.path, 'r').catch(() => { throw new FileChangedError(this.path) })
    const plain = await readAt(this.fh, this.buf, this.d.chunkBytes, index * this.d.chunkBytes)
    const sealed = sealChunk(this.d.key, { fileId: this.d.fileId, index, count: this.count }, plain)
    const cid = this.d.chunks[index]
    if (cid === undefined || !Buffer.from(chunkCid(sealed)).equals(Buffer.from(cid))) throw new FileChangedError(this.path)
    return sealed
  }

  async close (): Promise<void> {
    await this.fh?.close()
    delete this.fh
  }
}
