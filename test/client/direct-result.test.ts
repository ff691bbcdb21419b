/**
 * A direct send's result comes once the recipient answered (after its fsync), not after the
 * sender's own bookkeeping that follows: the entry leaving the outbox and the "delivered" record,
 * one write that does not wait for the disk (docs/DECISIONS.md, "A send returns before its
 * outcome is written"). Whoever reads the outbox or the delivery log waits for that write, and so
 * does stop.
 */
import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { CairnClient } from '../../src/client/client.js'
import { silentLogger } from '../../src/shared/logger.js'
import type { Store } from '../../src/shared/store.js'
import { befriend, makeUser, tempRoot, type TestUser } from '../helpers/users.js'

/**
 * Holds `store`'s writes that do not wait for the disk until `release` (or 15 s, so that a failed
 * test's clean-up, which stops the clients first, cannot wait for it forever); counts them.
 */
function holdUnsyncedWrites (store: Store): { held: () => number, release: () => void, restore: () => void } {
  const write = store.write.bind(store)
  let release = (): void => {}
  const gate = new Promise<void>(resolve => { release = resolve })
  setTimeout(release, 15_000).unref()
  let held = 0
  store.write = async (ops, options = {}) => {
    if (options.durable === false) { held++; await gate }
    return write(ops, options)
  }
  return { held: () => held, release: () => { release() }, restore: () => { store.write = write; release() } }
}

/** `p`, or a failure naming `what` after `ms`. */
async function within<T> (what: string, p: Promise<T>, ms: number): Promise<T> {
  const timeout = sleep(ms, undefined, { ref: false }).then(() => { throw new Error(`${what}: no answer within ${ms} ms`) })
  return Promise.race([p, timeout])
}

/** Alice and Bob, contacts with a session (one message sent); Alice's unsynced writes held from then on. */
async function heldSender (t: TestContext): Promise<{ alice: TestUser, bob: TestUser, hold: ReturnType<typeof holdUnsyncedWrites> }> {
  const root = await tempRoot(t)
  const alice = await makeUser(t, root, 'alice')
  const bob = await makeUser(t, root, 'bob')
  await befriend(alice, bob)
  await alice.client.send('bob', 'warm-up')
  const hold = holdUnsyncedWrites(alice.client.store)
  t.after(hold.restore)
  return { alice, bob, hold }
}

test('a direct send returns when the recipient has it, before its outbox entry leaves; the outbox and the log are read after that write', async (t) => {
  const { alice, bob, hold } = await heldSender(t)
  const sent = await within('send', alice.client.send('bob', 'while held'), 5_000)
  assert.equal(sent.route, 'direct')
  assert.deepEqual((await bob.client.inbox()).map(m => m.text), ['warm-up', 'while held'], 'on the recipient\'s disk when the send returned')

  let read = false
  const log = alice.client.sent().then(v => { read = true; return v })
  const outbox = alice.client.messenger.pending().then(v => { read = true; return v })
  await sleep(100)
  assert.equal(hold.held(), 1, 'the sender\'s bookkeeping is the write under way')
  assert.equal(read, false, 'neither the log nor the outbox is read while that write is held')
  hold.release()
  assert.equal((await log).find(m => m.id === sent.id)?.state, 'delivered')
  assert.deepEqual(await outbox, [], 'nothing left in the outbox')
})

test('stopping right after a direct send writes its outcome first: the outbox is empty when the client opens again', async (t) => {
  const { alice, hold } = await heldSender(t)
  const sent = await within('send', alice.client.send('bob', 'just before stopping'), 5_000)
  assert.equal(sent.route, 'direct')
  const stopped = alice.client.stop()
  await sleep(100)
  hold.release()
  await stopped

  // opened without the network: nothing could have sent the entry again and recorded it since
  const again = await CairnClient.open({ config: alice.config, log: silentLogger(), network: false })
  t.after(async () => { await again.stop() })
  assert.deepEqual(await again.messenger.pending(), [], 'the entry left the outbox before the store closed')
  assert.equal((await again.sent()).find(m => m.id === sent.id)?.state, 'delivered')
})
