/**
 * Crypto per message and per session, on Cairn's real code (SealedSession over libsignal, prekeys
 * and bundles as the messenger makes them) with the session state in memory, so no disk is timed:
 * this is the messenger's crypto cost. The floor is node:crypto doing the least a sealed box needs:
 * an ephemeral X25519 agreement, HKDF-SHA256 and AES-256-GCM over the same payload.
 */
import { createCipheriv, createDecipheriv, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes, type KeyObject } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { IdentityKeyPair } from '@signalapp/libsignal-client'
import type { PreKeyBundle } from '../../proto/cairn.js'
import type { Kv } from '../../src/client/crypto/kv.js'
import { generateLastResortKyberPreKey, generateOneTimePreKeys, generateSignedPreKey, takeBundle } from '../../src/client/crypto/prekeys.js'
import { SealedSession } from '../../src/client/crypto/sealed-session.js'
import { issueIdentityCertificate } from '../../src/shared/identity-certificate.js'
import { row, type Row } from '../lib/report.js'
import { median, now } from '../lib/stats.js'

export interface CryptoOptions { messages: number, sessions: number, payloadBytes: number }

class MemoryKv implements Kv {
  private readonly map = new Map<string, Uint8Array>()
  async get (key: string): Promise<Uint8Array | undefined> { return this.map.get(key) }
  async getMany (keys: string[]): Promise<Array<Uint8Array | undefined>> { return keys.map(k => this.map.get(k)) }
  put (key: string, value: Uint8Array): void { this.map.set(key, value) }
  delete (key: string): void { this.map.delete(key) }
}

interface Party { peerId: string, kv: Kv, session: SealedSession, bundle: () => Promise<PreKeyBundle> }

async function party (t: number): Promise<Party> {
  const peerKey = await generateKeyPair('Ed25519')
  const peerId = peerIdFromPrivateKey(peerKey)
  const identity = IdentityKeyPair.generate()
  const registrationId = 1 + Math.floor(Math.random() * 16000)
  const certificate = await issueIdentityCertificate(peerKey, peerId, identity.publicKey, t)
  const owner = { identity, registrationId, deviceId: 1, certificate, peerKey }
  const kv = new MemoryKv()
  await generateSignedPreKey(kv, owner, t)
  await generateLastResortKyberPreKey(kv, owner, t)
  await generateOneTimePreKeys(kv, owner, 4, 4, t)
  return {
    peerId: peerId.toString(),
    kv,
    session: new SealedSession({ peerId: peerId.toString(), identity, registrationId }),
    bundle: async () => takeBundle(kv, owner, { preKeys: 1, kyberPreKeys: 1 }, t)
  }
}

const INFO = Buffer.from('cairn-bench floor')
const hkdf = (shared: Buffer): Buffer => Buffer.from(hkdfSync('sha256', shared, Buffer.alloc(0), INFO, 32))
type Box = [Buffer, Buffer, Buffer, Buffer]

/** The floor for one sealed message: ephemeral X25519 + HKDF + AES-256-GCM. */
function floorSeal (to: KeyObject, payload: Uint8Array): Box {
  const eph = generateKeyPairSync('x25519')
  const key = hkdf(diffieHellman({ privateKey: eph.privateKey, publicKey: to }))
  const iv = randomBytes(12)
  const c = createCipheriv('aes-256-gcm', key, iv)
  const ct = Buffer.concat([c.update(payload), c.final()])
  return [eph.publicKey.export({ type: 'spki', format: 'der' }), iv, ct, c.getAuthTag()]
}

function floorOpen (me: KeyObject, [ephDer, iv, ct, tag]: Box): Buffer {
  const key = hkdf(diffieHellman({ privateKey: me, publicKey: createPublicKey({ key: ephDer, format: 'der', type: 'spki' }) }))
  const d = createDecipheriv('aes-256-gcm', key, iv)
  d.setAuthTag(tag)
  return Buffer.concat([d.update(ct), d.final()])
}

/** The floor for a session: X3DH's classical part (ephemeral key, four X25519 agreements, HKDF). */
function floorSession (theirs: KeyObject[]): Buffer {
  const eph = generateKeyPairSync('x25519')
  const mine = generateKeyPairSync('x25519')
  const dh = theirs.map((pub, i) => diffieHellman({ privateKey: i === 0 ? mine.privateKey : eph.privateKey, publicKey: pub }))
  return hkdf(Buffer.concat(dh))
}

/** Per-call times in µs of a synchronous or asynchronous operation. */
async function timeEach<T> (n: number, fn: (i: number) => T | Promise<T>): Promise<{ us: number[], out: T[] }> {
  const us: number[] = []
  const out: T[] = []
  for (let i = 0; i < n; i++) {
    const t0 = now()
    out.push(await fn(i))
    us.push((now() - t0) * 1000)
  }
  return { us, out }
}

export async function cryptoSuite (o: CryptoOptions): Promise<Row[]> {
  const t = Date.now()
  const alice = await party(t)
  const bob = await party(t)
  const payload = new Uint8Array(randomBytes(o.payloadBytes))
  const bundle = await bob.bundle()

  // session set-up, sender side: verify the bundle's signatures, PQXDH (X25519 + ML-KEM encapsulation)
  const fresh = Array.from({ length: o.sessions }, () => new MemoryKv())
  const setup = await timeEach(o.sessions, async (i) => alice.session.startSession(fresh[i] as MemoryKv, bob.peerId, bundle, t))
  const prekeys = Array.from({ length: 4 }, () => generateKeyPairSync('x25519').publicKey)
  const setupFloor = await timeEach(o.sessions, () => floorSession(prekeys))

  // a two-way session first, so the timed messages are ordinary ratchet messages, not PreKey ones
  await alice.session.startSession(alice.kv, bob.peerId, bundle, t)
  await bob.session.open(bob.kv, (await alice.session.seal(alice.kv, bob.peerId, payload, t)).sealed, t)
  await alice.session.open(alice.kv, (await bob.session.seal(bob.kv, alice.peerId, payload, t)).sealed, t)

  const seal = await timeEach(o.messages, async () => (await alice.session.seal(alice.kv, bob.peerId, payload, t)).sealed)
  const open = await timeEach(o.messages, async (i) => bob.session.open(bob.kv, seal.out[i] as Uint8Array, t))
  if (!open.out.every(m => Buffer.from(m.plaintext).equals(Buffer.from(payload)))) throw new Error('a sealed message did not open to its plaintext')

  const recipient = generateKeyPairSync('x25519')
  const fSeal = await timeEach(o.messages, () => floorSeal(recipient.publicKey, payload))
  const fOpen = await timeEach(o.messages, (i) => floorOpen(recipient.privateKey, fSeal.out[i] as Box))
  const sealedBytes = (seal.out[0] as Uint8Array).length
  // what an outbox entry keeps beside the envelope to seal the message again under a newer certificate
  const innerBytes = (await alice.session.seal(alice.kv, bob.peerId, payload, t)).inner.length
  const note = `${o.payloadBytes} B payload → ${sealedBytes} B sealed (+${innerBytes} B kept in the outbox to seal it again); session state in memory`
  return [
    row({ name: 'crypto.session-setup', label: 'PQXDH session set-up (sender, from a bundle)', unit: 'µs', value: median(setup.us), baseline: 'X25519 keygen + 4 ECDH + HKDF', baselineValue: median(setupFloor.us), better: 'lower', samples: o.sessions, stat: 'median', notes: 'includes bundle signature checks and ML-KEM-1024 encapsulation' }),
    row({ name: 'crypto.seal', label: `encrypt + seal, ${o.payloadBytes} B`, unit: 'µs', value: median(seal.us), baseline: 'ephemeral X25519 + HKDF + AES-256-GCM', baselineValue: median(fSeal.us), better: 'lower', samples: o.messages, stat: 'median', notes: note }),
    row({ name: 'crypto.open', label: `unseal + decrypt, ${o.payloadBytes} B`, unit: 'µs', value: median(open.us), baseline: 'X25519 + HKDF + AES-256-GCM open', baselineValue: median(fOpen.us), better: 'lower', samples: o.messages, stat: 'median', notes: 'includes sender certificate validation' })
  ]
}
