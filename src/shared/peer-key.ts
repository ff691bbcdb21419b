/** The libp2p key of a data dir: loaded, or created on first use (0600). */
import { existsSync } from 'node:fs'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { readKeyFile, writeKeyFile } from './at-rest/secret-files.js'
import type { ValueCipher } from './at-rest/value-cipher.js'
import { ensureDataDir, paths } from './data-dir.js'

/** What a mailbox operator node needs: it holds no Signal identity. */
export async function loadOrCreatePeerKey (dataDir: string, cipher?: ValueCipher): Promise<PrivateKey> {
  ensureDataDir(dataDir)
  const path = paths.peerKey(dataDir)
  if (existsSync(path)) return privateKeyFromProtobuf(readKeyFile(path, cipher))
  const key = await generateKeyPair('Ed25519')
  writeKeyFile(path, privateKeyToProtobuf(key), cipher)
  return key
}
