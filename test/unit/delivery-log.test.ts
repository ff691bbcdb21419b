import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { DeliveryLog, type SentView } from '../../src/client/messaging/delivery-log.js'
import type { OutboxEntry } from '../../src/client/outbox.js'
import { Store } from '../../src/shared/store.js'
import { tempRoot } from '../helpers/users.js'

const entry = (to: string, tracks: string): OutboxEntry => ({ id: `${to}-copy`, to, createdAt: 1, attempts: 0, tracks })

test('delivery log: states only move forward, per recipient; counts for a group; only recipients count; changes are announced and durable', async (t) => {
  const root = await tempRoot(t)
  const store = await Store.open(join(root, 'store'))
  t.after(async () => { await store.close() })
  const log = new DeliveryLog(store)
  const changes: SentView[] = []
  log.on('change', v => { changes.push(v) })
  const tx = store.transaction()
  log.record(tx, { id: 'g1', to: 'group', group: { id: 'group', name: 'g' }, text: 'hi all', sentAt: 5 }, ['bob', 'carol', 'dan'])
  await tx.commit()
  let v = await log.get('g1')
  assert.deepEqual([v?.state, v?.counts], ['queued', { total: 3, stored: 0, delivered: 0, read: 0 }])

  await log.routed([{ entry: entry('bob', 'g1'), result: { id: 'x', route: 'direct' } }, { entry: entry('carol', 'g1'), result: { id: 'y', route: 'mailbox', replicas: 3 } }, { entry: entry('dan', 'g1'), result: { id: 'z', route: 'outbox' } }])
  v = await log.get('g1')
  assert.deepEqual([v?.state, v?.replicas, v?.counts], ['queued', 3, { total: 3, stored: 2, delivered: 1, read: 0 }])
  assert.equal(await log.receipt('bob', 'read', ['g1']), 1)
  assert.equal(await log.receipt('mallory', 'read', ['g1']), 0, 'not a recipient')
  assert.equal(await log.receipt('bob', 'delivered', ['g1']), 0, 'never backwards')
  await log.routed([{ entry: entry('bob', 'g1'), result: { id: 'x', route: 'mailbox', replicas: 1 } }])
  assert.equal(await log.receipt('carol', 'delivered', ['g1', 'unknown-id']), 1)
  await log.routed([{ entry: entry('dan', 'g1'), result: { id: 'z', route: 'mailbox', replicas: 2 } }])

  const again = await new DeliveryLog(store).get('g1') // from the store, not memory
  assert.deepEqual(again?.recipients, { bob: { state: 'read' }, carol: { state: 'delivered', replicas: 3 }, dan: { state: 'stored', replicas: 2 } })
  assert.deepEqual([again?.state, again?.counts], ['stored', { total: 3, stored: 3, delivered: 2, read: 1 }])
  assert.deepEqual(changes.map(c => c.counts), [
    { total: 3, stored: 2, delivered: 1, read: 0 },
    { total: 3, stored: 2, delivered: 1, read: 1 },
    { total: 3, stored: 2, delivered: 2, read: 1 },
    { total: 3, stored: 3, delivered: 2, read: 1 }
  ])
})

test('delivery log: updates that arrive while one is being written are written together, each caller counting its own', async (t) => {
  const root = await tempRoot(t)
  const store = await Store.open(join(root, 'store'))
  t.after(async () => { await store.close() })
  const log = new DeliveryLog(store)
  const members = Array.from({ length: 20 }, (_, i) => `m${i}`)
  const tx = store.transaction()
  log.record(tx, { id: 'g1', to: 'group', group: { id: 'group', name: 'g' }, text: 'hi all', sentAt: 5 }, members)
  log.record(tx, { id: 'd1', to: 'm0', text: 'hi', sentAt: 6 }, ['m0'])
  await tx.commit()
  let writes = 0
  const write = store.write.bind(store)
  store.write = async (ops) => { writes++; return write(ops) }
  // a group send's copies finishing together, a 1:1 message's, and a receipt from a non-recipient
  const counts = await Promise.all([
    ...members.map(async (m, i) => log.routed([{ entry: entry(m, 'g1'), result: i % 2 === 0 ? { id: m, route: 'direct' } : { id: m, route: 'mailbox', replicas: 3 } }]).then(() => 1)),
    log.routed([{ entry: entry('m0', 'd1'), result: { id: 'x', route: 'direct' } }]).then(() => 1),
    log.receipt('mallory', 'read', ['g1', 'd1']),
    log.receipt('m1', 'read', ['g1'])
  ])
  assert.deepEqual(counts.slice(-2), [0, 1])
  assert.ok(writes <= 3, `${writes} writes for ${members.length + 3} updates`)
  const g = await new DeliveryLog(store).get('g1')
  assert.deepEqual([g?.state, g?.counts], ['stored', { total: 20, stored: 20, delivered: 11, read: 1 }])
  assert.equal((await new DeliveryLog(store).get('d1'))?.state, 'delivered')
})
