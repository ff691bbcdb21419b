/**
 * The suite's lighter node:test async hook (test/helpers/light-test-hook.ts): suites, hooks and
 * subtests keep their structure, and an error thrown after a test's await still fails the run,
 * naming the error.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import test from 'node:test'
import { tempRoot } from '../helpers/users.js'

const hook = fileURLToPath(new URL('../helpers/light-test-hook.js', import.meta.url))

const FIXTURE = `
import assert from 'node:assert/strict'
import { describe, it, before, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
describe('a suite', () => {
  let x = 0
  before(() => { x = 1 })
  it('sees its before hook', () => { assert.equal(x, 1) })
})
test('a subtest', async (t) => { await sleep(1); await t.test('inner', () => {}) })
test('throws from a timer after an await', async () => { await sleep(1); setTimeout(() => { throw new Error('late boom') }, 5); await sleep(300) })
test('rejects unhandled after an await', async () => { await sleep(1); void Promise.reject(new Error('rejected boom')); await sleep(300) })
`

test('with the light hook, suites, hooks and subtests run as before, and a late throw or unhandled rejection still fails the file, naming the error', async (t) => {
  const dir = await tempRoot(t, 'cairn-light-hook-')
  const file = join(dir, 'fixture.test.mjs')
  writeFileSync(file, FIXTURE)
  // a runner of its own, as `npm test` starts one (not this file's, nor its NODE_OPTIONS)
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '' }
  delete env.NODE_TEST_CONTEXT
  const run = spawnSync(process.execPath, ['--import', hook, '--test', '--test-reporter=spec', file], { env, encoding: 'utf8', timeout: 60_000 })
  const out = run.stdout + run.stderr
  assert.equal(run.status, 1, out)
  assert.match(out, /✔ sees its before hook/)
  assert.match(out, /✔ inner/)
  assert.match(out, /late boom/)
  assert.match(out, /rejected boom/)
  // the hook in use is the light one: with node's own, each error fails its test by name instead
  assert.match(out, /A resource generated asynchronous activity after the test ended\. This activity created the error "Error: late boom"/)
  assert.match(out, /ℹ fail 1/)
})
