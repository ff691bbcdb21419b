/**
 * Turn an encrypted data dir back into a plain one (`cairn passphrase --decrypt`): every store
 * value and both key files opened with the data key and written plain, then the header removed.
 * The same copy and swap as encrypting (encrypt-data-dir.ts, conversion.ts), the other way: the
 * plain copy is built in `decrypt.partial/`, committed by renaming it to `decrypt.ready/`, and
 * swapped in by renames that any later command finishes; the header goes last, so until then
 * the data dir is still encrypted. The passphrase is checked before anything is written: a wrong
 * one changes nothing. A run killed before the commit leaves the data dir encrypted and a plain
 * copy in `decrypt.partial/` (the plaintext the user asked for, not yet in place): a re-run goes
 * on from it; deleting it abandons the decryption.
 */
import { existsSync, mkdirSync, renameSync } from 'node:fs'
import { join } from 'node:path'
import { DIR_MODE, fsyncDir, paths } from '../data-dir.js'
import { InvalidInputError } from '../errors.js'
import { Store } from '../store.js'
import { abandonOther, conversionDirs, crashPoint, removeLeftovers, SEALED_FILES, settleConversion, STORE_DIR, swapIn } from './conversion.js'
import { copyStore } from './copy-store.js'
import { unlockDataKey } from './data-key.js'
import { isEncrypted } from './header-path.js'
import { readKeyFile, writeKeyFile } from './secret-files.js'
import type { EncryptResult } from './encrypt-data-dir.js'

/** An encrypted data dir made plain, keeping its identity and everything in its store. */
export async function decryptDataDir (dataDir: string, passphrase: Uint8Array): Promise<EncryptResult> {
  const ready = conversionDirs.ready(dataDir, 'decrypt')
  if (existsSync(ready)) {
    // a killed run had committed: only the renames are left (the header, still there, checks the passphrase)
    await unlockDataKey(dataDir, passphrase)
    settleConversion(dataDir)
    return { copied: 0, resumedFrom: 0, settledOnly: true }
  }
  settleConversion(dataDir) // an encryption a killed run had committed comes first
  if (!isEncrypted(dataDir)) throw new InvalidInputError(`${dataDir} is not encrypted`)
  const cipher = await unlockDataKey(dataDir, passphrase)
  abandonOther(dataDir, 'decrypt')
  const partial = conversionDirs.partial(dataDir, 'decrypt')
  const source = await Store.open(paths.store(dataDir), { cipher })
  let closed = false
  try {
    mkdirSync(partial, { recursive: true, mode: DIR_MODE })
    const result = await copyStore(source, join(partial, STORE_DIR), undefined)
    for (const name of SEALED_FILES) {
      const path = join(dataDir, name)
      if (existsSync(path)) writeKeyFile(join(partial, name), readKeyFile(path, cipher), undefined, { overwrite: true })
    }
    fsyncDir(partial)
    renameSync(partial, ready) // the commit point
    fsyncDir(dataDir)
    // closed before it is moved (conversion.ts swapIn); anything that opens the data dir from now
    // on finishes the swap before it opens a store
    await source.close()
    closed = true
    crashPoint('committed')
    swapIn(dataDir, 'decrypt')
    removeLeftovers(dataDir, 'decrypt')
    return { ...result, settledOnly: false }
  } finally {
    if (!closed) await source.close()
  }
}
