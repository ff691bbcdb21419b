/**
 * What one direct send writes at each end: the sender's transaction (ratchet step, outbox entry,
 * delivery record) synced before the envelope leaves, then one write that takes the entry out of
 * the outbox and records it delivered (not synced: a crash that loses it sends again, answered
 * DUPLICATE; written behind the send's result, docs/DECISIONS.md); the recipient's one synced
 * write before its receipt.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { NAMESPACES } from '../../src/shared/namespaces.js'
import type { Store } from '../../src/shared/store.js'
import { befriend, makeUser, tempRoot } from '../helpers/users.js'

/** The writes to `store` that touch a key under one of `prefixes`, as [durable, keys]. */
function watchWrites (store: Store, prefixes: string[]): { writes: Array<{ durable: boolean, keys: string[] }>, restore: () => void } {
  const writes: Array<{ durable: boolean, keys: string[] }> = []
  const original = store.write.bind(store)
  store.write = async (ops, options = {}) => {
    const keys = ops.map(op => op.key).filter(k => prefixes.some(p => k.startsWith(p)))
    if (keys.length > 0) writes.push({ durable: options.durable ?? true, keys })
    return original(ops, options)
  }
  return { writes, restore: () => { store.write = original } }
}

test('a direct send: one synced write and one unsynced write at the sender, one synced write at the recipient', async (t) => {
  const root = await tempRoot(t)
  const alice = await makeUser(t, root, 'alice')
  const bob = await makeUser(t, root, 'bob')
  await befriend(alice, bob)
  await alice.client.send('bob', 'warm-up') // the session and the conversation's first send are behind us
  await alice.client.messenger.deliveries.settled()
  const sender = watchWrites(alice.client.store, [NAMESPACES.outbox, NAMESPACES.sent])
  const recipient = watchWrites(bob.client.store, [NAMESPACES.inbox])
  t.after(() => { sender.restore(); recipient.restore() })

  const sent = await alice.client.send('bob', 'counted')
  assert.equal(sent.route, 'direct')
  await alice.client.messenger.deliveries.settled() // the second write follows the result
  assert.deepEqual(sender.writes.map(w => w.durable), [true, false], 'queued durably, then delivered in one write')
  assert.ok(sender.writes[1]?.keys.some(k => k.startsWith(NAMESPACES.outbox)) === true && sender.writes[1]?.keys.some(k => k.startsWith(NAMESPACES.sent)) === true, 'the outbox entry leaves in the write that records it delivered')
  assert.deepEqual(recipient.writes.map(w => w.durable), [true], 'stored durably before the receipt, once')
  assert.equal((await alice.client.sent()).find(m => m.id === sent.id)?.state, 'delivered')
  assert.deepEqual(await alice.client.messenger.pending(), [])
  assert.deepEqual((await bob.client.inbox()).map(m => m.text), ['warm-up', 'counted'])
})

