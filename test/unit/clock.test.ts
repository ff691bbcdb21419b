/** Unit: the manual clock that component tests and the simulation drive time with. */
import assert from 'node:assert/strict'
import test from 'node:test'
import { ManualClock, deadline } from '../../src/shared/clock.js'

test('manual timers fire in time order when time passes them, each at its own time', () => {
  const clock = new ManualClock(1000, { timers: 'manual' })
  const fired: Array<[string, number]> = []
  clock.setTimeout(() => fired.push(['b', clock.now()]), 200)
  clock.setTimeout(() => fired.push(['a', clock.now()]), 100)
  const every = clock.setInterval(() => fired.push(['tick', clock.now()]), 150)
  clock.advance(99)
  assert.deepEqual(fired, [])
  clock.advance(251)
  assert.deepEqual(fired, [['a', 1100], ['tick', 1150], ['b', 1200], ['tick', 1300]])
  assert.equal(clock.now(), 1350)
  every.clear()
  clock.advance(10_000)
  assert.equal(fired.length, 4)
  assert.equal(clock.pending, 0)
})

test('a cleared timer never fires; sleep rejects when its signal aborts', async () => {
  const clock = new ManualClock(0, { timers: 'manual' })
  let fired = false
  clock.setTimeout(() => { fired = true }, 10).clear()
  clock.advance(100)
  assert.equal(fired, false)
  const abort = new AbortController()
  const sleeping = clock.sleep(1000, abort.signal)
  abort.abort(new Error('stop'))
  await assert.rejects(sleeping, /stop/)
  assert.equal(clock.pending, 0, 'the aborted sleep left no timer behind')
  const done = clock.sleep(50)
  clock.advance(50)
  await done
})

test('deadlines on a manual clock abort only when time reaches them, with a TimeoutError', () => {
  const clock = new ManualClock(0, { timers: 'manual' })
  const outer = new AbortController()
  const signal = deadline(clock, 500, outer.signal)
  clock.advance(499)
  assert.equal(signal.aborted, false)
  clock.advance(1)
  assert.equal(signal.aborted, true)
  assert.equal((signal.reason as Error).name, 'TimeoutError')
})

test('a manual clock in real-timer mode moves now() by hand but cuts real deadlines', async () => {
  const clock = new ManualClock(0)
  clock.advance(14 * 86_400_000)
  assert.equal(clock.now(), 14 * 86_400_000)
  const signal = clock.timeout(20)
  await new Promise(resolve => { signal.addEventListener('abort', resolve) })
  assert.equal(clock.pending, 0)
})
