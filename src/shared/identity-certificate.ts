/**
 * Identity certificates: the PeerId's Ed25519 key signs the Signal identity public key, so a bundle
 * or a first message fetched from anywhere proves which PeerId it belongs to.
 */
import { PublicKey } from '@signalapp/libsignal-client'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import type { IdentityCertificate } from '../../proto/cairn.js'
import { BadSignatureError } from './errors.js'
import { peerIdBytes, peerIdFromBytes } from './peer-id.js'

const DOMAIN = new TextEncoder().encode('cairn/identity-certificate/v1')

function signedBytes (peerId: Uint8Array, identityKey: Uint8Array, issuedAt: number): Uint8Array {
  const out = new Uint8Array(DOMAIN.length + peerId.length + identityKey.length + 8)
  out.set(DOMAIN, 0)
  out.set(peerId, DOMAIN.length)
  out.set(identityKey, DOMAIN.length + peerId.length)
  new DataView(out.buffer).setBigUint64(out.length - 8, BigInt(issuedAt))
  return out
}

export async function issueIdentityCertificate (peerKey: PrivateKey, peerId: PeerId, identityKey: PublicKey, issuedAt: number): Promise<IdentityCertificate> {
  const id = peerIdBytes(peerId)
  const key = identityKey.serialize()
  const signature = await peerKey.sign(signedBytes(id, key, issuedAt))
  return { peerId: id, identityKey: key, issuedAt, signature: new Uint8Array(signature) }
}

export interface VerifiedIdentity {
  peerId: PeerId
  identityKey: PublicKey
}

/** Check a certificate's signature; with `expected`, also that it names that PeerId. */
export async function verifyIdentityCertificate (cert: IdentityCertificate | undefined, expected?: PeerId): Promise<VerifiedIdentity> {
  if (cert === undefined) throw new BadSignatureError('identity certificate missing')
  const peerId = peerIdFromBytes(cert.peerId)
  if (expected !== undefined && !peerId.equals(expected)) throw new BadSignatureError(`identity certificate is for ${peerId.toString()}, not ${expected.toString()}`)
  let identityKey: PublicKey
  try {
    identityKey = PublicKey.deserialize(cert.identityKey)
  } catch {
    throw new BadSignatureError('identity certificate holds a malformed identity key')
  }
  const ok = cert.signature.length === 64 && peerId.publicKey !== undefined &&
    await peerId.publicKey.verify(signedBytes(cert.peerId, cert.identityKey, cert.issuedAt), cert.signature)
  if (!ok) throw new BadSignatureError(`identity certificate signature does not verify for ${peerId.toString()}`)
  return { peerId, identityKey }
}
