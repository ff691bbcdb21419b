/**
 * A group member offline for a simulated week (issue 13: "every member who was a member at send
 * time gets every message exactly once ... including a member offline for a simulated week").
 * One clock for every user and mailbox node, moved a day at a time; each day the others write,
 * sync (so their prune passes and prekey rotations run), and the replicas sweep and hand over.
 * Meanwhile a fourth member is added and removed again (every remaining sender key rotates).
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ManualClock } from '../../../src/shared/clock.js'
import { mailboxNetwork } from '../../helpers/network.js'
import { befriend, makeUser, tempRoot, type TestUser } from '../../helpers/users.js'

const DAY = 24 * 3600 * 1000

const groupTexts = async (u: TestUser, group: string): Promise<string[]> =>
  (await u.client.inbox()).filter(m => m.group?.name === group).map(m => m.text)

test('a member offline for a week gets every group message sent meanwhile exactly once, through an add, a removal and its rotation', async (t) => {
  const root = await tempRoot(t)
  const clock = new ManualClock(Date.now())
  const net = await mailboxNetwork(t, root, 3, { clock, overrides: { mailbox: { replicas: 3 } } })
  // a checkpoint every 2 changes: one is made while she is away, and the log before it may go only once she holds it
  const overrides = { bootstrap: net.bootstrap, mailbox: { replicas: 3 }, groups: { checkpointEvery: 2 } }
  const [alice, bob, carol, dave] = await Promise.all(['alice', 'bob', 'carol', 'dave'].map(async name => makeUser(t, root, name, { overrides, clock }))) as [TestUser, TestUser, TestUser, TestUser]
  for (const u of [alice, bob, carol, dave]) await u.client.publishBundles()
  await befriend(alice, bob)
  await befriend(alice, carol)
  await befriend(alice, dave)
  const gid = (await alice.client.groupCreate('walkers', ['bob', 'carol'])).id
  await alice.client.send('@walkers', 'day 0: carol is still here')
  await carol.client.sync()
  assert.deepEqual(await groupTexts(carol, 'walkers'), ['day 0: carol is still here'])
  // her message tells the others that her client follows checkpoints (none is made before all do)
  await carol.client.send('@walkers', 'day 0: carol, off for a week')
  for (const u of [alice, bob]) await u.client.sync()
  await carol.stop()

  const sent: string[] = []
  for (let day = 1; day <= 7; day++) {
    clock.advance(DAY)
    if (day === 3) await alice.client.groupAdd('walkers', ['dave'])
    if (day === 5) await alice.client.groupRemove('walkers', ['dave'])
    for (const [u, who] of [[alice, 'alice'], [bob, 'bob']] as const) {
      const text = `day ${day}: ${who}`
      const r = await u.client.send('@walkers', text)
      assert.equal((r as { members?: Record<string, string> }).members?.[carol.peerId], 'mailbox', `${text}: carol is away`)
      sent.push(text)
    }
    for (const u of [alice, bob]) await u.client.sync() // their daily passes: prune, prekey rotation
    await Promise.all(net.nodes.map(async n => { await n.mailbox.sweep(); await n.mailbox.handover.runOnce() }))
  }

  const checkpoint = (await alice.client.groups.state(gid))?.checkpoints[0]
  assert.ok(checkpoint !== undefined, 'a checkpoint was made while she was away')

  await carol.restart(overrides)
  await carol.client.sync()
  assert.equal((await carol.client.groups.state(gid))?.checkpoints[0], checkpoint, 'she holds the checkpoint made meanwhile')
  const got = await groupTexts(carol, 'walkers')
  assert.deepEqual([...got].sort(), ['day 0: carol is still here', ...sent].sort(), 'every message sent while she was away, once')
  assert.equal((await carol.client.inbox()).filter(m => (m.gapBefore ?? 0) > 0).length, 0, 'no gap shown')
  const members = async (u: TestUser): Promise<string[]> => (await u.client.groupInfo('walkers')).members.map(m => m.peerId).sort()
  assert.deepEqual(await members(carol), [alice.peerId, bob.peerId, carol.peerId].sort(), 'dave came and went while she was away')
  assert.deepEqual(await members(carol), await members(alice))

  await dave.client.sync()
  const daves = await groupTexts(dave, 'walkers')
  assert.ok(daves.includes('day 3: alice') && daves.includes('day 4: bob'), `dave read what was sent while he was a member: ${daves.join(', ')}`)
  assert.ok(!daves.some(x => /^day [5-7]:/.test(x)), 'and nothing after his removal')

  // and she writes back: both read her
  await carol.client.send('@walkers', 'back after a week')
  for (const u of [alice, bob]) await u.client.sync()
  for (const u of [alice, bob]) assert.ok((await groupTexts(u, 'walkers')).includes('back after a week'), u.name)
  assert.ok(!(await groupTexts(dave, 'walkers')).includes('back after a week'), 'not dave, removed')
})
