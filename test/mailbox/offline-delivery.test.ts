import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { TestContext } from 'node:test'
import { mailboxNetwork, type MailboxNet } from '../helpers/network.js'
import { makeUser, tempRoot, type TestUser } from '../helpers/users.js'

/** `nodes` mailbox nodes with k = 3, Bob with his bundle published, and Alice knowing him. */
async function threeReplicas (t: TestContext, nodes: number, options: { bobLeaves: boolean }): Promise<{ net: MailboxNet, alice: TestUser, bob: TestUser }> {
  const root = await tempRoot(t)
  const net = await mailboxNetwork(t, root, nodes, { overrides: { mailbox: { replicas: 3 } } })
  const overrides = { bootstrap: net.bootstrap, mailbox: { replicas: 3 } }
  const bob = await makeUser(t, root, 'bob', { overrides })
  await bob.client.publishBundles()
  if (options.bobLeaves) await bob.stop()
  const alice = await makeUser(t, root, 'alice', { overrides })
  await alice.client.contactAdd('bob', bob.peerId)
  return { net, alice, bob }
}

test('offline recipient: 50 messages wait at k replicas and arrive once, in order, when B syncs', async (t) => {
  const root = await tempRoot(t)
  const net = await mailboxNetwork(t, root, 10)
  const overrides = { bootstrap: net.bootstrap }
  const bob = await makeUser(t, root, 'bob', { overrides })
  const alice = await makeUser(t, root, 'alice', { overrides })
  // before bob goes offline: copies a replica's handover pushes to him the moment he is back come
  // from a contact then, not from a stranger whose 50 would meet the daily cap
  await bob.client.contactAdd('alice', alice.peerId)
  const published = await bob.client.publishBundles()
  assert.equal(published.replicas, 5)
  assert.ok(published.published >= 1, 'the bundle reached the replica set')
  await bob.stop()

  await alice.client.contactAdd('bob', bob.peerId)
  const N = 50
  for (let i = 0; i < N; i++) {
    const r = await alice.client.send('bob', `offline message ${i}`)
    assert.equal(r.route, 'mailbox', `message ${i}`)
    // all 5 are targeted; success needs one durable ack (a slow replica is filled by handover)
    assert.ok((r.replicas ?? 0) >= 1 && (r.replicas ?? 0) <= 5, `message ${i}: ${r.replicas} replicas`)
  }
  await net.handoverRound({ atOnce: true })
  const held = net.held(bob.peerId)
  assert.ok(held.filter(c => c === N).length >= 5, `at least 5 replicas hold all ${N}: ${held.join(',')}`)

  // pages of 8: bob lists seven pages at each replica, the next one asked for while this one opens
  await bob.restart({ bootstrap: net.bootstrap, mailbox: { pageSize: 8 } })
  const bodiesBefore = net.nodes.reduce((n, node) => n + node.mailbox.metrics.envelopesFetched, 0)
  // a replica still handing over when bob is back pushes its new copies to him (live push): those
  // are in the inbox before the sync, which then finds them there
  const shownBefore = (await bob.client.inbox()).length
  const sync = await bob.client.sync()
  assert.ok(sync.received >= 1 && sync.received <= N - shownBefore, `sync received ${sync.received} (mailboxes ${JSON.stringify(sync.mailboxes)}), ${shownBefore} pushed before it`)
  if (shownBefore > 0) t.diagnostic(`${shownBefore} arrived by live push before the sync`)
  // bob lists ids at every replica but takes each body from one of them
  const fetched = net.nodes.reduce((n, node) => n + node.mailbox.metrics.envelopesFetched, 0) - bodiesBefore
  assert.ok(fetched >= sync.received && fetched <= N, `each message crossed the wire at most once: ${fetched} bodies for ${N}`)
  const inbox = await bob.client.inbox()
  assert.deepEqual(inbox.map(m => m.text), Array.from({ length: N }, (_, i) => `offline message ${i}`))
  assert.ok(inbox.every(m => m.from === alice.peerId && m.route === 'mailbox'))
  // a handover copy may land at a replica after bob acked there; the next handover round carries
  // the tombstones, and deletes it (the acks are answered in the sync's tail)
  await bob.client.syncSettled()
  await net.handoverRound({ atOnce: true })
  assert.equal(net.stillHeld(bob.peerId), '', 'replicas are empty after the ack')
  assert.equal((await bob.client.sync()).received, 0, 'a second sync finds nothing')
})

test('live push: a connected recipient gets new mail at once; the copy stays until its signed ack', async (t) => {
  // bob stays connected to his replicas (publishing dialled them)
  const { net, alice, bob } = await threeReplicas(t, 5, { bobLeaves: false })
  alice.client.messenger.useRoutes(alice.client.messenger.routes.filter(r => r.name === 'mailbox'))
  assert.equal((await alice.client.send('bob', 'pushed to you')).route, 'mailbox')

  const deadline = Date.now() + 10_000
  while (Date.now() < deadline && (await bob.client.inbox()).length === 0) await new Promise(resolve => setTimeout(resolve, 100))
  const inbox = await bob.client.inbox()
  assert.deepEqual(inbox.map(m => [m.text, m.route]), [['pushed to you', 'mailbox']], 'arrived without a sync')
  assert.ok(net.nodes.some(n => n.mailbox.metrics.pushes > 0))
  assert.notEqual(net.stillHeld(bob.peerId), '', 'the push alone deletes nothing')
  assert.equal((await bob.client.sync()).received, 0, 'the copies are duplicates now')
  await bob.client.syncSettled() // its acks
  await net.handoverRound({ atOnce: true })
  assert.equal(net.stillHeld(bob.peerId), '', 'acked everywhere')
})

test('large messages: 30 near the size limit wait for B and arrive, paged to fit the frame limit', async (t) => {
  const { net, alice, bob } = await threeReplicas(t, 4, { bobLeaves: true })
  // 30 × ~60 KiB is nearly twice the 1 MiB frame: no single page can carry them all
  const N = 30
  const text = (i: number): string => `${i}:`.padEnd(60 * 1024 - 16, String.fromCharCode(97 + (i % 26)))
  for (let i = 0; i < N; i++) assert.equal((await alice.client.send('bob', text(i))).route, 'mailbox', `message ${i}`)
  await bob.restart({ bootstrap: net.bootstrap })
  await bob.client.contactAdd('alice', alice.peerId) // a stranger's 30 would meet the daily cap
  assert.equal((await bob.client.sync()).received, N)
  const inbox = await bob.client.inbox()
  assert.equal(inbox.length, N)
  assert.ok(inbox.every((m, i) => m.text === text(i)), 'each message whole and in order')
})
