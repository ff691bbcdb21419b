/**
 * A long-lived sender's store stays bounded: the notes of who holds which of its chains go with a
 * rotated-out chain (and so with removed members), and the delivery log keeps the newest
 * delivery.sentPerConversation records per conversation; the states a user sees stay right, and
 * receipts for pruned records are ignored.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { listGossipOnly } from '../../../src/client/groups/group-store.js'
import { NAMESPACES } from '../../../src/shared/namespaces.js'
import { countKeys, holdsChain, holdsPrefix, waitFor } from '../../helpers/groups.js'
import { befriend, makeUser, tempRoot, type TestUser } from '../../helpers/users.js'

test('after many group sends and a rotation, the sender holds a bounded number of chain notes and delivery records; the states shown stay right and late receipts for pruned records change nothing', async (t) => {
  const cap = 4
  const root = await tempRoot(t)
  const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map(async name => makeUser(t, root, name, name === 'alice' ? { overrides: { delivery: { sentPerConversation: cap } } } : {}))) as [TestUser, TestUser, TestUser]
  await befriend(alice, bob)
  await befriend(alice, carol)
  const gid = (await alice.client.groupCreate('g', ['bob', 'carol'])).id
  const sentHere = async (): Promise<Array<{ id: string, bob?: string, carol?: string }>> => (await alice.client.sent()).filter(v => v.group?.id === gid).map(v => ({ id: v.id, bob: v.recipients[bob.peerId]?.state, carol: v.recipients[carol.peerId]?.state }))
  const bobShown = async (): Promise<number> => (await bob.client.inbox()).filter(m => m.group?.id === gid).length

  // N sends on the first chain (1:1 copies first, the topic alone once both hold it)
  const n = 12
  const ids: string[] = []
  for (let i = 0; i < n; i++) {
    ids.push((await alice.client.groups.send('g', `m${i}`)).id)
    if (i === 0) for (const m of [bob, carol]) await waitFor(`${m.name} holds the chain`, async () => holdsChain(alice, gid, m.peerId))
  }
  await waitFor('bob has all', async () => await bobShown() === n)
  await waitFor('every gossip send settled', async () => (await listGossipOnly(alice.client.store)).length === 0, 60_000)
  assert.equal(await countKeys(alice, holdsPrefix(gid)), 2, 'bob and carol hold the first chain')

  // carol is removed: the next send starts a new chain; bob acknowledges it
  await alice.client.groupRemove('g', ['carol'])
  ids.push((await alice.client.groups.send('g', 'after the rotation')).id)
  await waitFor('bob holds the new chain', async () => holdsChain(alice, gid, bob.peerId))
  await waitFor('bob has it', async () => await bobShown() === n + 1)
  await alice.client.messenger.deliveries.pruned()

  // bounded: one chain note (bob's, on the new chain), at most cap + a tenth of records for the group
  assert.equal(await countKeys(alice, holdsPrefix(gid)), 1, 'the rotated-out chain\'s notes are gone, carol\'s with them')
  const kept = await sentHere()
  assert.ok(kept.length >= cap && kept.length <= cap + 1, `${kept.length} records for the group`)
  assert.deepEqual(kept.map(k => k.id).sort(), ids.slice(-kept.length).sort(), 'the newest are kept')
  assert.equal(await countKeys(alice, NAMESPACES.sent), kept.length, 'no other record left')
  assert.equal(await countKeys(alice, NAMESPACES.sentOrder), kept.length)
  // the states the user sees: each kept message at bob delivered; carol's as she left them, the last not sent to her
  await waitFor('bob\'s states', async () => (await sentHere()).every(k => k.bob === 'delivered'))
  assert.deepEqual((await sentHere()).map(k => k.carol), [...kept.slice(0, -1).map(() => 'delivered'), undefined])

  // bob reads everything: read receipts for all n + 1, most for pruned records; the kept ones move, nothing comes back
  await bob.client.markRead((await bob.client.inbox()).filter(m => m.group?.id === gid).map(m => ({ from: m.from, id: m.id })))
  await waitFor('bob\'s read receipts at alice', async () => (await sentHere()).every(k => k.bob === 'read'))
  assert.equal((await sentHere()).length, kept.length)
  assert.equal(await countKeys(alice, NAMESPACES.sent), kept.length, 'a receipt for a pruned record brings nothing back')
})
