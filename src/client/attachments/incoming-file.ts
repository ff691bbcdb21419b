/**
 * One attachment being received: checks each encrypted chunk against its address and that it opens
 * at its place, writes the chunk's ciphertext (never the plaintext) into its slot of the received
 * file in the data dir, syncs it, and only then records the chunk as held. A kill at any point loses
 * at most the chunk in flight. Once all chunks are held the whole file is checked against the
 * descriptor's digest: from the digest kept while the chunks arrived in order (a direct stream), else
 * by decrypting the file chunk by chunk. A file announced streamed (no chunk list, no digest) is
 * checked instead against the digest of its chunks' tags its sender's stream ends with
 * (finishStreamed), read back from the slots: no pass over the plaintext at all.
 */
import { createHash, type Hash } from 'node:crypto'
import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import type { Uint8ArrayList } from 'uint8arraylist'
import type { Attachment } from '../../../proto/cairn.js'
import type { Store, StoreOp } from '../../shared/store.js'
import { Mutex } from '../../shared/mutex.js'
import { checkChunk, openChunk, openChunkPieces, tagsDigest } from './chunk-cipher.js'
import { chunkTotal, isStreamed } from './descriptor.js'
import { AttachmentDigestError, AttachmentStateError, CorruptChunkError } from './errors.js'
import { chunkStoredOp, descriptorOf, forgetChunks, markComplete, markIncomplete, markRefused, markSaved, fromMailboxesOp, storedChunks, type AttachmentState, type IncomingRecord } from './incoming-store.js'
import { convertPlaintext, heldTags, legacyReceivedBase, OLD_PLAINTEXT_SUFFIX, plainLength, plaintextChunks, plaintextChunksAt, RECEIVED_SUFFIX, receivedBase, slotOffset } from './received-chunks.js'
import type { SaveAhead } from './save-ahead.js'

/** Where partial and complete received files wait, in the (0700) data dir. */
export const attachmentsDir = (dataDir: string): string => join(dataDir, 'attachments')

/** Remove a received file's chunk file, under whichever name it waits (its record is gone: nothing reopens it). */
export async function removeReceivedFile (dataDir: string, from: string, fileIdHex: string): Promise<void> {
  const dir = attachmentsDir(dataDir)
  const legacy = join(dir, legacyReceivedBase(from, fileIdHex))
  for (const path of [join(dir, `${receivedBase(from, fileIdHex)}${RECEIVED_SUFFIX}`), `${legacy}${RECEIVED_SUFFIX}`, `${legacy}${OLD_PLAINTEXT_SUFFIX}`]) await rm(path, { force: true })
}

export class IncomingFile {
  readonly fileIdHex: string
  readonly descriptor: Attachment
  private fh?: Promise<FileHandle>
  private readonly finishing = new Mutex()
  /** Written but not yet synced and recorded (accept with `defer`); flush() makes them held. */
  private unsynced: number[] = []
  /**
   * The plaintext digest of chunks 0 … next-1, fed as each was written in order in this process (a
   * direct stream sends them so): finish() then needs no second pass over the file. Dropped at the
   * first chunk out of order (a parallel fetch, a resumed file): finish() reads the file instead.
   */
  private running?: RunningDigest
  /** Its message was deleted (forget): a chunk still arriving must not bring the file or its records back. */
  private forgotten = false
  /** A save asked for before the file arrived (Inbound.saveAhead): each chunk's plaintext also goes there. */
  ahead?: SaveAhead

  private constructor (
    private readonly store: Store,
    readonly path: string,
    readonly record: IncomingRecord,
    private readonly held: Set<number>
  ) {
    this.descriptor = descriptorOf(record)
    this.fileIdHex = Buffer.from(this.descriptor.fileId).toString('hex')
    if (held.size === 0 && record.complete !== true) this.running = this.freshDigest()
  }

  /** Announced streamed: a direct push ends with ChunkEnd, and finishStreamed checks it (no running digest then). */
  get announcedStreamed (): boolean { return this.record.streamed === true }

  private freshDigest (): RunningDigest | undefined {
    return this.announcedStreamed ? undefined : freshDigest()
  }

  static async open (store: Store, dataDir: string, record: IncomingRecord): Promise<IncomingFile> {
    const d = descriptorOf(record)
    const fileIdHex = Buffer.from(d.fileId).toString('hex')
    await mkdir(attachmentsDir(dataDir), { recursive: true, mode: 0o700 })
    const dir = attachmentsDir(dataDir)
    const legacy = join(dir, legacyReceivedBase(record.from, fileIdHex))
    const held = await storedChunks(store, record.from, fileIdHex)
    const path = join(dir, `${receivedBase(record.from, fileIdHex)}${RECEIVED_SUFFIX}`)
    await renameLegacy(dir, `${legacy}${RECEIVED_SUFFIX}`, path)
    await convertOldFile(store, `${legacy}${OLD_PLAINTEXT_SUFFIX}`, path, record, held)
    // saved, but killed before its chunk file went: remove it now
    if (record.complete === true && record.savedTo !== undefined) await rm(path, { force: true })
    return new IncomingFile(store, path, record, held)
  }

  get count (): number { return chunkTotal(this.descriptor) }
  get complete (): boolean { return this.record.complete === true }
  /** Where `save` wrote the file once its chunks were removed; undefined before. */
  get savedTo (): string | undefined { return this.complete ? this.record.savedTo : undefined }
  get heldCount (): number { return this.held.size }
  /** Chunks written here, synced and recorded (heldCount) or still waiting for a stream's next sync: how far a push has come. */
  get arrivedCount (): number { return Math.min(this.count, this.held.size + this.unsynced.length) }

  state (): AttachmentState {
    if (this.savedTo !== undefined) return 'saved'
    if (this.complete) return 'complete'
    if (this.record.refused === true) return 'refused'
    return this.held.size === 0 ? 'waiting' : 'partial'
  }

  /** Chunk indexes not on disk yet, ascending (none once complete: a saved file is not taken again). */
  missing (): number[] {
    if (this.complete) return []
    const out: number[] = []
    for (let i = 0; i < this.count; i++) if (!this.held.has(i)) out.push(i)
    return out
  }

  has (index: number): boolean { return this.held.has(index) }

  /**
   * Check, open and store chunk `index`; throws CorruptChunkError (nothing is written then). With
   * `defer`, the sync and the record wait for flush(): a stream syncs once per few chunks. With
   * `fromSender`, the chunk came on its sender's own stream and its address is not hashed: what
   * the address guards against is a holder, and a chunk from the sender is proved by opening it
   * (its tag under the file's key, with its index, the count and the file id in the associated
   * data), the whole file then by the digest in finish() (docs/DECISIONS.md). With
   * `fromMailbox`, the record says so in the same write as the chunk's (the first time): a process
   * killed before finish() leaves a record whose save still releases the chunks at the replicas.
   */
  async accept (index: number, chunk: Uint8Array | Uint8ArrayList, options: { defer?: boolean, fromSender?: boolean, fromMailbox?: boolean } = {}): Promise<void> {
    const d = this.descriptor
    if (!Number.isInteger(index) || index < 0 || index >= this.count) throw new CorruptChunkError(index, 'index', `chunk index ${index} is outside the file`)
    // a chunk from its sender's stream comes in the pieces the stream delivered (chunk-frame.ts
    // readChunkData): opened and written piece by piece, never joined (~1 MiB copied per chunk)
    let ciphertext = chunk
    if (options.fromSender !== true) {
      // a streamed descriptor lists no addresses yet: only its sender's stream can bring its chunks
      const cid = d.chunks[index]
      if (cid === undefined) throw new CorruptChunkError(index, 'address', `chunk ${index} has no address yet (the file was announced streamed)`)
      if (!(ciphertext instanceof Uint8Array)) ciphertext = ciphertext.subarray()
      checkChunk(cid, ciphertext, index)
    }
    const place = { fileId: d.fileId, index, count: this.count }
    const plain = ciphertext instanceof Uint8Array ? [openChunk(d.key, place, ciphertext)] : openChunkPieces(d.key, place, ciphertext)
    const length = plain.reduce((n, p) => n + p.length, 0)
    const expected = plainLength(d, index)
    if (length !== expected) throw new CorruptChunkError(index, 'index', `chunk ${index} holds ${length} bytes, not ${expected}`)
    if (this.held.has(index)) { this.running = undefined; return }
    this.refuseIfForgotten()
    this.fh ??= openForWriting(this.path)
    const fh = await this.fh
    // a save asked for ahead takes the plaintext just opened (authenticated) at once, beside the
    // ciphertext's write: its save then reads back only what it did not get here (save-ahead.ts)
    const ahead = this.ahead?.write(index, plain)
    if (ciphertext instanceof Uint8Array) await fh.write(ciphertext, 0, ciphertext.length, slotOffset(d, index))
    else await fh.writev([...ciphertext], slotOffset(d, index))
    await ahead
    this.feedDigest(index, plain, length)
    if (options.defer === true) { this.unsynced.push(index); return }
    await fh.datasync()
    this.refuseIfForgotten()
    const marking = options.fromMailbox === true && this.record.fromMailboxes !== true
    if (marking) this.record.fromMailboxes = true
    await this.store.write([chunkStoredOp(this.record.from, this.fileIdHex, index), ...(marking ? [await fromMailboxesOp(this.store, this.record, this.fileIdHex)] : [])])
    this.held.add(index)
  }

  /** Chunk `index` was written: its plaintext extends the running digest if it is the next one. */
  private feedDigest (index: number, plain: Buffer[], length: number): void {
    const r = this.running
    if (r === undefined) return
    if (index !== r.next) { this.running = undefined; return }
    for (const p of plain) r.hash.update(p)
    r.size += length
    r.next++
  }

  /**
   * The whole file's plaintext size and digest: from the running digest when every chunk fed it,
   * else by decrypting the held file (undefined: a chunk no longer opens, the disk altered it).
   */
  private async wholeDigest (): Promise<{ size: number, digest: Buffer } | undefined> {
    const r = this.running
    this.running = undefined
    if (r?.next === this.count) return { size: r.size, digest: r.hash.digest() }
    const h = createHash('sha256')
    let size = 0
    try {
      for await (const b of this.plaintext()) { h.update(b); size += b.length }
    } catch (err) {
      if (err instanceof CorruptChunkError) return undefined
      throw err
    }
    return { size, digest: h.digest() }
  }

  /** Sync the chunks written with `defer`, then record them held (data on disk before its record). */
  async flush (): Promise<void> {
    const batch = this.unsynced
    if (batch.length === 0) return
    this.unsynced = []
    await (await this.fh)?.datasync()
    this.refuseIfForgotten()
    await this.store.write(batch.map(i => chunkStoredOp(this.record.from, this.fileIdHex, i)))
    for (const i of batch) this.held.add(i)
  }

  /**
   * With every chunk held: check the whole file's size and digest (once), and record it complete.
   * A mismatch forgets every chunk and throws: a chunk that no longer opens (altered on this disk)
   * is fetched again; every chunk authentic and the file still not the one described is its
   * sender's doing, and the file is recorded refused (IncomingRecord.refused).
   */
  async finish (): Promise<boolean> {
    return this.finishing.run(async () => {
      if (this.complete) return true
      // streamed and not completed by a second message: only its sender's ChunkEnd can check it
      if (this.held.size < this.count || isStreamed(this.descriptor)) return false
      await this.closeFile()
      // a chunk the disk altered since it was written no longer opens: the file is fetched again
      const whole = await this.wholeDigest()
      if (whole === undefined) {
        await this.discard()
        throw new AttachmentDigestError('local', 'a received chunk changed on disk after it was checked; its chunks were forgotten and are taken again')
      }
      if (whole.size !== this.descriptor.size || !whole.digest.equals(Buffer.from(this.descriptor.sha256))) {
        await this.discard()
        await markRefused(this.store, this.record, this.fileIdHex)
        this.record.refused = true
        throw refusedError()
      }
      await markComplete(this.store, this.record, this.fileIdHex)
      this.record.complete = true
      return true
    })
  }

  /**
   * With every chunk held, for a file announced streamed: check the digest of the chunks' tags
   * (each authenticated when its chunk was opened, read back from the slots) against `digest`, the
   * one its sender's stream ended with, and record it complete. A mismatch (a chunk held from
   * before a resumed send of a file that changed since) forgets every chunk and throws.
   */
  async finishStreamed (digest: Uint8Array): Promise<boolean> {
    return this.finishing.run(async () => {
      if (this.complete) return true
      if (this.held.size < this.count) return false
      await this.closeFile()
      const tags = await heldTags(this.path, this.descriptor).catch(() => undefined)
      if (tags === undefined) {
        await this.discard()
        throw new AttachmentDigestError('local', 'a received chunk could not be read back; its chunks were forgotten and are taken again')
      }
      if (!tagsDigest(tags).equals(Buffer.from(digest))) {
        await this.discard()
        throw new AttachmentDigestError('sender', 'the received file does not match the chunks its sender sealed')
      }
      this.running = undefined
      await markComplete(this.store, this.record, this.fileIdHex)
      this.record.complete = true
      return true
    })
  }

  /**
   * The file was saved to `path` (synced, linked, its directory synced): record that, write `also`
   * and drop the chunk records in one synced write, then remove the chunk file, which no longer costs disk.
   */
  async markSaved (path: string, also: StoreOp[] = []): Promise<void> {
    await this.finishing.run(async () => {
      await this.closeFile()
      await markSaved(this.store, this.record, this.fileIdHex, path, also)
      this.record.complete = true
      this.record.savedTo = path
      this.held.clear()
      this.unsynced = []
      this.running = undefined
      await rm(this.path, { force: true })
    })
  }

  /**
   * A saved file that is gone from where it was saved: take it again from the network (the record
   * keeps where it was saved, for the message should nothing hold its chunks any more).
   */
  async fetchAgain (): Promise<void> {
    await this.finishing.run(async () => {
      if (!this.complete) return
      await markIncomplete(this.store, this.record, this.fileIdHex)
      this.record.complete = false
      this.held.clear()
      this.running = this.freshDigest()
    })
  }

  /**
   * Forget every chunk and remove the file: what is on disk can no longer be trusted (a digest
   * mismatch, or a chunk altered on disk); the next fetch starts again from the network.
   */
  async discard (): Promise<void> {
    await this.closeFile()
    await forgetChunks(this.store, this.record.from, this.fileIdHex)
    if (this.complete) { await markIncomplete(this.store, this.record, this.fileIdHex); this.record.complete = false }
    this.held.clear()
    this.unsynced = []
    this.running = this.freshDigest()
    // what a save ahead took came from chunks no longer trusted: it goes too, leaving nothing where the user saves
    const ahead = this.ahead
    delete this.ahead
    await ahead?.abort()
    await rm(this.path, { force: true })
  }

  /**
   * Its message is being deleted (message-deletion.ts): the file is closed and every later chunk
   * refused, so that a transfer still running (a direct push, a fetch) neither opens the chunk file
   * again nor writes a chunk record for a file whose record is gone.
   */
  async forget (): Promise<void> {
    this.forgotten = true
    this.unsynced = []
    await this.closeFile()
  }

  private refuseIfForgotten (): void {
    if (this.forgotten) throw new AttachmentStateError('this file\'s message was deleted', 2)
  }

  /** The file's plaintext, one chunk at a time (every chunk must be held). */
  plaintext (): AsyncGenerator<Buffer> {
    return plaintextChunks(this.path, this.descriptor)
  }

  /** The plaintext of the chunks `wanted` picks, each with its index (every one of them must be held). */
  plaintextAt (wanted: (index: number) => boolean): AsyncGenerator<{ index: number, plain: Buffer }> {
    return plaintextChunksAt(this.path, this.descriptor, wanted)
  }

  async closeFile (): Promise<void> {
    const fh = this.fh
    delete this.fh
    await (await fh)?.close()
  }
}

interface RunningDigest { next: number, size: number, hash: Hash }

function freshDigest (): RunningDigest {
  return { next: 0, size: 0, hash: createHash('sha256') }
}

/** 'r+' writes at any offset but needs the file; 'a+' creates it (0600) without truncating. */
async function openForWriting (path: string): Promise<FileHandle> {
  await (await open(path, 'a+', 0o600)).close()
  return open(path, 'r+')
}

/**
 * A plaintext `.part` file left by a version before issue 15: its held chunks are sealed again into
 * the ciphertext layout (synced), then the plaintext file is removed. A chunk that no longer
 * matches its address is forgotten and fetched again. A kill part-way leaves the `.part` file, and
 * the next open converts it again from the start.
 */
/**
 * A received file named by its sender (before session 10) takes its opaque name: one rename in the
 * same directory, then the directory synced, so a kill leaves one name or the other, never neither.
 */
async function renameLegacy (dir: string, legacyPath: string, path: string): Promise<void> {
  if (await stat(legacyPath).catch(() => undefined) === undefined) return
  if (await stat(path).catch(() => undefined) !== undefined) {
    // a rename cannot leave both; should a copy bring the old name back, the new file is the one the store's records describe
    await rm(legacyPath, { force: true })
    return
  }
  await rename(legacyPath, path)
  const d = await open(dir, 'r')
  try { await d.sync() } finally { await d.close() }
}

async function convertOldFile (store: Store, oldPath: string, path: string, record: IncomingRecord, held: Set<number>): Promise<void> {
  if (await stat(oldPath).catch(() => undefined) === undefined) return
  const fileIdHex = Buffer.from(descriptorOf(record).fileId).toString('hex')
  const out = await openForWriting(path)
  try {
    const kept = await convertPlaintext(oldPath, out, descriptorOf(record), held)
    await out.datasync()
    if (kept.size !== held.size) {
      // the file can no longer be trusted to be complete: keep only what was checked again
      await forgetChunks(store, record.from, fileIdHex, [...held].filter(i => !kept.has(i)))
      if (record.complete === true) { await markIncomplete(store, record, fileIdHex); record.complete = false }
      for (const i of held) if (!kept.has(i)) held.delete(i)
    }
  } finally {
    await out.close()
  }
  await rm(oldPath, { force: true })
}

/** A file refused: its sender's chunks make another file than it described. */
export function refusedError (): AttachmentDigestError {
  return new AttachmentDigestError('sender', 'the received file does not match the digest its sender announced: refused, and not fetched again (ask the sender to send it again)')
}
