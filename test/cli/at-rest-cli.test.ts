/**
 * Encryption at rest through the real binary: `cairn init --passphrase`, the three passphrase
 * sources, a wrong or missing passphrase (exit 2, no file changed), `cairn passphrase`, and an
 * operator node with mailbox.encryptAtRest.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { test } from 'node:test'
import { cairn, pw, startCairn } from '../helpers/cli.js'
import { tempRoot } from '../helpers/users.js'

/** Every file under `dir`: its content hash, size, mode and modification time. */
function snapshot (dir: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = join(e.parentPath, e.name)
    const st = statSync(path)
    out.set(relative(dir, path), e.isFile() ? `${createHash('sha256').update(readFileSync(path)).digest('hex')} ${st.size} ${st.mode.toString(8)} ${st.mtimeMs}` : `dir ${st.mode.toString(8)}`)
  }
  return out
}

const BOB = '12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA'

test('cairn init --passphrase; a wrong or missing passphrase exits 2 and changes no file; cairn passphrase keeps the data readable', async (t) => {
  const root = await tempRoot(t)
  const dir = join(root, 'alice')
  const A = ['--data-dir', dir]
  const init = await cairn([...A, 'init', '--passphrase', '--json'], pw('first passphrase'))
  assert.equal(init.code, 0, init.stderr)
  const made = JSON.parse(init.stdout) as { peerId: string, encrypted: boolean }
  assert.equal(made.encrypted, true)
  assert.equal(statSync(join(dir, 'at-rest.json')).mode & 0o777, 0o600)
  assert.equal((await cairn([...A, 'contact', 'add', 'bob', BOB], pw('first passphrase'))).code, 0)

  const before = snapshot(dir)
  for (const [args, options, why] of [
    [['id'], pw('wrong passphrase'), /wrong passphrase/],
    [['contact', 'add', 'carol', BOB], pw('wrong passphrase'), /wrong passphrase/],
    [['id'], {}, /is encrypted: give its passphrase/],
    [['--passphrase-fd', '0', 'inbox'], { input: 'not it\n' }, /wrong passphrase/],
    [['passphrase'], { env: { CAIRN_PASSPHRASE: 'wrong passphrase', CAIRN_NEW_PASSPHRASE: 'x' } }, /wrong passphrase/],
    [['init', '--passphrase'], pw('first passphrase'), /already exists/]
  ] as const) {
    const run = await cairn([...A, ...args], options)
    assert.equal(run.code, args[0] === 'init' ? 1 : 2, `${args.join(' ')}: ${run.stderr}`)
    assert.match(run.stderr, why)
    assert.deepEqual(snapshot(dir), before, `cairn ${args.join(' ')} changed no file`)
  }
  const viaFd = await cairn([...A, '--passphrase-fd', '0', 'id', '--json'], { input: 'first passphrase\n' })
  assert.equal(viaFd.code, 0, viaFd.stderr)
  assert.equal((JSON.parse(viaFd.stdout) as { peerId: string }).peerId, made.peerId)

  const beforeChange = snapshot(dir)
  const change = await cairn([...A, 'passphrase', '--new-passphrase-fd', '0'], { env: { CAIRN_PASSPHRASE: 'first passphrase' }, input: 'second passphrase\n' })
  assert.equal(change.code, 0, change.stderr)
  const after = snapshot(dir)
  const changed = [...after].filter(([path, v]) => beforeChange.get(path) !== v).map(([path]) => path)
  assert.deepEqual(changed, ['at-rest.json'], 'only the header was rewritten, not the store')
  const old = await cairn([...A, 'contact', 'list'], pw('first passphrase'))
  assert.equal(old.code, 2)
  assert.match(old.stderr, /wrong passphrase/)
  const list = await cairn([...A, 'contact', 'list', '--json'], pw('second passphrase'))
  assert.equal(list.code, 0, list.stderr)
  assert.deepEqual((JSON.parse(list.stdout) as Array<{ name: string }>).map(c => c.name), ['bob'])

  const none = await cairn(['--data-dir', join(root, 'no-source'), 'init', '--passphrase'])
  assert.equal(none.code, 2, 'asked to encrypt with no passphrase source (no terminal)')
  assert.match(none.stderr, /give a passphrase/)
  assert.equal(existsSync(join(root, 'no-source')), false, 'nothing was made')

  // without a passphrase nothing changes for the user
  const P = ['--data-dir', join(root, 'plain')]
  const plain = await cairn([...P, 'init', '--json'])
  assert.equal(plain.code, 0, plain.stderr)
  assert.equal((JSON.parse(plain.stdout) as { encrypted: boolean }).encrypted, false)
  assert.equal(existsSync(join(root, 'plain', 'at-rest.json')), false)
  assert.equal((await cairn([...P, 'id'])).code, 0)
  const refuse = await cairn([...P, 'passphrase'], { env: { CAIRN_PASSPHRASE: 'a', CAIRN_NEW_PASSPHRASE: 'b' } })
  assert.equal(refuse.code, 2)
  assert.match(refuse.stderr, /not encrypted/)
})

test('cairn mailbox with mailbox.encryptAtRest: a new data dir is encrypted; a wrong passphrase stops it with exit 2', async (t) => {
  const root = await tempRoot(t)
  const M = ['--data-dir', join(root, 'm'), '--listen', '/ip4/127.0.0.1/tcp/0']
  const env = { CAIRN_MAILBOX_ENCRYPT_AT_REST: 'true', CAIRN_PASSPHRASE: 'operator passphrase' }
  const node = await startCairn<{ peerId: string }>(t, [...M, 'mailbox', '--json'], env)
  assert.match(node.first.peerId, /^12D3KooW/)
  assert.equal(await node.stop(), 0)
  const key = readFileSync(join(root, 'm', 'peer.key'))
  assert.equal(key[0], 1, 'peer.key is sealed')
  const before = snapshot(join(root, 'm'))
  const wrong = await cairn([...M, 'mailbox'], { env: { ...env, CAIRN_PASSPHRASE: 'guess' } })
  assert.equal(wrong.code, 2)
  assert.match(wrong.stderr, /wrong passphrase/)
  assert.deepEqual(snapshot(join(root, 'm')), before)
  const check = await cairn([...M, 'mailbox', '--check', '--json'], { env })
  assert.equal(check.code, 0, check.stderr + check.stdout)
  const again = await startCairn<{ peerId: string }>(t, [...M, 'mailbox', '--json'], { CAIRN_PASSPHRASE: 'operator passphrase' })
  assert.equal(again.first.peerId, node.first.peerId, 'the same identity, unlocked')
  await again.stop()
})
