/**
 * Delivery states and receipts (issue 13, item 6): real nodes on loopback, real crypto. Each test
 * reads the sender's delivery log (`sent`) as the CLI does.
 */
import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { Receipt } from '../../proto/cairn.js'
import type { SendResult } from '../../src/client/delivery.js'
import type { SentView } from '../../src/client/messaging/delivery-log.js'
import { mailboxNetwork, type MailboxNet } from '../helpers/network.js'
import { befriend, makeUser, tempRoot, type TestUser } from '../helpers/users.js'
import { waitFor } from '../helpers/wait.js'

const sentOf = async (u: TestUser, id: string): Promise<SentView> => {
  const m = (await u.client.sent()).find(s => s.id === id)
  assert.ok(m !== undefined, `${u.name} has a delivery record for ${id}`)
  return m
}

/** Mark everything in `u`'s inbox as shown, as `cairn inbox` does. */
/** Three mailbox nodes; bob published his bundles and went away; alice's message to him is stored at his replicas. */
async function storedForAwayBob (t: TestContext): Promise<{ net: MailboxNet, alice: TestUser, bob: TestUser, r: SendResult }> {
  const root = await tempRoot(t)
  const net = await mailboxNetwork(t, root, 3, { overrides: { mailbox: { replicas: 3 } } })
  const overrides = { bootstrap: net.bootstrap, mailbox: { replicas: 3 } }
  const bob = await makeUser(t, root, 'bob', { overrides })
  await bob.client.publishBundles()
  await bob.stop()
  const alice = await makeUser(t, root, 'alice', { overrides })
  await alice.client.publishBundles()
  await alice.client.contactAdd('bob', bob.peerId)
  const r = await alice.client.send('bob', 'while you were away')
  assert.equal(r.route, 'mailbox')
  return { net, alice, bob, r }
}

const readAll = async (u: TestUser): Promise<number> => u.client.markRead((await u.client.inbox()).map(m => ({ from: m.from, id: m.id })))

test('1:1 direct: delivered at once, read once the recipient has shown it, and the read receipt is sent once', async (t) => {
  const root = await tempRoot(t)
  const [alice, bob] = await Promise.all([makeUser(t, root, 'alice'), makeUser(t, root, 'bob')])
  await befriend(alice, bob)
  const r = await alice.client.send('bob', 'hello bob')
  assert.equal(r.route, 'direct')
  const before = await sentOf(alice, r.id)
  assert.equal(before.state, 'delivered')
  assert.equal(before.text, 'hello bob')
  assert.deepEqual(before.counts, { total: 1, stored: 1, delivered: 1, read: 0 })
  // a direct delivery needs no receipt: none is queued at bob
  assert.equal((await bob.client.messenger.pending()).length, 0)
  assert.equal(await readAll(bob), 1)
  await waitFor('the read receipt', async () => (await sentOf(alice, r.id)).state === 'read')
  assert.equal(await readAll(bob), 0, 'shown again: no second receipt')
  // receipts never show in the inbox, and bob never receipts a receipt
  assert.deepEqual((await alice.client.inbox()).map(m => m.text), [])
  assert.equal((await alice.client.messenger.pending()).length, 0)
})

test('1:1 by mailbox: stored at n replicas, delivered after the recipient syncs, then read', async (t) => {
  const { net, alice, bob, r } = await storedForAwayBob(t)
  const stored = await sentOf(alice, r.id)
  assert.equal(stored.state, 'stored')
  assert.equal(stored.replicas, r.replicas)
  assert.ok(stored.replicas >= 1)

  await bob.restart({ bootstrap: net.bootstrap })
  await bob.client.contactAdd('alice', alice.peerId)
  const sync = await bob.client.sync()
  assert.deepEqual({ received: sync.received, sent: sync.sent }, { received: 1, sent: 0 }, 'a receipt is not counted as a message sent')
  // the sync's tail sent the delivery receipt (directly to alice, or to her mailboxes)
  await bob.client.syncSettled()
  assert.equal((await bob.client.messenger.pending()).length, 0, 'the receipt left the outbox')
  await alice.client.sync()
  await waitFor('the delivery receipt', async () => (await sentOf(alice, r.id)).state === 'delivered')
  assert.equal(await readAll(bob), 1)
  await bob.client.sync() // what did not go in the background goes now
  await waitFor('the read receipt', async () => { await alice.client.sync(); return (await sentOf(alice, r.id)).state === 'read' })
})

test('stopping right after a sync still sends the delivery receipts it queued', async (t) => {
  const { net, alice, bob, r } = await storedForAwayBob(t)

  await bob.restart({ bootstrap: net.bootstrap })
  await bob.client.contactAdd('alice', alice.peerId)
  const sync = await bob.client.sync()
  assert.equal(sync.received, 1)
  assert.deepEqual((await bob.client.inbox()).map(m => m.text), ['while you were away'], 'the message is on disk when the sync returns')
  // a one-shot `cairn sync` stops the client as soon as the sync returns: the receipt goes first
  await bob.stop()
  await waitFor('the delivery receipt', async () => (await sentOf(alice, r.id)).state === 'delivered')
  await bob.restart({ bootstrap: net.bootstrap })
  assert.deepEqual(await bob.client.messenger.pending(), [], 'nothing was left in the outbox')
})

test('a group message with one member offline: the counts say who holds it and who read it', async (t) => {
  const root = await tempRoot(t)
  const net = await mailboxNetwork(t, root, 3, { overrides: { mailbox: { replicas: 3 } } })
  const overrides = { bootstrap: net.bootstrap, mailbox: { replicas: 3 } }
  const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map(async name => makeUser(t, root, name, { overrides }))) as [TestUser, TestUser, TestUser]
  await befriend(alice, bob)
  await befriend(alice, carol)
  await Promise.all([alice, bob, carol].map(async u => u.client.publishBundles()))
  await alice.client.groupCreate('trio', ['bob', 'carol'])
  await carol.client.sync()
  await carol.stop()
  const r = await alice.client.send('@trio', 'to the group')
  let view = await sentOf(alice, r.id)
  assert.equal(view.group?.name, 'trio')
  assert.deepEqual(view.counts, { total: 2, stored: 2, delivered: 1, read: 0 }, 'bob holds it; carol\'s copy waits at her mailboxes')
  assert.equal(view.recipients[carol.peerId]?.state, 'stored')
  assert.equal(view.state, 'stored')

  assert.equal(await readAll(bob), (await bob.client.inbox()).length)
  await waitFor('bob\'s read receipt', async () => (await sentOf(alice, r.id)).counts.read === 1)

  await carol.restart({ bootstrap: net.bootstrap })
  await carol.client.sync()
  await alice.client.sync()
  await waitFor('carol\'s delivery receipt', async () => { view = await sentOf(alice, r.id); return view.counts.delivered === 2 })
  assert.equal(view.recipients[carol.peerId]?.state, 'delivered')
  assert.equal(view.recipients[bob.peerId]?.state, 'read')
})

test('delivery.readReceipts off: no read receipt is ever sent, the message stays delivered', async (t) => {
  const root = await tempRoot(t)
  const alice = await makeUser(t, root, 'alice')
  const bob = await makeUser(t, root, 'bob', { overrides: { delivery: { readReceipts: false } } })
  await befriend(alice, bob)
  const r = await alice.client.send('bob', 'do not tell me')
  assert.equal(r.route, 'direct')
  assert.equal(await readAll(bob), 0)
  assert.equal((await bob.client.messenger.pending()).length, 0, 'nothing queued')
  // a message bob sends later reaches alice after anything queued before it would have
  const back = await bob.client.send('alice', 'later')
  assert.equal(back.route, 'direct')
  await sleep(300)
  assert.equal((await sentOf(alice, r.id)).state, 'delivered')
})

test('a receipt from someone who was not a recipient changes nothing; nor does one for an id never sent', async (t) => {
  const root = await tempRoot(t)
  const [alice, bob, mallory] = await Promise.all(['alice', 'bob', 'mallory'].map(async name => makeUser(t, root, name))) as [TestUser, TestUser, TestUser]
  await befriend(alice, bob)
  await befriend(alice, mallory)
  const r = await alice.client.send('bob', 'for bob only')
  assert.equal(r.route, 'direct')
  await alice.client.send('mallory', 'hi mallory') // mallory has a session: her receipt opens fine
  // mallory, a contact, claims to have read bob's message, by its id (sealed as any receipt is)
  const forged = await mallory.client.messenger.sender.queueEach([alice.peerId], async () => ({ receipt: { kind: Receipt.Kind.READ, ids: [new Uint8Array(Buffer.from(r.id, 'hex')), new Uint8Array(16)] } }))
  await mallory.client.messenger.flushOutbox()
  assert.equal((await mallory.client.messenger.pending()).length, 0, 'the forged receipt was delivered')
  assert.equal(forged.length, 1)
  await sleep(200)
  const view = await sentOf(alice, r.id)
  assert.equal(view.state, 'delivered')
  assert.deepEqual(Object.keys(view.recipients), [bob.peerId])
  assert.equal((await alice.client.sent()).length, 2, 'no record was made for the unknown id')
  assert.deepEqual((await alice.client.inbox()).map(m => m.text), [], 'receipts never show')
})
