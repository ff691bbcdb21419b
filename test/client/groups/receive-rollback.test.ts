/**
 * A receive that does not commit (its write fails) leaves the group's memory as the store has it:
 * the parking list and the ids pruned are changed with the writes (Transaction.onUndo), so a later
 * receive behaves as if the failed one never happened; in a mailbox page, one envelope that fails is
 * undone alone (its writes, its ratchet step, its memory) while the rest of the page commits.
 */
import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { Envelope } from '../../../proto/cairn.js'
import { changeId, signChange } from '../../../src/client/groups/change.js'
import { addPruned, getPruned, listParked } from '../../../src/client/groups/group-store.js'
import type { Parking } from '../../../src/client/groups/parking.js'
import type { Store, StoreOp } from '../../../src/shared/store.js'
import { captureDeliveries } from '../../helpers/groups.js'
import { befriend, makeUser, tempRoot, type TestUser } from '../../helpers/users.js'

const hex = (h: string): Uint8Array<ArrayBuffer> => new Uint8Array(Buffer.from(h, 'hex'))

/** The next write of `store` that touches a key containing `part` fails, as a full disk would. */
function failNextWrite (store: Store, part: string): { failed: () => boolean } {
  const write = store.write.bind(store)
  let failed = false
  store.write = async (ops: StoreOp[], options?: { durable?: boolean }) => {
    if (!failed && ops.some(op => op.key.includes(part))) {
      failed = true
      store.write = write
      throw new Error('injected: the disk is full')
    }
    return write(ops, options)
  }
  return { failed: () => failed }
}

/** The in-memory parking of `u` (what a receive reads), beside what its store holds. */
const parkingOf = (u: TestUser): Parking => (u.client.groups as unknown as { receiving: { parking: Parking } }).receiving.parking

/**
 * alice, bob and dave in group g, 1:1 copies only; alice promotes bob and dave never gets that
 * change, so alice's next messages park at dave. `captured`: alice's envelopes to dave, held back.
 */
async function daveParks (t: TestContext): Promise<{ alice: TestUser, bob: TestUser, dave: TestUser, gid: string, captured: Envelope[] }> {
  const root = await tempRoot(t)
  const [alice, bob, dave] = await Promise.all(['alice', 'bob', 'dave'].map(async name =>
    makeUser(t, root, name, { overrides: { groups: { gossipAckMs: 0 } } }))) as [TestUser, TestUser, TestUser]
  await befriend(alice, bob)
  await befriend(alice, dave)
  await befriend(bob, dave)
  const gid = (await alice.client.groupCreate('g', ['bob', 'dave'])).id
  for (const u of [alice, bob, dave]) delete u.client.groups.publisher // 1:1 copies only
  const captured = captureDeliveries(alice, dave.peerId)
  await alice.client.groupPromote('g', ['bob']) // dave lacks it: alice's next messages park there
  return { alice, bob, dave, gid, captured }
}

test('a receive whose commit fails after parking leaves nothing parked in memory; the next receive and the change then go as if it never happened', async (t) => {
  const { alice, bob, dave, gid, captured } = await daveParks(t)
  await alice.client.send('@g', 'first')
  const first = captured.at(-1) as Envelope
  await alice.client.send('@g', 'second')
  const second = captured.at(-1) as Envelope

  const disk = failNextWrite(dave.client.store, '/parked/')
  await assert.rejects(dave.client.messenger.receive(first, 'mailbox'), /disk is full/)
  assert.ok(disk.failed())
  assert.deepEqual(await listParked(dave.client.store, gid), [], 'nothing parked in the store')
  assert.deepEqual([...await parkingOf(dave).of(gid)], [], 'nor in memory')

  assert.equal(await dave.client.messenger.receive(second, 'mailbox'), 'stored')
  const texts = async (list: Promise<readonly { text: string }[]>): Promise<string[]> => (await list).map(m => m.text).sort()
  assert.deepEqual(await texts(listParked(dave.client.store, gid)), ['second'])
  assert.deepEqual(await texts(parkingOf(dave).of(gid)), ['second'], 'memory agrees with the store')

  // the promotion arrives (bob's message carries it): only what was parked for good is shown
  await bob.client.send('@g', 'from bob')
  const shown = async (): Promise<string[]> => (await dave.client.inbox()).filter(m => m.group?.id === gid).map(m => m.text).sort()
  assert.deepEqual(await shown(), ['from bob', 'second'], 'the failed receive\'s message is not shown from memory')
  // its envelope comes again (a mailbox holds it until acknowledged): shown now, once
  assert.equal(await dave.client.messenger.receive(first, 'mailbox'), 'stored')
  assert.deepEqual(await shown(), ['first', 'from bob', 'second'])
  assert.deepEqual(await listParked(dave.client.store, gid), [])
  assert.deepEqual([...await parkingOf(dave).of(gid)], [])
})

test('a receive whose commit fails after a late stale change was recognised leaves it unpruned in memory: the next copy is recognised and written', async (t) => {
  const root = await tempRoot(t)
  const [alice, bob] = await Promise.all(['alice', 'bob'].map(async name => makeUser(t, root, name))) as [TestUser, TestUser]
  await befriend(alice, bob)
  const gid = (await alice.client.groupCreate('g', ['bob'])).id
  // a change alice pruned long ago (written as a prune does), read once she restarts
  const old = 'ab'.repeat(32)
  const tx = alice.client.store.transaction()
  addPruned(tx, gid, [old])
  await tx.commit()
  await alice.stop()
  await alice.restart()

  // bob's change made on that history, sent to alice and kept to be handed in by hand
  const captured = captureDeliveries(bob, alice.peerId)
  const bytes = await signChange(bob.client.identity.peerKey, bob.client.identity.peerId, { groupId: hex(gid), parents: [hex(old)], madeAt: Date.now(), leave: { lastSeq: 0 } })
  await bob.client.messenger.sendEach([alice.peerId], async () => ({ groupUpdate: { changes: [new Uint8Array(bytes)], holds: [] } }))
  const stale = changeId(bytes)
  const envelope = captured.at(-1) as Envelope

  const disk = failNextWrite(alice.client.store, '/pruned/')
  await assert.rejects(alice.client.messenger.receive(envelope, 'mailbox'), /disk is full/)
  assert.ok(disk.failed())
  assert.equal((await getPruned(alice.client.store, gid)).ids.has(stale), false)

  // the same envelope again (its mailbox still holds it): recognised, and now written
  assert.equal(await alice.client.messenger.receive(envelope, 'mailbox'), 'stored')
  assert.ok((await getPruned(alice.client.store, gid)).ids.has(stale), 'the late change\'s id is written as pruned')
  assert.ok((await alice.client.groups.state(gid))?.members.includes(bob.peerId), 'its leave is void')
})

test('a receive run that throws after parking (receiveWith) writes nothing and leaves the parking as it was', async (t) => {
  const root = await tempRoot(t)
  const dave = await makeUser(t, root, 'dave')
  const gid = 'cd'.repeat(32)
  const m = { sender: 'alice', id: 'ab'.repeat(16), seq: 1, sentAt: 0, heads: ['ff'.repeat(32)], text: 'x', route: 'mailbox' as const }
  await assert.rejects(dave.client.messenger.receiveWith(async (tx, now) => {
    await parkingOf(dave).park(tx, gid, m, now)
    throw new Error('a later step failed')
  }), /later step failed/)
  assert.deepEqual(await listParked(dave.client.store, gid), [])
  assert.deepEqual([...await parkingOf(dave).of(gid)], [], 'memory agrees with the store')
  // the same message parked by a run that commits: there once, in both
  await dave.client.messenger.receiveWith(async (tx, now) => { await parkingOf(dave).park(tx, gid, m, now); return [] })
  assert.equal((await listParked(dave.client.store, gid)).length, 1)
  assert.equal((await parkingOf(dave).of(gid)).length, 1)
})

test('a mailbox page whose middle envelope fails after parking: the others park and commit, its parking is undone with its ratchet step, and it is shown once when it comes again', async (t) => {
  const { alice, bob, dave, gid, captured } = await daveParks(t)
  const page: Envelope[] = []
  for (const text of ['one', 'two', 'three']) {
    await alice.client.send('@g', text)
    page.push(captured.at(-1) as Envelope)
  }

  // dave's parking of 'two' writes, then the rest of its receive fails: one envelope of the page
  const parking = parkingOf(dave)
  const park = parking.park.bind(parking)
  parking.park = async (tx, g, m, now) => {
    await park(tx, g, m, now)
    if (m.text === 'two') throw new Error('injected: a later step of this envelope failed')
  }
  const results = await dave.client.messenger.receiveMany(page, 'mailbox')
  parking.park = park
  assert.deepEqual(results.map(r => r instanceof Error ? 'refused' : r), ['stored', 'refused', 'stored'])
  const texts = async (list: Promise<readonly { text: string }[]>): Promise<string[]> => (await list).map(m => m.text).sort()
  assert.deepEqual(await texts(listParked(dave.client.store, gid)), ['one', 'three'], 'the page committed without the failed envelope')
  assert.deepEqual(await texts(parking.of(gid)), ['one', 'three'], 'memory agrees with the store')

  // the promotion arrives (bob's message carries it): the parked ones are shown
  await bob.client.send('@g', 'from bob')
  const shown = async (): Promise<string[]> => (await dave.client.inbox()).filter(m => m.group?.id === gid).map(m => m.text).sort()
  assert.deepEqual(await shown(), ['from bob', 'one', 'three'])
  // the failed envelope comes again (its mailbox kept it, unacknowledged): its ratchet step was
  // undone with it, so it opens now, and is shown once
  assert.equal(await dave.client.messenger.receive(page[1] as Envelope, 'mailbox'), 'stored')
  assert.deepEqual(await shown(), ['from bob', 'one', 'three', 'two'])
  assert.equal(await dave.client.messenger.receive(page[1] as Envelope, 'mailbox'), 'duplicate')
  assert.deepEqual(await listParked(dave.client.store, gid), [])
  assert.deepEqual([...await parking.of(gid)], [])
})
