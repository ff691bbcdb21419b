import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { groupTopic, type TopicPubSub } from '../../../src/client/groups/group-gossip.js'
import { withGaps } from '../../../src/client/groups/gaps.js'
import { listGossipOnly } from '../../../src/client/groups/group-store.js'
import { countDeliveries, holdsChain, unreachable, waitFor } from '../../helpers/groups.js'
import { befriend, makeUser, tempRoot, type TestUser } from '../../helpers/users.js'

const pubsubOf = (u: TestUser): TopicPubSub => (u.client.node?.services as unknown as { pubsub: TopicPubSub }).pubsub

const ACK_MS = 3000

test('members online, subscribed and holding the chain get a group message by the topic alone; their receipts settle it; one whose receipt does not come gets its 1:1 copy after groups.gossipAckMs, shown once', async (t) => {
  const root = await tempRoot(t)
  const options = { overrides: { groups: { gossipAckMs: ACK_MS } } }
  const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map(async name => makeUser(t, root, name, options))) as [TestUser, TestUser, TestUser]
  await befriend(alice, bob)
  await befriend(alice, carol)
  const gid = (await alice.client.groupCreate('live', ['bob', 'carol'])).id
  const first = await alice.client.groups.send('live', 'first, by 1:1')
  assert.deepEqual(first.members, { [bob.peerId]: 'direct', [carol.peerId]: 'direct' }, 'nobody holds the chain yet: 1:1 copies')
  const state = await alice.client.groups.state(gid)
  assert.ok(state !== undefined)
  await waitFor('subscriptions', () => alice.client.groups.publisher?.subscribers(state).length === 2)
  const record = async (id: string): Promise<Record<string, string | undefined>> => {
    const r = (await alice.client.sent()).find(s => s.id === id)
    return { bob: r?.recipients[bob.peerId]?.state, carol: r?.recipients[carol.peerId]?.state }
  }
  assert.deepEqual(await record(first.id), { bob: 'delivered', carol: 'delivered' })
  const shown = async (u: TestUser): Promise<Array<[string, string]>> => (await u.client.inbox()).filter(m => m.group?.id === gid).map(m => [m.text, m.route])

  // both acknowledged alice's chain: the next message goes by the topic alone, no 1:1 copy
  const { counts: handed, first: handedAt } = countDeliveries(alice)
  await waitFor('the marks that both hold the chain', async () => await holdsChain(alice, gid, bob.peerId) && await holdsChain(alice, gid, carol.peerId))
  const second = await alice.client.groups.send('live', 'second, by the topic')
  assert.deepEqual(second.members, { [bob.peerId]: 'gossip', [carol.peerId]: 'gossip' })
  assert.equal(second.route, 'direct')
  await waitFor('both receipts', async () => { const r = await record(second.id); return r.bob === 'delivered' && r.carol === 'delivered' })
  assert.equal(handed.size, 0, 'no envelope was handed to a route for either member')
  await waitFor('settled: nothing left to send', async () => (await listGossipOnly(alice.client.store)).length === 0)
  assert.deepEqual(await shown(bob), [['first, by 1:1', 'direct'], ['second, by the topic', 'gossip']])

  // carol's receipts cannot reach alice: after gossipAckMs alice sends her the 1:1 copy after all
  const carolRoutes = carol.client.messenger.routes
  carol.client.messenger.useRoutes([unreachable])
  const sentAt = Date.now()
  const third = await alice.client.groups.send('live', 'third, carol silent')
  assert.deepEqual(third.members, { [bob.peerId]: 'gossip', [carol.peerId]: 'gossip' })
  await waitFor('carol has it by the topic', async () => (await shown(carol)).length === 3)
  await waitFor('bob\'s receipt', async () => (await record(third.id)).bob === 'delivered')
  await waitFor('the 1:1 copy to carol', async () => (await record(third.id)).carol === 'delivered', ACK_MS + 20_000)
  assert.ok((handedAt.get(carol.peerId) ?? 0) - sentAt >= ACK_MS, 'not before the deadline')
  assert.equal(handed.get(carol.peerId), 1, 'one copy, to carol only')
  assert.equal(handed.get(bob.peerId), undefined)
  await waitFor('settled', async () => (await listGossipOnly(alice.client.store)).length === 0)
  // carol shows it once (the copy was a duplicate), and no gap
  assert.deepEqual(await shown(carol), [['first, by 1:1', 'direct'], ['second, by the topic', 'gossip'], ['third, carol silent', 'gossip']])
  carol.client.messenger.useRoutes(carolRoutes)
})

test('a member off the topic gets a 1:1 copy; one that missed a topic message sees the gap, and gets the message from its 1:1 copy after the deadline, also across a sender restart', async (t) => {
  const root = await tempRoot(t)
  const ackMs = 8000 // "three"'s deadline must not pass before alice stops, on a loaded machine too
  const options = { overrides: { groups: { gossipAckMs: ackMs } } }
  const [alice, bob] = await Promise.all(['alice', 'bob'].map(async name => makeUser(t, root, name, options))) as [TestUser, TestUser]
  await befriend(alice, bob)
  const gid = (await alice.client.groupCreate('pair', ['bob'])).id
  await alice.client.groups.send('pair', 'one')
  const state = await alice.client.groups.state(gid)
  assert.ok(state !== undefined)
  const topic = groupTopic(state.secret)
  await waitFor('subscription', () => alice.client.groups.publisher?.subscribers(state).length === 1)
  const shown = async (): Promise<Array<[string, number | undefined]>> => withGaps((await bob.client.inbox()).filter(m => m.group?.id === gid)).map(m => [m.text, m.gapBefore])
  await waitFor('bob has one', async () => (await shown()).length === 1)
  await waitFor('the mark that bob holds the chain', async () => holdsChain(alice, gid, bob.peerId))

  // bob leaves the topic (he still holds the chain): a 1:1 copy, not the topic
  pubsubOf(bob).unsubscribe(topic)
  await waitFor('unsubscribed', () => alice.client.groups.publisher?.subscribers(state).length === 0)
  const two = await alice.client.groups.send('pair', 'two')
  assert.deepEqual(two.members, { [bob.peerId]: 'direct' })
  pubsubOf(bob).subscribe(topic)
  await waitFor('subscribed again', () => alice.client.groups.publisher?.subscribers(state).length === 1)

  // the topic loses "three" on its way to bob; "four" arrives: bob sees a gap of one. Only
  // three's own bytes are dropped: "two" went to the topic too (with no subscriber then), and
  // alice's gossip offers it to bob now that he is back, so on a slow machine it can arrive here
  // after three was sent (it is a duplicate of his direct copy and shows nothing)
  const alicePubsub = pubsubOf(alice)
  const alicePublish = alicePubsub.publish.bind(alicePubsub)
  let threeBytes: Uint8Array | undefined
  alicePubsub.publish = async (topic, data) => { threeBytes ??= data; return alicePublish(topic, data) }
  const bobGossip = bob.client.groups.openGossip.bind(bob.client.groups)
  let dropped = 0
  bob.client.groups.openGossip = async (id, data) => {
    if (threeBytes === undefined || !Buffer.from(data).equals(threeBytes)) return bobGossip(id, data)
    dropped++
    return []
  }
  const three = await alice.client.groups.send('pair', 'three')
  alicePubsub.publish = alicePublish
  assert.deepEqual(three.members, { [bob.peerId]: 'gossip' })
  await waitFor('three lost', () => dropped === 1)
  bob.client.groups.openGossip = bobGossip
  assert.equal((await listGossipOnly(alice.client.store)).length, 1, 'three waits for its receipt')
  await alice.client.groups.send('pair', 'four')
  await waitFor('four by the topic', async () => (await shown()).length === 3)
  assert.deepEqual(await shown(), [['one', undefined], ['two', undefined], ['four', 1]])

  // alice stops before three's deadline and starts after it: the copy goes at once
  await alice.client.stop()
  await sleep(ackMs)
  await alice.restart()
  await waitFor('three by its 1:1 copy', async () => (await shown()).length === 4, 30_000)
  assert.deepEqual(await shown(), [['one', undefined], ['two', undefined], ['three', undefined], ['four', undefined]])
  assert.equal((await bob.client.inbox()).find(m => m.text === 'three')?.route, 'direct')
  await waitFor('settled', async () => (await listGossipOnly(alice.client.store)).length === 0)
})
