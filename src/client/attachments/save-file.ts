/**
 * Writing a received file where the user asked: its plaintext (decrypted chunk by chunk by the
 * caller) goes into a temporary name in the target directory, synced, then linked to the first
 * free name (an existing file is never replaced) and the directory synced. A failure at any point
 * (a full disk, a chunk that no longer opens) removes the temporary file and leaves the received
 * copy for another try; a save killed outright leaves its temporary file, which the next save of
 * the same file removes (its name is the file's, not random).
 *
 * The copy is not hashed again: the file's digest was checked when its last chunk arrived
 * (IncomingFile.finish, before it is complete), and each chunk read back is opened at its place,
 * so a chunk altered on disk since fails there; no other sealing of a chunk exists, since a sender
 * never seals a changed file (file-chunks.ts). Before session 12 this copy hashed the file a
 * second time (docs/DECISIONS.md).
 */
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

/**
 * `source`: the plaintext of a complete received file (IncomingFile.plaintext), chunk by chunk, each
 * in a buffer of its own: one chunk's write runs while the next is read and decrypted, and a
 * datasync of what was written runs every SYNC_EVERY_BYTES (one at a time) while the copy goes on
 * (`syncEveryBytes: Infinity`: only the final fsync, as before session 20; the bench compares them).
 * `key` names the file (hex; its message id): a temporary file a killed save of it left is removed
 * first (the link, if it is one: never what it points to; then created exclusively, so nothing put
 * there meanwhile is written through).
 */
export async function saveAtomically (source: AsyncIterable<Uint8Array>, dir: string, name: string, key: string, onBytes?: (n: number) => void, options: { syncEveryBytes?: number } = {}): Promise<string> {
  checkSaveKey(key)
  const syncEvery = options.syncEveryBytes ?? SYNC_EVERY_BYTES
  const tmp = temporaryPath(dir, name, key)
  await rm(tmp, { force: true })
  const out = await open(tmp, 'wx', 0o600)
  try {
    let position = 0
    let writing: Promise<void> = Promise.resolve()
    let syncing: Promise<void> = Promise.resolve()
    let syncedUpTo = 0
    try {
      for await (const buf of source) {
        await writing
        if (position - syncedUpTo >= syncEvery) {
          // what was written so far goes to disk while the copy goes on (one sync at a time; a
          // failure surfaces at the next one or at the end)
          await syncing
          syncedUpTo = position
          syncing = out.datasync()
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
    return await commitTemporary(out, tmp, dir, name)
  } catch (err) {
    await out.close().catch(() => {})
    await rm(tmp, { force: true })
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
