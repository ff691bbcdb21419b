/** Unit: the daemon's scheduler against stub jobs and a manual clock (no network, no waiting). */
import assert from 'node:assert/strict'
import test from 'node:test'
import { DaemonScheduler } from '../../src/client/daemon/daemon-scheduler.js'
import { ManualClock } from '../../src/shared/clock.js'
import { silentLogger } from '../../src/shared/logger.js'

function harness () {
  const clock = new ManualClock(0, { timers: 'manual' })
  const calls: Array<[string, number]> = []
  const release: Array<() => void> = []
  const signals: AbortSignal[] = []
  const job = (name: string) => async (signal: AbortSignal): Promise<void> => {
    calls.push([name, clock.now()])
    signals.push(signal)
    await new Promise<void>(resolve => { release.push(resolve) })
  }
  const events = new EventTarget()
  const scheduler = new DaemonScheduler({ clock, log: silentLogger(), jobs: { flush: job('flush'), sync: job('sync') }, events }, { retryIntervalMs: 1000, syncIntervalMs: 5000, reconnectDelayMs: 200 })
  const finish = async (): Promise<void> => { release.shift()?.(); await new Promise(resolve => setImmediate(resolve)) }
  return { clock, calls, signals, events, scheduler, finish }
}

test('the outbox is retried every retry interval and mail collected every sync interval', async () => {
  const h = harness()
  h.scheduler.start()
  for (let i = 0; i < 5; i++) { h.clock.advance(1000); await h.finish() }
  assert.deepEqual(h.calls, [['flush', 1000], ['flush', 2000], ['flush', 3000], ['flush', 4000], ['flush', 5000]])
  // at 5000 both fell due: flush ran first, so that tick's sync was skipped, not queued
  h.clock.advance(5000)
  assert.deepEqual(h.calls.slice(5), [['flush', 6000]])
  await h.finish()
  await h.scheduler.stop()
})

test('one job at a time: ticks that find a job running are skipped, and it runs again after', async () => {
  const h = harness()
  h.scheduler.start()
  h.clock.advance(1000)
  assert.equal(h.scheduler.busy, true)
  h.clock.advance(3000) // three more ticks while the first flush still runs
  assert.equal(h.calls.length, 1)
  await h.finish()
  assert.equal(h.scheduler.busy, false)
  h.clock.advance(1000)
  assert.equal(h.calls.length, 2)
  await h.finish()
  await h.scheduler.stop()
})

test('a peer connecting retries the outbox shortly after', async () => {
  const h = harness()
  h.scheduler.start()
  h.clock.advance(300)
  h.events.dispatchEvent(new Event('peer:connect'))
  h.clock.advance(199)
  assert.equal(h.calls.length, 0)
  h.clock.advance(1)
  assert.deepEqual(h.calls, [['flush', 500]])
  await h.finish()
  await h.scheduler.stop()
})

test('stop aborts the job in flight, clears every timer and ignores later connects', async () => {
  const h = harness()
  h.scheduler.start()
  h.clock.advance(1000)
  const stopped = h.scheduler.stop()
  assert.equal(h.signals[0]?.aborted, true)
  await h.finish()
  await stopped
  assert.equal(h.clock.pending, 0)
  h.events.dispatchEvent(new Event('peer:connect'))
  h.clock.advance(60_000)
  assert.equal(h.calls.length, 1)
  assert.equal(h.scheduler.run('sync'), false)
})
