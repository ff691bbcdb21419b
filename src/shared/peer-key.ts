/** The libp2p key of a data dir: loaded, or created on first use (0600). */
import { existsSync } from 'node:fs'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { ensureDataDir, paths, readSecretFile, writeSecretFile } from './data-dir.js'

/** What a mailbox operator node needs: it holds no Signal identity. */
export async function loadOrCreatePeerKey (dataDir: string): Promise<PrivateKey> {
  ensureDataDir(dataDir)
  const path = paths.peerKey(dataDir)
  if (existsSync(path)) return privateKeyFromProtobuf(readSecretFile(path))
  const key = await generateKeyPair('Ed25519')
  writeSecretFile(path, privateKeyToProtobuf(key))
  return key
}
