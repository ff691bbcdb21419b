/** The test run's memory guard: a process that grows past the bound is killed, naming itself. */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import test from 'node:test'

const guard = fileURLToPath(new URL('../helpers/rss-guard.js', import.meta.url))
const grow = 'const keep = []; setInterval(() => { keep.push(Buffer.alloc(16 << 20, 1)) }, 5); setTimeout(() => process.exit(0), 20000)'
// the whole growth inside one synchronous stretch: no timer of the main thread runs until it ends
const growBlocked = 'const keep = []; function growWithoutYielding () { const end = Date.now() + 15000; while (Date.now() < end) { if (keep.length < 40) keep.push(Buffer.alloc(16 << 20, 1)) } } growWithoutYielding(); process.exit(0)'
const env = { ...process.env, CAIRN_TEST_RSS_LIMIT_MB: '200', CAIRN_TEST_RSS_CHECK_MS: '50' }

test('a process that grows past the RSS bound is killed naming itself; one that stays under is left alone', () => {
  const leaky = spawnSync(process.execPath, ['--import', guard, '-e', grow, 'leaky-suite.test.js'], { env, encoding: 'utf8', timeout: 60_000 })
  assert.equal(leaky.signal, 'SIGKILL', leaky.stderr)
  assert.match(leaky.stderr, /rss-guard: .*leaky-suite\.test\.js .*grew to \d+ MiB, over the 200 MiB bound/)
  // a process a test starts (not a test file) is watched from its first second on, and killed the same way
  const child = spawnSync(process.execPath, ['--import', guard, '-e', grow, 'some-daemon.js'], { env, encoding: 'utf8', timeout: 60_000 })
  assert.equal(child.signal, 'SIGKILL', child.stderr)
  assert.match(child.stderr, /rss-guard: .*some-daemon\.js .*grew to \d+ MiB, over the 200 MiB bound/)
  const calm = spawnSync(process.execPath, ['--import', guard, '-e', 'setTimeout(() => {}, 300)'], { env, encoding: 'utf8', timeout: 60_000 })
  assert.equal(calm.status, 0, calm.stderr)
  assert.equal(calm.stderr, '')
})

test('a process that grows past the bound without ever yielding to its event loop is killed too', () => {
  const started = Date.now()
  const blocked = spawnSync(process.execPath, ['--import', guard, '-e', growBlocked, 'blocked-suite.test.js'], { env, encoding: 'utf8', timeout: 60_000 })
  assert.equal(blocked.signal, 'SIGKILL', `exited ${String(blocked.status)} after ${Date.now() - started} ms: ${blocked.stderr}`)
  assert.match(blocked.stderr, /rss-guard: .*blocked-suite\.test\.js .*grew to \d+ MiB, over the 200 MiB bound/)
  // and names the code that grew: the main thread's stack, from a pause that interrupted the loop
  assert.match(blocked.stderr, /rss-guard: {3}at growWithoutYielding/, blocked.stderr)
})
