/**
 * `cairn save` killed outright mid-copy (SIGKILL, in a process of its own): the next save writes
 * the file byte-exact and leaves nothing of the killed one in the user's directory (a 1 GiB save
 * killed at 70 % left a hidden 753 MB file there for good before session 20). Killed before any
 * background sync, nothing of it is kept (save-file.test.ts: what a sync put on disk is).
 */
import assert from 'node:assert/strict'
import { mkdir, readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { killedInChild } from '../../helpers/attachments.js'
import { befriend, makeUser, tempRoot } from '../../helpers/users.js'
import { randomFile } from '../../helpers/random-file.js'

const SAVE_AND_DIE = fileURLToPath(new URL('../../helpers/save-and-die.js', import.meta.url))
const CHUNK = 256 * 1024

test('a save killed by SIGKILL mid-copy: the next save writes the file byte-exact and leaves no partial file behind', async (t) => {
  const root = await tempRoot(t)
  const overrides = { attachments: { chunkBytes: CHUNK } }
  const alice = await makeUser(t, root, 'alice', { overrides })
  const bob = await makeUser(t, root, 'bob', { overrides: { ...overrides, delivery: { mailboxTimeoutMs: 1500 } } })
  await befriend(alice, bob)
  const { path, data } = await randomFile(root, 'film.mkv', 4 * 1024 * 1024 + 5)
  const [sent] = await alice.client.sendFiles('bob', [path], '')
  assert.equal(sent?.route, 'direct')
  const id = (await bob.client.inbox())[0]?.id as string
  const out = join(root, 'out')
  await mkdir(out)

  // bob's process is the one that dies: his client runs in a child of its own
  await killedInChild(bob, root, SAVE_AND_DIE, [id, out])
  const left = (await readdir(out)).sort()
  assert.equal(left.length, 2, `the killed save left its temporary file and its progress record: ${left.join(', ')}`)
  assert.ok(left[0]?.startsWith('.film.mkv.') === true && left[1] === `${left[0]}.progress`, `hidden: ${left.join(', ')}`)

  await bob.restart()
  const saved = await bob.client.save(id, out)
  assert.equal(saved.path, join(out, 'film.mkv'))
  assert.deepEqual(await readFile(saved.path), data)
  assert.deepEqual(await readdir(out), ['film.mkv'], 'nothing of the killed save is left')
})
