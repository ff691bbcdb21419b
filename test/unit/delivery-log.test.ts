import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { DeliveryLog, type SentView } from '../../src/client/messaging/delivery-log.js'
import type { OutboxEntry } from '../../src/client/outbox.js'
import { silentLogger } from '../../src/shared/logger.js'
import { NAMESPACES } from '../../src/shared/namespaces.js'
import { Store } from '../../src/shared/store.js'
import { tempRoot } from '../helpers/users.js'

const entry = (to: string, tracks: string): OutboxEntry => ({ id: `${to}-copy`, to, createdAt: 1, attempts: 0, tracks })

test('delivery log: states only move forward, per recipient; counts for a group; only recipients count; changes are announced and durable', async (t) => {
  const root = await tempRoot(t)
  const store = await Store.open(join(root, 'store'))
  t.after(async () => { await store.close() })
  const log = new DeliveryLog({ store, log: silentLogger() }, { delivery: { sentPerConversation: 1000 } })
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

  const again = await new DeliveryLog({ store, log: silentLogger() }, { delivery: { sentPerConversation: 1000 } }).get('g1') // from the store, not memory
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
  const log = new DeliveryLog({ store, log: silentLogger() }, { delivery: { sentPerConversation: 1000 } })
  const members = Array.from({ length: 20 }, (_, i) => `m${i}`)
  const tx = store.transaction()
  log.record(tx, { id: 'g1', to: 'group', group: { id: 'group', name: 'g' }, text: 'hi all', sentAt: 5 }, members)
  log.record(tx, { id: 'd1', to: 'm0', text: 'hi', sentAt: 6 }, ['m0'])
  await tx.commit()
  await log.pruned() // the first send's count of what is on disk
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
  const g = await new DeliveryLog({ store, log: silentLogger() }, { delivery: { sentPerConversation: 1000 } }).get('g1')
  assert.deepEqual([g?.state, g?.counts], ['stored', { total: 20, stored: 20, delivered: 11, read: 1 }])
  assert.equal((await new DeliveryLog({ store, log: silentLogger() }, { delivery: { sentPerConversation: 1000 } }).get('d1'))?.state, 'delivered')
})

test('delivery log: a conversation keeps its newest delivery.sentPerConversation records (a tenth more until the next pass); receipts for pruned ones change nothing; records from before the cap are pruned too', async (t) => {
  const root = await tempRoot(t)
  const store = await Store.open(join(root, 'store'))
  t.after(async () => { await store.close() })
  const count = async (prefix: string): Promise<number> => { let n = 0; for await (const _ of store.listKeys(prefix)) n++; return n }
  // a record written before order keys existed (no order key, no marker)
  await store.write([{ type: 'put', key: `${NAMESPACES.sent}old`, value: new TextEncoder().encode(JSON.stringify({ id: 'old', to: 'group', text: 'legacy', sentAt: 1, recipients: { bob: { state: 'delivered' } } })) }])
  const cap = 5
  const log = new DeliveryLog({ store, log: silentLogger() }, { delivery: { sentPerConversation: cap } })
  for (let i = 10; i < 40; i++) {
    const tx = store.transaction()
    log.record(tx, { id: `g${i}`, to: 'group', group: { id: 'group', name: 'g' }, text: `m${i}`, sentAt: i }, ['bob', 'carol'])
    if (i < 13) log.record(tx, { id: `d${i}`, to: 'bob', text: `d${i}`, sentAt: i }, ['bob'])
    await tx.commit()
    await log.routed([{ entry: entry('bob', `g${i}`), result: { id: 'x', route: 'direct' } }])
  }
  await log.pruned()
  const kept = (await log.list()).filter(v => v.to === 'group')
  assert.ok(kept.length >= cap && kept.length <= cap + 1, `${kept.length} group records kept`)
  assert.deepEqual(kept.slice(-cap).map(v => v.id), ['g35', 'g36', 'g37', 'g38', 'g39'], 'the newest')
  assert.ok(kept.every(v => v.recipients.bob?.state === 'delivered' && v.recipients.carol?.state === 'queued'), 'states as they were')
  assert.deepEqual((await log.list()).filter(v => v.to === 'bob').map(v => v.id), ['d10', 'd11', 'd12'], 'another conversation keeps its own')
  assert.equal(await count(NAMESPACES.sent), kept.length + 3)
  assert.equal(await count(NAMESPACES.sentOrder), kept.length + 3)
  assert.equal(await log.get('old'), undefined, 'a record from before the cap is pruned with the rest')

  // a late receipt for a pruned record is ignored, and brings nothing back; one for a kept record counts
  assert.equal(await log.receipt('carol', 'read', ['g10', 'g20']), 0)
  assert.equal(await log.get('g10'), undefined)
  assert.equal(await log.receipt('carol', 'read', ['g39']), 1)
  assert.equal((await log.get('g39'))?.recipients.carol?.state, 'read')
  assert.equal(await count(NAMESPACES.sent), kept.length + 3)
})
