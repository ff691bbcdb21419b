import assert from 'node:assert/strict'
import { test } from 'node:test'
import { PrivateKey, SessionRecord } from '@signalapp/libsignal-client'
import { groupKeys } from '../../../src/client/groups/group-store.js'
import { holdsChain, unreachable, waitFor } from '../../helpers/groups.js'
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

test('a group send of sealed parts derives no public key from our identity key and lists no groups from the store; each member still gets its part', async (t) => {
  const root = await tempRoot(t)
  const overrides = { groups: { gossipAckMs: 0, sealedParts: true } } // every member gets its own copy
  const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map(async name => makeUser(t, root, name, { overrides }))) as [TestUser, TestUser, TestUser]
  for (const u of [bob, carol]) await befriend(alice, u)
  await befriend(bob, carol)
  assert.deepEqual(await carol.client.groups.list(), [], 'carol lists her groups (none) before she learns of this one')
  const g = await alice.client.groupCreate('parts', ['bob', 'carol'])
  await alice.client.send('@parts', 'first') // the chain, by 1:1 copies
  for (const u of [bob, carol]) await u.client.send('alice', `hi from ${u.name}`) // alice learns that their clients open parts
  for (const u of [bob, carol]) await waitFor(`${u.name} holds alice's chain`, async () => holdsChain(alice, g.id, u.peerId))
  await waitFor('alice has both replies', async () => (await alice.client.inbox()).filter(m => m.text.startsWith('hi from')).length === 2)

  const seal = t.mock.method(alice.client.messenger, 'sealForMembers')
  const derive = t.mock.method(PrivateKey.prototype, 'getPublicKey')
  const listKeys = t.mock.method(alice.client.store, 'listKeys')
  const sent = await alice.client.send('@parts', 'second')
  assert.equal(sent.route, 'direct')
  assert.deepEqual(seal.mock.calls.map(c => [...c.arguments[1]].sort()), [[bob.peerId, carol.peerId].sort()], 'a sealed part for each member, sealed in one call')
  assert.equal(derive.mock.callCount(), 0, 'the identity key pair we hold is given to libsignal (it derived the public key at every part)')
  assert.equal(listKeys.mock.calls.filter(c => c.arguments[0] === groupKeys.indexPrefix).length, 0, 'the group is found without listing the store\'s groups again')
  for (const u of [bob, carol]) await waitFor(`${u.name} got the second message`, async () => (await u.client.inbox()).some(m => m.text === 'second' && m.from === alice.peerId))
  // a group learned after the first listing is found by its name
  await carol.client.send('@parts', 'from carol')
  await waitFor('bob got carol\'s group message', async () => (await bob.client.inbox()).some(m => m.text === 'from carol' && m.group?.id === g.id))
})
