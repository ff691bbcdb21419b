/**
 * A client started with something in its outbox (a receipt or a message queued when it last
 * stopped) sends it once the network is up, without a sync or the daemon's retry timer.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { befriend, makeUser, tempRoot } from '../helpers/users.js'
import { waitFor } from '../helpers/wait.js'

test('a restarted client delivers the read receipt and the message its outbox held at stop, with no sync', async (t) => {
  const root = await tempRoot(t)
  const [alice, bob] = await Promise.all([makeUser(t, root, 'alice'), makeUser(t, root, 'bob')])
  await befriend(alice, bob)
  const m1 = await alice.client.send('bob', 'hello bob')
  assert.equal(m1.route, 'direct')

  // alice goes away; bob reads her message and replies: both wait in bob's outbox
  await alice.stop()
  assert.equal(await bob.client.markRead((await bob.client.inbox()).map(m => ({ from: m.from, id: m.id }))), 1)
  assert.equal((await bob.client.send('alice', 'hello alice')).route, 'outbox')
  await waitFor('the receipt and the reply queued at bob', async () => (await bob.client.messenger.pending()).length === 2)
  await bob.stop()

  // both come back, alice first; nobody syncs
  await alice.restart()
  await bob.restart()
  await waitFor('the reply at alice', async () => (await alice.client.inbox()).some(m => m.text === 'hello alice'))
  await waitFor('the read receipt at alice', async () => (await alice.client.sent()).find(v => v.id === m1.id)?.state === 'read')
  await waitFor('bob\'s outbox empty', async () => (await bob.client.messenger.pending()).length === 0)
  assert.equal((await alice.client.inbox()).filter(m => m.text === 'hello alice').length, 1, 'shown once')
})
