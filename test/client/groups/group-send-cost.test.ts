import assert from 'node:assert/strict'
import { test } from 'node:test'
import { SessionRecord } from '@signalapp/libsignal-client'
import { unreachable, waitFor } from '../../helpers/groups.js'
import { befriend, makeUser, tempRoot, type TestUser } from '../../helpers/users.js'

test('a group send parses each member\'s session record once (checked before the crypto lock, reused in the sealing transaction); every copy is still queued sealed', async (t) => {
  const root = await tempRoot(t)
  const overrides = { groups: { gossipAckMs: 0 } } // every member gets its own copy
  const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map(async name => makeUser(t, root, name, { overrides }))) as [TestUser, TestUser, TestUser]
  for (const u of [bob, carol]) await befriend(alice, u)
  await alice.client.groupCreate('cost', ['bob', 'carol'])
  await alice.client.send('@cost', 'first') // sessions with both, and the chain
  for (const u of [bob, carol]) {
    await waitFor(`${u.name} got the first message`, async () => (await u.client.inbox()).some(m => m.text === 'first'))
  }
  // only alice parses sessions from here on: bob and carol are gone, nothing is delivered
  await Promise.all([bob.stop(), carol.stop()])
  alice.client.messenger.useRoutes([unreachable])

  const parse = t.mock.method(SessionRecord, 'deserialize')
  const sent = await alice.client.send('@cost', 'second')
  assert.equal(sent.route, 'outbox')
  assert.equal(parse.mock.callCount(), 2, 'one parse a member (it was one before the lock and another in the transaction)')
  const queued = (await alice.client.messenger.pending()).filter(e => e.tracks === sent.id)
  assert.deepEqual(queued.map(e => e.to).sort(), [bob.peerId, carol.peerId].sort(), 'a copy for each member, on disk')
  assert.ok(queued.every(e => e.envelope !== undefined), 'each copy sealed')
})
