import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ManualClock } from '../../src/shared/clock.js'
import { mailboxNetwork } from '../helpers/network.js'
import { befriend, makeUser, tempRoot, type TestUser } from '../helpers/users.js'

const DAY = 24 * 3600 * 1000

const textsFrom = async (user: TestUser, from: TestUser): Promise<string[]> => (await user.client.inbox()).filter(m => m.from === from.peerId).map(m => m.text)
/** What `from` has in `user`'s inbox once it equals `want` (a group message may still be on its way by the topic when the send returns), or after `ms`. */
async function textsOnceThere (user: TestUser, from: TestUser, want: string[], ms = 20_000): Promise<string[]> {
  const until = Date.now() + ms
  let got = await textsFrom(user, from)
  while (JSON.stringify(got) !== JSON.stringify(want) && Date.now() < until) {
    await new Promise(resolve => setTimeout(resolve, 100))
    got = await textsFrom(user, from)
  }
  return got
}

test('direct: strangers are capped per stranger and in total, across a restart; contacts never; a new day resets', async (t) => {
  const root = await tempRoot(t)
  // bob's clock is fixed at noon UTC, so the test cannot straddle a day boundary by accident
  const clock = new ManualClock(Date.UTC(2026, 11, 1, 12))
  const bob = await makeUser(t, root, 'bob', { clock, overrides: { delivery: { strangerMessagesPerDay: 2, strangerMessagesPerDayTotal: 3 } } })
  const alice = await makeUser(t, root, 'alice')
  const mallory = await makeUser(t, root, 'mallory')
  const eve = await makeUser(t, root, 'eve')
  await befriend(alice, bob)
  for (const stranger of [mallory, eve]) await stranger.client.contactAdd('bob', bob.address)
  let shown = 0
  const count = (): void => { shown++ }
  bob.client.messenger.on('message', count)

  for (let i = 0; i < 3; i++) assert.equal((await mallory.client.send('bob', `mallory ${i}`)).route, 'direct', 'the sender is not told')
  assert.deepEqual(await textsFrom(bob, mallory), ['mallory 0', 'mallory 1'])
  assert.equal(shown, 2, 'a dropped message is not announced to a running chat either')

  await bob.stop()
  await bob.restart()
  const late = await mallory.client.send('bob', 'mallory after the restart')
  assert.equal(late.route, 'direct')
  assert.deepEqual(await bob.client.messenger.unseenFrom(mallory.peerId, [late.id]), [], 'a dropped message is recorded as seen')
  for (let i = 0; i < 2; i++) await eve.client.send('bob', `eve ${i}`)
  for (let i = 0; i < 5; i++) await alice.client.send('bob', `alice ${i}`)
  assert.deepEqual(await textsFrom(bob, mallory), ['mallory 0', 'mallory 1'], 'the per-stranger count survived the restart')
  assert.deepEqual(await textsFrom(bob, eve), ['eve 0'], 'the total: three strangers\' messages a day')
  assert.deepEqual(await textsFrom(bob, alice), ['alice 0', 'alice 1', 'alice 2', 'alice 3', 'alice 4'], 'contacts are never capped')
  assert.deepEqual((await bob.client.status()).droppedToday, { blocked: 0, strangerCap: 3 })

  clock.advance(DAY)
  await mallory.client.send('bob', 'mallory the next day')
  assert.deepEqual(await textsFrom(bob, mallory), ['mallory 0', 'mallory 1', 'mallory the next day'])
})

test('mailbox: a blocked peer\'s mail and a stranger\'s over the cap are dropped, acknowledged at every replica and never fetched again', async (t) => {
  const root = await tempRoot(t)
  const net = await mailboxNetwork(t, root, 3, { overrides: { mailbox: { replicas: 3 } } })
  const overrides = { bootstrap: net.bootstrap, mailbox: { replicas: 3 } }
  const bob = await makeUser(t, root, 'bob', { overrides: { ...overrides, delivery: { strangerMessagesPerDay: 1 } } })
  await bob.client.publishBundles()
  const [alice, mallory, eve] = await Promise.all(['alice', 'mallory', 'eve'].map(async name => makeUser(t, root, name, { overrides })))
  for (const u of [alice, mallory, eve] as TestUser[]) await u.client.contactAdd('bob', bob.peerId)
  await bob.client.contactAdd('alice', alice.peerId)
  await bob.client.contactBlock(mallory?.peerId as string)
  await bob.stop()

  const sends: Array<[TestUser, string]> = [[alice as TestUser, 'alice 0'], [mallory as TestUser, 'mallory 0'], [eve as TestUser, 'eve 0'], [mallory as TestUser, 'mallory 1'], [eve as TestUser, 'eve 1'], [alice as TestUser, 'alice 1']]
  const ids: Record<string, string> = {}
  for (const [from, text] of sends) {
    const r = await from.client.send('bob', text)
    assert.equal(r.route, 'mailbox', text)
    ids[text] = r.id
  }
  await net.handoverRound({ atOnce: true })

  await bob.restart(overrides)
  const sync = await bob.client.sync()
  assert.equal(sync.received, 3, 'alice\'s two and one of eve\'s')
  // envelopes are opened in id order, not in the order sent: which of eve's two gets in is chance
  const texts = (await bob.client.inbox()).map(m => m.text).sort()
  assert.equal(texts.length, 3)
  assert.deepEqual(texts.slice(0, 2), ['alice 0', 'alice 1'])
  assert.match(texts[2] as string, /^eve [01]$/)
  const evesDropped = texts[2] === 'eve 0' ? 'eve 1' : 'eve 0'
  assert.deepEqual(await bob.client.messenger.unseenFrom((mallory as TestUser).peerId, ['mallory 0', 'mallory 1'].map(text => ids[text] as string)), [], 'dropped messages are recorded as seen')
  assert.deepEqual(await bob.client.messenger.unseenFrom((eve as TestUser).peerId, [ids[evesDropped] as string]), [])
  assert.deepEqual((await bob.client.status()).droppedToday, { blocked: 2, strangerCap: 1 })

  await bob.client.syncSettled() // the sync's acks
  await net.handoverRound({ atOnce: true })
  assert.equal(net.stillHeld(bob.peerId), '', 'every copy was acknowledged, the dropped ones too')
  const fetchedBefore = net.nodes.reduce((n, node) => n + node.mailbox.metrics.envelopesFetched, 0)
  assert.equal((await bob.client.sync()).received, 0)
  assert.equal(net.nodes.reduce((n, node) => n + node.mailbox.metrics.envelopesFetched, 0), fetchedBefore, 'nothing fetched again')
})

test('groups: a stranger\'s group invitations count against the caps, a fellow member\'s group messages do not, a blocked member\'s are dropped', async (t) => {
  const root = await tempRoot(t)
  const clock = new ManualClock(Date.UTC(2026, 11, 1, 12))
  const bob = await makeUser(t, root, 'bob', { clock, overrides: { delivery: { strangerMessagesPerDay: 2, strangerMessagesPerDayTotal: 10 } } })
  const [alice, carol, mallory] = await Promise.all(['alice', 'carol', 'mallory'].map(async name => makeUser(t, root, name))) as [TestUser, TestUser, TestUser]
  await befriend(alice, bob)
  await alice.client.contactAdd('carol', carol.address)
  await carol.client.contactAdd('bob', bob.address) // bob has never heard of carol: she is a stranger to him
  await mallory.client.contactAdd('bob', bob.address)

  // mallory, a stranger, invites bob to three groups: two fit today's cap, the third is dropped
  for (const name of ['spam-1', 'spam-2', 'spam-3']) await mallory.client.groupCreate(name, ['bob'])
  assert.deepEqual((await bob.client.groupList()).map(g => g.name).sort(), ['spam-1', 'spam-2'])

  // carol is in alice's group with bob: her group messages are a fellow member's, never capped
  await alice.client.groupCreate('hikers', ['bob', 'carol'])
  for (let i = 0; i < 4; i++) await carol.client.send('@hikers', `carol ${i}`)
  assert.deepEqual(await textsOnceThere(bob, carol, ['carol 0', 'carol 1', 'carol 2', 'carol 3']), ['carol 0', 'carol 1', 'carol 2', 'carol 3'])

  // blocked, her group messages are dropped like her direct ones
  await bob.client.contactBlock(carol.peerId)
  await carol.client.send('@hikers', 'carol after the block')
  await alice.client.send('@hikers', 'alice still gets through')
  assert.deepEqual(await textsOnceThere(bob, alice, ['alice still gets through']), ['alice still gets through'])
  assert.deepEqual(await textsFrom(bob, carol), ['carol 0', 'carol 1', 'carol 2', 'carol 3'], 'nothing from a blocked member')
})
