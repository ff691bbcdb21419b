/**
 * The data key's life cycle: made at `cairn init --passphrase` (or a mailbox node's first start,
 * or `cairn passphrase --encrypt`, encrypt-data-dir.ts), unwrapped with the passphrase on every open, re-wrapped by `cairn passphrase`. The store itself
 * is never rewritten: only the header changes. A wrong passphrase fails on the wrapped key's tag,
 * before anything in the data dir is opened for writing.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { CairnError, InvalidInputError } from '../errors.js'
import { AtRestDamagedError, WrongPassphraseError } from './errors.js'
import { HEADER_VERSION, isEncrypted, readHeader, writeHeader, type AtRestHeader } from './header.js'
import { deriveKek, newKdfParams, type KdfParams } from './kdf.js'
import { DATA_KEY_BYTES, ValueCipher } from './value-cipher.js'

/** What the wrapped key is bound to: a sealed store value can never pass for it. */
const WRAP_BINDING = 'cairn/at-rest/data-key'
const CHECK_LABEL = 'cairn/at-rest/check'

export type KdfCost = Partial<Pick<KdfParams, 'memoryKiB' | 'iterations' | 'parallelism'>>

function checkValue (dataKey: Uint8Array): string {
  return createHmac('sha256', dataKey).update(CHECK_LABEL).digest('base64')
}

async function wrap (dataKey: Uint8Array, passphrase: Uint8Array, cost: KdfCost, version: AtRestHeader['version'] = HEADER_VERSION): Promise<AtRestHeader> {
  const kdf = newKdfParams(cost)
  const kek = await deriveKek(passphrase, kdf)
  const wrappedKey = Buffer.from(new ValueCipher(kek).seal(WRAP_BINDING, dataKey)).toString('base64')
  kek.fill(0)
  return { version, kdf, wrappedKey, check: checkValue(dataKey) }
}

async function unwrap (dataDir: string, header: AtRestHeader, passphrase: Uint8Array): Promise<Uint8Array> {
  const kek = await deriveKek(passphrase, header.kdf)
  let dataKey: Uint8Array
  try {
    dataKey = new ValueCipher(kek).open(WRAP_BINDING, Buffer.from(header.wrappedKey, 'base64'))
  } catch {
    throw new WrongPassphraseError(dataDir)
  } finally {
    kek.fill(0)
  }
  const expected = Buffer.from(header.check, 'base64')
  const actual = Buffer.from(checkValue(dataKey), 'base64')
  if (dataKey.length !== DATA_KEY_BYTES || expected.length !== actual.length || !timingSafeEqual(expected, actual)) throw new AtRestDamagedError('at-rest.json', 'the data key fails its check value')
  return dataKey
}

/** Make a data dir encrypted: a fresh data key wrapped with `passphrase`. Refuses if it already is. */
export async function createDataKey (dataDir: string, passphrase: Uint8Array, cost: KdfCost = {}): Promise<ValueCipher> {
  if (isEncrypted(dataDir)) throw new CairnError('IDENTITY_EXISTS', `${dataDir} is already encrypted; refusing to replace its data key`)
  const dataKey = new Uint8Array(randomBytes(DATA_KEY_BYTES))
  writeHeader(dataDir, await wrap(dataKey, passphrase, cost), { replace: false })
  const cipher = new ValueCipher(dataKey, { sealKeys: true })
  dataKey.fill(0)
  return cipher
}

/** The cipher of an encrypted data dir, or undefined when the data dir is not encrypted. */
export async function unlockDataKey (dataDir: string, passphrase: Uint8Array): Promise<ValueCipher | undefined> {
  const header = readHeader(dataDir)
  if (header === undefined) return undefined
  const dataKey = await unwrap(dataDir, header, passphrase)
  const cipher = new ValueCipher(dataKey, { sealKeys: header.version >= 2 })
  dataKey.fill(0)
  return cipher
}

/** Re-wrap the data key under `next` (fresh salt); the store is not touched. */
export async function changePassphrase (dataDir: string, current: Uint8Array, next: Uint8Array, cost: KdfCost = {}): Promise<void> {
  const header = readHeader(dataDir)
  if (header === undefined) throw new InvalidInputError(`${dataDir} is not encrypted; \`cairn passphrase --encrypt\` encrypts it`)
  const dataKey = await unwrap(dataDir, header, current)
  const { memoryKiB, iterations, parallelism } = header.kdf
  // the store is not rewritten: its keys stay as they are (sealed or not), and so does the version
  const rewrapped = await wrap(dataKey, next, { memoryKiB, iterations, parallelism, ...cost }, header.version)
  dataKey.fill(0)
  writeHeader(dataDir, rewrapped, { replace: true })
}
