/**
 * The daemon's tries at received files (src/client/attachments/file-tries.ts), downloads here, as a
 * schedule: which tries happen when, how many at once. What a try does (Attachments.save, or a
 * fetch, on real nodes) is test/client/attachments/downloads.test.ts.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { FileTries } from '../../src/client/attachments/file-tries.js'
import { AttachmentDigestError, AttachmentStateError } from '../../src/client/attachments/errors.js'
import { ManualClock } from '../../src/shared/clock.js'
import { silentLogger } from '../../src/shared/logger.js'

const MIN = 60_000
const DAY = 24 * 60 * MIN
const settle = async (): Promise<void> => new Promise(resolve => setTimeout(resolve, 5))
const init = { done: 'downloaded', retryForMs: 14 * DAY, firstRetryMs: 15_000, retryBaseMs: 5 * MIN }

type Outcome = 'saved' | 'not yet' | 'gone' | 'corrupt' | 'altered here' | 'name too long' | 'disk full'

/** Downloads whose saves answer `outcome(id)`, recording each try; manual timers. */
function downloads (outcome: (id: string) => Outcome): { d: FileTries, clock: ManualClock, tries: string[] } {
  const clock = new ManualClock(Date.UTC(2026, 0, 1), { timers: 'manual' })
  const tries: string[] = []
  const d = new FileTries({
    clock,
    log: silentLogger(),
    attempt: async (id: string) => {
      tries.push(id)
      switch (outcome(id)) {
        case 'not yet': throw new AttachmentStateError('2 of 5 chunks are not available yet')
        case 'gone': throw new AttachmentStateError(`unknown message ${id}`, 2)
        case 'corrupt': throw new AttachmentDigestError('sender', 'the file is not what its sender described')
        case 'altered here': throw new AttachmentDigestError('local', 'a received chunk changed on disk after it was checked')
        case 'name too long': throw Object.assign(new Error('ENAMETOOLONG: name too long, open'), { code: 'ENAMETOOLONG' })
        case 'disk full': throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' })
        default: return {}
      }
    }
  }, init)
  return { d, clock, tries }
}

test('downloads: a file not available yet is tried again at the next sync, then after syncs with a doubling wait, until it is saved', async () => {
  let ready = false
  const { d, clock, tries } = downloads(() => ready ? 'saved' : 'not yet')
  d.want('b')
  await settle()
  assert.deepEqual([tries.length, d.pending], [1, ['b']])
  d.retry() // the next sync: the second try is due at once
  await settle()
  assert.equal(tries.length, 2)
  d.retry() // a sync right after: the third is 5 min away
  clock.advance(15_000) // nor does the first try's timer try again
  await settle()
  assert.equal(tries.length, 2)
  clock.advance(5 * MIN)
  d.retry()
  await settle()
  assert.equal(tries.length, 3)
  clock.advance(5 * MIN) // the fourth is 10 min away
  d.retry()
  await settle()
  assert.equal(tries.length, 3)
  clock.advance(5 * MIN)
  ready = true
  d.retry()
  await settle()
  assert.deepEqual([tries.length, d.pending], [4, []], 'saved: nothing left to try')
  clock.advance(DAY)
  d.retry()
  await settle()
  assert.equal(tries.length, 4)
})

test('downloads: with no sync meanwhile, the second try comes after firstRetryMs (a direct push not begun when the message came)', async () => {
  const { d, clock, tries } = downloads(() => 'not yet')
  d.want('b')
  await settle()
  clock.advance(14_999)
  await settle()
  assert.equal(tries.length, 1)
  clock.advance(1)
  await settle()
  assert.equal(tries.length, 2)
})

test('downloads: what another try cannot mend ends the tries (message gone, a file its sender\'s chunks do not make, a name refused); a full disk, or a chunk altered on this disk, does not', async () => {
  const { d, clock, tries } = downloads(id => id as Outcome)
  const again = ['altered here', 'disk full']
  for (const id of ['gone', 'corrupt', 'altered here', 'name too long', 'disk full']) d.want(id)
  await settle()
  await settle()
  assert.deepEqual(d.pending.sort(), again)
  clock.advance(15_000)
  await settle()
  assert.deepEqual(tries.filter(t => !again.includes(t)).sort(), ['corrupt', 'gone', 'name too long'], 'each tried once')
  for (const id of again) assert.equal(tries.filter(t => t === id).length, 2, `${id}: tried again`)
})

test('downloads: one still missing after retryForMs is forgotten', async () => {
  const { d, clock, tries } = downloads(() => 'not yet')
  d.want('late')
  await settle()
  clock.advance(14 * DAY + 1)
  await settle()
  const before = tries.length
  d.retry()
  await settle()
  assert.deepEqual(d.pending, [])
  assert.equal(tries.length, before, 'nothing tried past its time')
})

test('downloads: two saves at a time, the rest queued; asked for again during a try, a failed try runs once more; after stop nothing is tried', async () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1), { timers: 'manual' })
  const releases: Array<() => void> = []
  let running = 0
  let most = 0
  const calls: string[] = []
  const d = new FileTries({
    clock,
    log: silentLogger(),
    attempt: async (id: string) => {
      calls.push(id)
      running++
      most = Math.max(most, running)
      await new Promise<void>(resolve => releases.push(resolve))
      running--
      throw new AttachmentStateError('not yet')
    }
  }, init)
  for (const id of ['a', 'b', 'c', 'd']) d.want(id)
  await settle()
  assert.deepEqual(calls, ['a', 'b'], 'two at once')
  d.want('a') // its describing message came while it waited
  releases.shift()?.()
  await settle()
  assert.deepEqual(calls, ['a', 'b', 'a'], 'a once more at once, before the queue moves')
  releases.shift()?.()
  await settle()
  assert.deepEqual(calls, ['a', 'b', 'a', 'c'])
  assert.equal(most, 2)
  const stopped = d.stop()
  for (const r of releases.splice(0)) r()
  await stopped
  d.want('e')
  d.retry()
  clock.advance(DAY)
  await settle()
  assert.deepEqual(calls, ['a', 'b', 'a', 'c'], 'd was dropped from the queue at stop; nothing after')
})

test('downloads: an ask that comes while a failing try ends is never lost, at whatever step it lands', async () => {
  for (let steps = 0; steps < 16; steps++) {
    const calls: string[] = []
    const d = new FileTries({ clock: new ManualClock(Date.UTC(2026, 0, 1), { timers: 'manual' }), log: silentLogger(), attempt: async (id: string) => { calls.push(id); throw new AttachmentStateError('not yet') } }, init)
    d.want('a')
    let step = Promise.resolve()
    for (let i = 0; i < steps; i++) step = step.then(() => {})
    await step
    d.want('a') // its describing message
    await settle()
    assert.equal(calls.length, 2, `asked again ${steps} steps after the first: tried ${calls.length} times`)
  }
})

test('downloads: the first try\'s timer does not try a file a sync has tried since, nor one whose tries ended', async () => {
  let n = 0
  const { d, clock, tries } = downloads(() => ++n === 1 ? 'not yet' : 'gone')
  d.want('x')
  await settle()
  d.retry() // the second try ends it: the message is gone
  await settle()
  assert.deepEqual([tries.length, d.pending], [2, []])
  clock.advance(15_000)
  await settle()
  assert.equal(tries.length, 2)
})
