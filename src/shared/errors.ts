/**
 * Cairn's error classes. Callers match on `name` (or `instanceof`); `exitCode` tells the CLI how to
 * end: 2 for bad usage or bad input the user can fix, 1 for operations that failed.
 */
export type ErrorCode =
  | 'USAGE' | 'INVALID_INPUT' | 'UNKNOWN_CONTACT' | 'MESSAGE_TOO_LARGE' | 'CONFIG_INVALID'
  | 'IDENTITY_EXISTS' | 'NO_IDENTITY' | 'STORE_LOCKED' | 'UNTRUSTED_IDENTITY' | 'BAD_SIGNATURE'
  | 'PROTOCOL' | 'BAD_FRAME' | 'REFUSED' | 'DELIVERY_FAILED' | 'DAEMON' | 'INTERNAL'
  | 'WRONG_PASSPHRASE' | 'PASSPHRASE_REQUIRED' | 'AT_REST_DAMAGED' | 'CORRUPT_CHUNK' | 'ATTACHMENT'

export class CairnError extends Error {
  readonly code: ErrorCode
  readonly exitCode: 1 | 2

  constructor (code: ErrorCode, message: string, options?: { cause?: unknown, exitCode?: 1 | 2 }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.exitCode = options?.exitCode ?? 1
    this.name = 'CairnError'
  }

  static is (err: unknown, code?: ErrorCode): err is CairnError {
    return err instanceof CairnError && (code === undefined || err.code === code)
  }
}

/** Bad command-line usage, or input the user typed that can never work. Exit code 2. */
export class InvalidInputError extends CairnError {
  constructor (message: string, code: ErrorCode = 'INVALID_INPUT') {
    super(code, message, { exitCode: 2 })
    this.name = 'InvalidInputError'
  }
}

export class UnknownContactError extends InvalidInputError {
  constructor (name: string) {
    super(`unknown contact "${name}": add it with \`cairn contact add ${name} PEER_ID\``, 'UNKNOWN_CONTACT')
    this.name = 'UnknownContactError'
  }
}

export class MessageTooLargeError extends InvalidInputError {
  constructor (size: number, limit: number) {
    super(`message is ${size} bytes; the limit is ${limit} bytes`, 'MESSAGE_TOO_LARGE')
    this.name = 'MessageTooLargeError'
  }
}

export class ConfigError extends InvalidInputError {
  readonly key: string
  constructor (key: string, message: string) {
    super(`config ${key}: ${message}`, 'CONFIG_INVALID')
    this.key = key
    this.name = 'ConfigError'
  }
}

/** A contact's identity key differs from the one we knew: sending is blocked until accepted. */
export class UntrustedIdentityError extends CairnError {
  constructor (contact: string) {
    super('UNTRUSTED_IDENTITY', `the identity key of "${contact}" has changed; check the new safety number with \`cairn contact verify ${contact}\`, then accept it with \`cairn contact accept ${contact}\``)
    this.name = 'UntrustedIdentityError'
  }
}

/** A remote peer answered with something that breaks the protocol, or with an error status. */
export class ProtocolError extends CairnError {
  constructor (message: string, options?: { cause?: unknown }) {
    super('PROTOCOL', message, options)
    this.name = 'ProtocolError'
  }
}

/**
 * A frame that could not be taken as a request or an answer, classified where it was read: over
 * the size limit, not a valid message of its type, or of a protocol version this node does not
 * speak. Services map the reason to their wire status.
 */
export class FrameError extends CairnError {
  constructor (readonly reason: 'too-large' | 'malformed' | 'unsupported-version', message: string, options?: { cause?: unknown }) {
    super('BAD_FRAME', message, options)
    this.name = 'FrameError'
  }
}

export class BadSignatureError extends CairnError {
  constructor (message: string) {
    super('BAD_SIGNATURE', message)
    this.name = 'BadSignatureError'
  }
}

export class StoreLockedError extends CairnError {
  constructor (path: string, options?: { cause?: unknown }) {
    super('STORE_LOCKED', `the store at ${path} is in use by another cairn process (is \`cairn daemon\` or \`cairn mailbox\` running for this data dir?)`, options)
    this.name = 'StoreLockedError'
  }
}

/** Describe any thrown value in one line, without a stack trace. */
export function describeError (err: unknown): string {
  if (err instanceof Error) return err.message
  return String(err)
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
