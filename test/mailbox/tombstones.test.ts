/**
 * Acknowledgements and tombstones in MailboxStore (a real LevelDB in a temp dir, time from a
 * ManualClock): an ack deletes only with the owner's signature, the tombstone it leaves keeps that
 * signature (so other holders can check it when it is handed over), and a copy arriving at the
 * same moment or after the ack is a duplicate. Forged, misdirected and expired tombstones delete
 * nothing; expired ones are swept at the same instant fetch stops showing the mail.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import type { Envelope } from '../../proto/cairn.js'
import { ackSigner, signAck, verifyAck } from '../../src/shared/ack-signature.js'
import { openBox, recipient, type Recipient } from '../helpers/mailbox-box.js'
import { boundEnvelope } from '../helpers/envelopes.js'

const HOUR = 3600_000
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const rand = (n: number): Uint8Array<ArrayBuffer> => new Uint8Array(randomBytes(n))
/** Mail here lives a day, so tombstone expiries are easy to read. */
const DAY_TTL = { ttlMs: 24 * HOUR }

function envelope (to: Uint8Array<ArrayBuffer>, now: number, o: Partial<Envelope> = {}): Envelope {
  return boundEnvelope({ recipient: to, sealed: rand(500), createdAt: now, expiresAt: now + HOUR, ...o })
}

/** What the owner's client sends: each id signed with its PeerId key. */
async function acks (owner: Recipient, ids: Uint8Array[]): Promise<Array<{ id: string, signature: Uint8Array }>> {
  return Promise.all(ids.map(async id => ({ id: hex(id), signature: await signAck(owner.key, owner.peer, id) })))
}

test('a second copy, or a copy arriving after the ack, is a duplicate and is not stored again', async (t) => {
  const box = await openBox(t, DAY_TTL)
  const bob = await recipient()
  const now = box.clock.now()
  const e = envelope(bob.bytes, now)
  assert.equal(await box.mailbox.deposit(e, now), 'stored')
  assert.equal(await box.mailbox.deposit(e, now), 'duplicate')
  assert.deepEqual(box.mailbox.usageOf(bob.id), { count: 1, bytes: 500 })

  assert.deepEqual(await box.mailbox.ack(bob.id, await acks(bob, [e.id]), now), { removed: 1, refused: 0 })
  assert.deepEqual(box.mailbox.usageOf(bob.id), { count: 0, bytes: 0 })
  // a late handover copy of acked mail must not be delivered twice
  assert.equal(await box.mailbox.deposit(e, now), 'duplicate')
  assert.deepEqual(await box.mailbox.ids(bob.id), [])
  // an ack for an id never held here still leaves a tombstone, so the copy is refused when it comes
  const late = envelope(bob.bytes, now)
  assert.deepEqual(await box.mailbox.ack(bob.id, await acks(bob, [late.id]), now), { removed: 0, refused: 0 })
  assert.equal(await box.mailbox.deposit(late, now), 'duplicate')
  assert.deepEqual(box.mailbox.usageOf(bob.id), { count: 0, bytes: 0 })
  // tombstones are per recipient: the same bytes for someone else are new mail (under their own id;
  // ids are bound to the recipient, so the acked id itself cannot be reused for carol)
  const carol = await recipient()
  await assert.rejects(box.mailbox.deposit({ ...late, recipient: carol.bytes }, now), /does not match its content/)
  assert.equal(await box.mailbox.deposit(boundEnvelope({ ...late, recipient: carol.bytes, id: undefined }), now), 'stored')
})

test('two copies of one envelope deposited at the same moment count once', async (t) => {
  const box = await openBox(t, DAY_TTL)
  const bob = await recipient()
  const now = box.clock.now()
  const e = envelope(bob.bytes, now)
  // e.g. the sender's deposit and a holder's handover copy landing together
  const results = await Promise.all([box.mailbox.deposit(e, now), box.mailbox.deposit(e, now)])
  assert.deepEqual([...results].sort(), ['duplicate', 'stored'])
  assert.deepEqual(box.mailbox.usageOf(bob.id), { count: 1, bytes: 500 }, 'charged once')
  assert.deepEqual(await box.mailbox.ack(bob.id, await acks(bob, [e.id]), now), { removed: 1, refused: 0 })
  assert.deepEqual(box.mailbox.usageOf(bob.id), { count: 0, bytes: 0 }, 'no phantom usage is left behind after the ack')
  // once the first write has landed, a third copy is an ordinary duplicate of the tombstone
  assert.equal(await box.mailbox.deposit(e, now), 'duplicate')
})

test('one envelope acked, discarded and swept at the same moment is removed once: usage stays right', async (t) => {
  const box = await openBox(t, DAY_TTL)
  const bob = await recipient()
  const now = box.clock.now()
  const [e, f, g] = [envelope(bob.bytes, now), envelope(bob.bytes, now), envelope(bob.bytes, now, { expiresAt: now + 2 * HOUR })]
  for (const x of [e, f, g]) await box.mailbox.deposit(x, now)
  // bob's ack, a handed-over tombstone and bob's discard of a copy that would not open, together
  const signed = await acks(bob, [e.id, f.id])
  box.clock.advance(HOUR) // e and f expire now too
  const later = box.clock.now()
  await Promise.all([box.mailbox.ack(bob.id, signed, later), box.mailbox.applyTombstones(bob.id, signed.map(a => ({ ...a, expiresAt: later + HOUR })), later), box.mailbox.discard(bob.id, [hex(e.id), hex(f.id)]), box.mailbox.sweep(later)])
  assert.deepEqual(box.mailbox.usageOf(bob.id), { count: 1, bytes: 500 }, 'only g is left, and counted once')
  assert.deepEqual((await box.mailbox.fetch(bob.id, undefined, 10, later)).envelopes.map(x => hex(x.id)), [hex(g.id)])
})

test('an ack deletes only with the owner\'s signature over that id and that mailbox; forgeries are counted and ignored', async (t) => {
  const box = await openBox(t, DAY_TTL)
  const [bob, carol] = [await recipient(), await recipient()]
  const now = box.clock.now()
  const [e1, e2, e3] = [0, 1, 2].map(() => envelope(bob.bytes, now)) as [Envelope, Envelope, Envelope]
  for (const e of [e1, e2, e3]) await box.mailbox.deposit(e, now)
  const before = { ids: await box.mailbox.ids(bob.id), usage: box.mailbox.usageOf(bob.id) }
  const good = await acks(bob, [e1.id])
  const sig = (good[0] as { signature: Uint8Array }).signature
  const forged: Array<[string, { id: string, signature: Uint8Array }]> = [
    ['unsigned', { id: hex(e1.id), signature: new Uint8Array() }],
    ['random bytes', { id: hex(e1.id), signature: rand(64) }],
    ['one bit off', { id: hex(e1.id), signature: sig.map((b, i) => i === 5 ? b ^ 1 : b) }],
    ['truncated', { id: hex(e1.id), signature: sig.subarray(0, 63) }],
    ['signed by someone else', { id: hex(e1.id), signature: await signAck(carol.key, bob.peer, e1.id) }],
    ['Bob\'s signature for another mailbox', { id: hex(e1.id), signature: await signAck(bob.key, carol.peer, e1.id) }],
    ['Bob\'s signature for another id', { id: hex(e2.id), signature: sig }],
    ['not an id', { id: 'not-hex', signature: sig }],
    ['short id', { id: hex(e1.id).slice(2), signature: sig }]
  ]
  for (const [what, entry] of forged) {
    assert.deepEqual(await box.mailbox.ack(bob.id, [entry], now), { removed: 0, refused: 1 }, what)
  }
  assert.deepEqual({ ids: await box.mailbox.ids(bob.id), usage: box.mailbox.usageOf(bob.id) }, before, 'nothing deleted')
  assert.deepEqual(await box.mailbox.tombstones(bob.id), [], 'and no tombstone left to block a copy')
  assert.equal(await box.mailbox.deposit(e1, now), 'duplicate', 'e1 is still held')

  // a mixed batch: the genuine entries count (once each), the forged ones do not
  const mixed = [...good, ...good, { id: hex(e2.id), signature: rand(64) }, ...await acks(carol, [e3.id])]
  assert.deepEqual(await box.mailbox.ack(bob.id, mixed, now), { removed: 1, refused: 2 })
  assert.deepEqual((await box.mailbox.ids(bob.id)).sort(), [hex(e2.id), hex(e3.id)].sort())
  assert.deepEqual(box.mailbox.usageOf(bob.id), { count: 2, bytes: 1000 })
  // Carol's genuine signature counts in Carol's mailbox only
  assert.deepEqual(await box.mailbox.ack(carol.id, await acks(carol, [e3.id]), now), { removed: 0, refused: 0 })
  assert.notEqual(await box.mailbox.get(bob.id, hex(e3.id)), undefined)
})

test('tombstones keep the owner\'s signature, across a restart, so any holder can check them', async (t) => {
  const box = await openBox(t, DAY_TTL)
  const bob = await recipient()
  const t0 = box.clock.now()
  const held = envelope(bob.bytes, t0, { expiresAt: t0 + 2 * HOUR })
  const never = rand(16)
  await box.mailbox.deposit(held, t0)
  await box.mailbox.ack(bob.id, await acks(bob, [held.id, never]), t0)
  const expect = new Map([[hex(held.id), t0 + 2 * HOUR], [hex(never), t0 + 24 * HOUR]]) // as long as the mail would have lived, else the ttl
  for (const open of [() => box.mailbox, box.reopen]) {
    const tombs = await (await open()).tombstones(bob.id)
    assert.deepEqual(new Map(tombs.map(tb => [tb.id, tb.expiresAt])), expect)
    for (const tb of tombs) assert.equal(await verifyAck(bob.peer, Buffer.from(tb.id, 'hex'), tb.signature), true, tb.id)
  }
  // acking again changes nothing and keeps the first tombstone
  assert.deepEqual(await box.mailbox.ack(bob.id, await acks(bob, [held.id]), t0 + HOUR), { removed: 0, refused: 0 })
  assert.equal((await box.mailbox.tombstones(bob.id)).find(tb => tb.id === hex(held.id))?.expiresAt, t0 + 2 * HOUR)
})

test('tombstones handed over from another holder: genuine ones delete, forged, misdirected and expired ones do not', async (t) => {
  const [here, there] = [await openBox(t, DAY_TTL), await openBox(t, DAY_TTL)]
  const [bob, carol] = [await recipient(), await recipient()]
  const now = here.clock.now()
  const mail = [0, 1, 2, 3].map(() => envelope(bob.bytes, now)) as [Envelope, Envelope, Envelope, Envelope]
  for (const e of mail) { await here.mailbox.deposit(e, now); await there.mailbox.deposit(e, now) }
  // Bob collects from `there` and acks the first two; its tombstones are what handover would offer
  await there.mailbox.ack(bob.id, await acks(bob, [mail[0].id, mail[1].id]), now)
  const genuine = await there.mailbox.tombstones(bob.id)
  assert.equal(genuine.length, 2)

  const tomb = (e: Envelope, signature: Uint8Array, expiresAt = now + HOUR): { id: string, expiresAt: number, signature: Uint8Array } => ({ id: hex(e.id), expiresAt, signature })
  const forged = [
    tomb(mail[2], new Uint8Array()),
    tomb(mail[2], rand(64)),
    tomb(mail[2], (genuine[0] as { signature: Uint8Array }).signature), // a real signature, for another id
    tomb(mail[3], await signAck(carol.key, carol.peer, mail[3].id)) // a real signature, by someone else
  ]
  assert.equal(await here.mailbox.applyTombstones(bob.id, forged, now), 0)
  assert.equal(await here.mailbox.applyTombstones(carol.id, genuine, now), 0, 'Bob\'s tombstones do not apply to Carol\'s mailbox')
  const expired = genuine.map(tb => ({ ...tb, expiresAt: now }))
  assert.equal(await here.mailbox.applyTombstones(bob.id, expired, now), 0, 'a tombstone expiring now is dead')
  assert.equal((await here.mailbox.ids(bob.id)).length, 4)
  assert.deepEqual(await here.mailbox.tombstones(bob.id), [])

  assert.equal(await here.mailbox.applyTombstones(bob.id, [...genuine, ...forged], now), 2)
  assert.deepEqual((await here.mailbox.ids(bob.id)).sort(), [hex(mail[2].id), hex(mail[3].id)].sort())
  assert.deepEqual(here.mailbox.usageOf(bob.id), { count: 2, bytes: 1000 })
  assert.deepEqual((await here.mailbox.tombstones(bob.id)).map(tb => tb.id).sort(), genuine.map(tb => tb.id).sort(), 'only the genuine ones are kept, to pass on')
  assert.equal(await here.mailbox.deposit(mail[0], now), 'duplicate', 'a late copy of acked mail is refused here too')
  assert.equal(await here.mailbox.applyTombstones(bob.id, genuine, now), 0, 'applying again removes nothing more')
  // handover re-offers every tombstone each pass: one already held is skipped before its
  // signature is checked, so even a forged copy of it changes nothing
  const before = await here.mailbox.tombstones(bob.id)
  const refakes = genuine.map(tb => ({ ...tb, signature: rand(64), expiresAt: now + 5 * HOUR }))
  assert.deepEqual(await here.mailbox.ack(bob.id, refakes, now), { removed: 0, refused: 0 })
  assert.deepEqual(await here.mailbox.tombstones(bob.id), before, 'the held tombstones keep their signature and expiry')
})

test('sweep and fetch share one boundary: what expires exactly now is neither fetched nor kept', async (t) => {
  const box = await openBox(t, DAY_TTL)
  const bob = await recipient()
  const t0 = box.clock.now()
  const [e, acked] = [envelope(bob.bytes, t0), envelope(bob.bytes, t0)] // both expire at t0 + HOUR
  for (const x of [e, acked]) await box.mailbox.deposit(x, t0)
  await box.mailbox.ack(bob.id, await acks(bob, [acked.id]), t0)
  assert.equal((await box.mailbox.fetch(bob.id, undefined, 10, t0 + HOUR - 1)).envelopes.length, 1)
  assert.deepEqual(await box.mailbox.sweep(t0 + HOUR - 1), { envelopes: 0, tombstones: 0 })
  assert.equal((await box.mailbox.fetch(bob.id, undefined, 10, t0 + HOUR)).envelopes.length, 0)
  assert.deepEqual(await box.mailbox.sweep(t0 + HOUR), { envelopes: 1, tombstones: 1 }, 'the envelope and the tombstone go at the same instant')
  assert.deepEqual(await box.mailbox.totals(), { count: 0, bytes: 0, recipients: 0 })
  assert.deepEqual(await box.mailbox.tombstones(bob.id), [])
})

test('a handed-over tombstone keeps the expiry it came with, so holders cannot renew it for each other forever', async (t) => {
  const [a, b] = [await openBox(t, DAY_TTL), await openBox(t, DAY_TTL)]
  const bob = await recipient()
  const t0 = a.clock.now()
  await a.mailbox.ack(bob.id, await acks(bob, [rand(16)]), t0) // never held: lives until t0 + ttl
  const [tomb] = await a.mailbox.tombstones(bob.id)
  assert.ok(tomb !== undefined)
  assert.equal(tomb.expiresAt, t0 + 24 * HOUR)
  // an hour later it is handed over to a holder that never had the envelope either
  assert.equal(await b.mailbox.applyTombstones(bob.id, [tomb], t0 + HOUR), 0)
  assert.deepEqual((await b.mailbox.tombstones(bob.id)).map(x => x.expiresAt), [t0 + 24 * HOUR])
})

test('a collect\'s ack signer (one key object for every id) signs exactly what signAck signs, and only for its owner', async () => {
  const owner = await recipient()
  const other = await recipient()
  const sign = ackSigner(owner.key, owner.peer)
  for (const id of [rand(16), rand(16), rand(16)]) {
    const signature = await sign(id)
    assert.deepEqual(signature, await signAck(owner.key, owner.peer, id), 'Ed25519 is deterministic: the same bytes')
    assert.equal(await verifyAck(owner.peer, id, signature), true)
    assert.equal(await verifyAck(other.peer, id, signature), false, 'not a tombstone of anyone else\'s')
    assert.equal(await verifyAck(owner.peer, rand(16), signature), false, 'nor of another id')
  }
})
