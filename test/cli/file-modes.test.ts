/**
 * Issue 10: the data dir holds the plaintext inbox and outbox, sessions and prekey private keys
 * (in LevelDB's files) besides the key files. Whatever the shell's umask, every file Cairn writes
 * there is 0600 and every directory 0700: a user inits, runs a sync against a `cairn mailbox`
 * node, and both data dirs are walked. A store left by an older version is tightened on open.
 */
import assert from 'node:assert/strict'
import { chmodSync, lstatSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { Store } from '../../src/shared/store.js'
import { cairn, startCairn } from '../helpers/cli.js'
import { tempRoot } from '../helpers/users.js'

/** Every path under `dir` (itself included) whose mode is not 0700 (directories) or 0600 (the rest). */
function loose (dir: string): string[] {
  const out: string[] = []
  const walk = (path: string): void => {
    const st = lstatSync(path)
    if (st.isSymbolicLink()) return
    const want = st.isDirectory() ? 0o700 : 0o600
    if ((st.mode & 0o777) !== want) out.push(`${path} ${(st.mode & 0o777).toString(8)}`)
    if (st.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name))
  }
  walk(dir)
  return out
}

test('every file `cairn init`, `cairn sync` and `cairn mailbox` write is 0600, every directory 0700, under umask 022', async (t) => {
  // the usual login umask: files 0644 unless Cairn says otherwise (children inherit it)
  const before = process.umask(0o022)
  t.after(() => { process.umask(before) })
  const root = await tempRoot(t)
  const alice = join(root, 'alice')
  const mbx = join(root, 'mbx')
  const loopback = ['--listen', '/ip4/127.0.0.1/tcp/0']
  assert.equal((await cairn(['--data-dir', alice, ...loopback, 'init'])).code, 0)
  const node = await startCairn<{ addresses: string[] }>(t, ['--data-dir', mbx, 'mailbox', '--json', ...loopback], { CAIRN_NETWORK_ALLOW_PRIVATE_ADDRESSES: 'true' })
  const sync = await cairn(['--data-dir', alice, ...loopback, 'sync', '--json'], { env: { CAIRN_BOOTSTRAP: node.first.addresses[0] as string } })
  assert.equal(sync.code, 0, sync.stderr)
  assert.equal(await node.stop(), 0)
  assert.ok(readdirSync(join(alice, 'store')).some(n => n.endsWith('.log') || n.endsWith('.ldb')), 'LevelDB wrote its files')
  assert.deepEqual(loose(alice), [], 'the user\'s data dir')
  assert.deepEqual(loose(mbx), [], 'the mailbox node\'s data dir')
})

test('a store an older version left readable by others is tightened when opened', async (t) => {
  const before = process.umask(0o022)
  t.after(() => { process.umask(before) })
  const path = join(await tempRoot(t), 'store')
  const first = await Store.open(path)
  await first.write([{ type: 'put', key: '/cairn/meta/x', value: new Uint8Array([1]) }])
  await first.close()
  chmodSync(path, 0o755)
  for (const name of readdirSync(path)) chmodSync(join(path, name), 0o644)
  writeFileSync(join(path, 'LOG.old'), 'old log\n', { mode: 0o644 })
  process.umask(0o022)
  const again = await Store.open(path)
  await again.write([{ type: 'put', key: '/cairn/meta/y', value: new Uint8Array([2]) }])
  await again.close()
  assert.deepEqual(loose(path), [])
})
