/**
 * AskedCopies (src/mailbox/asked-copies.ts): a replica asks only the first of the holders
 * reconciling with it at once for a copy, and a promise cannot be used to keep the copy away for
 * longer than one hold, however many PeerIds ask.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { AskedCopies } from '../../src/mailbox/asked-copies.js'

const HOLD = 60_000

test('holders reconciling at once: only the first is asked for a copy; after the hold, the next one is', () => {
  const asked = new AskedCopies({ holdMs: HOLD, maxEntries: 100 })
  assert.equal(asked.ask('r/x', 'A', 0), true)
  assert.equal(asked.ask('r/x', 'B', 10), false)
  assert.equal(asked.ask('r/x', 'C', HOLD - 1), false)
  assert.equal(asked.ask('r/y', 'B', 10), true, 'other copies are not held back')
  assert.equal(asked.ask('r/x', 'A', 20), true, 'the holder asked is asked again (its copy may have been refused)')
  assert.equal(asked.ask('r/x', 'B', HOLD + 1), true, 'a promise not kept in time holds no one back')
})

test('a promise holds the others back once: many PeerIds asking in turn cannot keep a copy away', () => {
  const asked = new AskedCopies({ holdMs: HOLD, maxEntries: 100 })
  assert.equal(asked.ask('r/x', 'sybil-0', 0), true)
  assert.equal(asked.ask('r/x', 'honest', 1), false, 'the first promise holds back')
  // the first promise lapses; every later one, by a new PeerId or the same, holds no one back
  for (let i = 1; i < 20; i++) {
    assert.equal(asked.ask('r/x', `sybil-${i}`, i * HOLD + 1), true)
    assert.equal(asked.ask('r/x', 'honest', i * HOLD + 2), true, `round ${i}: the honest holder is asked`)
  }
  // re-asking at once does not hold back either
  assert.equal(asked.ask('r/z', 'A', 0), true)
  assert.equal(asked.ask('r/z', 'A', 1), true)
  assert.equal(asked.ask('r/z', 'B', 2), true)
})

test('what is remembered is bounded', () => {
  const asked = new AskedCopies({ holdMs: HOLD, maxEntries: 50 })
  for (let i = 0; i < 10_000; i++) asked.ask(`r/${i}`, 'A', 0)
  assert.equal(asked.size, 50)
})
