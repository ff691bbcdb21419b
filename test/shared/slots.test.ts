import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Slots } from '../../src/shared/slots.js'

test('slots: at most `size` holders, the rest served in the order they asked; a second release frees nothing more', async () => {
  const slots = new Slots(2)
  const a = await slots.take()
  const b = await slots.take()
  const order: string[] = []
  const c = slots.take().then(r => { order.push('c'); return r })
  const d = slots.take().then(r => { order.push('d'); return r })
  a()
  a() // idempotent: d must still wait for a second slot
  const releaseC = await c
  assert.deepEqual(order, ['c'])
  b()
  const releaseD = await d
  assert.deepEqual(order, ['c', 'd'])
  releaseC()
  releaseD()
  // both free again: two takes resolve at once
  await Promise.all([slots.take(), slots.take()])
  assert.throws(() => new Slots(0), RangeError)
})
