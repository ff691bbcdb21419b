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

