/**
 * The local supply of prekeys: generation at init, handing out (to a sender, or in shares to
 * mailbox replicas) so that no one-time prekey is given twice, and topping up. Ids are allocated
 * and given out in order, so "how many are left" is two counters, not a scan.
 */
import { KEMKeyPair, KyberPreKeyRecord, PreKeyRecord, PrivateKey, SignedPreKeyRecord, type IdentityKeyPair } from '@signalapp/libsignal-client'
import type { PrivateKey as PeerPrivateKey } from '@libp2p/interface'
import type { IdentityCertificate, KyberPreKey, OneTimePreKey, PreKeyBundle } from '../../../proto/cairn.js'
import { BUNDLE_VERSION, bindKyberPreKey, signBundle, signOneTimePreKey } from '../../shared/bundle.js'
import { CairnError } from '../../shared/errors.js'
import { decodeNumber, encodeNumber, keys, type Kv } from './kv.js'

const ab = (b: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(b)
const MAX_ID = 0xffffff

export interface PreKeyOwner {
  identity: IdentityKeyPair
  registrationId: number
  deviceId: number
  certificate: IdentityCertificate
  /** The PeerId key: it signs each bundle handed out (and each one-time prekey in it). */
  peerKey: PeerPrivateKey
}

const meta = {
  preKeyNext: keys.meta('prekey-next-id'),
  preKeyGive: keys.meta('prekey-next-give'),
  kyberNext: keys.meta('kyber-next-id'),
  kyberGive: keys.meta('kyber-next-give'),
  spkCurrent: keys.meta('spk-current'),
  lastResortCurrent: keys.meta('kyber-last-resort-current')
}

async function nextId (kv: Kv, key: string): Promise<number> {
  const id = decodeNumber(await kv.get(key), 1)
  kv.put(key, encodeNumber(id >= MAX_ID ? 1 : id + 1))
  return id
}

export async function generateSignedPreKey (kv: Kv, owner: PreKeyOwner, now: number): Promise<number> {
  const id = await nextId(kv, keys.meta('spk-next-id'))
  const priv = PrivateKey.generate()
  const sig = owner.identity.privateKey.sign(priv.getPublicKey().serialize())
  kv.put(keys.signedPreKey(id), SignedPreKeyRecord.new(id, now, priv.getPublicKey(), priv, sig).serialize())
  kv.put(meta.spkCurrent, encodeNumber(id))
  return id
}

async function generateKyber (kv: Kv, owner: PreKeyOwner, now: number): Promise<number> {
  const id = await nextId(kv, meta.kyberNext)
  const kem = KEMKeyPair.generate()
  const sig = owner.identity.privateKey.sign(kem.getPublicKey().serialize())
  kv.put(keys.kyberPreKey(id), KyberPreKeyRecord.new(id, now, kem, sig).serialize())
  return id
}

export async function generateLastResortKyberPreKey (kv: Kv, owner: PreKeyOwner, now: number): Promise<number> {
  const id = await generateKyber(kv, owner, now)
  kv.put(keys.kyberLastResort(id), new Uint8Array([1]))
  kv.put(meta.lastResortCurrent, encodeNumber(id))
  return id
}

export async function generateOneTimePreKeys (kv: Kv, owner: PreKeyOwner, count: number, kyberCount: number, now: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const id = await nextId(kv, meta.preKeyNext)
    const priv = PrivateKey.generate()
    kv.put(keys.preKey(id), PreKeyRecord.new(id, priv.getPublicKey(), priv).serialize())
  }
  for (let i = 0; i < kyberCount; i++) await generateKyber(kv, owner, now)
}

/**
 * Rotate the signed prekey (and the last-resort Kyber prekey with it) once the current one is
 * older than `rotateAfterMs`. Old ones stay, so messages sealed to a bundle published before the
 * rotation still open; those older than `keepForMs` past their successor are deleted (by then any
 * such message has expired at the mailboxes). Returns true when it rotated.
 */
export async function rotateSignedPreKey (kv: Kv, owner: PreKeyOwner, now: number, policy: { rotateAfterMs: number, keepForMs: number }): Promise<boolean> {
  const currentId = decodeNumber(await kv.get(meta.spkCurrent), 0)
  const current = await kv.get(keys.signedPreKey(currentId))
  if (current !== undefined && now - SignedPreKeyRecord.deserialize(ab(current)).timestamp() < policy.rotateAfterMs) return false
  const retired = JSON.parse(new TextDecoder().decode(await kv.get(keys.meta('spk-retired')) ?? new TextEncoder().encode('[]'))) as Array<{ spk: number, kyber: number, at: number }>
  const keep: typeof retired = []
  for (const r of retired) {
    if (now - r.at > policy.keepForMs) {
      kv.delete(keys.signedPreKey(r.spk))
      kv.delete(keys.kyberPreKey(r.kyber))
      kv.delete(keys.kyberLastResort(r.kyber))
    } else keep.push(r)
  }
  if (current !== undefined) keep.push({ spk: currentId, kyber: decodeNumber(await kv.get(meta.lastResortCurrent), 0), at: now })
  kv.put(keys.meta('spk-retired'), new TextEncoder().encode(JSON.stringify(keep)))
  await generateSignedPreKey(kv, owner, now)
  await generateLastResortKyberPreKey(kv, owner, now)
  return true
}

/** How many one-time prekeys have not been handed out yet. */
export async function availablePreKeys (kv: Kv): Promise<{ preKeys: number, kyberPreKeys: number }> {
  const preKeys = decodeNumber(await kv.get(meta.preKeyNext), 1) - decodeNumber(await kv.get(meta.preKeyGive), 1)
  const kyberPreKeys = decodeNumber(await kv.get(meta.kyberNext), 1) - decodeNumber(await kv.get(meta.kyberGive), 1)
  return { preKeys: Math.max(0, preKeys), kyberPreKeys: Math.max(0, kyberPreKeys) }
}

/** Top the supply back up to the targets. Returns how many were generated. */
export async function replenishPreKeys (kv: Kv, owner: PreKeyOwner, target: { preKeys: number, kyberPreKeys: number }, now: number): Promise<number> {
  const have = await availablePreKeys(kv)
  const ec = Math.max(0, target.preKeys - have.preKeys)
  const kyber = Math.max(0, target.kyberPreKeys - have.kyberPreKeys)
  await generateOneTimePreKeys(kv, owner, ec, kyber, now)
  return ec + kyber
}

/**
 * Build a bundle holding up to `preKeys` one-time EC prekeys and `kyberPreKeys` one-time Kyber
 * prekeys, marking each as given. With none left, the bundle still starts a session on the signed
 * prekey and the last-resort Kyber prekey.
 */
export async function takeBundle (kv: Kv, owner: PreKeyOwner, counts: { preKeys: number, kyberPreKeys: number }, now: number): Promise<PreKeyBundle> {
  const spkId = decodeNumber(await kv.get(meta.spkCurrent), 0)
  const lastResortId = decodeNumber(await kv.get(meta.lastResortCurrent), 0)
  const spkBytes = await kv.get(keys.signedPreKey(spkId))
  const lastResortBytes = await kv.get(keys.kyberPreKey(lastResortId))
  if (spkBytes === undefined || lastResortBytes === undefined) throw new CairnError('NO_IDENTITY', 'no signed prekey or last-resort Kyber prekey: is this identity initialised?')
  const spk = SignedPreKeyRecord.deserialize(ab(spkBytes))
  const preKeys: OneTimePreKey[] = []
  const kyberPreKeys: KyberPreKey[] = []
  let give = decodeNumber(await kv.get(meta.preKeyGive), 1)
  const firstGive = give
  const preKeyNext = decodeNumber(await kv.get(meta.preKeyNext), 1)
  for (; give < preKeyNext && preKeys.length < counts.preKeys; give++) {
    const b = await kv.get(keys.preKey(give))
    if (b === undefined) continue
    preKeys.push(await signOneTimePreKey(owner.peerKey, { id: give, publicKey: PreKeyRecord.deserialize(ab(b)).publicKey().serialize() }))
  }
  kv.put(meta.preKeyGive, encodeNumber(give))
  let kgive = decodeNumber(await kv.get(meta.kyberGive), 1)
  const firstKyberGive = kgive
  const kyberNext = decodeNumber(await kv.get(meta.kyberNext), 1)
  for (; kgive < kyberNext && kyberPreKeys.length < counts.kyberPreKeys; kgive++) {
    const b = await kv.get(keys.kyberPreKey(kgive))
    if (b === undefined || await kv.get(keys.kyberLastResort(kgive)) !== undefined) continue
    kyberPreKeys.push(await bindKyberPreKey(owner.peerKey, kyberProto(KyberPreKeyRecord.deserialize(ab(b)))))
  }
  kv.put(meta.kyberGive, encodeNumber(kgive))
  await recordGiven(kv, { ec: [firstGive, give], kyber: [firstKyberGive, kgive] }, now)
  return signBundle(owner.peerKey, {
    version: BUNDLE_VERSION,
    certificate: owner.certificate,
    registrationId: owner.registrationId,
    deviceId: owner.deviceId,
    signedPreKey: { id: spk.id(), publicKey: spk.publicKey().serialize(), signature: spk.signature(), createdAt: spk.timestamp() },
    lastResortKyberPreKey: kyberProto(KyberPreKeyRecord.deserialize(ab(lastResortBytes))),
    preKeys,
    kyberPreKeys,
    publishedAt: now,
    signature: new Uint8Array(0)
  })
}

function kyberProto (r: KyberPreKeyRecord): KyberPreKey {
  return { id: r.id(), publicKey: r.publicKey().serialize(), signature: r.signature(), binding: new Uint8Array(0) }
}

/**
 * Handed-out one-time prekeys, as id ranges by the hour they went out: a prekey given to a replica
 * or a sender that never uses it would otherwise keep its private key here for ever (and anyone
 * who drains prekeys would grow the store). Ranges given within the same hour are merged, so the
 * list stays at most one entry per hour of the expiry window.
 */
interface GivenRange { ec: [number, number], kyber: [number, number], at: number }
const GIVEN_KEY = keys.meta('prekeys-given')
const HOUR = 3600_000

async function readGiven (kv: Kv): Promise<GivenRange[]> {
  const b = await kv.get(GIVEN_KEY)
  return b === undefined ? [] : JSON.parse(new TextDecoder().decode(b)) as GivenRange[]
}

async function recordGiven (kv: Kv, given: Omit<GivenRange, 'at'>, now: number): Promise<void> {
  if (given.ec[0] === given.ec[1] && given.kyber[0] === given.kyber[1]) return
  const list = await readGiven(kv)
  const last = list.at(-1)
  if (last !== undefined && now - last.at < HOUR && last.ec[1] === given.ec[0] && last.kyber[1] === given.kyber[0]) {
    last.ec[1] = given.ec[1]
    last.kyber[1] = given.kyber[1]
  } else list.push({ ...given, at: now })
  kv.put(GIVEN_KEY, new TextEncoder().encode(JSON.stringify(list)))
}

/**
 * Delete the private keys of one-time prekeys handed out more than `expiryMs` ago and never used
 * (a used one is gone already: libsignal removes it). Their replacements come from the usual
 * top-up, which counts only keys not yet handed out. Returns how many were deleted.
 */
export async function expireGivenPreKeys (kv: Kv, now: number, expiryMs: number): Promise<number> {
  const list = await readGiven(kv)
  const keep: GivenRange[] = []
  let deleted = 0
  for (const g of list) {
    if (now - g.at <= expiryMs) { keep.push(g); continue }
    for (let id = g.ec[0]; id < g.ec[1]; id++) {
      if (await kv.get(keys.preKey(id)) === undefined) continue
      kv.delete(keys.preKey(id))
      deleted++
    }
    for (let id = g.kyber[0]; id < g.kyber[1]; id++) {
      if (await kv.get(keys.kyberLastResort(id)) !== undefined || await kv.get(keys.kyberPreKey(id)) === undefined) continue
      kv.delete(keys.kyberPreKey(id))
      deleted++
    }
  }
  if (keep.length !== list.length) kv.put(GIVEN_KEY, new TextEncoder().encode(JSON.stringify(keep)))
  return deleted
}
