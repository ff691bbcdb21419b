/**
 * MailboxStore on a real LevelDB in a temp dir, with time from a ManualClock: what an operator
 * relies on — durable deposits, quotas, refusals with the right reason, expiry, paging, one-time
 * prekeys handed out at most once and never lost to a handed-over bundle. Duplicates, signed acks
 * and tombstones are in tombstones.test.ts.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { Envelope, PreKeyBundle } from '../../proto/cairn.js'
import { CairnClient } from '../../src/client/client.js'
import type { RefusalReason } from '../../src/mailbox/errors.js'
import { MailboxRefusal } from '../../src/mailbox/index.js'
import { signAck } from '../../src/shared/ack-signature.js'
import { verifyBundle } from '../../src/shared/bundle.js'
import { ManualClock } from '../../src/shared/clock.js'
import { silentLogger } from '../../src/shared/logger.js'
import { peerIdBytes } from '../../src/shared/peer-id.js'
import { openBox, recipient, type Recipient } from '../helpers/mailbox-box.js'
import { tempRoot, testConfig } from '../helpers/users.js'
import { boundEnvelope } from '../helpers/envelopes.js'

const HOUR = 3600_000
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const rand = (n: number): Uint8Array<ArrayBuffer> => new Uint8Array(randomBytes(n))

/** The owner's ack of these envelopes, as its client sends it. */
async function acks (owner: Recipient, envs: Envelope[]): Promise<Array<{ id: string, signature: Uint8Array }>> {
  return Promise.all(envs.map(async e => ({ id: hex(e.id), signature: await signAck(owner.key, owner.peer, e.id) })))
}

/** Random sealed bytes are enough here: a mailbox never opens what it holds. */
function envelope (to: Uint8Array<ArrayBuffer>, now: number, o: Partial<Envelope> = {}): Envelope {
  return boundEnvelope({ recipient: to, sealed: rand(500), createdAt: now, expiresAt: now + HOUR, ...o })
}

const refused = (reason: RefusalReason) => (err: unknown): boolean => err instanceof MailboxRefusal && err.reason === reason

test('a deposit is durable: after closing and reopening the store the envelope and the usage counters are back', async (t) => {
  const box = await openBox(t)
  const bob = await recipient()
  const now = box.clock.now()
  const sent = [envelope(bob.bytes, now), envelope(bob.bytes, now, { sealed: rand(1234) })]
  for (const e of sent) assert.equal(await box.mailbox.deposit(e, now), 'stored')
  assert.deepEqual(box.mailbox.usageOf(bob.id), { count: 2, bytes: 1734 })

  const again = await box.reopen()
  assert.deepEqual(again.usageOf(bob.id), { count: 2, bytes: 1734 }, 'open() restores the counters')
  const { envelopes } = await again.fetch(bob.id, undefined, 10, now)
  const byId = (a: Envelope, b: Envelope): number => hex(a.id).localeCompare(hex(b.id))
  assert.deepEqual(envelopes.map(e => [hex(e.id), hex(e.sealed)]), [...sent].sort(byId).map(e => [hex(e.id), hex(e.sealed)]))
  assert.deepEqual(await again.totals(), { count: 2, bytes: 1734, recipients: 1 })
})

test('a full mailbox refuses with quota-exceeded (by count and by bytes); others are unaffected and an ack frees room', async (t) => {
  const box = await openBox(t, { maxEnvelopesPerRecipient: 3, maxBytesPerRecipient: 2000 })
  const [bob, carol, dave] = [await recipient(), await recipient(), await recipient()]
  const now = box.clock.now()
  const bobs = [0, 1, 2].map(() => envelope(bob.bytes, now, { sealed: rand(100) }))
  for (const e of bobs) assert.equal(await box.mailbox.deposit(e, now), 'stored')
  await assert.rejects(box.mailbox.deposit(envelope(bob.bytes, now, { sealed: rand(1) }), now), refused('quota-exceeded'))
  assert.equal(await box.mailbox.deposit(envelope(carol.bytes, now), now), 'stored', 'another recipient still gets mail')

  // by bytes: 1500 + 500 fits exactly, one byte more does not
  assert.equal(await box.mailbox.deposit(envelope(dave.bytes, now, { sealed: rand(1500) }), now), 'stored')
  await assert.rejects(box.mailbox.deposit(envelope(dave.bytes, now, { sealed: rand(501) }), now), refused('quota-exceeded'))
  assert.equal(await box.mailbox.deposit(envelope(dave.bytes, now, { sealed: rand(500) }), now), 'stored')
  assert.deepEqual(box.mailbox.usageOf(dave.id), { count: 2, bytes: 2000 })

  assert.deepEqual(box.mailbox.usageOf(bob.id), { count: 3, bytes: 300 }, 'a refusal reserves nothing')
  assert.deepEqual(await box.mailbox.ack(bob.id, await acks(bob, bobs.slice(0, 1)), now), { removed: 1, refused: 0 })
  assert.equal(await box.mailbox.deposit(envelope(bob.bytes, now), now), 'stored', 'room again after the ack')
})

test('malformed, too large and expired envelopes are refused with their reason and nothing is stored', async (t) => {
  const box = await openBox(t)
  const bob = await recipient()
  const now = box.clock.now()
  const secp = peerIdBytes(peerIdFromPrivateKey(await generateKeyPair('secp256k1')))
  const cases: Array<[RefusalReason, Partial<Envelope>]> = [
    ['bad-request', { recipient: rand(34) }],
    ['bad-request', { recipient: bob.bytes.subarray(0, 20) }],
    ['bad-request', { recipient: secp }], // only Ed25519 PeerIds are Cairn users
    ['bad-request', { id: rand(15) }],
    ['bad-request', { id: rand(17) }],
    ['bad-request', { version: 1 }], // ids were random then
    ['bad-request', { version: 3 }],
    ['bad-request', { id: rand(16) }], // an id that does not name these bytes
    ['bad-request', { sealed: new Uint8Array(0) }],
    ['too-large', { sealed: rand(64 * 1024 + 1) }],
    ['expired', { expiresAt: now }],
    ['expired', { expiresAt: now - 1 }]
  ]
  for (const [reason, o] of cases) {
    await assert.rejects(box.mailbox.deposit(envelope(bob.bytes, now, o), now), refused(reason), `${reason}: ${Object.keys(o).join()}`)
  }
  assert.deepEqual(await box.mailbox.totals(), { count: 0, bytes: 0, recipients: 0 })
  assert.equal(await box.mailbox.deposit(envelope(bob.bytes, now, { sealed: rand(64 * 1024) }), now), 'stored', 'exactly the limit is fine')
})

test('an expiry beyond now + ttl is capped, so a sender cannot pin mail here for longer', async (t) => {
  const box = await openBox(t, { ttlMs: 24 * HOUR })
  const bob = await recipient()
  const now = box.clock.now()
  const e = envelope(bob.bytes, now, { expiresAt: now + 365 * 24 * HOUR })
  await box.mailbox.deposit(e, now)
  assert.equal((await box.mailbox.get(bob.id, hex(e.id)))?.expiresAt, now + 24 * HOUR)
  box.clock.advance(24 * HOUR + 1)
  assert.equal((await box.mailbox.fetch(bob.id, undefined, 10, box.clock.now())).envelopes.length, 0)
  assert.deepEqual(await box.mailbox.sweep(box.clock.now()), { envelopes: 1, tombstones: 0 })
})

test('sweep drops expired envelopes and tombstones, corrects usage durably, and keeps what is live', async (t) => {
  const box = await openBox(t, { ttlMs: 24 * HOUR })
  const [bob, carol] = [await recipient(), await recipient()]
  const t0 = box.clock.now()
  const soon = envelope(bob.bytes, t0, { expiresAt: t0 + HOUR, sealed: rand(300) })
  const later = envelope(bob.bytes, t0, { expiresAt: t0 + 3 * HOUR, sealed: rand(700) })
  const carols = envelope(carol.bytes, t0, { expiresAt: t0 + HOUR })
  const acked = envelope(bob.bytes, t0, { expiresAt: t0 + HOUR })
  for (const e of [soon, later, carols, acked]) await box.mailbox.deposit(e, t0)
  await box.mailbox.ack(bob.id, await acks(bob, [acked]), t0) // tombstone lives as long as the envelope would have
  await box.mailbox.ack(bob.id, await acks(bob, [envelope(bob.bytes, t0)]), t0) // never held: tombstone for the full ttl
  assert.equal((await box.mailbox.tombstones(bob.id)).length, 2)

  assert.deepEqual(await box.mailbox.sweep(t0 + HOUR - 1), { envelopes: 0, tombstones: 0 }, 'nothing is due yet')
  box.clock.advance(2 * HOUR)
  assert.deepEqual(await box.mailbox.sweep(box.clock.now()), { envelopes: 2, tombstones: 1 })
  assert.deepEqual(await box.mailbox.ids(bob.id), [hex(later.id)])
  assert.deepEqual(await box.mailbox.ids(carol.id), [])
  assert.equal((await box.mailbox.tombstones(bob.id)).length, 1, 'the full-ttl tombstone stays')
  assert.deepEqual(box.mailbox.usageOf(bob.id), { count: 1, bytes: 700 })
  assert.deepEqual(box.mailbox.usageOf(carol.id), { count: 0, bytes: 0 })

  const again = await box.reopen()
  assert.deepEqual(again.usageOf(bob.id), { count: 1, bytes: 700 }, 'the corrected counters were written')
  assert.deepEqual(await again.recipients(), [bob.id])
  box.clock.advance(24 * HOUR)
  assert.deepEqual(await again.sweep(box.clock.now()), { envelopes: 1, tombstones: 1 })
  assert.deepEqual(await again.totals(), { count: 0, bytes: 0, recipients: 0 })
})

test('fetch pages through a mailbox in id order, says when more is waiting, and skips expired mail', async (t) => {
  const box = await openBox(t)
  const bob = await recipient()
  const now = box.clock.now()
  const live = Array.from({ length: 6 }, () => envelope(bob.bytes, now, { expiresAt: now + 2 * HOUR }))
  const stale = Array.from({ length: 3 }, () => envelope(bob.bytes, now, { expiresAt: now + HOUR }))
  for (const e of [...live, ...stale]) await box.mailbox.deposit(e, now)
  const carol = await recipient()
  assert.equal((await box.mailbox.fetch(carol.id, undefined, 5, now)).envelopes.length, 0, 'nothing leaks from another mailbox')
  box.clock.advance(HOUR) // the stale ones expire, unswept
  const expected = live.map(e => hex(e.id)).sort()

  const pages: Array<{ ids: string[], more: boolean }> = []
  let after: Uint8Array | undefined
  for (let i = 0; i < 5; i++) {
    const page = await box.mailbox.fetch(bob.id, after, 4, box.clock.now())
    pages.push({ ids: page.envelopes.map(e => hex(e.id)), more: page.more })
    if (!page.more) break
    after = page.envelopes.at(-1)?.id
  }
  assert.deepEqual(pages, [{ ids: expected.slice(0, 4), more: true }, { ids: expected.slice(4), more: false }])
  // exactly a page's worth left: no promise of more
  assert.equal((await box.mailbox.fetch(bob.id, undefined, 6, box.clock.now())).more, false)
  assert.equal((await box.mailbox.fetch(bob.id, undefined, 5, box.clock.now())).more, true)
})

test('pages fit a byte budget; ids-only pages carry no bodies; a fetch by ids keeps their order and skips what is gone', async (t) => {
  const box = await openBox(t)
  const bob = await recipient()
  const now = box.clock.now()
  const envs = Array.from({ length: 10 }, () => envelope(bob.bytes, now, { sealed: rand(10_000) }))
  for (const e of envs) await box.mailbox.deposit(e, now)
  const sorted = envs.map(e => hex(e.id)).sort()
  // 10 × 10 KB against a 35 KB budget: three a page, and always at least one however small the budget
  const first = await box.mailbox.fetch(bob.id, undefined, 100, now, { maxBytes: 35_000 })
  assert.deepEqual(first.envelopes.map(e => hex(e.id)), sorted.slice(0, 3))
  assert.equal(first.more, true)
  assert.equal((await box.mailbox.fetch(bob.id, undefined, 100, now, { maxBytes: 1 })).envelopes.length, 1)
  const ids = await box.mailbox.fetch(bob.id, undefined, 100, now, { maxBytes: 35_000, idsOnly: true })
  assert.deepEqual(ids.envelopes.map(e => hex(e.id)), sorted, 'ids alone fit the same budget')
  assert.ok(ids.envelopes.every(e => e.sealed.length === 0 && e.expiresAt === now + HOUR))
  assert.equal(ids.more, false)

  // by id: in the order asked, unknown and acknowledged ids left out, cut at the budget
  const [a, b, c] = envs as [Envelope, Envelope, Envelope]
  await box.mailbox.ack(bob.id, await acks(bob, [b]), now)
  const byId = await box.mailbox.fetchIds(bob.id, [c.id, rand(16), b.id, a.id], now)
  assert.deepEqual(byId.envelopes.map(e => hex(e.id)), [hex(c.id), hex(a.id)])
  assert.deepEqual(byId.envelopes.map(e => hex(e.sealed)), [hex(c.sealed), hex(a.sealed)])
  const cut = await box.mailbox.fetchIds(bob.id, [c.id, a.id], now, { maxBytes: 12_000 })
  assert.deepEqual([cut.envelopes.map(e => hex(e.id)), cut.more], [[hex(c.id)], true])
  assert.equal((await box.mailbox.fetchIds((await recipient()).id, [c.id], now)).envelopes.length, 0, 'only the named mailbox')
  box.clock.advance(HOUR)
  assert.equal((await box.mailbox.fetchIds(bob.id, [c.id], box.clock.now())).envelopes.length, 0, 'expired mail is not handed out')
})

/** A real identity (libsignal keys, signed certificate) whose bundles carry real one-time prekeys. */
async function bundleSource (t: TestContext, clock: ManualClock): Promise<CairnClient> {
  const root = await tempRoot(t, 'cairn-mbx-bundle-')
  const config = testConfig(join(root, 'bob'))
  await CairnClient.init(config, clock)
  const client = await CairnClient.open({ config, log: silentLogger(), clock, network: false })
  t.after(async () => { await client.stop() })
  return client
}

test('takeBundle hands out each one-time prekey at most once, then the bundle without them', async (t) => {
  const box = await openBox(t)
  const bob = await bundleSource(t, box.clock)
  const r = bob.identity.peerId.toString()
  assert.equal(await box.mailbox.takeBundle(r), undefined)
  const bundle = await bob.messenger.bundleShare({ preKeys: 3, kyberPreKeys: 2 })
  assert.equal(await box.mailbox.putBundle(r, bundle), 'stored')

  const taken = []
  for (let i = 0; i < 5; i++) taken.push(await box.mailbox.takeBundle(r))
  assert.deepEqual(taken.map(b => [b?.preKeys.length, b?.kyberPreKeys.length]), [[1, 1], [1, 1], [1, 0], [0, 0], [0, 0]])
  assert.deepEqual(taken.flatMap(b => b?.preKeys.map(k => k.id) ?? []), bundle.preKeys.map(k => k.id), 'each prekey once, in order')
  assert.deepEqual(taken.flatMap(b => b?.kyberPreKeys.map(k => k.id) ?? []), bundle.kyberPreKeys.map(k => k.id))
  // the last-resort path: signed prekey and last-resort Kyber key still verify and still start sessions
  for (const b of taken.slice(3)) {
    assert.ok(b !== undefined)
    assert.equal((await verifyBundle(b, bob.identity.peerId)).peerId.toString(), r)
    assert.equal(hex(b.lastResortKyberPreKey?.publicKey ?? new Uint8Array()), hex(bundle.lastResortKyberPreKey?.publicKey ?? new Uint8Array()))
  }
  const stored = await (await box.reopen()).getBundle(r)
  assert.deepEqual([stored?.preKeys.length, stored?.kyberPreKeys.length], [0, 0], 'the handed-out keys are gone for good')
})

test('putBundle: the owner\'s own publication always replaces what is held, whatever its date', async (t) => {
  const box = await openBox(t)
  const bob = await bundleSource(t, box.clock)
  const r = bob.identity.peerId.toString()
  const older = await bob.messenger.bundleShare({ preKeys: 2, kyberPreKeys: 1 })
  box.clock.advance(60_000)
  const newer = await bob.messenger.bundleShare({ preKeys: 2, kyberPreKeys: 1 })
  assert.ok(newer.publishedAt > older.publishedAt)

  assert.equal(await box.mailbox.putBundle(r, newer), 'stored')
  assert.deepEqual((await box.mailbox.takeBundle(r))?.preKeys.map(k => k.id), [newer.preKeys[0]?.id])
  // the owner's authenticated word is the latest, even dated earlier: nothing a holder hands
  // over (a bundle dated far ahead, say) can keep the owner from publishing
  assert.equal(await box.mailbox.putBundle(r, older), 'stored')
  assert.equal((await box.mailbox.getBundle(r))?.publishedAt, older.publishedAt)

  box.clock.advance(60_000)
  const newest = await bob.messenger.bundleShare({ preKeys: 2, kyberPreKeys: 1 })
  assert.equal(await box.mailbox.putBundle(r, newest), 'stored', 'a newer bundle replaces it, with a fresh share of prekeys')
  assert.deepEqual((await box.mailbox.getBundle(r))?.preKeys.map(k => k.id), newest.preKeys.map(k => k.id))
})

test('a handed-over bundle is merged: a newer one keeps this replica\'s one-time prekeys, an older or equal one changes nothing', async (t) => {
  const box = await openBox(t)
  const bob = await bundleSource(t, box.clock)
  const r = bob.identity.peerId.toString()
  const stripped = (b: PreKeyBundle): PreKeyBundle => ({ ...b, preKeys: [], kyberPreKeys: [] }) // as handover sends it
  const keyIds = (b: PreKeyBundle | undefined): number[][] => [b?.preKeys.map(k => k.id) ?? [], b?.kyberPreKeys.map(k => k.id) ?? []]
  const mine = await bob.messenger.bundleShare({ preKeys: 3, kyberPreKeys: 2 })
  assert.equal(await box.mailbox.mergeBundle(r, stripped(mine)), 'stored', 'nothing held yet: stored, with no one-time prekeys')
  assert.deepEqual(keyIds(await box.mailbox.getBundle(r)), [[], []])
  assert.equal(await box.mailbox.putBundle(r, mine), 'stored', 'the owner\'s own bundle of the same age replaces it')
  assert.equal(await box.mailbox.mergeBundle(r, stripped(mine)), 'older', 'an equal one changes nothing')
  assert.deepEqual(keyIds(await box.mailbox.getBundle(r)), keyIds(mine))

  box.clock.advance(60_000)
  const other = await bob.messenger.bundleShare({ preKeys: 3, kyberPreKeys: 2 }) // another replica's share
  assert.equal(await box.mailbox.mergeBundle(r, stripped(other)), 'merged')
  const merged = await box.mailbox.getBundle(r)
  assert.ok(merged !== undefined)
  assert.equal(merged.publishedAt, other.publishedAt)
  assert.equal(hex(merged.signedPreKey?.publicKey ?? new Uint8Array()), hex(other.signedPreKey?.publicKey ?? new Uint8Array()), 'the newer signed prekey is taken')
  assert.deepEqual(keyIds(merged), keyIds(mine), 'this replica\'s one-time prekeys stay')
  assert.equal((await verifyBundle(merged, bob.identity.peerId)).peerId.toString(), r, 'and the merged bundle verifies')
  assert.equal(await box.mailbox.mergeBundle(r, stripped(mine)), 'older', 'an older one changes nothing')
  assert.equal((await box.mailbox.getBundle(r))?.publishedAt, other.publishedAt)
  assert.deepEqual(keyIds(await box.mailbox.takeBundle(r)), [[mine.preKeys[0]?.id], [mine.kyberPreKeys[0]?.id]])

  box.clock.advance(60_000)
  const fresh = await bob.messenger.bundleShare({ preKeys: 2, kyberPreKeys: 1 })
  assert.equal(await box.mailbox.putBundle(r, fresh), 'stored')
  assert.deepEqual(keyIds(await (await box.reopen()).getBundle(r)), keyIds(fresh), 'the owner\'s putBundle still replaces, one-time prekeys and all')
})
