/**
 * Encrypt an existing plain data dir (`cairn passphrase --encrypt`), or re-seal an encrypted one
 * under a new data key (`cairn passphrase --rotate-key`): every store value, Cairn's and libp2p's,
 * and both key files, sealed under a new data key wrapped by the passphrase.
 *
 * The sealed store is a new LevelDB, filled by copying the plain one in key order, rather than the
 * plain one rewritten in place: LevelDB keeps superseded values in its older tables and logs until
 * a compaction reaches them, so a store rewritten in place would still hold the plaintext; the
 * plain store is deleted whole once the sealed one replaces it. Crash safety (conversion.ts): the
 * copy is built in `encrypt.partial/`, which no other command reads, committed by one rename, and
 * swapped in by renames that any later command finishes. A re-run after a kill keeps what was
 * sealed and still matches (copyStore). Rotation is the same, from the store opened under the old
 * data key. A wrong passphrase for a re-sealing already begun is refused before anything is opened
 * for writing.
 */
import { existsSync, mkdirSync, renameSync } from 'node:fs'
import { join } from 'node:path'
import { DIR_MODE, ensureDataDir, fsyncDir, paths } from '../data-dir.js'
import { InvalidInputError } from '../errors.js'
import { Store } from '../store.js'
import { abandonOther, conversionDirs, crashPoint, removeLeftovers, SEALED_FILES, settleConversion, STORE_DIR, swapIn } from './conversion.js'
import { createDataKey, unlockDataKey, type KdfCost } from './data-key.js'
import { WrongPassphraseError } from './errors.js'
import { isEncrypted } from './header-path.js'
import { copyStore } from './copy-store.js'
import { readKeyFile, writeKeyFile } from './secret-files.js'
import type { ValueCipher } from './value-cipher.js'

export interface EncryptResult {
  /** Values sealed by this run. */
  copied: number
  /** Values an interrupted run had sealed already (0 for a first run). */
  resumedFrom: number
  /** True when a killed run had committed and this one only finished the swap. */
  settledOnly: boolean
}

export interface EncryptOptions {
  cost?: KdfCost
}

async function unlockBegun (dataDir: string, dir: string, passphrase: Uint8Array): Promise<ValueCipher | undefined> {
  try {
    return await unlockDataKey(dir, passphrase)
  } catch (err) {
    if (!(err instanceof WrongPassphraseError)) throw err
    throw new InvalidInputError(`wrong passphrase: re-sealing ${dataDir} was begun with another one; give that one, or delete ${dir} to start over (nothing was read or written)`, 'WRONG_PASSPHRASE')
  }
}

/** A killed run had committed: only the renames are left (after the passphrase is checked). */
async function finishCommitted (dataDir: string, passphrase: Uint8Array): Promise<EncryptResult | undefined> {
  const ready = conversionDirs.ready(dataDir)
  if (!existsSync(ready)) return undefined
  await unlockBegun(dataDir, ready, passphrase)
  settleConversion(dataDir)
  return { copied: 0, resumedFrom: 0, settledOnly: true }
}

/** A plain data dir encrypted under a new data key wrapped by `passphrase`. */
export async function encryptDataDir (dataDir: string, passphrase: Uint8Array, options: EncryptOptions = {}): Promise<EncryptResult> {
  const finished = await finishCommitted(dataDir, passphrase)
  if (finished !== undefined) return finished
  if (isEncrypted(dataDir)) throw new InvalidInputError(`${dataDir} is already encrypted; \`cairn passphrase\` changes its passphrase`)
  if (!existsSync(paths.peerKey(dataDir))) throw new InvalidInputError(`${dataDir} holds no identity; \`cairn init --passphrase\` makes an encrypted one`, 'NO_IDENTITY')
  return reseal(dataDir, passphrase, undefined, options)
}

/**
 * An encrypted data dir re-sealed under a new data key (the same passphrase wraps it): what the
 * passphrase change alone does not give, since whoever had the old header and passphrase, or the
 * old data key, still opens every value (docs/DECISIONS.md). The same copy and swap as encrypting.
 */
export async function rotateDataKey (dataDir: string, passphrase: Uint8Array, options: EncryptOptions = {}): Promise<EncryptResult> {
  const finished = await finishCommitted(dataDir, passphrase)
  if (finished !== undefined) return finished
  if (!isEncrypted(dataDir)) throw new InvalidInputError(`${dataDir} is not encrypted; \`cairn passphrase --encrypt\` encrypts it`)
  const current = await unlockDataKey(dataDir, passphrase)
  return reseal(dataDir, passphrase, current, options)
}

/**
 * Seal the store and key files, as they open with `from` (undefined: plain), under a new data key
 * in `encrypt.partial/` (or the one a killed run began there), commit, and swap in.
 */
async function reseal (dataDir: string, passphrase: Uint8Array, from: ValueCipher | undefined, options: EncryptOptions): Promise<EncryptResult> {
  const partial = conversionDirs.partial(dataDir)
  let cipher = await unlockBegun(dataDir, partial, passphrase)
  abandonOther(dataDir, 'encrypt')
  ensureDataDir(dataDir)
  const source = await Store.open(paths.store(dataDir), { cipher: from })
  let closed = false
  try {
    if (cipher === undefined) {
      mkdirSync(partial, { recursive: true, mode: DIR_MODE })
      cipher = await createDataKey(partial, passphrase, options.cost)
    }
    const result = await copyStore(source, join(partial, STORE_DIR), cipher)
    for (const name of SEALED_FILES) {
      const path = join(dataDir, name)
      if (existsSync(path)) writeKeyFile(join(partial, name), readKeyFile(path, from), cipher, { overwrite: true })
    }
    fsyncDir(partial)
    // the commit point: the source store, locked until now, is closed before it is moved aside
    // (conversion.ts swapIn); anything that opens the data dir from now on finishes the swap first
    renameSync(partial, conversionDirs.ready(dataDir))
    fsyncDir(dataDir)
    await source.close()
    closed = true
    crashPoint('committed')
    swapIn(dataDir)
    removeLeftovers(dataDir)
    return { ...result, settledOnly: false }
  } finally {
    if (!closed) await source.close()
  }
}
