/**
 * `cairn passphrase --encrypt` through the real binary: a user who started without a passphrase
 * (contacts, sessions, inbox) encrypts the data dir and keeps everything; afterwards no file in it
 * holds a message text or key bytes, a wrong passphrase exits 2, and messaging goes on. A run
 * killed (SIGKILL) at each step of the conversion leaves a data dir that opens, plain or with the
 * passphrase, with nothing lost, and a re-run finishes.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { cpSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { test } from 'node:test'
import { Store } from '../../src/shared/store.js'
import { cairn, cliPair, json, pw, shown, startCairn, type Shown } from '../helpers/cli.js'
import { secretsIn, snapshot } from '../helpers/files.js'
import { stablePort } from '../helpers/ports.js'
import { befriend, makeUser, tempRoot } from '../helpers/users.js'

/** Key material of a plain data dir: both key files, and every Signal record (sessions, prekeys) of 32 bytes or more. */
async function keyMaterial (dataDir: string): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>()
  out.set('peer.key', readFileSync(join(dataDir, 'peer.key')))
  const signal = JSON.parse(readFileSync(join(dataDir, 'signal-identity.key'), 'utf8')) as { identityKeyPair: string }
  out.set('Signal identity key pair, base64', new TextEncoder().encode(signal.identityKeyPair))
  out.set('Signal identity key pair', Buffer.from(signal.identityKeyPair, 'base64'))
  const store = await Store.open(join(dataDir, 'store'))
  try {
    for await (const { key, value } of store.list('/cairn/signal/')) if (value.length >= 32) out.set(key, value)
  } finally {
    await store.close()
  }
  return out
}


test('a plain data dir with contacts, sessions and mail is encrypted in place: everything kept, nothing readable, messaging goes on', async (t) => {
  const root = await tempRoot(t)
  // each text random and unlike every other (no shared tag): a run of one found in a file counts as
  // that text found (helpers/files.ts says why)
  const text = (label: string): string => `${label} ${randomBytes(30).toString('base64url')}`
  const [a1, b1, a2, b2] = ['A1', 'B1', 'A2', 'B2'].map(text) as [string, string, string, string]
  const { A, B, bobDaemon } = await cliPair(t, root)
  const alicePort = await stablePort()
  const aliceListen = ['--listen', `/ip4/127.0.0.1/tcp/${alicePort}`]
  let alice = await startCairn<{ addresses: string[] }>(t, [...A, 'daemon', '--json', ...aliceListen])
  assert.equal((await cairn([...B, 'contact', 'add', 'alice', alice.first.addresses[0] as string])).code, 0)
  assert.equal((await json<{ route: string }>([...A, 'send', 'bob', a1])).route, 'direct')
  assert.equal((await json<{ route: string }>([...B, 'send', 'alice', b1])).route, 'direct')

  const busy = await cairn([...A, 'passphrase', '--encrypt'], pw('alice passphrase'))
  assert.equal(busy.code, 2, 'refused while the daemon holds the data dir')
  assert.match(busy.stderr, /in use by a running cairn daemon/)
  assert.equal(existsSync(join(root, 'alice', 'at-rest.json')) || existsSync(join(root, 'alice', 'encrypt.partial')), false, 'nothing was begun')
  assert.equal(await alice.stop(), 0)

  const dir = join(root, 'alice')
  const inbox = await json<Shown[]>([...A, 'inbox'])
  assert.deepEqual(inbox.map(m => m.text), [b1])
  const contacts = await json<unknown[]>([...A, 'contact', 'list'])
  const secrets = await keyMaterial(dir)
  assert.ok([...secrets.keys()].some(k => k.includes('/session/')), 'alice has a session with bob')
  secrets.set('message B1', new TextEncoder().encode(b1))
  assert.ok(secretsIn([dir], secrets).includes('message B1'), 'control: the search finds the message in the plain data dir')

  const converted = await json<{ encrypted: boolean, values: number, resumed: boolean }>([...A, 'passphrase', '--encrypt'], pw('alice passphrase'))
  assert.equal(converted.encrypted, true)
  assert.equal(converted.resumed, false)
  assert.ok(converted.values > 100, `every store value sealed (${converted.values})`)
  assert.deepEqual(secretsIn([dir], secrets), [], 'no message text or key bytes in any file of the data dir')
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const mode = statSync(join(e.parentPath, e.name)).mode & 0o777
    assert.equal(mode, e.isDirectory() ? 0o700 : 0o600, `${relative(dir, join(e.parentPath, e.name))} is ${mode.toString(8)}`)
  }
  assert.deepEqual(readdirSync(dir).filter(n => n.startsWith('encrypt.')), [], 'no work left behind')

  const before = snapshot(dir)
  for (const options of [pw('not alice passphrase'), {}]) {
    const run = await cairn([...A, 'inbox'], options)
    assert.equal(run.code, 2, run.stderr)
    assert.match(run.stderr, /wrong passphrase|is encrypted: give its passphrase/)
  }
  const again = await cairn([...A, 'passphrase', '--encrypt'], pw('alice passphrase'))
  assert.equal(again.code, 2)
  assert.match(again.stderr, /already encrypted/)
  assert.deepEqual(snapshot(dir), before, 'refusals changed no file')
  assert.deepEqual(shown(await json<Shown[]>([...A, 'inbox'], pw('alice passphrase'))), shown(inbox))
  assert.deepEqual(await json<unknown[]>([...A, 'contact', 'list'], pw('alice passphrase')), contacts)

  alice = await startCairn<{ addresses: string[] }>(t, [...A, 'daemon', '--json', ...aliceListen], { CAIRN_PASSPHRASE: 'alice passphrase' })
  assert.equal((await json<{ route: string }>([...A, 'send', 'bob', a2])).route, 'direct')
  assert.equal((await json<{ route: string }>([...B, 'send', 'alice', b2])).route, 'direct')
  assert.deepEqual((await json<Shown[]>([...A, 'inbox'])).map(m => m.text), [b1, b2])
  assert.deepEqual((await json<Shown[]>([...B, 'inbox'])).map(m => m.text), [a1, a2])
  assert.equal(await alice.stop(), 0)
  await bobDaemon.stop()
  secrets.set('message B2', new TextEncoder().encode(b2))
  assert.deepEqual(secretsIn([dir], secrets), [])
})

test('a conversion killed at any step leaves a data dir that opens with nothing lost, and a re-run finishes it', async (t) => {
  const root = await tempRoot(t)
  const alice = await makeUser(t, root, 'alice')
  const bob = await makeUser(t, root, 'bob')
  await befriend(alice, bob)
  for (let i = 0; i < 3; i++) assert.equal((await bob.client.send('alice', `kill-test message ${i}`)).route, 'direct')
  await alice.stop()
  await bob.stop()
  const original = join(root, 'alice')
  const D = (dir: string): string[] => ['--data-dir', dir]
  const inbox = shown(await json<Shown[]>([...D(original), 'inbox']))
  assert.equal(inbox.length, 3)
  const contacts = await json<unknown[]>([...D(original), 'contact', 'list'])
  const secrets = await keyMaterial(original)
  secrets.set('message', new TextEncoder().encode('kill-test message 1'))
  const pass = pw('the passphrase')

  for (const point of ['copied:64', 'committed', 'store-swapped', 'swapped']) {
    const dir = join(root, `alice-${point.replace(':', '-')}`)
    cpSync(original, dir, { recursive: true })
    const killed = await cairn([...D(dir), 'passphrase', '--encrypt'], { env: { ...pass.env, CAIRN_TEST_ENCRYPT_CRASH: point } })
    assert.equal(killed.code, null, `${point}: killed (${killed.stderr})`)
    if (point.startsWith('copied')) {
      // not committed: still the plain data dir, whole
      assert.deepEqual(shown(await json<Shown[]>([...D(dir), 'inbox'])), inbox, `${point}: opens plain`)
      const before = snapshot(dir)
      const wrong = await cairn([...D(dir), 'passphrase', '--encrypt'], pw('another passphrase'))
      assert.equal(wrong.code, 2)
      assert.match(wrong.stderr, /wrong passphrase.*begun with another one/)
      assert.deepEqual(snapshot(dir), before, `${point}: a wrong passphrase changed no file`)
      const rerun = await json<{ resumedFrom: number, values: number }>([...D(dir), 'passphrase', '--encrypt'], pass)
      assert.ok(rerun.resumedFrom > 0 && rerun.values > rerun.resumedFrom, `${point}: the copy went on where it stopped (${JSON.stringify(rerun)})`)
    } else if (point === 'committed') {
      const rerun = await json<{ resumed: boolean }>([...D(dir), 'passphrase', '--encrypt'], pass)
      assert.equal(rerun.resumed, true)
    }
    // after the commit point, whatever opens the data dir next finishes the swap
    assert.deepEqual(shown(await json<Shown[]>([...D(dir), 'inbox'], pass)), inbox, `${point}: the inbox, with the passphrase`)
    assert.deepEqual(await json<unknown[]>([...D(dir), 'contact', 'list'], pass), contacts, `${point}: the contacts`)
    const plain = await cairn([...D(dir), 'inbox'])
    assert.equal(plain.code, 2, `${point}: encrypted now`)
    assert.deepEqual(readdirSync(dir).filter(n => n.startsWith('encrypt.')), [], `${point}: no work left behind`)
    assert.deepEqual(secretsIn([dir], secrets), [], `${point}: nothing readable`)
  }
})

test('cairn passphrase --rotate-key re-seals everything under a new data key; killed midway, the old key still opens it and a re-run finishes', async (t) => {
  const root = await tempRoot(t)
  const alice = await makeUser(t, root, 'alice')
  const bob = await makeUser(t, root, 'bob')
  await befriend(alice, bob)
  for (let i = 0; i < 2; i++) assert.equal((await bob.client.send('alice', `rotation message ${i}`)).route, 'direct')
  await alice.stop()
  await bob.stop()
  const dir = join(root, 'alice')
  const D = ['--data-dir', dir]
  const secrets = await keyMaterial(dir)
  secrets.set('message', new TextEncoder().encode('rotation message 1'))
  const pass = pw('the passphrase')
  await json([...D, 'passphrase', '--encrypt'], pass)
  const inbox = shown(await json<Shown[]>([...D, 'inbox'], pass))
  assert.equal(inbox.length, 2)
  const contacts = await json<unknown[]>([...D, 'contact', 'list'], pass)
  const header = (): { check: string } => JSON.parse(readFileSync(join(dir, 'at-rest.json'), 'utf8')) as { check: string }
  const first = { check: header().check, peerKey: readFileSync(join(dir, 'peer.key')) }

  const before = snapshot(dir)
  const wrong = await cairn([...D, 'passphrase', '--rotate-key'], pw('not the passphrase'))
  assert.equal(wrong.code, 2)
  assert.match(wrong.stderr, /wrong passphrase/)
  assert.deepEqual(snapshot(dir), before, 'a wrong passphrase changed no file')

  const killed = await cairn([...D, 'passphrase', '--rotate-key'], { env: { ...pass.env, CAIRN_TEST_ENCRYPT_CRASH: 'copied:64' } })
  assert.equal(killed.code, null, `killed (${killed.stderr})`)
  assert.equal(header().check, first.check, 'not committed: still the old data key')
  assert.deepEqual(shown(await json<Shown[]>([...D, 'inbox'], pass)), inbox, 'opens under the old key')
  const rerun = await json<{ rotated: boolean, resumedFrom: number, values: number }>([...D, 'passphrase', '--rotate-key'], pass)
  assert.equal(rerun.rotated, true)
  assert.ok(rerun.resumedFrom > 0 && rerun.values > rerun.resumedFrom, `the copy went on where it stopped (${JSON.stringify(rerun)})`)
  assert.notEqual(header().check, first.check, 'a new data key')
  assert.equal(readFileSync(join(dir, 'peer.key')).equals(first.peerKey), false, 'peer.key re-sealed')
  assert.deepEqual(shown(await json<Shown[]>([...D, 'inbox'], pass)), inbox)
  assert.deepEqual(await json<unknown[]>([...D, 'contact', 'list'], pass), contacts)
  assert.deepEqual(readdirSync(dir).filter(n => n.startsWith('encrypt.')), [], 'no work left behind')
  assert.deepEqual(secretsIn([dir], secrets), [])
})
