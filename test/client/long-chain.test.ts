/**
 * More mail from one sender than a Double Ratchet chain can skip over. libsignal keeps at most
 * 2,000 skipped message keys a chain, and a recipient collects its mail in envelope-id order, not in
 * the order it was sealed: before the sender started fresh sessions, a recipient back from a long
 * absence opened the first 2,000 or so of a longer burst and lost the rest (found by the bench's
 * growth rows: 5,000 waiting, 2,009 collected). Real libsignal, real LevelDB, routes stubbed so that
 * the recipient can open the burst in the worst order: newest first.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Envelope, type PreKeyBundle } from '../../proto/cairn.js'
import type { DeliveryRoute } from '../../src/client/delivery.js'
import { befriend, makeUser, tempRoot, type TestUser } from '../helpers/users.js'

test('a burst longer than a ratchet chain can skip opens in any order: the sender starts a fresh session every maxMessagesPerSession, from keys no replica can replay', async (t) => {
  const root = await tempRoot(t)
  const [alice, bob] = await Promise.all(['alice', 'bob'].map(async name => makeUser(t, root, name))) as [TestUser, TestUser]
  await befriend(alice, bob)
  const direct = alice.client.messenger.routes[0] as DeliveryRoute
  // the burst goes to "bob's mailboxes" (held here); the bundle comes from bob, and every later
  // take hands out the same one again, one-time prekeys included, as a replaying replica would
  const held: Envelope[] = []
  let bundles = 0
  let first: PreKeyBundle | undefined
  alice.client.messenger.useRoutes([{
    name: 'mailbox',
    deliver: async (e) => { held.push(Envelope.decode(Envelope.encode(e))); return { ok: true, replicas: 3 } },
    takeBundle: async (peer, options) => { bundles++; first ??= await direct.takeBundle(peer, options); return first }
  }])
  const n = 2300
  const sent = await alice.client.messenger.sendMany('bob', Array.from({ length: n }, (_, i) => `burst ${i}`))
  assert.ok(sent.every(r => r.route === 'mailbox'))
  assert.equal(held.length, n)
  // each envelope names when it was sealed, one ms apart at least: a sync opens them in that order
  assert.equal(new Set(held.map(e => e.createdAt)).size, n, 'created_at is strictly increasing in sealing order')
  assert.equal(bundles, 3, 'a session at the start, fresh ones after 1,000 and 2,000 messages')

  // newest first, a page at a time, as a sync would hand them over
  held.reverse()
  const refused: string[] = []
  for (let i = 0; i < held.length; i += 256) {
    for (const s of await bob.client.messenger.receiveMany(held.slice(i, i + 256), 'mailbox')) if (s instanceof Error) refused.push(s.message)
  }
  assert.deepEqual(refused.slice(0, 3), [])
  const texts = new Set((await bob.client.inbox()).map(m => m.text))
  assert.equal(texts.size, n, `${n - texts.size} of ${n} lost`)
})
