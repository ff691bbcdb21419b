/**
 * Prekey bundle checks shared by mailboxes (before storing) and clients (before use): the identity
 * certificate, the signed prekey and every Kyber prekey must verify against the identity key.
 */
import { KEMPublicKey, PublicKey } from '@signalapp/libsignal-client'
import type { PeerId } from '@libp2p/interface'
import type { PreKeyBundle } from '../../proto/cairn.js'
import { BadSignatureError, ProtocolError } from './errors.js'
import { verifyIdentityCertificate, type VerifiedIdentity } from './identity-certificate.js'

export const BUNDLE_VERSION = 1

export interface VerifiedBundle extends VerifiedIdentity {
  bundle: PreKeyBundle
}

export async function verifyBundle (bundle: PreKeyBundle, expected?: PeerId): Promise<VerifiedBundle> {
  if (bundle.version !== BUNDLE_VERSION) throw new ProtocolError(`unsupported bundle version ${bundle.version}`)
  const identity = await verifyIdentityCertificate(bundle.certificate, expected)
  const spk = bundle.signedPreKey
  const lastResort = bundle.lastResortKyberPreKey
  if (spk === undefined || lastResort === undefined) throw new ProtocolError('bundle lacks a signed prekey or a last-resort Kyber prekey')
  if (bundle.deviceId < 1 || bundle.deviceId > 127) throw new ProtocolError(`bad device id ${bundle.deviceId}`)
  checkSigned(identity.identityKey, spk.publicKey, spk.signature, 'signed prekey', bytes => PublicKey.deserialize(bytes))
  for (const kyber of [lastResort, ...bundle.kyberPreKeys]) {
    checkSigned(identity.identityKey, kyber.publicKey, kyber.signature, `Kyber prekey ${kyber.id}`, bytes => KEMPublicKey.deserialize(bytes))
  }
  for (const pk of bundle.preKeys) {
    try {
      PublicKey.deserialize(pk.publicKey)
    } catch {
      throw new ProtocolError(`one-time prekey ${pk.id} is malformed`)
    }
  }
  return { ...identity, bundle }
}

function checkSigned (identityKey: PublicKey, publicKey: Uint8Array, signature: Uint8Array, what: string, parse: (b: Uint8Array<ArrayBuffer>) => unknown): void {
  try {
    parse(new Uint8Array(publicKey))
  } catch {
    throw new ProtocolError(`${what} is malformed`)
  }
  if (!identityKey.verify(new Uint8Array(publicKey), new Uint8Array(signature))) throw new BadSignatureError(`${what} signature does not verify`)
}
