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

/**
 * Whose fault a file that fails its check is: `sender`, every chunk authentic and the whole still
 * not the file its sender described (for a file described in full, final: the same chunks give the
 * same file; for one announced streamed, chunks held from before its sender's file changed); `local`,
 * a chunk altered on this disk after it was checked (its chunks are forgotten: taken again, it mends).
 */
export type DigestFault = 'sender' | 'local'

/** The assembled file is not what the descriptor promised (size or digest), or no longer reads back as it was checked. */
export class AttachmentDigestError extends CairnError {
  constructor (readonly fault: DigestFault, message: string) {
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

