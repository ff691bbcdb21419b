/**
 * Handover by set reconciliation between two MailboxStores, each round encoded and decoded as on
 * the wire (so bytes are real) and answered by answerReconcile, with what Handover then does (the
 * signed tombstones the replica lacks by Offer, the envelopes it wants by handover) done directly.
 * Replicas in sync cost one small round; replicas that differ converge exactly, both ways; a
 * garbled answer or request deletes nothing and cannot make the walk run on.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test, type TestContext } from 'node:test'
import { MailboxRequest, MailboxResponse, MailboxStatus, type Envelope } from '../../proto/cairn.js'
import { MailboxRefusal, type MailboxStore } from '../../src/mailbox/index.js'
import { answerReconcile } from '../../src/mailbox/reconcile-answer.js'
import { MAX_ROUNDS, reconcile, type ReconcileOutcome } from '../../src/mailbox/reconcile-offer.js'
import { signAck } from '../../src/shared/ack-signature.js'
import { boundEnvelope } from '../helpers/envelopes.js'
import { openBox, recipient, type Recipient } from '../helpers/mailbox-box.js'

const HOUR = 3600_000
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const LARGE = { maxEnvelopesPerRecipient: 100_000, maxBytesPerRecipient: 1 << 30, maxTotalBytes: 1 << 30 }

interface Side { store: MailboxStore, now: () => number }
interface Pass { outcome: ReconcileOutcome, sent: number, received: number }

async function side (t: TestContext): Promise<Side> {
  const box = await openBox(t, LARGE)
  return { store: box.mailbox, now: () => box.clock.now() }
}

function envelopes (to: Recipient, n: number, now: number): Envelope[] {
  return Array.from({ length: n }, () => boundEnvelope({ recipient: to.bytes, sealed: new Uint8Array(randomBytes(32)), createdAt: now, expiresAt: now + HOUR }))
}

async function deposit (s: Side, envs: Envelope[]): Promise<void> {
  for (let i = 0; i < envs.length; i += 500) await Promise.all(envs.slice(i, i + 500).map(async e => s.store.deposit(e, s.now())))
}

/** The owner acks `ids` at `s` (held there or not: a tombstone is left either way). */
async function ack (s: Side, to: Recipient, ids: Uint8Array[]): Promise<void> {
  const signed = await Promise.all(ids.map(async id => ({ id: hex(id), signature: await signAck(to.key, to.peer, id) })))
  await s.store.ack(to.id, signed, s.now())
}

/** One handover pass from `a` to `b` for `to`, as Handover.reconcileWith runs it. */
async function pass (a: Side, b: Side, to: Recipient, answer = async (req: MailboxRequest) => answerReconcile(b.store, to.id, req.reconcile as NonNullable<MailboxRequest['reconcile']>, b.now())): Promise<Pass> {
  let sent = 0
  let received = 0
  const outcome = await reconcile({
    store: a.store,
    recipient: to.id,
    recipientBytes: to.bytes,
    bundlePublishedAt: 0,
    now: a.now,
    ask: async (req) => {
      const wire = MailboxRequest.encode(req)
      sent += wire.length
      const res = MailboxResponse.encode(await answer(MailboxRequest.decode(wire)))
      received += res.length
      return MailboxResponse.decode(res)
    }
  })
  assert.equal(typeof outcome, 'object', `the replica reconciled (${String(outcome)})`)
  const o = outcome as ReconcileOutcome
  await b.store.applyTombstones(to.id, await a.store.tombstonesOf(to.id, o.wantTombstones), b.now())
  for (const id of o.wanted) {
    const env = await a.store.get(to.id, id)
    if (env !== undefined) await b.store.deposit(env, b.now())
  }
  return { outcome: o, sent, received }
}

async function same (a: Side, b: Side, to: Recipient): Promise<void> {
  const [x, y] = [await a.store.heldIds(to.id), await b.store.heldIds(to.id)]
  assert.equal(x.ids.count, y.ids.count, 'envelope counts')
  assert.ok(x.ids.bytes.equals(y.ids.bytes), 'the same envelope ids')
  assert.equal(x.tombstones.count, y.tombstones.count, 'tombstone counts')
  assert.ok(x.tombstones.bytes.equals(y.tombstones.bytes), 'the same tombstone ids')
}

/** Two replicas holding the same `n` envelopes and `n` tombstones for one recipient. */
async function inSync (t: TestContext, n: number): Promise<{ a: Side, b: Side, to: Recipient }> {
  const to = await recipient()
  const [a, b] = [await side(t), await side(t)]
  const held = envelopes(to, n, a.now())
  const acked = envelopes(to, n, a.now()).map(e => e.id)
  for (const s of [a, b]) { await deposit(s, held); await ack(s, to, acked) }
  return { a, b, to }
}

test('replicas in sync with 5,000 envelopes and 5,000 tombstones settle in one round of a few bytes', async (t) => {
  const { a, b, to } = await inSync(t, 5000)
  const p = await pass(a, b, to)
  assert.equal(p.outcome.rounds, 1)
  assert.deepEqual([p.outcome.wanted, p.outcome.wantTombstones, p.outcome.changed], [[], [], false])
  assert.ok(p.sent < 200, `request ${p.sent} B`)
  assert.ok(p.received < 50, `answer ${p.received} B`)
  // what the offer by list would have sent: 5,000 ids and 5,000 signed tombstones
  assert.ok(p.sent * 100 < 5000 * 18 + 5000 * 95, 'well under a hundredth of the id list')
})

test('replicas a few envelopes and tombstones apart, in many ranges, converge exactly both ways', async (t) => {
  const { a, b, to } = await inSync(t, 3000)
  const onlyA = envelopes(to, 25, a.now())
  const onlyB = envelopes(to, 25, b.now())
  await deposit(a, onlyA)
  await deposit(b, onlyB)
  // acked at one replica only: some the other still holds a copy of, some it never had
  await ack(a, to, [...onlyB.slice(0, 5).map(e => e.id), ...envelopes(to, 10, a.now()).map(e => e.id)])
  await ack(b, to, [...onlyA.slice(0, 5).map(e => e.id), ...envelopes(to, 10, b.now()).map(e => e.id)])
  const ab = await pass(a, b, to)
  const ba = await pass(b, a, to)
  await same(a, b, to)
  // ~80 differences among 6,000 ids touch most of the 256 third-level ranges: those are listed, ~1,000 ids a round
  for (const p of [ab, ba]) assert.ok(p.outcome.rounds <= 12, `${p.outcome.rounds} rounds`)
  const ids = new Set((await a.store.ids(to.id)))
  for (const e of [...onlyA.slice(0, 5), ...onlyB.slice(0, 5)]) assert.ok(!ids.has(hex(e.id)), 'acked envelopes are gone everywhere')
  for (const e of [...onlyA.slice(5), ...onlyB.slice(5)]) assert.ok(ids.has(hex(e.id)), 'the rest is everywhere')
  // and then they are in sync: one round each way
  assert.equal((await pass(a, b, to)).outcome.rounds, 1)
  assert.equal((await pass(b, a, to)).outcome.rounds, 1)
})

test('an empty replica gets everything: envelopes and signed tombstones', async (t) => {
  const { a, to } = await inSync(t, 1500)
  const b = await side(t)
  await pass(a, b, to)
  await same(a, b, to)
})

test('a garbled answer deletes nothing and cannot keep the walk going', async (t) => {
  const { a, b, to } = await inSync(t, 2000)
  const before = await a.store.heldIds(to.id)
  const forged = { id: new Uint8Array(randomBytes(16)), expiresAt: a.now() + HOUR, signature: new Uint8Array(randomBytes(64)) }
  const held = (await a.store.ids(to.id)).slice(0, 20).map(id => ({ ...forged, id: Buffer.from(id, 'hex') }))
  let answers = 0
  // every range differs, always, plus ranges never asked about, and unsigned tombstones for held ids
  const p = await pass(a, b, to, async (req) => {
    answers++
    const asked = req.reconcile?.ranges ?? []
    const bogus = { lower: new Uint8Array(randomBytes(16)), upper: new Uint8Array(), idsCount: 9, idsFingerprint: new Uint8Array(16), tombstonesCount: 0, tombstonesFingerprint: new Uint8Array(), listed: false, ids: [], tombstoneIds: [] }
    return { status: MailboxStatus.MAILBOX_OK, wanted: [], tombstones: [forged, ...held], reconcile: { differ: [...asked, bogus].slice(0, 128), wantTombstones: [], wantBundle: false } }
  })
  assert.ok(answers <= MAX_ROUNDS && answers === p.outcome.rounds)
  // every range is split until it is a list here: about (4,000 / 64) × 16 ranges, up to 128 a round
  assert.ok(answers < 40, `${answers} rounds`)
  const after = await a.store.heldIds(to.id)
  assert.ok(before.ids.bytes.equals(after.ids.bytes) && before.tombstones.bytes.equals(after.tombstones.bytes), 'nothing deleted, nothing added')
})

test('a garbled round is refused or answered without deleting anything', async (t) => {
  const { b, to } = await inSync(t, 200)
  const before = await b.store.heldIds(to.id)
  const range = (o: Partial<NonNullable<MailboxRequest['reconcile']>['ranges'][number]>): NonNullable<MailboxRequest['reconcile']>['ranges'][number] =>
    ({ lower: new Uint8Array(16), upper: new Uint8Array(), idsCount: 0, idsFingerprint: new Uint8Array(), tombstonesCount: 0, tombstonesFingerprint: new Uint8Array(), listed: false, ids: [], tombstoneIds: [], ...o })
  const ask = async (ranges: Array<ReturnType<typeof range>>): Promise<unknown> => answerReconcile(b.store, to.id, { recipient: to.bytes, ranges, bundlePublishedAt: 0 }, b.now())
  const badRequest = (err: unknown): boolean => err instanceof MailboxRefusal && err.reason === 'bad-request'
  await assert.rejects(ask([range({ lower: new Uint8Array(3) })]), badRequest)
  await assert.rejects(ask([range({ lower: Buffer.alloc(16, 0xff), upper: Buffer.alloc(16, 1) })]), badRequest, 'upper below lower')
  await assert.rejects(ask([range({ upper: Buffer.alloc(16, 0x10), listed: true, ids: [Buffer.alloc(16, 0x20)] })]), badRequest, 'a listed id outside its range')
  await assert.rejects(ask([range({}), range({ listed: true })]), badRequest, 'overlapping ranges')
  // wrong fingerprints and an empty list where much is held: answered, nothing deleted
  const half = Buffer.alloc(16)
  half[0] = 0x80
  const wrong = await ask([range({ upper: half, idsCount: 200, idsFingerprint: new Uint8Array(16) }), range({ lower: half, listed: true })]) as MailboxResponse
  assert.equal(wrong.reconcile?.differ.length, 1)
  const upperHalf = before.tombstones.count - before.tombstones.lowerBound(half)
  assert.ok(upperHalf > 0 && wrong.tombstones.length === upperHalf, 'an empty list is answered with the (signed) tombstones held there')
  // more ranges than a round may carry do not decode
  const tooMany = MailboxRequest.encode({ version: 1, reconcile: { recipient: to.bytes, ranges: Array.from({ length: 129 }, () => range({})), bundlePublishedAt: 0 } })
  assert.throws(() => MailboxRequest.decode(tooMany))
  const after = await b.store.heldIds(to.id)
  assert.ok(before.ids.bytes.equals(after.ids.bytes) && before.tombstones.bytes.equals(after.tombstones.bytes))
})

test('a replica that predates reconciliation answers MAILBOX_BAD_REQUEST: the offerer falls back to the offer by list', async (t) => {
  const a = await side(t)
  const to = await recipient()
  await deposit(a, envelopes(to, 3, a.now()))
  const outcome = await reconcile({
    store: a.store, recipient: to.id, recipientBytes: to.bytes, bundlePublishedAt: 0, now: a.now,
    ask: async () => ({ status: MailboxStatus.MAILBOX_BAD_REQUEST, detail: 'empty request', envelopes: [], more: false, wanted: [], tombstones: [], deposited: [] })
  })
  assert.equal(outcome, 'unsupported')
  await assert.rejects(reconcile({
    store: a.store, recipient: to.id, recipientBytes: to.bytes, bundlePublishedAt: 0, now: a.now,
    ask: async () => ({ status: MailboxStatus.MAILBOX_RATE_LIMITED, detail: 'slow down', envelopes: [], more: false, wanted: [], tombstones: [], deposited: [] })
  }), /RATE_LIMITED/, 'a refusal is not mistaken for an old node')
})
