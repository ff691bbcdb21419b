/**
 * The small file that makes a data dir encrypted: the argon2id parameters and salt, the data key
 * wrapped by the passphrase's key, and a check value of the data key. 0600, replaced atomically
 * (temp file, fsync, rename, fsync dir), so a passphrase change never leaves a half-written header.
 */
import { readFileSync } from 'node:fs'
import { writeSecretFile } from '../data-dir.js'
import { AtRestDamagedError } from './errors.js'
import { HEADER_FILE, headerPath } from './header-path.js'
import { kdfParamsProblem, type KdfParams } from './kdf.js'

export { HEADER_FILE, headerPath, isEncrypted } from './header-path.js'
/**
 * 2: record keys are sealed too (key-cipher.ts); 1: only values are (a data dir encrypted before
 * keys were, opened as it is; `cairn passphrase --rotate-key` brings it to 2). A binary that knows
 * only 1 refuses a 2 rather than misread its keys.
 */
export const HEADER_VERSION = 2
const KNOWN_VERSIONS: readonly number[] = [1, HEADER_VERSION]

export interface AtRestHeader {
  version: 1 | typeof HEADER_VERSION
  kdf: KdfParams
  /** The data key sealed (value-cipher.ts) with the key derived from the passphrase, base64. */
  wrappedKey: string
  /** HMAC-SHA256(data key, "cairn/at-rest/check"), base64: the unwrapped key is the right one. */
  check: string
}

/** The header, or undefined for a data dir without encryption at rest. */
export function readHeader (dataDir: string): AtRestHeader | undefined {
  let text: string
  try {
    text = readFileSync(headerPath(dataDir), 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  let header: AtRestHeader
  try {
    header = JSON.parse(text) as AtRestHeader
  } catch (err) {
    throw new AtRestDamagedError(HEADER_FILE, 'not JSON', { cause: err })
  }
  if (!KNOWN_VERSIONS.includes(header?.version)) throw new AtRestDamagedError(HEADER_FILE, `unknown version ${JSON.stringify(header?.version)}`)
  if (typeof header.wrappedKey !== 'string' || typeof header.check !== 'string' || typeof header.kdf !== 'object' || header.kdf === null) throw new AtRestDamagedError(HEADER_FILE, 'missing fields')
  const problem = kdfParamsProblem(header.kdf)
  if (problem !== undefined) throw new AtRestDamagedError(HEADER_FILE, problem)
  return header
}

/** `replace`: swap an existing header atomically (a passphrase change); otherwise refuse to overwrite. */
export function writeHeader (dataDir: string, header: AtRestHeader, options: { replace: boolean }): void {
  writeSecretFile(headerPath(dataDir), new TextEncoder().encode(JSON.stringify(header, null, 2) + '\n'), { overwrite: options.replace })
}
