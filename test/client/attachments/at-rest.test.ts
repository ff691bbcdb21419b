/**
 * Issue 15: a received attachment never sits in plaintext in the data dir. Real clients with data
 * dirs encrypted at rest (a passphrase) receive a file, directly and through mailbox replicas; no
 * file under the recipient's data dir then holds a marker that appears all through the file's
 * content, and the file is still saved byte-exact.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { AttachmentDigestError } from '../../../src/client/attachments/errors.js'
import { attachmentsDir } from '../../../src/client/attachments/incoming-file.js'
import { bobAway, bobCollects } from '../../helpers/attachments.js'
import { filesHolding } from '../../helpers/files.js'
import { befriend, makeUser, tempRoot, type TestUser } from '../../helpers/users.js'

const CHUNK = 64 * 1024

/** About `size` random bytes with `marker` every 4 KiB: every chunk holds it several times. */
function markedContent (size: number): { data: Buffer, marker: Buffer } {
  const marker = Buffer.from(`issue-15 plaintext marker ${randomBytes(8).toString('hex')}`)
  const data = randomBytes(size)
  for (let at = 0; at + marker.length <= size; at += 4096) marker.copy(data, at)
  return { data, marker }
}

async function saveAndCheck (root: string, user: TestUser, sender: TestUser, messageId: string, data: Buffer, marker: Buffer): Promise<void> {
  assert.deepEqual(filesHolding(user.config.dataDir, marker), [], 'no file in the data dir holds the received plaintext')
  const paths = await readdir(user.config.dataDir, { recursive: true })
  assert.deepEqual(paths.filter(p => p.includes(sender.peerId)), [], 'no file name in the data dir names the sender')
  const out = join(root, 'out')
  await mkdir(out)
  const saved = await user.client.save(messageId, out)
  assert.deepEqual(await readFile(saved.path), data, 'saved byte-exact')
  assert.deepEqual(filesHolding(user.config.dataDir, marker), [], 'nor after the save')
}

test('encrypted data dir, direct: a received file is not in plaintext anywhere in the data dir, and saves byte-exact', async (t) => {
  const root = await tempRoot(t)
  const overrides = { attachments: { chunkBytes: CHUNK } }
  const alice = await makeUser(t, root, 'alice', { overrides, passphrase: 'alice passphrase' })
  const bob = await makeUser(t, root, 'bob', { overrides, passphrase: 'bob passphrase' })
  await befriend(alice, bob)
  const { data, marker } = markedContent(10 * CHUNK + 77)
  const path = join(root, 'diary.txt')
  await writeFile(path, data)
  const [sent] = await alice.client.sendFiles('bob', [path], '')
  assert.equal(sent?.route, 'direct')
  const [m] = await bob.client.inbox()
  assert.equal(m?.attachment?.state, 'complete')
  await bob.stop() // everything on disk as a thief would find it
  await bob.restart()
  await saveAndCheck(root, bob, alice, m.id, data, marker)
})

test('encrypted data dir, via mailboxes: a fetched file is not in plaintext anywhere in the data dir, and saves byte-exact', async (t) => {
  const { root, bob, alice } = await bobAway(t, 4, CHUNK, { passphrases: true })
  const { data, marker } = markedContent(6 * CHUNK + 5)
  const path = join(root, 'diary.txt')
  await writeFile(path, data)
  const [sent] = await alice.client.sendFiles('bob', [path], '')
  assert.equal(sent?.route, 'mailbox')
  await alice.stop()

  const m = await bobCollects(bob, alice)
  await bob.client.attachments.fetch(m.id)
  assert.equal((await bob.client.inbox())[0]?.attachment?.state, 'complete')
  await saveAndCheck(root, bob, alice, m.id, data, marker)
})

test('a received chunk altered on disk after its check: save exits 1 with nothing written, and the file is to be fetched again', async (t) => {
  const root = await tempRoot(t)
  const overrides = { attachments: { chunkBytes: CHUNK } }
  const alice = await makeUser(t, root, 'alice', { overrides })
  const bob = await makeUser(t, root, 'bob', { overrides })
  await befriend(alice, bob)
  const { data } = markedContent(3 * CHUNK)
  const path = join(root, 'diary.txt')
  await writeFile(path, data)
  await alice.client.sendFiles('bob', [path], '')
  const [m] = await bob.client.inbox()
  assert.equal(m?.attachment?.state, 'complete')
  await bob.stop()
  const dir = attachmentsDir(bob.config.dataDir)
  const [name] = await readdir(dir)
  assert.ok(name?.endsWith('.chunks') === true)
  const bytes = await readFile(join(dir, name))
  bytes[CHUNK + 100] = (bytes[CHUNK + 100] ?? 0) ^ 1
  await writeFile(join(dir, name), bytes)
  await bob.restart()
  const out = join(root, 'out')
  await mkdir(out)
  await assert.rejects(bob.client.save(m.id, out), (e: unknown) => e instanceof AttachmentDigestError && e.fault === 'local' && e.exitCode === 1)
  assert.deepEqual(await readdir(out), [], 'nothing saved, no temporary file left')
  assert.equal((await bob.client.inbox())[0]?.attachment?.state, 'waiting')
})
