/**
 * A user's identity: an Ed25519 libp2p key (the PeerId) and a Signal identity key pair, bound by an
 * identity certificate. `createIdentity` also makes the first prekeys; both key files are 0600.
 */
import { existsSync } from 'node:fs'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { IdentityKeyPair } from '@signalapp/libsignal-client'
import { randomInt } from 'node:crypto'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import { IdentityCertificate } from '../../proto/cairn.js'
import type { CairnConfig } from '../shared/config.js'
import { readKeyFile, writeKeyFile } from '../shared/at-rest/secret-files.js'
import type { ValueCipher } from '../shared/at-rest/value-cipher.js'
import { ensureDataDir, paths } from '../shared/data-dir.js'
import { CairnError } from '../shared/errors.js'
import { issueIdentityCertificate } from '../shared/identity-certificate.js'
import type { Store } from '../shared/store.js'
import { keys } from './crypto/kv.js'
import { generateLastResortKyberPreKey, generateOneTimePreKeys, generateSignedPreKey } from './crypto/prekeys.js'
import { DEVICE_ID } from './crypto/sealed-session.js'

export interface LocalIdentity {
  peerKey: PrivateKey
  peerId: PeerId
  signal: IdentityKeyPair
  registrationId: number
  deviceId: number
  certificate: IdentityCertificate
}

const CERT_KEY = keys.meta('identity-certificate')

export function identityExists (dataDir: string): boolean {
  return existsSync(paths.peerKey(dataDir))
}

/**
 * Create a new identity in `dataDir` (refuses if one exists) and its first prekeys in `store`.
 * `peerKey` keeps an existing PeerId while making a new Signal identity (a reinstall).
 */
export async function createIdentity (dataDir: string, store: Store, config: CairnConfig, now: number, peerKeyToKeep?: PrivateKey, cipher?: ValueCipher): Promise<LocalIdentity> {
  ensureDataDir(dataDir)
  if (identityExists(dataDir)) throw new CairnError('IDENTITY_EXISTS', `an identity already exists in ${dataDir}; refusing to overwrite it`)
  const peerKey = peerKeyToKeep ?? await generateKeyPair('Ed25519')
  const peerId = peerIdFromPrivateKey(peerKey)
  const signal = IdentityKeyPair.generate()
  const registrationId = randomInt(1, 16381)
  const certificate = await issueIdentityCertificate(peerKey, peerId, signal.publicKey, now)
  const identity: LocalIdentity = { peerKey, peerId, signal, registrationId, deviceId: DEVICE_ID, certificate }
  const owner = { identity: signal, registrationId, deviceId: DEVICE_ID, certificate, peerKey }
  const tx = store.transaction()
  await generateSignedPreKey(tx, owner, now)
  await generateLastResortKyberPreKey(tx, owner, now)
  await generateOneTimePreKeys(tx, owner, config.delivery.oneTimePreKeys, config.delivery.oneTimeKyberPreKeys, now)
  tx.put(CERT_KEY, IdentityCertificate.encode(certificate))
  await tx.commit()
  // the peer key goes last: its presence is what marks the identity as complete
  // `cipher`: the data dir is encrypted at rest, and so are its key files
  writeKeyFile(paths.signalIdentity(dataDir), new TextEncoder().encode(JSON.stringify({
    version: 1, identityKeyPair: Buffer.from(signal.serialize()).toString('base64'), registrationId
  })), cipher, { overwrite: true })
  writeKeyFile(paths.peerKey(dataDir), privateKeyToProtobuf(peerKey), cipher)
  return identity
}

export async function loadIdentity (dataDir: string, store: Store, cipher?: ValueCipher): Promise<LocalIdentity> {
  if (!identityExists(dataDir)) throw new CairnError('NO_IDENTITY', `no identity in ${dataDir}; create one with \`cairn init\``)
  const peerKey = privateKeyFromProtobuf(readKeyFile(paths.peerKey(dataDir), cipher))
  const saved = JSON.parse(new TextDecoder().decode(readKeyFile(paths.signalIdentity(dataDir), cipher))) as { identityKeyPair: string, registrationId: number }
  const signal = IdentityKeyPair.deserialize(new Uint8Array(Buffer.from(saved.identityKeyPair, 'base64')))
  const certBytes = await store.get(CERT_KEY)
  if (certBytes === undefined) throw new CairnError('NO_IDENTITY', `the store in ${dataDir} has no identity certificate; the data dir is incomplete`)
  return {
    peerKey,
    peerId: peerIdFromPrivateKey(peerKey),
    signal,
    registrationId: saved.registrationId,
    deviceId: DEVICE_ID,
    certificate: IdentityCertificate.decode(certBytes)
  }
}
