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
