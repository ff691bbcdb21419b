/**
 * Group messages parked until the membership they name arrives (parking.ts): they expire with the
 * mail TTL at the periodic pass, leaving the reader a gap; a younger one stays and is shown when
 * its change arrives; and a hostile member cannot fill the parking for the others.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { Envelope } from '../../../proto/cairn.js'
import { listLostSeqs, listParked, type ParkedMessage } from '../../../src/client/groups/group-store.js'
import { MARK_MARGIN_MS } from '../../../src/client/groups/group-service.js'
import { MAX_PARKED_PER_GROUP, MAX_PARKED_PER_SENDER, Parking } from '../../../src/client/groups/parking.js'
import { systemClock, type Clock } from '../../../src/shared/clock.js'
import { silentLogger } from '../../../src/shared/logger.js'
import { Store } from '../../../src/shared/store.js'
import { captureDeliveries } from '../../helpers/groups.js'
import { befriend, makeUser, tempRoot, type TestUser } from '../../helpers/users.js'

const DAY = 24 * 3600_000

test('a parked message older than the mail TTL (and a day) goes at the pass and leaves a gap; a younger one stays and is shown when its change arrives', async (t) => {
  const root = await tempRoot(t)
  // one clock for all three, moved forward by hand: envelopes sent later carry later expiries
  let offset = 0
  const clock: Clock = { ...systemClock, now: () => Date.now() + offset }
  const [alice, bob, dave] = await Promise.all(['alice', 'bob', 'dave'].map(async name =>
    makeUser(t, root, name, { clock, overrides: { groups: { gossipAckMs: 0 } } }))) as [TestUser, TestUser, TestUser]
  await befriend(alice, bob)
  await befriend(alice, dave)
  await befriend(bob, dave)
  const gid = (await alice.client.groupCreate('g', ['bob', 'dave'])).id
  for (const u of [alice, bob, dave]) delete u.client.groups.publisher // no gossip: only 1:1 copies reach dave
  // what alice sends dave is held back: the promotion (its update) and two messages whose heads name it
  const captured = captureDeliveries(alice, dave.peerId)
  await alice.client.groupPromote('g', ['bob'])
  await alice.client.send('@g', 'old') // alice's seq 1
  const old = captured.at(-1) as Envelope
  assert.equal(await dave.client.messenger.receive(old, 'mailbox'), 'stored')
  offset = 10 * DAY
  await alice.client.send('@g', 'young') // seq 2, parked 10 days after the first
  assert.equal(await dave.client.messenger.receive(captured.at(-1) as Envelope, 'mailbox'), 'stored')
  assert.equal((await listParked(dave.client.store, gid)).length, 2, 'both wait for the promotion')

  // the pass, past the first one's horizon and within the second's
  offset = dave.config.delivery.ttlMs + MARK_MARGIN_MS + 1000
  const counts = await dave.client.groups.prune()
  assert.equal(counts.parked, 1)
  assert.deepEqual((await listParked(dave.client.store, gid)).map(m => m.text), ['young'])
  assert.deepEqual(await listLostSeqs(dave.client.store), [{ group: gid, from: alice.peerId, seq: 1 }])

  // the promotion arrives at last, with bob's message (his envelope carries what dave lacks)
  await bob.client.send('@g', 'from bob')
  const shown = (await dave.client.inbox()).filter(m => m.group?.id === gid)
  assert.deepEqual(shown.map(m => m.text).sort(), ['from bob', 'young'], 'the expired one is not shown; the younger is')
  const young = shown.find(m => m.text === 'young')
  assert.equal(young?.gapBefore, 1, 'the reader sees one of alice\'s messages missing before it')
  assert.equal(shown.find(m => m.text === 'from bob')?.gapBefore, undefined)
  assert.equal((await listParked(dave.client.store, gid)).length, 0)
  // the expired one's envelope arriving again changes nothing
  assert.notEqual(await dave.client.messenger.receive(old, 'mailbox').catch((err: Error) => err.message), 'stored')
  assert.equal((await dave.client.inbox()).some(m => m.text === 'old'), false)
})

const parked = (sender: string, seq: number): ParkedMessage =>
  ({ sender, id: `${sender}-${String(seq).padStart(8, '0')}`, seq, sentAt: 0, heads: ['ff'.repeat(32)], text: 'x', route: 'mailbox' })

test('a hostile member cannot fill the parking for the others: a bound per sender, and a full group gives up the largest holder\'s oldest', async (t) => {
  const dir = await tempRoot(t, 'cairn-parking-')
  const store = await Store.open(join(dir, 'db'))
  t.after(async () => { await store.close() })
  const gid = 'ab'.repeat(32)
  const parking = new Parking({ store, log: silentLogger() })
  const write = async (m: ParkedMessage, now = 1): Promise<void> => {
    const tx = store.transaction()
    await parking.park(tx, gid, m, now)
    await tx.commit()
  }
  // one flooder: its own bound, whatever it sends
  for (let i = 1; i <= MAX_PARKED_PER_SENDER + 50; i++) await write(parked('mallory', i))
  await write(parked('alice', 1))
  let all = await listParked(store, gid)
  assert.equal(all.filter(m => m.sender === 'mallory').length, MAX_PARKED_PER_SENDER)
  assert.ok(all.some(m => m.sender === 'alice'), 'alice\'s message is parked')
  assert.deepEqual(await listLostSeqs(store), [{ group: gid, from: 'mallory', seq: MAX_PARKED_PER_SENDER + 1 }])

  // colluding flooders fill the group: a newcomer still gets in, in place of the largest holder's oldest
  const flooders = Array.from({ length: MAX_PARKED_PER_GROUP / MAX_PARKED_PER_SENDER }, (_, i) => `flood${i}`)
  for (const f of flooders) for (let i = 1; i <= MAX_PARKED_PER_SENDER; i++) await write(parked(f, i), 2)
  assert.equal((await listParked(store, gid)).length, MAX_PARKED_PER_GROUP)
  await write(parked('bob', 7), 3)
  await write(parked('alice', 2), 3)
  all = await listParked(store, gid)
  assert.equal(all.length, MAX_PARKED_PER_GROUP)
  assert.ok(all.some(m => m.sender === 'bob' && m.seq === 7), 'bob\'s message is parked')
  assert.equal(all.filter(m => m.sender === 'alice').length, 2, 'alice\'s first is still parked, and her second')
  const held = new Map<string, number>()
  for (const m of all) held.set(m.sender, (held.get(m.sender) ?? 0) + 1)
  assert.ok([...held.values()].every(n => n <= MAX_PARKED_PER_SENDER))
  // the memory agrees with the store (a fresh Parking reads it back)
  assert.equal((await new Parking({ store, log: silentLogger() }).of(gid)).length, MAX_PARKED_PER_GROUP)
})
