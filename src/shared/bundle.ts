/**
 * Prekey bundles: signing (the owner) and the checks shared by mailboxes (before storing) and
 * clients (before use). The owner's PeerId key signs the bundle whole — registration and device
 * ids, the signed and last-resort prekeys with their ids, the publication time — and each
 * one-time prekey with its id, so a holder can neither forge a newer bundle, renumber a prekey
 * nor slip in one of its own; the identity key's signatures over the signed and Kyber prekeys are
 * what libsignal itself checks.
 */
import { KEMPublicKey, PublicKey } from '@signalapp/libsignal-client'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import { PreKeyBundle, type KyberPreKey, type OneTimePreKey } from '../../proto/cairn.js'
import { BadSignatureError, ProtocolError } from './errors.js'
import { verifyIdentityCertificate, type VerifiedIdentity } from './identity-certificate.js'

/** 2: the bundle and its one-time prekeys are signed by the PeerId key. */
export const BUNDLE_VERSION = 2
/** How far ahead of our clock a bundle's times may be (clock skew), ms. */
export const BUNDLE_CLOCK_SKEW_MS = 10 * 60_000

const enc = new TextEncoder()
const BUNDLE_DOMAIN = enc.encode('cairn/bundle/v2')
const ONE_TIME_DOMAIN = enc.encode('cairn/one-time-prekey/v1')
const KYBER_DOMAIN = enc.encode('cairn/kyber-prekey/v1')

export interface VerifiedBundle extends VerifiedIdentity {
  bundle: PreKeyBundle
}

function concat (...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) { out.set(p, at); at += p.length }
  return out
}

/** What the bundle signature covers: everything but the one-time prekeys (each signed alone) and itself. */
function bundleSigned (bundle: PreKeyBundle): Uint8Array {
  return concat(BUNDLE_DOMAIN, PreKeyBundle.encode({ ...bundle, preKeys: [], kyberPreKeys: [], signature: new Uint8Array(0) }))
}

function keySigned (domain: Uint8Array, id: number, publicKey: Uint8Array): Uint8Array {
  const idBytes = new Uint8Array(4)
  new DataView(idBytes.buffer).setUint32(0, id)
  return concat(domain, idBytes, publicKey)
}

const u8 = (b: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(b)

export async function signBundle (peerKey: PrivateKey, bundle: PreKeyBundle): Promise<PreKeyBundle> {
  return { ...bundle, signature: u8(await peerKey.sign(bundleSigned(bundle))) }
}

export async function signOneTimePreKey (peerKey: PrivateKey, key: Omit<OneTimePreKey, 'signature'>): Promise<OneTimePreKey> {
  return { ...key, signature: u8(await peerKey.sign(keySigned(ONE_TIME_DOMAIN, key.id, key.publicKey))) }
}

export async function bindKyberPreKey (peerKey: PrivateKey, key: KyberPreKey): Promise<KyberPreKey> {
  return { ...key, binding: u8(await peerKey.sign(keySigned(KYBER_DOMAIN, key.id, key.publicKey))) }
}

export interface VerifyBundleOptions {
  /** Refuse a bundle published (or a signed prekey made) later than this plus the clock skew. */
  now?: number
}

export async function verifyBundle (bundle: PreKeyBundle, expected?: PeerId, options: VerifyBundleOptions = {}): Promise<VerifiedBundle> {
  if (bundle.version !== BUNDLE_VERSION) throw new ProtocolError(`unsupported bundle version ${bundle.version}`)
  const identity = await verifyIdentityCertificate(bundle.certificate, expected)
  const owner = identity.peerId.publicKey
  const spk = bundle.signedPreKey
  const lastResort = bundle.lastResortKyberPreKey
  if (spk === undefined || lastResort === undefined) throw new ProtocolError('bundle lacks a signed prekey or a last-resort Kyber prekey')
  if (bundle.deviceId < 1 || bundle.deviceId > 127) throw new ProtocolError(`bad device id ${bundle.deviceId}`)
  if (owner === undefined || bundle.signature.length !== 64 || !await verifies(owner, bundleSigned(bundle), bundle.signature)) {
    throw new BadSignatureError(`bundle is not signed by ${identity.peerId.toString()}`)
  }
  if (options.now !== undefined) {
    const limit = options.now + BUNDLE_CLOCK_SKEW_MS
    if (bundle.publishedAt > limit || spk.createdAt > limit) throw new ProtocolError('bundle is dated in the future')
  }
  checkSigned(identity.identityKey, spk.publicKey, spk.signature, 'signed prekey', bytes => PublicKey.deserialize(bytes))
  for (const kyber of [lastResort, ...bundle.kyberPreKeys]) {
    checkSigned(identity.identityKey, kyber.publicKey, kyber.signature, `Kyber prekey ${kyber.id}`, bytes => KEMPublicKey.deserialize(bytes))
  }
  for (const kyber of bundle.kyberPreKeys) {
    if (!await verifies(owner, keySigned(KYBER_DOMAIN, kyber.id, kyber.publicKey), kyber.binding)) throw new BadSignatureError(`Kyber prekey ${kyber.id} is not bound to ${identity.peerId.toString()}`)
  }
  for (const pk of bundle.preKeys) {
    try {
      PublicKey.deserialize(u8(pk.publicKey))
    } catch {
      throw new ProtocolError(`one-time prekey ${pk.id} is malformed`)
    }
    if (!await verifies(owner, keySigned(ONE_TIME_DOMAIN, pk.id, pk.publicKey), pk.signature)) throw new BadSignatureError(`one-time prekey ${pk.id} is not signed by ${identity.peerId.toString()}`)
  }
  return { ...identity, bundle }
}

async function verifies (key: NonNullable<PeerId['publicKey']>, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
  if (signature.length !== 64) return false
  try {
    return await key.verify(data, signature)
  } catch {
    return false
  }
}

function checkSigned (identityKey: PublicKey, publicKey: Uint8Array, signature: Uint8Array, what: string, parse: (b: Uint8Array<ArrayBuffer>) => unknown): void {
  try {
    parse(u8(publicKey))
  } catch {
    throw new ProtocolError(`${what} is malformed`)
  }
  if (!identityKey.verify(u8(publicKey), u8(signature))) throw new BadSignatureError(`${what} signature does not verify`)
}
