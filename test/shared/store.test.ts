/**
 * The store keeps small hot records (identities, sessions, contacts, counters) in memory and writes
 * them through: a read must always see the last committed write, never a value from before it,
 * and what is on disk is what a reopened store reads.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { Store } from '../../src/shared/store.js'
import { tempRoot } from '../helpers/users.js'

const enc = (n: number): Uint8Array => new TextEncoder().encode(String(n))
const dec = (b: Uint8Array | undefined): number | undefined => b === undefined ? undefined : Number(new TextDecoder().decode(b))

test('cached records: reads see each committed write and delete, across a reopen', async (t) => {
  const dir = join(await tempRoot(t), 'store')
  let store = await Store.open(dir)
  t.after(async () => { await store.close() })
  const key = '/cairn/signal/session/alice.1'
  assert.equal(await store.get(key), undefined, 'absent at first')
  await store.write([{ type: 'put', key, value: enc(1) }])
  assert.equal(dec(await store.get(key)), 1, 'after the first write (the absence was cached)')
  const read = await store.get(key)
  assert.ok(read !== undefined)
  read[0] = 0x39 // a caller scribbling on what it read does not change the record
  assert.equal(dec(await store.get(key)), 1)
  await store.write([{ type: 'put', key, value: enc(2) }])
  assert.equal(dec(await store.get(key)), 2)
  const tx = store.transaction()
  tx.put(key, enc(3))
  assert.equal(dec(await tx.get(key)), 3, 'a transaction sees its own write')
  assert.equal(dec(await store.get(key)), 2, 'nothing uncommitted is visible outside it')
  await tx.commit()
  assert.equal(dec(await store.get(key)), 3)
  await store.write([{ type: 'del', key }])
  assert.equal(await store.get(key), undefined)
  assert.equal(await store.has(key), false)
  // Buffers share memory on slice(): neither the writer's buffer nor a reader's may alias the cache
  const written = Buffer.from('4')
  await store.write([{ type: 'put', key, value: written }])
  written[0] = 0x35
  assert.equal(dec(await store.get(key)), 4, 'a writer reusing its buffer does not change the record')
  await store.close()
  store = await Store.open(dir)
  const fromDisk = await store.get(key) // LevelDB hands out a Buffer
  assert.equal(dec(fromDisk), 4, 'what was read from memory is what is on disk')
  assert.ok(fromDisk !== undefined)
  fromDisk[0] = 0x36
  assert.equal(dec(await store.get(key)), 4, 'a reader scribbling on a Buffer it read does not change the record')
})

test('reads racing writes of one key never end on a value older than the last write', async (t) => {
  const dir = join(await tempRoot(t), 'store')
  const store = await Store.open(dir)
  t.after(async () => { await store.close() })
  const keys = ['/cairn/contact/name/bob', '/cairn/meta/conversation-seq']
  for (const key of keys) {
    for (let round = 0; round < 200; round++) {
      const base = round * 10
      // reads started before, during and after three writes, all in flight together
      const ops: Array<Promise<unknown>> = []
      for (let i = 1; i <= 3; i++) {
        ops.push(store.get(key))
        ops.push(store.write([{ type: 'put', key, value: enc(base + i) }]))
        ops.push(store.get(key))
      }
      await Promise.all(ops)
      assert.equal(dec(await store.get(key)), base + 3, `round ${round}: the last write wins`)
    }
  }
})

test('a transaction\'s afterCommit hooks run once its writes are durable, not those a rollback undid', async (t) => {
  const store = await Store.open(join(await tempRoot(t), 'store'))
  t.after(async () => { await store.close() })
  const ran: string[] = []
  const tx = store.transaction()
  tx.put('/cairn/seen/a', enc(1))
  tx.afterCommit(() => { ran.push('kept') })
  // a checkpoint taken right after a hook, with no write between: the rollback keeps that hook
  const mark = tx.checkpoint()
  tx.put('/cairn/seen/b', enc(1))
  tx.afterCommit(() => { ran.push('rolled back') })
  tx.rollback(mark)
  const late = tx.checkpoint()
  tx.afterCommit(() => { ran.push('no write, rolled back') })
  tx.rollback(late)
  tx.afterCommit(() => { ran.push('after the rollbacks') })
  assert.deepEqual(ran, [], 'nothing before the commit')
  const committing = tx.commit()
  assert.deepEqual(ran, [], 'nor before the write is durable')
  await committing
  assert.deepEqual(ran, ['kept', 'after the rollbacks'])
  assert.equal(dec(await store.get('/cairn/seen/a')), 1)
  assert.equal(await store.get('/cairn/seen/b'), undefined)
  await tx.commit()
  assert.deepEqual(ran, ['kept', 'after the rollbacks'], 'each hook once')
})

test('a transaction\'s onUndo runs, latest first, at a rollback past it or a failed commit, never after a commit', async (t) => {
  const store = await Store.open(join(await tempRoot(t), 'store'))
  t.after(async () => { await store.close() })
  const undone: string[] = []
  const tx = store.transaction()
  tx.onUndo(() => { undone.push('kept') })
  const mark = tx.checkpoint()
  tx.onUndo(() => { undone.push('a') })
  tx.put('/cairn/seen/a', enc(1))
  tx.onUndo(() => { undone.push('b') })
  tx.rollback(mark)
  assert.deepEqual(undone, ['b', 'a'])
  await tx.commit()
  assert.deepEqual(undone, ['b', 'a'], 'a commit undoes nothing')
  const failing = store.transaction()
  failing.onUndo(() => { undone.push('c') })
  failing.put('/cairn/seen/c', enc(1))
  failing.onUndo(() => { undone.push('d') })
  const write = store.write.bind(store)
  store.write = async () => { throw new Error('injected') }
  await assert.rejects(failing.commit(), /injected/)
  store.write = write
  assert.deepEqual(undone, ['b', 'a', 'd', 'c'])
})

test('a transaction rolls back to any checkpoint, undoing only the writes after it, and commits what is left', async (t) => {
  const store = await Store.open(join(await tempRoot(t), 'store'))
  t.after(async () => { await store.close() })
  await store.write([{ type: 'put', key: '/cairn/seen/a', value: enc(1) }, { type: 'put', key: '/cairn/seen/b', value: enc(1) }])
  const tx = store.transaction()
  await tx.prime(['/cairn/seen/a', '/cairn/seen/b', '/cairn/seen/c'])
  tx.put('/cairn/seen/a', enc(2))
  const first = tx.checkpoint()
  tx.put('/cairn/seen/a', enc(3))
  tx.delete('/cairn/seen/b')
  const second = tx.checkpoint()
  tx.put('/cairn/seen/c', enc(3))
  tx.rollback(second)
  assert.equal(await tx.get('/cairn/seen/c'), undefined, 'a key first written after the checkpoint is gone again (its primed absence stands)')
  assert.equal(dec(await tx.get('/cairn/seen/a')), 3)
  tx.rollback(first)
  assert.equal(dec(await tx.get('/cairn/seen/a')), 2, 'an overwrite goes back to the value written before the checkpoint')
  assert.equal(dec(await tx.get('/cairn/seen/b')), 1, 'a delete is undone: the primed value shows again')
  assert.deepEqual((await tx.getMany(['/cairn/seen/a', '/cairn/seen/b', '/cairn/seen/c', '/cairn/seen/d'])).map(dec), [2, 1, undefined, undefined], 'a batched read sees the same')
  await tx.commit()
  assert.deepEqual([dec(await store.get('/cairn/seen/a')), dec(await store.get('/cairn/seen/b')), await store.get('/cairn/seen/c')], [2, 1, undefined])
  // a checkpoint costs the same however much the transaction holds (a receive takes one per envelope)
  const big = store.transaction()
  for (let i = 0; i < 20_000; i++) big.put(`/cairn/seen/${i}`, enc(i))
  const t0 = performance.now()
  for (let i = 0; i < 500; i++) big.rollback(big.checkpoint())
  assert.ok(performance.now() - t0 < 100, `500 checkpoints of a 20,000-write transaction took ${Math.round(performance.now() - t0)} ms`)
})
