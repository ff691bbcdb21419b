import assert from 'node:assert/strict'
import { test } from 'node:test'
import { KeyedMutex } from '../../src/shared/mutex.js'

const tick = async (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

test('a keyed mutex runs one key\'s sections one at a time in arrival order, other keys alongside, and forgets idle keys', async () => {
  const m = new KeyedMutex()
  const log: string[] = []
  const section = (key: string, name: string, ms: number) => m.run(key, async () => { log.push(`${name} in`); await tick(ms); log.push(`${name} out`); return name })
  const results = await Promise.all([section('a', 'a1', 30), section('a', 'a2', 1), section('b', 'b1', 5)])
  assert.deepEqual(results, ['a1', 'a2', 'b1'])
  // b ran while a1 held a; a2 waited for a1
  assert.deepEqual(log, ['a1 in', 'b1 in', 'b1 out', 'a1 out', 'a2 in', 'a2 out'])
  await tick(0)
  assert.equal(m.size, 0, 'no entry kept for keys with nothing running')
})

test('a keyed mutex: a section that throws rejects its own caller only, and the next section of its key still runs', async () => {
  const m = new KeyedMutex()
  const failed = m.run('k', async () => { await tick(5); throw new Error('boom') })
  const next = m.run('k', async () => 'ran')
  await assert.rejects(failed, /boom/)
  assert.equal(await next, 'ran')
  await tick(0)
  assert.equal(m.size, 0)
})
