/**
 * One attachment being received: checks each encrypted chunk against its address, opens it at its
 * place, writes the plaintext into a partial file in the data dir at the chunk's offset, syncs it,
 * and only then records the chunk as held. A kill at any point loses at most the chunk in flight.
 * Once all chunks are held the whole file is checked against the descriptor's digest.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, open, rm, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import type { Attachment } from '../../../proto/cairn.js'
import type { Store } from '../../shared/store.js'
import { Mutex } from '../../shared/mutex.js'
import { checkChunk, openChunk } from './chunk-cipher.js'
import { AttachmentDigestError, CorruptChunkError } from './errors.js'
import { chunkStoredOp, descriptorOf, forgetChunks, markComplete, storedChunks, type AttachmentState, type IncomingRecord } from './incoming-store.js'

/** Where partial and complete received files wait, in the (0700) data dir. */
export const attachmentsDir = (dataDir: string): string => join(dataDir, 'attachments')

export class IncomingFile {
  readonly fileIdHex: string
  readonly descriptor: Attachment
  private fh?: Promise<FileHandle>
  private readonly finishing = new Mutex()
  /** Written but not yet synced and recorded (accept with `defer`); flush() makes them held. */
  private unsynced: number[] = []

  private constructor (
    private readonly store: Store,
    readonly path: string,
    readonly record: IncomingRecord,
    private readonly held: Set<number>
  ) {
    this.descriptor = descriptorOf(record)
    this.fileIdHex = Buffer.from(this.descriptor.fileId).toString('hex')
  }

  static async open (store: Store, dataDir: string, record: IncomingRecord): Promise<IncomingFile> {
    const d = descriptorOf(record)
    const fileIdHex = Buffer.from(d.fileId).toString('hex')
    await mkdir(attachmentsDir(dataDir), { recursive: true, mode: 0o700 })
    const held = await storedChunks(store, record.from, fileIdHex)
    return new IncomingFile(store, join(attachmentsDir(dataDir), `${record.from}-${fileIdHex}.part`), record, held)
  }

  get count (): number { return this.descriptor.chunks.length }
  get complete (): boolean { return this.record.complete === true }
  get heldCount (): number { return this.held.size }

  state (): AttachmentState {
    if (this.complete) return 'complete'
    return this.held.size === 0 ? 'waiting' : 'partial'
  }

  /** Chunk indexes not on disk yet, ascending. */
  missing (): number[] {
    const out: number[] = []
    for (let i = 0; i < this.count; i++) if (!this.held.has(i)) out.push(i)
    return out
  }

  has (index: number): boolean { return this.held.has(index) }

  /**
   * Check, open and store chunk `index`; throws CorruptChunkError (nothing is written then). With
   * `defer`, the sync and the record wait for flush(): a stream syncs once per few chunks.
   */
  async accept (index: number, ciphertext: Uint8Array, options: { defer?: boolean } = {}): Promise<void> {
    const d = this.descriptor
    const cid = d.chunks[index]
    if (cid === undefined || !Number.isInteger(index)) throw new CorruptChunkError(index, 'index', `chunk index ${index} is outside the file`)
    checkChunk(cid, ciphertext, index)
    const plain = openChunk(d.key, { fileId: d.fileId, index, count: this.count }, ciphertext)
    const expected = index === this.count - 1 ? d.size - index * d.chunkBytes : d.chunkBytes
    if (plain.length !== expected) throw new CorruptChunkError(index, 'index', `chunk ${index} holds ${plain.length} bytes, not ${expected}`)
    if (this.held.has(index)) return
    // 'r+' writes at any offset but needs the file; 'a+' creates it (0600) without truncating
    this.fh ??= open(this.path, 'a+', 0o600).then(async fh => { await fh.close(); return open(this.path, 'r+') })
    const fh = await this.fh
    await fh.write(plain, 0, plain.length, index * d.chunkBytes)
    if (options.defer === true) { this.unsynced.push(index); return }
    await fh.datasync()
    await this.store.write([chunkStoredOp(this.record.from, this.fileIdHex, index)])
    this.held.add(index)
  }

  /** Sync the chunks written with `defer`, then record them held (data on disk before its record). */
  async flush (): Promise<void> {
    const batch = this.unsynced
    if (batch.length === 0) return
    this.unsynced = []
    await (await this.fh)?.datasync()
    await this.store.write(batch.map(i => chunkStoredOp(this.record.from, this.fileIdHex, i)))
    for (const i of batch) this.held.add(i)
  }

  /**
   * With every chunk held: check the whole file's size and digest (once), and record it complete.
   * A mismatch (the sender described another file) forgets every chunk and throws.
   */
  async finish (): Promise<boolean> {
    return this.finishing.run(async () => {
      if (this.complete) return true
      if (this.held.size < this.count) return false
      await this.closeFile()
      const h = createHash('sha256')
      let size = 0
      for await (const b of createReadStream(this.path, { highWaterMark: 1024 * 1024 })) { h.update(b as Buffer); size += (b as Buffer).length }
      if (size !== this.descriptor.size || !h.digest().equals(Buffer.from(this.descriptor.sha256))) {
        await forgetChunks(this.store, this.record.from, this.fileIdHex)
        this.held.clear()
        await rm(this.path, { force: true })
        throw new AttachmentDigestError('the received file does not match the digest its sender announced')
      }
      await markComplete(this.store, this.record, this.fileIdHex)
      this.record.complete = true
      return true
    })
  }

  async closeFile (): Promise<void> {
    const fh = this.fh
    delete this.fh
    await (await fh)?.close()
  }
}
