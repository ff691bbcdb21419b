/**
 * `cairn passphrase --decrypt` through the real binary: an encrypted data dir with contacts,
 * sessions and mail becomes a plain one that opens without a passphrase, with everything kept and
 * messaging going on; a wrong passphrase exits 2 with no file changed; a run killed (SIGKILL) at
 * each step of the conversion leaves a data dir that opens, still encrypted or already plain, with
 * nothing lost, and a re-run finishes.
 */
import assert from 'node:assert/strict'
import { cpSync, existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { CairnClient } from '../../src/client/client.js'
import { cairn, json, pw, shown, type Shown } from '../helpers/cli.js'
import { filesHolding, snapshot } from '../helpers/files.js'
import { befriend, makeUser, tempRoot, testLogger, type TestUser } from '../helpers/users.js'

const PASS = 'alice passphrase'
const D = (dir: string): string[] => ['--data-dir', dir]

/** Alice, encrypted at rest, with a session with Bob and three messages from him; both stopped. */
async function encryptedAlice (t: TestContext): Promise<{ root: string, dir: string, inbox: string[], contacts: unknown, id: unknown, alice: TestUser, bob: TestUser }> {
  const root = await tempRoot(t)
  const alice = await makeUser(t, root, 'alice', { passphrase: PASS })
  const bob = await makeUser(t, root, 'bob')
  await befriend(alice, bob)
  for (let i = 0; i < 3; i++) assert.equal((await bob.client.send('alice', `secret from bob ${i}`)).route, 'direct')
  await alice.stop()
  await bob.stop()
  const dir = join(root, 'alice')
  assert.ok(existsSync(join(dir, 'at-rest.json')))
  assert.deepEqual(filesHolding(dir, new TextEncoder().encode('secret from bob 1')), [], 'control: encrypted, the message is in no file')
  const inbox = shown(await json<Shown[]>([...D(dir), 'inbox'], pw(PASS)))
  assert.equal(inbox.length, 3)
  return { root, dir, inbox, contacts: await json([...D(dir), 'contact', 'list'], pw(PASS)), id: await json([...D(dir), 'id'], pw(PASS)), alice, bob }
}

test('cairn passphrase --decrypt makes an encrypted data dir plain: everything kept, no passphrase needed; a wrong passphrase changes nothing', async (t) => {
  const { dir, inbox, contacts, id, alice, bob } = await encryptedAlice(t)
  const before = snapshot(dir)
  for (const options of [pw('not alice passphrase'), {}]) {
    const run = await cairn([...D(dir), 'passphrase', '--decrypt'], options)
    assert.equal(run.code, 2, run.stderr)
    assert.match(run.stderr, /wrong passphrase|give the passphrase/)
  }
  assert.deepEqual(snapshot(dir), before, 'the refusals changed no file')

  const done = await json<{ encrypted: boolean, values: number, resumed: boolean }>([...D(dir), 'passphrase', '--decrypt'], pw(PASS))
  assert.equal(done.encrypted, false)
  assert.equal(done.resumed, false)
  assert.ok(done.values > 50, `every store value written plain (${done.values})`)
  assert.equal(existsSync(join(dir, 'at-rest.json')), false, 'no header: a plain data dir')
  assert.deepEqual(readdirSync(dir).filter(n => n.startsWith('decrypt.') || n.startsWith('encrypt.')), [], 'no work left behind')
  assert.deepEqual(shown(await json<Shown[]>([...D(dir), 'inbox'])), inbox, 'the inbox, with no passphrase')
  assert.deepEqual(await json([...D(dir), 'contact', 'list']), contacts)
  assert.deepEqual(await json([...D(dir), 'id']), id, 'the same identity')
  const again = await cairn([...D(dir), 'passphrase', '--decrypt'], pw(PASS))
  assert.equal(again.code, 2)
  assert.match(again.stderr, /not encrypted/)

  // the session survived: Bob's next message opens in the plain data dir, and Alice can answer
  const plain = await CairnClient.open({ config: alice.config, log: testLogger('alice') })
  t.after(async () => { await plain.stop().catch(() => {}) })
  await bob.restart()
  assert.equal((await bob.client.send('alice', 'after the decryption')).route, 'direct')
  assert.equal((await plain.send('bob', 'still talking')).route, 'direct')
  assert.deepEqual((await plain.inbox()).map(m => m.text).slice(-1), ['after the decryption'])
  assert.deepEqual((await bob.client.inbox()).map(m => m.text).slice(-1), ['still talking'])
})

test('a decryption killed at any step leaves a data dir that opens with nothing lost, and a re-run finishes it', async (t) => {
  const { root, dir: original, inbox, contacts } = await encryptedAlice(t)
  for (const point of ['copied:64', 'committed', 'store-swapped', 'swapped']) {
    const dir = join(root, `alice-${point.replace(':', '-')}`)
    cpSync(original, dir, { recursive: true })
    const killed = await cairn([...D(dir), 'passphrase', '--decrypt'], { env: { ...pw(PASS).env, CAIRN_TEST_ENCRYPT_CRASH: point } })
    assert.equal(killed.code, null, `${point}: killed (${killed.stderr})`)
    if (point.startsWith('copied')) {
      // not committed: still encrypted, whole
      assert.equal((await cairn([...D(dir), 'inbox'])).code, 2, `${point}: still needs the passphrase`)
      assert.deepEqual(shown(await json<Shown[]>([...D(dir), 'inbox'], pw(PASS))), inbox, `${point}: opens with the passphrase`)
      const before = snapshot(dir)
      const wrong = await cairn([...D(dir), 'passphrase', '--decrypt'], pw('another passphrase'))
      assert.equal(wrong.code, 2)
      assert.deepEqual(snapshot(dir), before, `${point}: a wrong passphrase changed no file`)
      const rerun = await json<{ resumedFrom: number, values: number }>([...D(dir), 'passphrase', '--decrypt'], pw(PASS))
      assert.ok(rerun.resumedFrom > 0 && rerun.values > rerun.resumedFrom, `${point}: the copy went on where it stopped (${JSON.stringify(rerun)})`)
    } else if (point === 'committed') {
      const rerun = await json<{ resumed: boolean }>([...D(dir), 'passphrase', '--decrypt'], pw(PASS))
      assert.equal(rerun.resumed, true)
    }
    // after the commit point, whatever opens the data dir next finishes the swap
    assert.deepEqual(shown(await json<Shown[]>([...D(dir), 'inbox'])), inbox, `${point}: the inbox, with no passphrase`)
    assert.deepEqual(await json([...D(dir), 'contact', 'list']), contacts, `${point}: the contacts`)
    assert.equal(existsSync(join(dir, 'at-rest.json')), false, `${point}: plain now`)
    assert.deepEqual(readdirSync(dir).filter(n => n.startsWith('decrypt.')), [], `${point}: no work left behind`)
  }

  // a key rotation killed before its commit left a re-sealed copy in encrypt.partial/: the
  // decryption abandons it, and a later --encrypt with a new passphrase starts from the live store
  const dir = join(root, 'alice-rotation-killed')
  cpSync(original, dir, { recursive: true })
  const rotation = await cairn([...D(dir), 'passphrase', '--rotate-key'], { env: { ...pw(PASS).env, CAIRN_TEST_ENCRYPT_CRASH: 'copied:64' } })
  assert.equal(rotation.code, null, `rotation killed (${rotation.stderr})`)
  assert.ok(existsSync(join(dir, 'encrypt.partial')))
  assert.equal((await cairn([...D(dir), 'passphrase', '--decrypt'], pw(PASS))).code, 0)
  assert.deepEqual(readdirSync(dir).filter(n => n.startsWith('encrypt.') || n.startsWith('decrypt.')), [], 'the abandoned rotation is gone too')
  const encrypted = await cairn([...D(dir), 'passphrase', '--encrypt'], pw('a new passphrase'))
  assert.equal(encrypted.code, 0, encrypted.stderr)
  assert.deepEqual(shown(await json<Shown[]>([...D(dir), 'inbox'], pw('a new passphrase'))), inbox)
})
