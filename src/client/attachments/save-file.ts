/**
 * Writing a received file where the user asked: its plaintext (decrypted chunk by chunk by the
 * caller) goes into a temporary name in the target directory, synced, then linked to the first
 * free name (an existing file is never replaced) and the directory synced. A failure at any point
 * (a full disk, a chunk that no longer opens) removes the temporary file and leaves the received
 * copy for another try; a save killed outright leaves its temporary file, which the next save of
 * the same file continues (its name is the file's, not random): beside it, a 24-byte progress
 * record says how many bytes of it a datasync had put on disk (written only after that datasync
 * returned, and synced itself), so the next save keeps that prefix and decrypts and writes only the
 * rest. Without a record that matches (chunk size, the same file by inode, long enough), the
 * temporary file is removed and the copy starts over.
 *
 * The copy is not hashed again: the file's digest was checked when its last chunk arrived
 * (IncomingFile.finish, before it is complete), and each chunk read back is opened at its place,
 * so a chunk altered on disk since fails there; no other sealing of a chunk exists, since a sender
 * never seals a changed file (file-chunks.ts). Before session 12 this copy hashed the file a
 * second time (docs/DECISIONS.md).
 */
import { constants } from 'node:fs'
import { link, open, rm, type FileHandle } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { fsyncDir } from '../../shared/data-dir.js'

/**
 * Bytes written between background syncs of the temporary file: the disk writes the file while the
 * rest is decrypted and copied, and the final fsync waits only for the last stretch. A machine
 * with plenty of memory starts writing back dirty pages only 30 s later (or at 10 % of its RAM),
 * so without these a 1 GiB save wrote the whole file to disk in its final fsync. Not smaller: each
 * datasync also flushes the disk's cache, and at 16 MiB a 1 GiB save gained little or lost
 * (docs/DECISIONS.md, session 20).
 */
export const SYNC_EVERY_BYTES = 64 * 1024 * 1024

/**
 * The temporary file a save of the file `key` names `name` writes in `dir`: the same for every save
 * of that file, so a save that was killed (SIGKILL, power loss: nothing ran to remove it) leaves
 * nothing behind once the next save of it starts.
 */
export function temporaryPath (dir: string, name: string, key: string): string {
  return join(dir, `.${name}.cairn-${key}.tmp`)
}

/** Where a save records how much of its temporary file `tmp` is on disk (see the header). */
export function progressPath (tmp: string): string {
  return `${tmp}.progress`
}

/** Remove a temporary file and its progress record (links themselves, never what they point to). */
export async function removeTemporary (tmp: string): Promise<void> {
  await Promise.all([rm(tmp, { force: true }), rm(progressPath(tmp), { force: true })])
}

/** A source a save can start at any chunk: `from(k)` gives the plaintext of chunks k, k+1, … in order, each `chunkBytes` long but the last. */
export interface ResumableSource {
  chunkBytes: number
  from: (chunk: number) => AsyncIterable<Uint8Array>
}

const PROGRESS_BYTES = 24
const NO_FOLLOW = constants.O_RDWR | constants.O_NOFOLLOW

/** The record: chunk size, bytes on disk, the temporary file's inode (so a file made again since is not taken for it). */
function progressRecord (chunkBytes: number, bytes: number, ino: bigint): Buffer {
  const b = Buffer.alloc(PROGRESS_BYTES)
  b.writeBigUInt64BE(BigInt(chunkBytes), 0)
  b.writeBigUInt64BE(BigInt(bytes), 8)
  b.writeBigUInt64BE(ino, 16)
  return b
}

/**
 * The temporary file a killed save left and the bytes of it on disk, when its progress record
 * matches (a regular file, not a link, with one name, at least that long, the same inode): opened
 * for writing and cut to that length. Otherwise undefined, both closed.
 */
async function resumeTemporary (tmp: string, chunkBytes: number): Promise<{ out: FileHandle, record: FileHandle, bytes: number, ino: bigint } | undefined> {
  const record = await open(progressPath(tmp), NO_FOLLOW).catch(() => undefined)
  if (record === undefined) return undefined
  let out: FileHandle | undefined
  try {
    const rec = Buffer.alloc(PROGRESS_BYTES)
    const { bytesRead } = await record.read(rec, 0, PROGRESS_BYTES, 0)
    const st = await record.stat()
    if (bytesRead !== PROGRESS_BYTES || !st.isFile() || st.nlink !== 1) throw new RangeError('no record')
    const bytes = Number(rec.readBigUInt64BE(8))
    if (Number(rec.readBigUInt64BE(0)) !== chunkBytes || bytes <= 0 || bytes % chunkBytes !== 0) throw new RangeError('another file')
    out = await open(tmp, NO_FOLLOW)
    const ts = await out.stat({ bigint: true })
    if (!ts.isFile() || ts.nlink !== 1n || ts.ino !== rec.readBigUInt64BE(16) || ts.size < BigInt(bytes)) throw new RangeError('another file')
    await out.truncate(bytes)
    return { out, record, bytes, ino: ts.ino }
  } catch {
    await out?.close().catch(() => {})
    await record.close().catch(() => {})
    return undefined
  }
}

/**
 * `source`: the plaintext of a complete received file (IncomingFile.plaintext), chunk by chunk, each
 * in a buffer of its own: one chunk's write runs while the next is read and decrypted, and a
 * datasync of what was written runs every SYNC_EVERY_BYTES (one at a time) while the copy goes on
 * (`syncEveryBytes: Infinity`: only the final fsync, as before session 20; the bench compares them).
 * `key` names the file (hex; its message id). A `ResumableSource` makes the save resumable: what a
 * killed save of the same file had on disk is kept (`onBytes` is told it at once) and the copy
 * starts at the next chunk; the progress record follows each datasync. A plain iterable, or
 * nothing to resume: a temporary file a killed save left is removed first (the link, if it is
 * one: never what it points to), then created exclusively, so nothing put there meanwhile is
 * written through.
 */
export async function saveAtomically (source: AsyncIterable<Uint8Array> | ResumableSource, dir: string, name: string, key: string, onBytes?: (n: number) => void, options: { syncEveryBytes?: number } = {}): Promise<string> {
  checkSaveKey(key)
  const syncEvery = options.syncEveryBytes ?? SYNC_EVERY_BYTES
  const tmp = temporaryPath(dir, name, key)
  const resumable = Symbol.asyncIterator in source ? undefined : source
  const resumed = resumable === undefined ? undefined : await resumeTemporary(tmp, resumable.chunkBytes)
  if (resumed === undefined) await removeTemporary(tmp)
  const out = resumed?.out ?? await open(tmp, 'wx', 0o600)
  let record = resumed?.record
  try {
    const ino = resumed?.ino ?? (await out.stat({ bigint: true })).ino
    if (resumable !== undefined) record ??= await open(progressPath(tmp), 'wx', 0o600)
    const start = resumed?.bytes ?? 0
    if (start > 0) onBytes?.(start)
    let position = start
    let writing: Promise<void> = Promise.resolve()
    let syncing: Promise<void> = Promise.resolve()
    let syncedUpTo = start
    try {
      const chunks = resumable === undefined ? source as AsyncIterable<Uint8Array> : resumable.from(start / resumable.chunkBytes)
      for await (const buf of chunks) {
        await writing
        if (position - syncedUpTo >= syncEvery) {
          // what was written so far goes to disk while the copy goes on (one sync at a time; a
          // failure surfaces at the next one or at the end)
          await syncing
          syncedUpTo = position
          // once the sync returns, what it covered is on disk and the record says so (synced too)
          const covered = syncedUpTo
          syncing = out.datasync().then(async () => {
            if (record === undefined || resumable === undefined) return
            await record.write(progressRecord(resumable.chunkBytes, covered, ino), 0, PROGRESS_BYTES, 0)
            await record.datasync()
          })
          syncing.catch(() => {})
        }
        writing = writeAt(out, buf, position).then(() => { onBytes?.(buf.length) })
        writing.catch(() => {}) // awaited at the next chunk or after the last
        position += buf.length
      }
    } catch (err) {
      await writing.catch(() => {})
      await syncing.catch(() => {})
      throw err
    }
    await writing
    await syncing
    await record?.close()
    record = undefined
    const path = await commitTemporary(out, tmp, dir, name)
    await rm(progressPath(tmp), { force: true })
    return path
  } catch (err) {
    await out.close().catch(() => {})
    await record?.close().catch(() => {})
    await removeTemporary(tmp)
    throw err
  }
}

export function checkSaveKey (key: string): void {
  if (!/^[0-9a-f]{8,64}$/.test(key)) throw new RangeError('a save key is 8 to 64 lowercase hex digits')
}

/**
 * The end of every save: the temporary file synced and closed, linked to the first free name, its
 * temporary name removed and the directory synced. Returns the file's path.
 */
export async function commitTemporary (out: FileHandle, tmp: string, dir: string, name: string): Promise<string> {
  await out.sync()
  await out.close()
  const target = await linkFree(tmp, dir, name)
  await rm(tmp)
  fsyncDir(dir)
  return target
}

export async function writeAt (out: FileHandle, buf: Uint8Array, position: number): Promise<void> {
  let off = 0
  while (off < buf.length) {
    const { bytesWritten } = await out.write(buf, off, buf.length - off, position + off)
    off += bytesWritten
  }
}

/** Link `tmp` to `name` in `dir`, or `name (1)`, `name (2)`…: the first that does not exist. */
async function linkFree (tmp: string, dir: string, name: string): Promise<string> {
  const ext = extname(name)
  const base = ext === '' ? name : name.slice(0, -ext.length)
  for (let n = 0; ; n++) {
    const target = join(dir, n === 0 ? name : `${base} (${n})${ext}`)
    try {
      await link(tmp, target)
      return target
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || n >= 1000) throw err
    }
  }
}
