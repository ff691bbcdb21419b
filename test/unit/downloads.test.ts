/**
 * The daemon's downloads (src/client/attachments/downloads.ts) as a schedule: which tries happen
 * when. What a try does (Attachments.save on real nodes) is test/client/attachments/downloads.test.ts.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Downloads } from '../../src/client/attachments/downloads.js'
import { AttachmentStateError } from '../../src/client/attachments/errors.js'
import { ManualClock } from '../../src/shared/clock.js'
import { silentLogger } from '../../src/shared/logger.js'

const DAY = 24 * 3600_000
const settle = async (): Promise<void> => new Promise(resolve => setTimeout(resolve, 5))

/** Downloads whose saves answer from `outcome` (by message id), counting the tries. */
function downloads (outcome: (id: string) => 'saved' | 'not yet' | 'gone'): { d: Downloads, clock: ManualClock, tries: string[] } {
  const clock = new ManualClock()
  const tries: string[] = []
  const d = new Downloads({
    clock,
    log: silentLogger(),
    save: async (id) => {
      tries.push(id)
      const o = outcome(id)
      if (o === 'not yet') throw new AttachmentStateError('2 of 5 chunks are not available yet')
      if (o === 'gone') throw new AttachmentStateError(`unknown message ${id}`, 2)
      return {}
    }
  }, { dir: '/downloads', retryForMs: 14 * DAY })
  return { d, clock, tries }
}

test('downloads: a saved file is not tried again; one not available yet is, after each sync, until it is saved', async () => {
  let ready = false
  const { d, tries } = downloads(id => id === 'a' ? 'saved' : ready ? 'saved' : 'not yet')
  d.want('a')
  d.want('b')
  await settle()
  assert.deepEqual(d.pending, ['b'])
  d.retry()
  await settle()
  assert.deepEqual(tries, ['a', 'b', 'b'])
  ready = true
  d.retry()
  await settle()
  assert.deepEqual(d.pending, [], 'saved: nothing left to try')
  d.retry()
  await settle()
  assert.deepEqual(tries, ['a', 'b', 'b', 'b'])
})

test('downloads: a message gone (exit 2) is not tried again; one still missing after retryForMs is forgotten', async () => {
  const { d, clock, tries } = downloads(id => id === 'gone' ? 'gone' : 'not yet')
  d.want('gone')
  d.want('late')
  await settle()
  assert.deepEqual(d.pending, ['late'])
  clock.advance(14 * DAY + 1)
  d.retry()
  await settle()
  assert.deepEqual(d.pending, [])
  assert.deepEqual(tries, ['gone', 'late'], 'nothing tried past its time')
})

test('downloads: asked for again while a try runs, a failed try runs once more at once; after stop nothing is tried', async () => {
  let release: () => void = () => {}
  let calls = 0
  const clock = new ManualClock()
  const d = new Downloads({
    clock,
    log: silentLogger(),
    save: async () => {
      calls++
      if (calls === 1) await new Promise<void>(resolve => { release = resolve })
      throw new AttachmentStateError('not yet')
    }
  }, { dir: '/downloads', retryForMs: DAY })
  d.want('x')
  await settle()
  d.want('x') // the describing message came while the first try waited
  release()
  await settle()
  assert.equal(calls, 2, 'one more try, not one per ask')
  await d.stop()
  d.want('x')
  d.retry()
  await settle()
  assert.equal(calls, 2)
})
