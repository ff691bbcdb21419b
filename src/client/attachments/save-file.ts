/**
 * Writing a received file where the user asked: its plaintext (decrypted chunk by chunk by the
 * caller) goes into a temporary name in the target directory, checked against the descriptor's
 * digest as it is copied, synced, then linked to the first free
 * name (an existing file is never replaced) and the directory synced. A failure at any point
 * (a full disk) removes the temporary file and leaves the received copy for another try.
 */
import { createHash, randomBytes } from 'node:crypto'
import { link, open, rm } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { fsyncDir } from '../../shared/data-dir.js'
import { AttachmentDigestError } from './errors.js'

export async function saveAtomically (source: AsyncIterable<Uint8Array>, dir: string, name: string, sha256: Uint8Array, onBytes?: (n: number) => void): Promise<string> {
  const tmp = join(dir, `.${name}.cairn-${randomBytes(6).toString('hex')}.tmp`)
  const out = await open(tmp, 'wx', 0o600)
  try {
    const h = createHash('sha256')
    let position = 0
    for await (const buf of source) {
      h.update(buf)
      let off = 0
      while (off < buf.length) {
        const { bytesWritten } = await out.write(buf, off, buf.length - off, position)
        off += bytesWritten
        position += bytesWritten
      }
      onBytes?.(buf.length)
    }
    await out.sync()
    await out.close()
    if (!h.digest().equals(Buffer.from(sha256))) throw new AttachmentDigestError('the file does not match the digest its sender announced; nothing was saved')
    const target = await linkFree(tmp, dir, name)
    await rm(tmp)
    fsyncDir(dir)
    return target
  } catch (err) {
    await out.close().catch(() => {})
    await rm(tmp, { force: true })
    throw err
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
