import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Envelope } from '../../proto/cairn.js'
import { availablePreKeys } from '../../src/client/crypto/prekeys.js'
import type { DeliveryRoute } from '../../src/client/delivery.js'
import { pruneSeen, SEEN_KEPT_MS } from '../../src/client/inbox.js'
import { ManualClock } from '../../src/shared/clock.js'
import { NAMESPACES } from '../../src/shared/namespaces.js'
import { befriend, makeUser, tempRoot } from '../helpers/users.js'

test('100 messages each way, interleaved, arrive exactly once, decrypted and in order', async (t) => {
  const root = await tempRoot(t)
  const alice = await makeUser(t, root, 'alice')
  const bob = await makeUser(t, root, 'bob')
  await befriend(alice, bob)

  const N = 100
  for (let i = 0; i < N; i++) {
    // two at a time, concurrently in both directions: the ratchets step on every turn
    const [a, b] = await Promise.all([
      alice.client.send('bob', `a->b ${i}`),
      bob.client.send('alice', `b->a ${i}`)
    ])
    assert.equal(a.route, 'direct')
    assert.equal(b.route, 'direct')
  }
  const bobInbox = await bob.client.inbox()
  const aliceInbox = await alice.client.inbox()
  assert.deepEqual(bobInbox.map(m => m.text), Array.from({ length: N }, (_, i) => `a->b ${i}`))
  assert.deepEqual(aliceInbox.map(m => m.text), Array.from({ length: N }, (_, i) => `b->a ${i}`))
  assert.equal(new Set(bobInbox.map(m => m.id)).size, N)
  assert.ok(bobInbox.every(m => m.from === alice.peerId && m.fromName === 'alice' && m.route === 'direct'))
})

test('sessions survive a restart of both ends: no new PQXDH handshake', async (t) => {
  const root = await tempRoot(t)
  const alice = await makeUser(t, root, 'alice')
  const bob = await makeUser(t, root, 'bob')
  await befriend(alice, bob)
  await alice.client.send('bob', 'before restart')
  await bob.client.send('alice', 'reply before restart')
  const bobPreKeysBefore = await availablePreKeys(bob.client.store.transaction())
  const alicePreKeysBefore = await availablePreKeys(alice.client.store.transaction())

  await alice.stop()
  await bob.stop()
  await alice.restart()
  await bob.restart()

  assert.equal((await alice.client.send('bob', 'after restart')).route, 'direct')
  assert.equal((await bob.client.send('alice', 'reply after restart')).route, 'direct')
  assert.deepEqual((await bob.client.inbox()).map(m => m.text), ['before restart', 'after restart'])
  assert.deepEqual((await alice.client.inbox()).map(m => m.text), ['reply before restart', 'reply after restart'])
  // a new handshake would have taken a one-time prekey from the other side
  assert.deepEqual(await availablePreKeys(bob.client.store.transaction()), bobPreKeysBefore)
  assert.deepEqual(await availablePreKeys(alice.client.store.transaction()), alicePreKeysBefore)
})

/** A route that keeps envelopes instead of delivering them, so a test can deliver them itself. */
function capture (into: Envelope[], bundleFrom: DeliveryRoute): DeliveryRoute {
  return {
    name: 'direct',
    deliver: async (envelope) => { into.push(Envelope.decode(Envelope.encode(envelope))); return { ok: false, code: 'unreachable', error: 'captured' } },
    takeBundle: async (peer, options) => bundleFrom.takeBundle(peer, options)
  }
}

test('out-of-order and duplicated envelopes: each message shown once, replays re-acknowledged', async (t) => {
  const root = await tempRoot(t)
  const alice = await makeUser(t, root, 'alice')
  const bob = await makeUser(t, root, 'bob')
  await befriend(alice, bob)
  const captured: Envelope[] = []
  const real = alice.client.messenger.routes[0]
  assert.ok(real !== undefined)
  alice.client.messenger.useRoutes([capture(captured, real)])
  for (let i = 0; i < 6; i++) assert.equal((await alice.client.send('bob', `m${i}`)).route, 'outbox')
  assert.equal(captured.length, 6)

  // reverse order, including the first (PreKey) message last
  for (const env of [...captured].reverse()) assert.equal(await bob.client.messenger.receive(env, 'direct'), 'stored')
  // every one again: duplicates, acknowledged but not stored twice
  for (const env of captured) assert.equal(await bob.client.messenger.receive(env, 'direct'), 'duplicate')
  const inbox = await bob.client.inbox()
  assert.deepEqual(inbox.map(m => m.text), ['m0', 'm1', 'm2', 'm3', 'm4', 'm5'])

  // and over the wire: the real route answers a replay with a receipt (so the sender stops retrying)
  alice.client.messenger.useRoutes([real])
  const replay = await real.deliver(captured[2] as Envelope, bob.client.identity.peerId, {})
  assert.deepEqual(replay, { ok: true })
  assert.equal((await bob.client.inbox()).length, 6)
  // the outbox still holds the six captured sends; flushing them is idempotent for bob
  assert.equal(await alice.client.messenger.flushOutbox(), 6)
  assert.equal((await bob.client.inbox()).length, 6)
  assert.equal((await alice.client.messenger.pending()).length, 0)
})

test('seen records older than a sender certificate lives are pruned, and a replay of what they covered is still not shown again', async (t) => {
  const root = await tempRoot(t)
  const clock = new ManualClock(Date.now())
  const alice = await makeUser(t, root, 'alice')
  const bob = await makeUser(t, root, 'bob', { clock })
  await befriend(alice, bob)
  const captured: Envelope[] = []
  const real = alice.client.messenger.routes[0]
  assert.ok(real !== undefined)
  alice.client.messenger.useRoutes([capture(captured, real)])
  for (const text of ['old', 'older']) assert.equal((await alice.client.send('bob', text)).route, 'outbox')
  for (const env of captured) assert.equal(await bob.client.messenger.receive(env, 'direct'), 'stored')
  const count = async (): Promise<number> => {
    let n = 0
    for (const prefix of [NAMESPACES.seen, NAMESPACES.seenMessage]) for await (const _ of bob.client.store.listKeys(prefix)) n++
    return n
  }
  assert.equal(await count(), 4, 'an envelope id and a message id per message')

  clock.advance(SEEN_KEPT_MS - 1000)
  assert.equal(await pruneSeen(bob.client.store, clock.now() - SEEN_KEPT_MS), 0, 'nothing is pruned before its time')
  clock.advance(2000)
  assert.equal(await pruneSeen(bob.client.store, clock.now() - SEEN_KEPT_MS), 4)
  assert.equal(await count(), 0)
  // a holder that kept the envelopes replays them, with a fresh expiry: refused, never shown twice.
  // (alice issued her certificate after this clock started, by the time the users took to start:
  // a few seconds, more on a loaded machine; past it too now)
  clock.advance(10 * 60_000)
  for (const env of captured) {
    await assert.rejects(bob.client.messenger.receive({ ...env, expiresAt: clock.now() + 3600_000 }, 'mailbox'), /sender certificate is expired/)
  }
  assert.deepEqual((await bob.client.inbox()).map(m => m.text), ['old', 'older'])
})

test('a flush that starts while a send is being delivered waits for it: the message goes out once', async (t) => {
  const root = await tempRoot(t)
  const alice = await makeUser(t, root, 'alice')
  const bob = await makeUser(t, root, 'bob')
  await befriend(alice, bob)
  const real = alice.client.messenger.routes[0]
  assert.ok(real !== undefined)
  // the direct route, slowed down: each envelope it is handed is counted, then delivered 300 ms later
  const handed: string[] = []
  const slow: DeliveryRoute = {
    name: 'direct',
    deliver: async (envelope, peer, options) => {
      handed.push(Buffer.from(envelope.id).toString('hex'))
      await new Promise(resolve => setTimeout(resolve, 300))
      return real.deliver(envelope, peer, options)
    },
    takeBundle: async (peer, options) => real.takeBundle(peer, options)
  }
  alice.client.messenger.useRoutes([slow])
  const sending = alice.client.send('bob', 'once')
  // the entry is in the outbox and on its way when the daemon's retry (a flush) comes by
  while (handed.length === 0) await new Promise(resolve => setTimeout(resolve, 5))
  const flushed = await alice.client.messenger.flushOutbox()
  assert.equal((await sending).route, 'direct')
  assert.equal(flushed, 0, 'the flush found nothing left to send')
  assert.equal(handed.length, 1, 'the envelope was handed to the route once')
  assert.deepEqual((await bob.client.inbox()).map(m => m.text), ['once'])
})
