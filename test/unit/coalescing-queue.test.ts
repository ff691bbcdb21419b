import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CoalescingQueue } from '../../src/shared/coalescing-queue.js'

const tick = async (ms = 0): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

/** Work whose runs are recorded and end when the test says. */
function gated (log: string[], name: string, done: () => boolean) {
  const gates: Array<() => void> = []
  const work = async (): Promise<boolean> => {
    log.push(name)
    await new Promise<void>(resolve => gates.push(resolve))
    return done()
  }
  return { work, open: async () => { gates.shift()?.(); await tick() } }
}

test('a coalescing queue runs few keys at once and queues the rest in arrival order', async () => {
  const q = new CoalescingQueue(2, 10)
  const log: string[] = []
  const a = gated(log, 'a', () => true)
  const b = gated(log, 'b', () => true)
  const c = gated(log, 'c', () => true)
  q.want('a', a.work); q.want('b', b.work); q.want('c', c.work)
  await tick()
  assert.deepEqual([log, q.size], [['a', 'b'], 3])
  await b.open()
  assert.deepEqual(log, ['a', 'b', 'c'], 'c starts once b ends')
  await a.open(); await c.open()
  assert.equal(q.size, 0, 'no entry kept once a key has nothing running')
})

test('a coalescing queue: asks for a running key fold into one more run, with the latest work, unless the run was done', async () => {
  const q = new CoalescingQueue(1, 10)
  const log: string[] = []
  let fetched = false
  const first = gated(log, 'first', () => fetched)
  const latest = gated(log, 'latest', () => true)
  q.want('k', first.work)
  await tick()
  assert.equal(q.want('k', first.work), true)
  assert.equal(q.want('k', latest.work), true)
  await first.open() // not done: one more run, as last asked
  assert.deepEqual(log, ['first', 'latest'])
  await latest.open()
  assert.equal(q.has('k'), false)

  // the same, but the run says it is done: the asks made meanwhile are dropped
  fetched = true
  q.want('k', first.work)
  await tick()
  q.want('k', latest.work)
  await first.open()
  assert.deepEqual(log, ['first', 'latest', 'first'])
  assert.equal(q.has('k'), false)
  // an ask after the run ended starts a new one
  q.want('k', latest.work)
  await tick()
  assert.deepEqual(log, ['first', 'latest', 'first', 'latest'])
  await latest.open()
})

test('a coalescing queue: a run that rejects counts as not done; a full queue and a stopped one refuse asks', async () => {
  const q = new CoalescingQueue(1, 1)
  let runs = 0
  let release!: () => void
  const failing = async (): Promise<boolean> => { runs++; await new Promise<void>(resolve => { release = resolve }); throw new Error('boom') }
  q.want('k', failing)
  await tick()
  q.want('k', failing)
  release(); await tick()
  assert.equal(runs, 2, 'the rejection did not end the key: the ask made meanwhile ran')
  assert.equal(q.want('queued', async () => true), true)
  assert.equal(q.want('refused', async () => true), false, 'one waiting at most')
  const stopped = q.stop()
  assert.equal(q.want('late', async () => true), false)
  release(); await stopped
  assert.deepEqual([runs, q.size], [2, 0], 'a stopped queue neither runs again nor starts what waited')
})
