/**
 * A message queued for someone whose prekey bundle no route has (they never published, or their
 * replicas lost it) waits before its flush asks again: one bundle lookup per wait (30 s, doubling
 * up to 5 min), not one per flush. A daemon flushes at every peer connect and a lookup connects to
 * new peers, so without the wait a sender asked the DHT and every replica back to back for as long
 * as the message waited (issue 16, session 42). A new message still asks at once, and the
 * recipient itself is asked at every flush, wait or not (the direct route keeps its own record of
 * who was unreachable), so a recipient back online is not kept waiting. A message queued before
 * the network was up counts no miss.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import type { DeliveryRoute } from '../../src/client/delivery.js'
import { ManualClock } from '../../src/shared/clock.js'
import { mailboxNetwork } from '../helpers/network.js'
import { makeUser, tempRoot } from '../helpers/users.js'

test('a queued message asks the mailboxes for a missing bundle once per wait, not once per flush; a new message asks at once, and the recipient back online is asked at once', async (t) => {
  const root = await tempRoot(t)
  const net = await mailboxNetwork(t, root, 3)
  const bob = await makeUser(t, root, 'bob', { overrides: { bootstrap: net.bootstrap } })
  await bob.stop() // never published a bundle: no route has one
  const clock = new ManualClock(Date.now())
  const alice = await makeUser(t, root, 'alice', { clock, overrides: { bootstrap: net.bootstrap } })
  // how many times Alice looked for Bob's bundle at his mailboxes (each costs a lookup and a request per replica)
  let asked = 0
  const routes = alice.client.messenger.routes.map((r): DeliveryRoute => ({
    name: r.name,
    deliver: r.deliver.bind(r),
    takeBundle: async (peer, options) => {
      if (r.name === 'mailbox' && peer.toString() === bob.peerId) asked++
      return r.takeBundle(peer, options)
    },
    ...(r.asksRecipient === true ? { asksRecipient: true as const } : {})
  }))
  const flushes = async (n: number): Promise<number[]> => {
    const sent = []
    for (let i = 0; i < n; i++) sent.push(await alice.client.messenger.flushOutbox())
    return sent
  }

  // written before the network is up (no routes yet): nothing asked, so no miss counted
  alice.client.messenger.useRoutes([])
  assert.equal((await alice.client.send(bob.peerId, 'one')).route, 'outbox')
  alice.client.messenger.useRoutes(routes)
  assert.deepEqual(await flushes(1), [0])
  assert.equal(asked, 1, 'the first flush with the network up asked')
  assert.deepEqual(await flushes(3), [0, 0, 0])
  assert.equal(asked, 1, 'three flushes inside the first wait (30 s) did not ask')
  clock.advance(30_000)
  await flushes(2)
  assert.equal(asked, 2, 'the first flush after the wait asked; the next did not')
  clock.advance(30_000)
  await flushes(1)
  assert.equal(asked, 2, 'the wait doubled (60 s)')
  clock.advance(30_000)
  await flushes(1)
  assert.equal(asked, 3)

  assert.equal((await alice.client.send(bob.peerId, 'two')).route, 'outbox')
  assert.equal(asked, 4, 'a new message asks, wait or not')
  await flushes(1)
  assert.equal(asked, 4)

  // Bob comes online and connects to Alice: her next flush asks him, inside the wait at his mailboxes
  await bob.restart()
  await bob.client.node?.dial(multiaddr(alice.address))
  assert.deepEqual(await flushes(1), [2], 'both messages went once Bob connected')
  assert.deepEqual((await bob.client.inbox()).map(m => m.text).sort(), ['one', 'two'])
})
