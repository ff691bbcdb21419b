/**
 * An idle daemon's RSS is mostly the code it has loaded (docs/BENCHMARKS.md, issue 12 memory): V8
 * keeps each module's source and what it compiled for the life of the process. These tests run the
 * real binary, record what it loads (helpers/loaded-code.ts) and check it loads no code it does not
 * run, and no more code than the budget below; and that a command that stays offline loads no libp2p.
 */
import assert from 'node:assert/strict'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { cairn, CAIRN, startCairn } from '../helpers/cli.js'
import type { LoadedCode } from '../helpers/loaded-code.js'
import { tempRoot } from '../helpers/users.js'

const HOOK = fileURLToPath(new URL('../helpers/loaded-code.js', import.meta.url))
const BUNDLE = join(CAIRN, '..')
/** The mailbox server's class in a bundle file, as written or as minified (`var MailboxService=class{`). */
const MAILBOX_SERVICE = /\bclass MailboxService\b|\bMailboxService\s*=\s*class\b/
const hasMailboxServer = (file: string): boolean => MAILBOX_SERVICE.test(readFileSync(file, 'utf8'))

/**
 * Bytes of Cairn's bundle (dist/cli) an idle daemon may load. 2.13 MB measured (2026-12-03, node
 * 24); 3.25 MB before the bundle was minified. A new dependency or module that pushes it past this
 * costs every user's daemon memory: load it where it is used (a dynamic import), or raise the
 * budget knowingly.
 */
const CODE_BUDGET_BYTES = 2_500_000

test('an idle daemon loads neither undici nor the mailbox server, and stays within its code budget', async (t) => {
  const root = await tempRoot(t)
  const dir = ['--data-dir', join(root, 'user')]
  assert.equal((await cairn([...dir, 'init'])).code, 0)
  const record = join(root, 'loaded.json')
  const env = { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${HOOK}`, TEST_LOADED_CODE: record }
  const daemon = await startCairn(t, [...dir, 'daemon', '--json', '--listen', '/ip4/127.0.0.1/tcp/0'], env)
  // its first sync runs behind the start-up line; idle after it
  await new Promise(resolve => setTimeout(resolve, 3000))
  assert.equal(await daemon.stop('SIGTERM'), 0, daemon.stderr())
  const loaded = JSON.parse(readFileSync(record, 'utf8')) as LoadedCode

  // node:http's lazy WebSocket getters load undici when an ES module imports node:http
  assert.deepEqual(loaded.builtins.filter(m => m.includes('undici')), [], 'undici (fetch, WebSocket) was loaded')

  const files = loaded.urls.filter(u => u.startsWith('file:')).map(u => fileURLToPath(u)).filter(f => f.startsWith(BUNDLE))
  assert.ok(files.length > 1, 'the daemon ran from the bundle')
  assert.deepEqual(files.filter(hasMailboxServer), [], 'a daemon that serves no mailbox loaded the mailbox server')
  const bytes = files.reduce((sum, f) => sum + statSync(f).size, 0)
  t.diagnostic(`the idle daemon loaded ${files.length} files of the bundle, ${bytes} bytes`)
  assert.ok(bytes <= CODE_BUDGET_BYTES, `the idle daemon loaded ${bytes} bytes of code, over the ${CODE_BUDGET_BYTES} budget`)
})

test('the mailbox server is in the bundle, loaded by a node that serves', async (t) => {
  // the check above is not vacuous: the class it looks for is there, and a serving node loads it
  const root = await tempRoot(t)
  const dir = ['--data-dir', join(root, 'node')]
  assert.equal((await cairn([...dir, 'init'])).code, 0)
  const record = join(root, 'loaded.json')
  const env = { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${HOOK}`, TEST_LOADED_CODE: record, CAIRN_MAILBOX_ENABLED: 'true' }
  const daemon = await startCairn(t, [...dir, 'daemon', '--json', '--listen', '/ip4/127.0.0.1/tcp/0'], env)
  assert.equal(await daemon.stop('SIGTERM'), 0, daemon.stderr())
  const loaded = JSON.parse(readFileSync(record, 'utf8')) as LoadedCode
  const files = loaded.urls.filter(u => u.startsWith('file:')).map(u => fileURLToPath(u)).filter(f => f.startsWith(BUNDLE))
  assert.ok(files.some(hasMailboxServer), 'a serving node did not load the mailbox server')
})

/** libp2p's node factory in a bundle file, as written or as minified. */
const CREATE_LIBP2P = /\bfunction createLibp2p\b|\bcreateLibp2p\s*=\s*(async\s*)?(function|\()/
const hasLibp2p = (file: string): boolean => CREATE_LIBP2P.test(readFileSync(file, 'utf8'))

test('a command that stays offline (inbox, contact list) does not load libp2p; one that goes online does', async (t) => {
  const root = await tempRoot(t)
  const dir = ['--data-dir', join(root, 'user')]
  assert.equal((await cairn([...dir, 'init'])).code, 0)
  const loadedBy = async (args: string[]): Promise<string[]> => {
    const record = join(root, `loaded-${args.join('-')}.json`)
    const run = await cairn([...dir, ...args], { env: { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${HOOK}`, TEST_LOADED_CODE: record } })
    assert.equal(run.code, 0, run.stderr)
    const loaded = JSON.parse(readFileSync(record, 'utf8')) as LoadedCode
    return loaded.urls.filter(u => u.startsWith('file:')).map(u => fileURLToPath(u)).filter(f => f.startsWith(BUNDLE))
  }
  for (const args of [['inbox'], ['contact', 'list']]) {
    const files = await loadedBy(args)
    assert.ok(files.length > 1, `cairn ${args.join(' ')} ran from the bundle`)
    assert.deepEqual(files.filter(hasLibp2p), [], `cairn ${args.join(' ')} loaded libp2p`)
  }
  // the check is not vacuous: a command that connects (sync, with no peers to reach) loads it
  assert.ok((await loadedBy(['sync'])).some(hasLibp2p), 'cairn sync did not load libp2p')
})
