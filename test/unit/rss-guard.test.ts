/** The test run's memory guard: a process that grows past the bound fails, naming itself. */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import test from 'node:test'

const guard = fileURLToPath(new URL('../helpers/rss-guard.js', import.meta.url))
const grow = 'const keep = []; setInterval(() => { keep.push(Buffer.alloc(16 << 20, 1)) }, 5); setTimeout(() => process.exit(0), 20000)'

test('a process that grows past the RSS bound exits 70 naming itself; one that stays under is left alone', () => {
  const env = { ...process.env, CAIRN_TEST_RSS_LIMIT_MB: '200', CAIRN_TEST_RSS_CHECK_MS: '50' }
  const leaky = spawnSync(process.execPath, ['--import', guard, '-e', grow, 'leaky-suite.test.js'], { env, encoding: 'utf8', timeout: 60_000 })
  assert.equal(leaky.status, 70, leaky.stderr)
  assert.match(leaky.stderr, /rss-guard: .*leaky-suite\.test\.js .*grew to \d+ MiB, over the 200 MiB bound/)
  const calm = spawnSync(process.execPath, ['--import', guard, '-e', 'setTimeout(() => {}, 300)'], { env, encoding: 'utf8', timeout: 60_000 })
  assert.equal(calm.status, 0, calm.stderr)
  assert.equal(calm.stderr, '')
})
