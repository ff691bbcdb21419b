/**
 * BoundedMap (src/shared/bounded-map.ts), the bound on every cache a remote party can grow by
 * sending new keys: never more than its limit, and what it drops is the least recently written.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { BoundedMap } from '../../src/shared/bounded-map.js'

test('a bounded map keeps at most its limit, dropping the least recently written key', () => {
  const m = new BoundedMap<string, number>(3)
  for (let i = 0; i < 1000; i++) m.set(`k${i}`, i)
  assert.equal(m.size, 3)
  assert.deepEqual([...m.keys()], ['k997', 'k998', 'k999'])

  m.set('k997', -1) // written again: now the most recent
  m.set('new', 1)
  assert.deepEqual([...m.entries()], [['k999', 999], ['k997', -1], ['new', 1]], 'k998 went, not the rewritten k997')
  assert.equal(m.get('k998'), undefined)
})
