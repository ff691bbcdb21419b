/**
 * Key files (peer.key, signal-identity.key) through the data key when the data dir is encrypted,
 * as they are otherwise: 0600, written atomically. The file's name is the associated data, so the
 * two files cannot be swapped.
 */
import { basename } from 'node:path'
import { readSecretFile, writeSecretFile } from '../data-dir.js'
import type { ValueCipher } from './value-cipher.js'

const binding = (path: string): string => `cairn/at-rest/file/${basename(path)}`

export function writeKeyFile (path: string, data: Uint8Array, cipher: ValueCipher | undefined, options: { overwrite?: boolean } = {}): void {
  writeSecretFile(path, cipher === undefined ? data : cipher.seal(binding(path), data), options)
}

export function readKeyFile (path: string, cipher: ValueCipher | undefined): Uint8Array {
  const bytes = readSecretFile(path)
  return cipher === undefined ? bytes : cipher.open(binding(path), bytes)
}
