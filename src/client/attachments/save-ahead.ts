/**
 * A save asked for before its file has arrived (Attachments.saveAhead): the plaintext of each chunk,
 * which its receipt opens anyway (that open is what authenticates a chunk of a streamed file), is
 * written at once into the save's temporary file at the chunk's place, instead of being thrown
 * away. The save that follows then reads back and opens only the chunks this did not write (those
 * held before it was asked for, or by an earlier process), syncs, links: its second pass over the
 * file is gone (docs/DECISIONS.md, issue 14, "save ahead").
 *
 * Nothing here is trusted across a restart: which chunks were written is known in memory only, so
 * a process killed meanwhile leaves a temporary file that the next save of the file removes before
 * writing it whole from the received copy, which stays the only record of progress (its chunks are
 * written, synced and recorded exactly as without a save ahead). The file is linked only by `save`,
 * after the whole file was checked (digest, or the stream's tags digest).
 */
import { open, rm, type FileHandle } from 'node:fs/promises'
import { checkSaveKey, commitTemporary, removeTemporary, SYNC_EVERY_BYTES, temporaryPath, writeAt } from './save-file.js'

export class SaveAhead {
  /** Chunks whose plaintext is in the temporary file (not necessarily synced: `commit` syncs it). */
  private readonly written = new Set<number>()
  private readonly pending = new Set<Promise<void>>()
  private syncing: Promise<void> = Promise.resolve()
  private unsyncedBytes = 0
  private ended = false
  /** A write failed (a full disk where the file goes): nothing here is used, `save` writes the file whole. */
  private broken = false

  private constructor (readonly dir: string, readonly name: string, private readonly tmp: string, private readonly out: FileHandle, private readonly chunkBytes: number) {}

  /**
   * Start a save of the file `key` (hex, its message id's) as `name` in `dir`: the temporary file a
   * killed save of it left is removed, then created exclusively (0600), as saveAtomically does.
   */
  static async begin (dir: string, name: string, key: string, chunkBytes: number): Promise<SaveAhead> {
    checkSaveKey(key)
    const tmp = temporaryPath(dir, name, key)
    await removeTemporary(tmp) // and the progress record of a killed save: this file is made anew
    return new SaveAhead(dir, name, tmp, await open(tmp, 'wx', 0o600), chunkBytes)
  }

  /** Whether `commit` can finish this save; else the caller aborts it and saves the usual way. */
  get usable (): boolean { return !this.broken }

  /** Chunks `commit` need not be given. */
  has (index: number): boolean { return this.written.has(index) }
  get writtenCount (): number { return this.written.size }

  /**
   * Chunk `index`'s plaintext, opened (authenticated) by its receipt: written at its place. Every
   * SYNC_EVERY_BYTES a datasync runs in the background (one at a time), so `commit`'s fsync waits
   * only for the last stretch. After `commit` or `abort`, nothing is written. Never throws: a
   * failure here must not refuse the chunk, whose receipt is the received copy's (`usable` says).
   */
  async write (index: number, plain: Uint8Array[]): Promise<void> {
    if (this.ended) return
    const job = this.writeNow(index, plain).catch(() => { this.broken = true; this.ended = true; this.written.clear() })
    this.pending.add(job)
    try { await job } finally { this.pending.delete(job) }
  }

  private async writeNow (index: number, plain: Uint8Array[]): Promise<void> {
    const position = index * this.chunkBytes
    const length = plain.reduce((n, p) => n + p.length, 0)
    const { bytesWritten } = await this.out.writev(plain, position)
    // a short writev (rare on a regular file): the rest one piece at a time
    if (bytesWritten < length) await writeAt(this.out, Buffer.concat(plain).subarray(bytesWritten), position + bytesWritten)
    this.written.add(index)
    this.unsyncedBytes += length
    if (this.unsyncedBytes >= SYNC_EVERY_BYTES) {
      await this.syncing
      this.unsyncedBytes = 0
      this.syncing = this.out.datasync()
      this.syncing.catch(() => {}) // surfaces at the next one or at commit
    }
  }

  /**
   * Write `rest` (the chunks this did not write, opened from the received copy), wait for every
   * write and sync, then sync, link and return the saved path. A failure removes the temporary
   * file and throws: nothing is linked.
   */
  async commit (rest: AsyncIterable<{ index: number, plain: Uint8Array }>): Promise<string> {
    try {
      this.ended = true
      await Promise.all(this.pending)
      for await (const { index, plain } of rest) await writeAt(this.out, plain, index * this.chunkBytes)
      await this.syncing
      return await commitTemporary(this.out, this.tmp, this.dir, this.name)
    } catch (err) {
      await this.abort()
      throw err
    }
  }

  /**
   * Give up: the temporary file is closed and removed (the received file was discarded, its
   * message deleted, the client stops, the save went elsewhere); `commit` can no longer be used.
   */
  async abort (): Promise<void> {
    this.ended = true
    this.broken = true
    this.written.clear()
    await Promise.allSettled([...this.pending, this.syncing])
    await this.out.close().catch(() => {})
    await rm(this.tmp, { force: true })
  }
}
