/**
 * Attachment errors. A chunk that fails its check is the holder's or the network's fault (exit 1,
 * fetch it elsewhere); a file the user named that cannot be sent is the user's to fix (exit 2).
 */
import { CairnError, InvalidInputError } from '../../shared/errors.js'

export type ChunkFault = 'address' | 'authentication' | 'index'

/** A chunk whose bytes do not match its address, or that does not open under its index. */
export class CorruptChunkError extends CairnError {
  constructor (readonly index: number, readonly fault: ChunkFault, message: string) {
    super('CORRUPT_CHUNK', message)
    this.name = 'CorruptChunkError'
  }
}

/** The assembled file is not what the descriptor promised (size or digest). */
export class AttachmentDigestError extends CairnError {
  constructor (message: string) {
    super('CORRUPT_CHUNK', message)
    this.name = 'AttachmentDigestError'
  }
}

/** A file named on the command line that cannot be sent: missing, a directory, unreadable, too large. */
export class BadFileError extends InvalidInputError {
  constructor (readonly path: string, reason: string) {
    super(`${path}: ${reason}`)
    this.name = 'BadFileError'
  }
}

/** The file being sent changed since it was announced: its chunks can no longer be produced. */
export class FileChangedError extends CairnError {
  constructor (path: string) {
    super('ATTACHMENT', `${path} changed after it was sent; its remaining chunks cannot be produced`)
    this.name = 'FileChangedError'
  }
}

/** An attachment that is not known here, or not complete where completeness is needed. */
export class AttachmentStateError extends CairnError {
  constructor (message: string, exitCode: 1 | 2 = 1) {
    super('ATTACHMENT', message, { exitCode })
    this.name = 'AttachmentStateError'
  }
}

/** Codes whose messages speak of the network or a peer, never of a file's name or place. */
const NETWORK_CODES = new Set(['DELIVERY_FAILED', 'PROTOCOL', 'BAD_FRAME', 'REFUSED'])

/**
 * An error as a log may show it without a file's name (logs never carry content): a network
 * error's message; any other Cairn error by class and code (an attachment error may quote a path,
 * or where a file was saved); a system error by its code (its message quotes the path it failed
 * on, and a temporary file's path holds the file's name).
 */
export function loggableError (err: unknown): string {
  if (err instanceof CairnError) return NETWORK_CODES.has(err.code) ? `${err.name}: ${err.message}` : `${err.name} (${err.code})`
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  if (typeof code === 'string') return code
  return err instanceof Error ? err.name : 'error'
}
