/**
 * What one direct send writes at each end: the sender's transaction (ratchet step, outbox entry,
 * delivery record) synced before the envelope leaves, then one write that takes the entry out of
 * the outbox and records it delivered (not synced: a crash that loses it sends again, answered
 * DUPLICATE; written behind the send's result, docs/DECISIONS.md); the recipient's one synced
 * write before its receipt. And what it reads: nothing through libuv's thread pool at either end
 * (each such read is a trip of its own, ~0.1–1 ms on a loaded machine, on the send's path).
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

/** Cairn's reads of `store` that take a trip through libuv's thread pool (LevelDB's async get and getMany), by key. */
function watchPoolReads (store: Store): { keys: string[], restore: () => void } {
  const db = (store as unknown as { db: { get: (key: string) => Promise<unknown>, getMany: (keys: string[]) => Promise<unknown> } }).db
  const { get, getMany } = db
  const keys: string[] = []
  // libp2p's own records (peer store, DHT) share the LevelDB: only Cairn's are counted
  const ours = (k: string[]): void => { keys.push(...k.filter(key => key.startsWith('/cairn/'))) }
  db.get = async (key) => { ours([key]); return get.call(db, key) }
  db.getMany = async (k) => { ours(k); return getMany.call(db, k) }
  return { keys, restore: () => { db.get = get; db.getMany = getMany } }
}

test('a direct send reads nothing through the thread pool at either end (seen mark and delivery record on the JS thread)', async (t) => {
  const root = await tempRoot(t)
  const alice = await makeUser(t, root, 'alice')
  const bob = await makeUser(t, root, 'bob')
  await befriend(alice, bob)
  await alice.client.send('bob', 'warm-up')
  await alice.client.messenger.deliveries.settled()
  const sender = watchPoolReads(alice.client.store)
  const recipient = watchPoolReads(bob.client.store)
  t.after(() => { sender.restore(); recipient.restore() })

  const sent = await alice.client.send('bob', 'counted')
  await alice.client.messenger.deliveries.settled()
  sender.restore()
  recipient.restore()
  assert.equal(sent.route, 'direct')
  assert.deepEqual(sender.keys, [], 'the sender read its records on the JS thread or from the cache')
  assert.deepEqual(recipient.keys, [], 'the recipient read its records on the JS thread or from the cache')
  assert.equal((await alice.client.sent()).find(m => m.id === sent.id)?.state, 'delivered')
  assert.deepEqual((await bob.client.inbox()).map(m => m.text), ['warm-up', 'counted'])
})
