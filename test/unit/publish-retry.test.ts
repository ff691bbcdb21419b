import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { PublishResult } from '../../src/client/mailbox/bundle-publisher.js'
import { PublishRetry } from '../../src/client/mailbox/publish-retry.js'

const reached: PublishResult = { replicas: 3, published: 3, failures: [] }
const none: PublishResult = { replicas: 0, published: 0, failures: [] }
const refused: PublishResult = { replicas: 3, published: 2, failures: ['12D3KooW…: mailbox refused: MAILBOX_NOT_RESPONSIBLE'] }

test('a fresh start counts as short and is due at once; a publish that reached every replica found ends the retries', () => {
  const r = new PublishRetry({ retryIntervalMs: 1000, syncIntervalMs: 8000 })
  assert.equal(r.isShort, true)
  assert.equal(r.due(0), true)
  r.record(0, reached)
  assert.equal(r.isShort, false)
  assert.equal(r.due(1_000_000), false)
})

test('a short publish (none found, one refused, an error) waits retryIntervalMs, then twice as long each time, up to syncIntervalMs', () => {
  const r = new PublishRetry({ retryIntervalMs: 1000, syncIntervalMs: 5000 })
  let t = 0
  const waits: number[] = []
  for (const result of [none, refused, undefined, none, none]) {
    r.record(t, result)
    assert.equal(r.isShort, true)
    let wait = 0
    while (!r.due(t + wait)) wait += 100
    waits.push(wait)
    t += wait
  }
  assert.deepEqual(waits, [1000, 2000, 4000, 5000, 5000])
  // a publish that reaches its replicas starts the waits over
  r.record(t, reached)
  r.record(t, none)
  assert.equal(r.due(t + 999), false)
  assert.equal(r.due(t + 1000), true)
})
