import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Envelope, type PreKeyBundle } from '../../proto/cairn.js'
import type { DeliveryRoute } from '../../src/client/delivery.js'
import { ManualClock } from '../../src/shared/clock.js'
import { makeUser, tempRoot } from '../helpers/users.js'

const DAY = 24 * 3600 * 1000

/** A route that hands out a fixed bundle and keeps what is sent, so the test delivers by hand. */
function fixedBundle (bundle: PreKeyBundle, sent: Envelope[]): DeliveryRoute {
  return {
    name: 'mailbox',
    takeBundle: async () => bundle,
    deliver: async (e) => { sent.push(Envelope.decode(Envelope.encode(e))); return { ok: true, replicas: 1 } }
  }
}

test('signed prekeys rotate on schedule; a message sealed to the previous bundle still opens during the grace period', async (t) => {
  const root = await tempRoot(t)
  const clock = new ManualClock(Date.now())
  const bob = await makeUser(t, root, 'bob', { clock })
  const alice = await makeUser(t, root, 'alice', { clock })
  const carol = await makeUser(t, root, 'carol', { clock })

  const before = await bob.client.messenger.bundleShare({ preKeys: 1, kyberPreKeys: 1 })
  const stale = await bob.client.messenger.bundleShare({ preKeys: 0, kyberPreKeys: 0 })
  assert.equal(await bob.client.messenger.rotatePreKeysIfDue(), false, 'not due yet')
  clock.advance(8 * DAY)
  assert.equal(await bob.client.messenger.rotatePreKeysIfDue(), true)
  const after = await bob.client.messenger.bundleShare({ preKeys: 0, kyberPreKeys: 0 })
  assert.notEqual(after.signedPreKey?.id, before.signedPreKey?.id)
  assert.notEqual(after.lastResortKyberPreKey?.id, before.lastResortKyberPreKey?.id)

  // alice picked up the old bundle before the rotation; her first message still opens
  const sent: Envelope[] = []
  alice.client.messenger.useRoutes([fixedBundle(before, sent)])
  assert.equal((await alice.client.send(bob.peerId, 'sealed to last week\'s bundle')).route, 'mailbox')
  assert.equal(await bob.client.messenger.receive(sent[0] as Envelope, 'mailbox'), 'stored')

  // past the grace period the retired keys are deleted: a bundle that old can no longer start a session
  clock.advance(31 * DAY)
  assert.equal(await bob.client.messenger.rotatePreKeysIfDue(), true)
  const late: Envelope[] = []
  carol.client.messenger.useRoutes([fixedBundle(stale, late)])
  await carol.client.send(bob.peerId, 'from a bundle that is far too old')
  await assert.rejects(bob.client.messenger.receive(late[0] as Envelope, 'mailbox'), (err: Error) => err.name === 'RejectedEnvelopeError')
  assert.deepEqual((await bob.client.inbox()).map(m => m.text), ['sealed to last week\'s bundle'])
})
