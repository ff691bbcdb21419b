/**
 * What a file named for sending must be: present, a regular file, readable, within the size limit.
 * Every file is checked before anything is sent, so one bad name sends nothing.
 */
import { constants } from 'node:fs'
import { access, stat } from 'node:fs/promises'
import { basename, extname } from 'node:path'
import { chunkCount } from './chunk-cipher.js'
import { MAX_CHUNKS, MAX_CHUNK_BYTES } from './descriptor.js'
import { BadFileError } from './errors.js'

export interface CheckedFile { path: string, name: string, size: number, mediaType: string }

/**
 * A file's limit: the configured one, and what one descriptor can list (MAX_CHUNKS chunks of
 * `chunkBytes`), so a file the recipient would refuse is refused here, before anything is sent.
 */
export async function checkFile (path: string, maxBytes: number, chunkBytes = MAX_CHUNK_BYTES): Promise<CheckedFile> {
  let st
  try {
    st = await stat(path)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new BadFileError(path, code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'cannot be read (permission denied)' : `cannot be read (${code ?? 'error'})`)
  }
  if (st.isDirectory()) throw new BadFileError(path, 'is a directory')
  if (!st.isFile()) throw new BadFileError(path, 'is not a regular file')
  if (st.size > maxBytes) throw new BadFileError(path, `is ${st.size} bytes; the limit is ${maxBytes} (attachments.maxFileBytes)`)
  if (chunkCount(st.size, chunkBytes) > MAX_CHUNKS) throw new BadFileError(path, `is ${st.size} bytes; at most ${MAX_CHUNKS * chunkBytes} go in one message (${MAX_CHUNKS} chunks of attachments.chunkBytes ${chunkBytes})`)
  try {
    await access(path, constants.R_OK)
  } catch {
    throw new BadFileError(path, 'cannot be read (permission denied)')
  }
  return { path, name: basename(path), size: st.size, mediaType: mediaTypeOf(path) }
}

/** All or nothing: the first bad file stops the send; a total over the per-message limit too. */
export async function checkFiles (paths: string[], maxFileBytes: number, maxMessageBytes: number, chunkBytes = MAX_CHUNK_BYTES): Promise<CheckedFile[]> {
  const out: CheckedFile[] = []
  for (const p of paths) out.push(await checkFile(p, maxFileBytes, chunkBytes))
  const total = out.reduce((s, f) => s + f.size, 0)
  if (total > maxMessageBytes) throw new BadFileError(paths.join(', '), `together are ${total} bytes; the limit per message is ${maxMessageBytes} (attachments.maxMessageBytes)`)
  return out
}

const TYPES: Record<string, string> = {
  '.txt': 'text/plain', '.md': 'text/markdown', '.html': 'text/html', '.json': 'application/json', '.pdf': 'application/pdf',
  '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.webp': 'image/webp', '.svg': 'image/svg+xml',
  '.mp3': 'audio/mpeg', '.ogg': 'audio/ogg', '.wav': 'audio/wav', '.mp4': 'video/mp4', '.webm': 'video/webm', '.mov': 'video/quicktime',
  '.zip': 'application/zip', '.gz': 'application/gzip', '.tar': 'application/x-tar'
}

/** A media type from the file name's extension (the content is never sniffed). */
export function mediaTypeOf (path: string): string {
  return TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream'
}
