/** Unit: token buckets per key, refilled with time, bounded in keys. */
import assert from 'node:assert/strict'
import test from 'node:test'
import { RateLimiter } from '../../src/mailbox/rate-limiter.js'

test('a key gets its burst at once, then its rate', () => {
  const limiter = new RateLimiter(60, 3) // one a second, three at once
  const t0 = 1_000_000
  assert.deepEqual([1, 2, 3, 4].map(() => limiter.take('a', t0)), [true, true, true, false])
  assert.equal(limiter.take('a', t0 + 999), false)
  assert.equal(limiter.take('a', t0 + 1000), true)
  assert.equal(limiter.take('b', t0), true, 'other keys have their own bucket')
})

test('costs are taken whole or not at all, and refills never exceed the burst', () => {
  const limiter = new RateLimiter(600, 1000) // bytes: 10 a second, 1000 at once
  const t0 = 0
  assert.equal(limiter.take('x', t0, 800), true)
  assert.equal(limiter.take('x', t0, 300), false, 'not enough left: nothing taken')
  assert.equal(limiter.take('x', t0, 200), true)
  assert.equal(limiter.take('x', t0 + 3_600_000, 1001), false, 'an hour idle refills to the burst, no more')
  assert.equal(limiter.take('x', t0 + 3_600_000, 1000), true)
})

test('the idlest key is forgotten past maxKeys (a forgotten key starts with a full bucket)', () => {
  const limiter = new RateLimiter(1, 1, 2)
  assert.equal(limiter.take('a', 0), true)
  assert.equal(limiter.take('b', 1), true)
  assert.equal(limiter.take('a', 2), false)
  assert.equal(limiter.take('c', 3), true) // evicts b, the idlest
  assert.equal(limiter.take('b', 4), true, 'b was forgotten') // and now a, the idlest, is
  assert.equal(limiter.take('c', 5), false, 'c, recently used, was kept')
  assert.equal(limiter.take('a', 6), true, 'a was forgotten in turn')
})
