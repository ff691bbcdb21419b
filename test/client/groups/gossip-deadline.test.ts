/**
 * The deadline of a group message sent to some members by the topic alone (gossip-fallback.ts):
 * a member that stays silent gets its 1:1 copy after groups.gossipAckMs; one whose receipt is
 * late but comes while the deadline is extended gets no second copy; either way it is shown once.
 * Waits are for what a user would see, with generous bounds; time-dependent checks are lower
 * bounds only (not before the deadline), never "not yet".
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { listGossipOnly } from '../../../src/client/groups/group-store.js'
import { ManualClock } from '../../../src/shared/clock.js'
import { countDeliveries, holdDeliveries, holdsChain, unreachable, waitFor } from '../../helpers/groups.js'
import { befriend, makeUser, tempRoot, type TestUser } from '../../helpers/users.js'

const shown = async (u: TestUser, gid: string): Promise<Array<[string, string]>> => (await u.client.inbox()).filter(m => m.group?.id === gid).map(m => [m.text, m.route])
const stateAt = async (sender: TestUser, id: string, member: TestUser): Promise<string | undefined> => (await sender.client.messenger.deliveries.get(id))?.recipients[member.peerId]?.state
const settled = async (sender: TestUser): Promise<boolean> => (await listGossipOnly(sender.client.store)).length === 0

/** `alice` makes a group of `members` and sends a first message by 1:1 copies, which they acknowledge: they hold her chain. */
async function groupWithChainHeld (alice: TestUser, members: TestUser[]): Promise<string> {
  const gid = (await alice.client.groupCreate('g', members.map(m => m.name))).id
  const first = await alice.client.groups.send('g', 'first, by 1:1')
  assert.deepEqual(Object.values(first.members), members.map(() => 'direct'), 'nobody holds the chain yet: 1:1 copies')
  const state = await alice.client.groups.state(gid)
  assert.ok(state !== undefined)
  await waitFor('subscriptions', () => alice.client.groups.publisher?.subscribers(state).length === members.length)
  for (const m of members) await waitFor(`${m.name} noted as holding the chain`, async () => holdsChain(alice, gid, m.peerId))
  return gid
}

test('a member reached by the topic alone that stays silent gets the message by its 1:1 copy after groups.gossipAckMs, shown once: one that lost the topic copy, and one whose receipts cannot leave', async (t) => {
  const ackMs = 1500
  const root = await tempRoot(t)
  const options = { overrides: { groups: { gossipAckMs: ackMs } } }
  const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map(async name => makeUser(t, root, name, options))) as [TestUser, TestUser, TestUser]
  await befriend(alice, bob)
  await befriend(alice, carol)
  const gid = await groupWithChainHeld(alice, [bob, carol])

  // bob's client drops what the topic brings (and so sends no receipt); carol opens it, but her receipts cannot leave
  let dropped = 0
  bob.client.groups.openGossip = async () => { dropped++; return [] }
  carol.client.messenger.useRoutes([unreachable])
  const { counts: handed, first: handedAt } = countDeliveries(alice)
  const sentAt = Date.now()
  const silent = await alice.client.groups.send('g', 'second, both silent')
  assert.deepEqual(silent.members, { [bob.peerId]: 'gossip', [carol.peerId]: 'gossip' }, 'both reached by the topic alone')
  await waitFor('the topic copy dropped at bob', () => dropped >= 1)
  await waitFor('carol has it from the topic', async () => (await shown(carol, gid)).length === 2)

  // the deadline passes with no receipt: each gets the 1:1 copy, once, and not before the deadline
  await waitFor('the 1:1 copies delivered', async () => await stateAt(alice, silent.id, bob) === 'delivered' && await stateAt(alice, silent.id, carol) === 'delivered', ackMs * 4 + 30_000)
  await waitFor('settled: nothing left to send', async () => settled(alice))
  for (const m of [bob, carol]) {
    assert.equal(handed.get(m.peerId), 1, `one copy to ${m.name}`)
    assert.ok((handedAt.get(m.peerId) ?? 0) - sentAt >= ackMs, `${m.name}'s copy not before the deadline`)
  }
  await waitFor('bob has it from the copy', async () => (await shown(bob, gid)).length === 2)
  assert.deepEqual(await shown(bob, gid), [['first, by 1:1', 'direct'], ['second, both silent', 'direct']], 'bob: once, from the 1:1 copy')
  assert.deepEqual(await shown(carol, gid), [['first, by 1:1', 'direct'], ['second, both silent', 'gossip']], 'carol: once (the copy was a duplicate)')
})

test('a member whose receipt comes after the first deadline, while it is extended (it was acknowledging other messages), is sent no second copy, and sees the message once', async (t) => {
  const ackMs = 4000
  const root = await tempRoot(t)
  // alice's clock stands still (its timers run on real time): at her deadline, bob's last
  // acknowledgement is always within the last gossipAckMs, so the deadline is extended
  const alice = await makeUser(t, root, 'alice', { clock: new ManualClock(Date.now()), overrides: { groups: { gossipAckMs: ackMs } } })
  const bob = await makeUser(t, root, 'bob')
  await befriend(alice, bob)
  const gid = await groupWithChainHeld(alice, [bob])

  // bob's receipt is held on its way to alice until her first deadline has come
  const gate = holdDeliveries(bob, alice.peerId)
  const { counts: handed } = countDeliveries(alice)
  const deadlines: string[] = []
  alice.client.groups.fallback.on('extended', id => { deadlines.push(`extended ${id}`) })
  alice.client.groups.fallback.on('copies', id => { deadlines.push(`copies ${id}`) })
  const late = await alice.client.groups.send('g', 'second, receipt late')
  assert.deepEqual(late.members, { [bob.peerId]: 'gossip' })
  await waitFor('bob has it from the topic', async () => (await shown(bob, gid)).length === 2)
  await waitFor('bob\'s receipt held', () => gate.held() >= 1)
  await waitFor('alice\'s first deadline', () => deadlines.some(d => d.endsWith(late.id)), ackMs + 30_000)
  gate.open()

  await waitFor('bob\'s receipt at alice', async () => await stateAt(alice, late.id, bob) === 'delivered', ackMs * 3 + 30_000)
  await waitFor('settled', async () => settled(alice))
  assert.deepEqual(deadlines, [`extended ${late.id}`], 'the first deadline was extended, and no copy followed')
  assert.equal(handed.get(bob.peerId), undefined, 'no 1:1 copy to bob')
  assert.deepEqual(await shown(bob, gid), [['first, by 1:1', 'direct'], ['second, receipt late', 'gossip']], 'shown once')
})

test('receipts still batching when a member\'s client stops are queued, not dropped: they reach the sender after the restart, and it sends no copy of what the member has', async (t) => {
  const root = await tempRoot(t)
  // alice's deadline is far off; bob's receipts would wait a minute for company
  const alice = await makeUser(t, root, 'alice', { overrides: { groups: { gossipAckMs: 120_000 } } })
  const bob = await makeUser(t, root, 'bob', { overrides: { groups: { gossipReceiptDelayMs: 60_000 } } })
  await befriend(alice, bob)
  const gid = await groupWithChainHeld(alice, [bob])
  const { counts: handed } = countDeliveries(alice)
  const m = await alice.client.groups.send('g', 'second, by the topic')
  assert.deepEqual(m.members, { [bob.peerId]: 'gossip' })
  await waitFor('bob has it from the topic', async () => (await shown(bob, gid)).length === 2)

  // bob stops with the receipt still batching, and comes back: alice gets it (well before her deadline)
  await bob.stop()
  await bob.restart()
  // what did not leave at the stop goes with the next flush (a sync, the daemon's retry)
  await bob.client.messenger.flushOutbox()
  await waitFor('bob\'s receipt at alice', async () => await stateAt(alice, m.id, bob) === 'delivered', 60_000)
  await waitFor('settled', async () => settled(alice))
  assert.equal(handed.get(bob.peerId), undefined, 'no 1:1 copy to bob')
  assert.deepEqual(await shown(bob, gid), [['first, by 1:1', 'direct'], ['second, by the topic', 'gossip']])
})
