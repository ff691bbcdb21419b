/**
 * fast-check requests for Cairn's two servers, shaped by proto/cairn.proto: each field gets
 * arbitrary values, biased towards ones that pass the first checks (16-byte ids, real PeerIds as
 * recipients, expiries ahead, current versions, ids bound to the envelope), so the fuzz reaches the store, the signature checks and
 * the owner checks instead of stopping at "malformed request". Field names follow the generated
 * types, so a proto change that renames a field breaks the build here, not silently the fuzz.
 */
import fc from 'fast-check'
import type { DirectRequest, Envelope, MailboxRequest, PreKeyBundle, SyncRange, Tombstone } from '../../proto/cairn.js'
import { BUNDLE_VERSION } from '../../src/shared/bundle.js'
import { chunkCid } from '../../src/shared/chunk-address.js'
import { envelopeId } from '../../src/shared/envelope-id.js'
import { ENVELOPE_VERSION } from '../../src/shared/protocols/ids.js'

const DAY = 24 * 3600 * 1000
type Bytes = Uint8Array<ArrayBuffer>

const bytes = (maxLength: number): fc.Arbitrary<Bytes> => fc.uint8Array({ maxLength }).map(b => new Uint8Array(b))
const sized = (n: number): fc.Arbitrary<Bytes> => fc.oneof({ weight: 4, arbitrary: fc.uint8Array({ minLength: n, maxLength: n }).map(b => new Uint8Array(b)) }, bytes(2 * n))
const uint32 = fc.oneof(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }))
const version = fc.oneof({ weight: 6, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: uint32 })
const versionOf = (current: number): fc.Arbitrary<number> => fc.oneof({ weight: 6, arbitrary: fc.constant(current) }, { weight: 1, arbitrary: uint32 })
/** A time: mostly near now (past or ahead), sometimes anything a uint64 carries safely. */
const time = fc.oneof({ weight: 5, arbitrary: fc.integer({ min: -DAY, max: 30 * DAY }).map(d => Date.now() + d) }, fc.constantFrom(0, 1, Number.MAX_SAFE_INTEGER), fc.nat())
/** Sealed bytes: usually small, sometimes around and over the envelope limit (64 KiB). */
const sealed = fc.oneof({ weight: 6, arbitrary: bytes(1024) }, fc.integer({ min: 60 * 1024, max: 70 * 1024 }).map(n => new Uint8Array(n)))

export interface Pools {
  /** PeerId bytes that mean something to the server (its own user, a stranger, the fuzzer). */
  peers: Bytes[]
}

export function envelope (p: Pools): fc.Arbitrary<Envelope> {
  const any = fc.record({ version: versionOf(ENVELOPE_VERSION), id: sized(16), recipient: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...p.peers) }, bytes(48)), sealed, createdAt: time, expiresAt: time })
  // mostly with the id a sender derives, so the fuzz gets past the id check to the store
  return fc.tuple(any, fc.boolean()).map(([e, bound]) => bound ? { ...e, id: envelopeId(e) } : e)
}

const tombstone: fc.Arbitrary<Tombstone> = fc.record({ id: sized(16), expiresAt: time, signature: sized(64) })

function bundle (p: Pools): fc.Arbitrary<PreKeyBundle> {
  const kyber = fc.record({ id: uint32, publicKey: sized(1569), signature: sized(64), binding: sized(64) })
  return fc.record({
    version: versionOf(BUNDLE_VERSION),
    certificate: fc.record({ peerId: fc.oneof(fc.constantFrom(...p.peers), bytes(48)), identityKey: sized(33), issuedAt: time, signature: sized(64) }),
    registrationId: uint32,
    deviceId: uint32,
    signedPreKey: fc.record({ id: uint32, publicKey: sized(33), signature: sized(64), createdAt: time }),
    lastResortKyberPreKey: kyber,
    preKeys: fc.array(fc.record({ id: uint32, publicKey: sized(33), signature: sized(64) }), { maxLength: 4 }),
    kyberPreKeys: fc.array(kyber, { maxLength: 2 }),
    publishedAt: time,
    signature: sized(64)
  }, { requiredKeys: ['version', 'registrationId', 'deviceId', 'preKeys', 'kyberPreKeys', 'publishedAt', 'signature'] })
}

const ids = (max: number): fc.Arbitrary<Bytes[]> => fc.array(sized(16), { maxLength: max })

/** A reconciliation range: usually well formed (16-byte bounds, fingerprints), sometimes anything. */
const syncRange: fc.Arbitrary<SyncRange> = fc.record({
  lower: sized(16),
  upper: fc.oneof(sized(16), fc.constant(new Uint8Array(0))),
  idsCount: uint32,
  idsFingerprint: sized(16),
  tombstonesCount: uint32,
  tombstonesFingerprint: sized(16),
  listed: fc.boolean(),
  ids: ids(70),
  tombstoneIds: ids(70)
})
const ranges = fc.array(syncRange, { maxLength: 140 })

/** A chunk and its address: mostly the address of these bytes (past the "names its bytes" check), sometimes not. */
const chunk = fc.tuple(fc.oneof({ weight: 4, arbitrary: bytes(2048) }, fc.integer({ min: 960 * 1024, max: 961 * 1024 + 64 }).map(n => new Uint8Array(n))), fc.boolean(), sized(36))
  .map(([data, bound, other]) => ({ data, cid: bound ? chunkCid(data) : other }))

export function mailboxRequest (p: Pools): fc.Arbitrary<Partial<MailboxRequest>> {
  const peer = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...p.peers) }, bytes(48))
  const body: fc.Arbitrary<Partial<MailboxRequest>> = fc.oneof(
    fc.record({ deposit: fc.record({ envelope: envelope(p) }, { requiredKeys: [] }) }),
    fc.record({ fetch: fc.record({ after: bytes(20), limit: uint32, idsOnly: fc.boolean(), ids: ids(300), maxBytes: uint32 }) }),
    fc.record({ ack: fc.record({ acked: fc.array(tombstone, { maxLength: 8 }), discard: ids(8) }) }),
    fc.record({ putBundle: fc.record({ bundle: bundle(p) }, { requiredKeys: [] }) }),
    fc.record({ takeBundle: fc.record({ recipient: peer }) }),
    fc.record({ status: fc.constant({}) }),
    fc.record({ offer: fc.record({ recipient: peer, ids: ids(40), tombstones: fc.array(tombstone, { maxLength: 8 }), bundle: bundle(p) }, { requiredKeys: ['recipient', 'ids', 'tombstones'] }) }),
    fc.record({ handover: fc.record({ envelopes: fc.array(envelope(p), { maxLength: 6 }) }) }),
    fc.record({ reconcile: fc.record({ recipient: peer, ranges, bundlePublishedAt: time }) }),
    fc.record({ putChunk: fc.tuple(chunk, peer, time).map(([c, recipient, expiresAt]) => ({ recipient, cid: c.cid, data: c.data, expiresAt })) }),
    fc.record({ getChunk: fc.record({ cid: fc.oneof(sized(36), chunk.map(c => c.cid)) }) }),
    fc.record({ depositBatch: fc.record({ envelopes: fc.array(envelope(p), { maxLength: 8 }) }) }),
    fc.record({ reconcileChunks: fc.record({ recipient: peer, ranges }) }),
    fc.constant({})
  )
  return fc.tuple(version, body).map(([v, b]) => ({ version: v, ...b }))
}

export function directRequest (p: Pools): fc.Arbitrary<Partial<DirectRequest>> {
  const body: fc.Arbitrary<Partial<DirectRequest>> = fc.oneof(
    { weight: 4, arbitrary: fc.record({ deliver: envelope(p) }) },
    fc.record({ takeBundle: fc.constant({}) }),
    fc.constant({})
  )
  return fc.tuple(version, body).map(([v, b]) => ({ version: v, ...b }))
}
