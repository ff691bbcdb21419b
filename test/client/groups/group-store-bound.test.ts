/**
 * A long-lived client's group records stay bounded (group-prune.ts): after many sends, a rotation,
 * a removal and a leave, the prune pass leaves a bounded number of keys under each prefix, while a
 * late 1:1 copy of a message shown from gossip is still not shown twice and gaps stay as they were.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { DeliveryRoute } from '../../../src/client/delivery.js'
import { groupTopic, type TopicPubSub } from '../../../src/client/groups/group-gossip.js'
import { NAMESPACES } from '../../../src/shared/namespaces.js'
import { countKeys, waitFor } from '../../helpers/groups.js'
import { befriend, makeUser, tempRoot, type TestUser } from '../../helpers/users.js'

const DAY = 24 * 60 * 60_000
const unreachable: DeliveryRoute = { name: 'direct', deliver: async () => ({ ok: false, code: 'unreachable', error: 'cut' }), takeBundle: async () => undefined }
const subscribers = (u: TestUser, topic: string): number =>
  (u.client.node?.services as unknown as { pubsub: TopicPubSub & { getSubscribers: (topic: string) => unknown[] } }).pubsub.getSubscribers(topic).length

/** Keys under each group prefix (and the chains) in `u`'s store. */
async function counts (u: TestUser, gid: string): Promise<Record<string, number>> {
  const g = `${NAMESPACES.group}${gid}/`
  const out: Record<string, number> = {}
  for (const k of ['seen', 'seq', 'gossiped', 'known', 'holds']) out[k] = await countKeys(u, `${g}${k}/`)
  out.dist = await countKeys(u, `${NAMESPACES.group}dist/`)
  out.senderKeys = await countKeys(u, NAMESPACES.signalSenderKey)
  out.readSent = await countKeys(u, NAMESPACES.readSent)
  return out
}

test('after many sends, a rotation, a removal and a leave, the pass leaves bounded group records; a late 1:1 copy of a gossiped message is still shown once', async (t) => {
  const root = await tempRoot(t)
  // every member gets a 1:1 copy too, so that one can arrive late
  // bob keeps 4 read marks per sender (delivery.sentPerConversation, as senders keep 4 records)
  const cap = 4
  const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map(async name =>
    makeUser(t, root, name, { overrides: { groups: { gossipAckMs: 0 }, ...(name === 'bob' ? { delivery: { sentPerConversation: cap } } : {}) } }))) as [TestUser, TestUser, TestUser]
  await befriend(alice, bob)
  await befriend(alice, carol)
  await befriend(bob, carol)
  const gid = (await alice.client.groupCreate('g', ['bob', 'carol'])).id
  const shown = async (u: TestUser): Promise<Array<{ text: string, gap: number | undefined }>> =>
    (await u.client.inbox()).filter(m => m.group?.id === gid).map(m => ({ text: m.text, gap: m.gapBefore }))

  // many sends from everyone
  const n = 8
  for (let i = 0; i < n; i++) {
    for (const u of [alice, bob, carol]) await u.client.send('@g', `${u.name} ${i}`)
  }
  await waitFor('bob has all', async () => (await shown(bob)).length === 2 * n)
  await waitFor('alice has all', async () => (await shown(alice)).length === 2 * n)
  const state = await alice.client.groups.state(gid)
  assert.ok(state !== undefined)
  await waitFor('subscriptions', () => subscribers(alice, groupTopic(state.secret)) === 2)
  const readAll = async (): Promise<number> => bob.client.markRead((await bob.client.inbox()).map(m => ({ from: m.from, id: m.id })))
  assert.equal(await readAll(), 2 * n)

  // one message reaches bob by gossip only; its 1:1 copy waits in alice's outbox
  const routes = alice.client.messenger.routes
  alice.client.messenger.useRoutes([unreachable])
  await alice.client.send('@g', 'early')
  await waitFor('bob got it by gossip', async () => (await shown(bob)).some(m => m.text === 'early'))
  alice.client.messenger.useRoutes(routes)

  // carol is removed: alice's next send starts a new chain
  await alice.client.groupRemove('g', ['carol'])
  await alice.client.send('@g', 'after')
  await waitFor('bob got the new chain', async () => (await shown(bob)).some(m => m.text === 'after'))
  assert.equal(await readAll(), 2, 'early and after')
  const before = { alice: await counts(alice, gid), bob: await counts(bob, gid) }
  t.diagnostic(`before: ${JSON.stringify(before)}`)

  // bob's pass, as if 16 days had gone by: marks, and alice's rotated-out chain, go
  const later = Date.now() + 16 * DAY
  await bob.client.groups.prune(later)
  const bobShown = await shown(bob)
  // the late copy: alice's 1:1 copy of 'early' (on her old chain) reaches bob now
  await alice.client.messenger.flushOutbox()
  await waitFor('alice\'s outbox empty', async () => (await alice.client.messenger.pending()).length === 0)
  assert.deepEqual(await shown(bob), bobShown, 'nothing shown twice, no gap changed')
  assert.equal(bobShown.filter(m => m.text === 'early').length, 1)
  assert.ok(bobShown.every(m => m.gap === undefined), 'no gap')

  // bob leaves; both passes run again
  await bob.client.groupLeave('g')
  await waitFor('alice sees bob left', async () => (await alice.client.groupInfo('g')).members.length === 1)
  await bob.client.groups.prune(later)
  await alice.client.groups.prune(later)
  await bob.client.messenger.receipts.pruneReadMarks()
  const after = { alice: await counts(alice, gid), bob: await counts(bob, gid) }
  t.diagnostic(`after: ${JSON.stringify(after)}`)
  // bob is in no group: nothing of the group's but one sequence mark per sender (a removal names it)
  // and the newest read marks per sender: re-reading the last read sends no second receipt
  assert.deepEqual(after.bob, { seen: 0, seq: 2, gossiped: 0, known: 0, holds: 0, dist: 0, senderKeys: 0, readSent: 2 * cap })
  const last = (await bob.client.inbox()).filter(m => m.text === 'early' || m.text === 'after')
  assert.equal(await bob.client.markRead(last.map(m => ({ from: m.from, id: m.id }))), 0, 'no receipt sent again for the last read')
  // alice is alone in the group: her own chain, and her marks of the changes she made (create, remove)
  assert.deepEqual(after.alice, { seen: 0, seq: 2, gossiped: 0, known: 2, holds: 0, dist: 0, senderKeys: 1, readSent: 0 })
  // what the users see is unchanged
  assert.deepEqual(await shown(bob), bobShown)
  assert.equal((await shown(alice)).length, 2 * n)
})
