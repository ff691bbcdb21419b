/**
 * Signed acknowledgements: the mailbox owner signs each envelope id it acknowledges. The
 * signature travels with the tombstone, so a holder accepts a deletion only from the owner, even
 * when it learns of it second-hand (handover), and a malicious holder cannot erase mail elsewhere.
 */
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import { peerIdBytes } from './peer-id.js'

const DOMAIN = new TextEncoder().encode('cairn/ack/v1')

function signed (owner: PeerId, id: Uint8Array): Uint8Array {
  const o = peerIdBytes(owner)
  const out = new Uint8Array(DOMAIN.length + o.length + id.length)
  out.set(DOMAIN, 0)
  out.set(o, DOMAIN.length)
  out.set(id, DOMAIN.length + o.length)
  return out
}

export async function signAck (key: PrivateKey, owner: PeerId, id: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await key.sign(signed(owner, id)))
}

/**
 * `signAck` for many ids under one key: an Ed25519 key is turned into a Node KeyObject once, where
 * libp2p's `sign` builds one from the raw key for every signature (a collect signs one per message).
 * Ed25519 signatures are deterministic: the bytes are those `signAck` makes.
 */
export function ackSigner (key: PrivateKey, owner: PeerId): (id: Uint8Array) => Promise<Uint8Array<ArrayBuffer>> {
  if (key.type !== 'Ed25519' || key.raw.length !== 64) return async id => signAck(key, owner, id)
  const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64url')
  const node: KeyObject = createPrivateKey({ format: 'jwk', key: { kty: 'OKP', crv: 'Ed25519', d: b64(key.raw.subarray(0, 32)), x: b64(key.raw.subarray(32)) } })
  return async id => new Uint8Array(sign(null, signed(owner, id), node))
}

/**
 * `verifyAck` for many ids of one owner: its Ed25519 key is turned into a Node KeyObject once,
 * where libp2p's `verify` builds one from the raw key for every signature (a replica checks one
 * per message its owner collected; that build was a third of the check).
 */
export function ackVerifier (owner: PeerId): (id: Uint8Array, signature: Uint8Array) => Promise<boolean> {
  const raw = owner.publicKey?.type === 'Ed25519' ? owner.publicKey.raw : undefined
  if (raw?.length !== 32) return async (id, signature) => verifyAck(owner, id, signature)
  const node: KeyObject = createPublicKey({ format: 'jwk', key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') } })
  return async (id, signature) => {
    if (signature.length !== 64) return false
    try {
      return verify(null, signed(owner, id), node, signature)
    } catch {
      return false
    }
  }
}

export async function verifyAck (owner: PeerId, id: Uint8Array, signature: Uint8Array): Promise<boolean> {
  if (signature.length !== 64 || owner.publicKey === undefined) return false
  try {
    return await owner.publicKey.verify(signed(owner, id), signature)
  } catch {
    return false
  }
}
