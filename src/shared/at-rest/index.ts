/**
 * Encryption at rest for a data dir. A random data key seals every value Cairn and libp2p write
 * to the store (AES-256-GCM-SIV, the record's key as associated data) and the key files; the
 * data key is kept only wrapped, by a key argon2id derives from the user's passphrase, in a small
 * header file (at-rest.json). Without that file a data dir is plain, as before.
 *
 * - value-cipher.ts: the sealed value format
 * - kdf.ts: argon2id parameters and derivation
 * - header.ts: the header file
 * - data-key.ts: create, unlock, re-wrap (passphrase change)
 * - encrypted-datastore.ts: libp2p's datastore over the sealed store
 * - secret-files.ts: key files
 * - encrypt-data-dir.ts, conversion.ts: a plain data dir encrypted in place (`cairn passphrase
 *   --encrypt`) or re-sealed under a new data key (`--rotate-key`), crash-safe: a sealed copy
 *   built aside, committed by a rename, swapped in; decrypt-data-dir.ts: the way back to a plain
 *   data dir (`--decrypt`), the same way; copy-store.ts: the store copy they share
 *
 * - key-cipher.ts: record keys sealed after their namespace, deterministically (header version 2)
 *
 * Not covered (docs/PRIVACY.md): record keys' namespaces, so the store shows which namespaces
 * hold how many records; the mailbox's records' keys (`/cairn/mbx/`, which it walks in key order);
 * all keys of a data dir encrypted before keys were sealed (header version 1, until
 * `--rotate-key`); file sizes and times; the daemon's token and socket; what is in memory.
 */
export { ValueCipher, SEAL_OVERHEAD } from './value-cipher.js'
export { KeyCipher } from './key-cipher.js'
export { createDataKey, unlockDataKey, changePassphrase, type KdfCost } from './data-key.js'
export { isEncrypted, headerPath, HEADER_FILE } from './header.js'
export { DEFAULT_KDF, type KdfParams } from './kdf.js'
export { EncryptedDatastore } from './encrypted-datastore.js'
export { readKeyFile, writeKeyFile } from './secret-files.js'
export { encryptDataDir, rotateDataKey, type EncryptResult } from './encrypt-data-dir.js'
export { decryptDataDir } from './decrypt-data-dir.js'
export { settleConversion } from './conversion.js'
export { WrongPassphraseError, PassphraseRequiredError, AtRestDamagedError } from './errors.js'
