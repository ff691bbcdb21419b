import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { Envelope, GroupGossip, GroupPayload } from '../../../proto/cairn.js'
import type { DeliveryRoute } from '../../../src/client/delivery.js'
import { groupTopic, type TopicPubSub } from '../../../src/client/groups/group-gossip.js'
import { getSenderState } from '../../../src/client/groups/group-store.js'
import * as senderKeys from '../../../src/client/groups/sender-keys.js'
import { befriend, makeUser, tempRoot, type TestUser } from '../../helpers/users.js'
import { waitFor } from '../../helpers/wait.js'

const pubsubOf = (u: TestUser): TopicPubSub & { getSubscribers: (topic: string) => unknown[] } =>
  (u.client.node?.services as unknown as { pubsub: TopicPubSub & { getSubscribers: (topic: string) => unknown[] } }).pubsub

/** Routes that fail every delivery: only gossip can carry a message live. */
const unreachable: DeliveryRoute = { name: 'direct', deliver: async () => ({ ok: false, code: 'unreachable', error: 'cut' }), takeBundle: async () => undefined }

/** Alice and bob, friends, in alice's group "pair", every message going 1:1 too (`gossipAckMs: 0`); the group's topic. */
async function pair (t: TestContext): Promise<{ alice: TestUser, bob: TestUser, topic: string }> {
  const root = await tempRoot(t)
  const always = { overrides: { groups: { gossipAckMs: 0 } } }
  const [alice, bob] = await Promise.all(['alice', 'bob'].map(async name => makeUser(t, root, name, always))) as [TestUser, TestUser]
  await befriend(alice, bob)
  await alice.client.groupCreate('pair', ['bob'])
  const state = await alice.client.groups.state((await alice.client.groupInfo('pair')).id)
  assert.ok(state !== undefined)
  return { alice, bob, topic: groupTopic(state.secret) }
}

test('gossip: online members get a group message live and once, though its 1:1 copy arrives later; a removed member subscribed to the topic opens nothing; forgeries are dropped', async (t) => {
  const root = await tempRoot(t)
  // every member gets its 1:1 copy too (group-gossip-only.test.ts: the copies skipped)
  const always = { overrides: { groups: { gossipAckMs: 0 } } }
  const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map(async name => makeUser(t, root, name, always))) as [TestUser, TestUser, TestUser]
  await befriend(alice, bob)
  await befriend(alice, carol)
  await befriend(bob, carol)
  await alice.client.groupCreate('live', ['bob', 'carol'])
  await alice.client.send('@live', 'first, by 1:1') // every member now holds alice's chain
  await carol.client.send('@live', 'carol, a member') // and carol's
  const state = await alice.client.groups.state((await alice.client.groupInfo('live')).id)
  assert.ok(state !== undefined)
  const topic = groupTopic(state.secret)
  // the topic is named by the group's secret, which only members hold: not by its id
  assert.ok(!topic.includes(state.id) && topic !== groupTopic(Buffer.from(state.id, 'hex')))
  await waitFor('subscriptions', () => pubsubOf(alice).getSubscribers(topic).length === 2)
  // what bob's gossipsub hands up from the topic, as any subscriber sees it on the wire
  const onTopic: Array<Record<string, unknown>> = []
  pubsubOf(bob).addEventListener('message', (evt) => { if (evt.detail.topic === topic) onTopic.push(evt.detail as unknown as Record<string, unknown>) })

  // cut alice's 1:1 routes: the message can reach bob and carol only through the topic
  const routes = alice.client.messenger.routes
  alice.client.messenger.useRoutes([unreachable])
  const r = await alice.client.send('@live', 'second, live')
  assert.equal(r.route, 'outbox')
  const shown = async (u: TestUser): Promise<Array<[string, string]>> => (await u.client.inbox()).filter(m => m.group !== undefined && m.from === alice.peerId).map(m => [m.text, m.route])
  await waitFor('gossip delivery', async () => (await shown(bob)).length === 2 && (await shown(carol)).length === 2)
  assert.deepEqual(await shown(bob), [['first, by 1:1', 'direct'], ['second, live', 'gossip']])
  // published unsigned (StrictNoSign): no publisher PeerId, sequence number, key or signature
  assert.ok(onTopic.length >= 1, 'the second came by the topic')
  for (const m of onTopic) assert.deepEqual([Object.keys(m).sort(), m.type], [['data', 'topic', 'type'], 'unsigned'])
  // the 1:1 copies go out now: they carry nothing new, and nothing is shown twice
  alice.client.messenger.useRoutes(routes)
  assert.equal(await alice.client.messenger.flushOutbox(), 2)
  assert.deepEqual(await shown(bob), [['first, by 1:1', 'direct'], ['second, live', 'gossip']])
  assert.deepEqual(await shown(carol), [['first, by 1:1', 'direct'], ['second, live', 'gossip']])

  // carol is removed, but keeps listening on the topic with all her old keys
  await alice.client.groupRemove('live', ['carol'])
  const heard: Uint8Array[] = []
  pubsubOf(carol).addEventListener('message', (evt) => { if (evt.detail.topic === topic) heard.push(evt.detail.data) })
  pubsubOf(carol).subscribe(topic)
  await waitFor('carol subscribed again', () => pubsubOf(alice).getSubscribers(topic).length === 2)
  await alice.client.send('@live', 'third, after carol left')
  await waitFor('bob got the third', async () => (await shown(bob)).length === 3)
  await waitFor('carol heard it on the topic', () => heard.length >= 1)
  assert.deepEqual((await shown(carol)).map(([text]) => text), ['first, by 1:1', 'second, live'])
  const ct = GroupGossip.decode(heard.at(-1) as Uint8Array).ciphertext
  await assert.rejects(senderKeys.decrypt(carol.client.store.transaction(), alice.peerId, ct), 'her copy of alice\'s old chain opens nothing new')

  // carol publishes with her old chain, and garbage: bob drops both
  const gid = Buffer.from(state.id, 'hex')
  const old = await getSenderState(carol.client.store.transaction(), state.id)
  const forged = await carol.client.messenger.receiveWith(async (tx) => {
    const payload = GroupPayload.encode({ groupId: gid, id: new Uint8Array(16).fill(5), seq: 50, sentAt: Date.now(), heads: [], text: 'carol, removed' })
    heard.push(new Uint8Array(await senderKeys.encrypt(tx, carol.peerId, old?.distributionId as string, payload)))
    return []
  })
  assert.deepEqual(forged, [])
  await pubsubOf(carol).publish(topic, GroupGossip.encode({ version: 1, ciphertext: new Uint8Array(heard.at(-1) as Uint8Array) }))
  await pubsubOf(carol).publish(topic, new Uint8Array([1, 2, 3, 4]))
  await sleep(500)
  assert.deepEqual((await shown(bob)).map(([text]) => text), ['first, by 1:1', 'second, live', 'third, after carol left'])
  assert.deepEqual((await bob.client.inbox()).filter(m => m.from === carol.peerId).map(m => m.text), ['carol, a member'])
})

test('a member who got a message by gossip acknowledges it, and its mailbox copy: the sender sees it delivered, and nothing is shown twice', async (t) => {
  // the 1:1 copy goes whatever gossip does (as from a sender that skips none, e.g. an older one)
  const { alice, bob, topic } = await pair(t)
  await alice.client.send('@pair', 'first, by 1:1') // bob holds alice's chain
  await waitFor('subscriptions', () => pubsubOf(alice).getSubscribers(topic).length === 1)

  // alice's copy for bob goes to "his mailboxes" (held here); the topic carries the message live
  const held: Envelope[] = []
  const routes = alice.client.messenger.routes
  // bob's receipts wait in his outbox until the end
  const bobRoutes = bob.client.messenger.routes
  bob.client.messenger.useRoutes([unreachable])
  alice.client.messenger.useRoutes([{ name: 'mailbox', deliver: async (e) => { held.push(Envelope.decode(Envelope.encode(e))); return { ok: true, replicas: 3 } }, takeBundle: async () => undefined }])
  const r = await alice.client.send('@pair', 'live')
  alice.client.messenger.useRoutes(routes)
  assert.equal(held.length, 1)
  const view = async (): Promise<string | undefined> => (await alice.client.sent()).find(s => s.id === r.id)?.recipients[bob.peerId]?.state
  assert.equal(await view(), 'stored')
  const shown = async (): Promise<Array<[string, string]>> => (await bob.client.inbox()).filter(m => m.group !== undefined).map(m => [m.text, m.route])
  await waitFor('gossip delivery', async () => (await shown()).length === 2)

  // bob collects the mailbox copy: nothing new to show, but alice learns he has it
  await bob.client.messenger.receive(held[0] as Envelope, 'mailbox')
  bob.client.messenger.useRoutes(bobRoutes)
  await bob.client.messenger.flushOutbox()
  await waitFor('bob\'s delivery receipt', async () => await view() === 'delivered')
  assert.deepEqual((await shown()).sort(), [['first, by 1:1', 'direct'], ['live', 'gossip']])
})

test('a group message is published only while a member is on the topic: with none there, its 1:1 copies carry it and no gossip copy follows', async (t) => {
  // every message goes 1:1 too: bob's inbox does not wait on the gossip fallback's timer
  const { alice, bob, topic } = await pair(t)
  await waitFor('subscriptions', () => pubsubOf(alice).getSubscribers(topic).length === 1)
  const published: string[] = []
  const ps = pubsubOf(alice)
  const publish = ps.publish.bind(ps)
  ps.publish = async (to, data) => { if (to === topic) published.push(to); return publish(to, data) }

  await alice.client.send('@pair', 'while bob listens')
  assert.equal(published.length, 1, 'published while bob is on the topic')
  // bob leaves the topic but stays connected: his copies come 1:1
  pubsubOf(bob).unsubscribe(topic)
  await waitFor('bob off the topic', () => pubsubOf(alice).getSubscribers(topic).length === 0)
  const r = await alice.client.groups.send('pair', 'while nobody listens')
  assert.equal(r.members[bob.peerId], 'direct')
  assert.equal(published.length, 1, 'nothing published with no member on the topic')
  const texts = async (): Promise<string[]> => (await bob.client.inbox()).filter(m => m.group !== undefined).map(m => m.text)
  await waitFor('bob has both', async () => (await texts()).length === 2)
  assert.deepEqual((await texts()).sort(), ['while bob listens', 'while nobody listens'])
})
