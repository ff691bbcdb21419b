/**
 * attachments.downloadDir: the daemon saves each received file up to autoFetchBytes into the
 * directory by itself, as `cairn save` would; a larger one waits for `cairn save`. Real nodes on
 * loopback, real LevelDB, the daemon's wiring (startAutoFetch, afterSync) as `cairn daemon` runs it.
 */
import assert from 'node:assert/strict'
import { mkdir, readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import type { TestUser } from '../../helpers/users.js'
import { randomFile } from '../../helpers/random-file.js'
import { connectedPair } from './streamed-pair.js'

const CHUNK = 64 * 1024

/** Bob's inbox state of the file named `name`, once it is `state` (up to 15 s); undefined if it never is. */
async function untilState (bob: TestUser, name: string, state: string): Promise<string | undefined> {
  for (let i = 0; i < 150; i++) {
    const m = (await bob.client.inbox()).find(x => x.attachment?.name === name)
    if (m?.attachment?.state === state) return m.id
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  return undefined
}

test('with a download directory, the daemon saves a file up to autoFetchBytes there by itself, byte-exact; a larger one waits for `cairn save`', async (t) => {
  const p = await connectedPair(t, CHUNK)
  const downloads = join(p.root, 'Downloads')
  await p.bob.stop()
  await p.bob.restart({ attachments: { chunkBytes: CHUNK, replicas: 3, autoFetchBytes: 1024 * 1024, downloadDir: downloads } })
  await mkdir(downloads) // the daemon makes it (cairn daemon)
  p.bob.client.attachments.startAutoFetch() // as the daemon does
  assert.equal((await p.alice.client.send('bob', 'back')).route, 'direct')

  const { path: large } = await randomFile(p.root, 'film.mkv', 2 * 1024 * 1024)
  const { path: small, data } = await randomFile(p.root, 'photo.jpg', 5 * CHUNK + 9)
  const sent = await p.alice.client.sendFiles('bob', [large, small], '')
  assert.deepEqual(sent.map(r => r.route), ['direct', 'direct'])

  assert.ok(await untilState(p.bob, 'photo.jpg', 'saved') !== undefined, 'saved by the daemon, with no `cairn save`')
  assert.deepEqual(await readFile(join(downloads, 'photo.jpg')), data)
  assert.deepEqual(await readdir(downloads), ['photo.jpg'], 'the larger file is not downloaded, and no temporary file is left')
  assert.equal((await p.bob.client.inbox()).find(m => m.attachment?.name === 'film.mkv')?.attachment?.state, 'complete', 'it waits, received, for `cairn save`')
  assert.equal((await p.bob.client.inbox()).find(m => m.attachment?.name === 'photo.jpg')?.attachment?.savedTo, join(downloads, 'photo.jpg'), 'the inbox says where it went')

  // a `cairn save` of the downloaded file says where it is and writes nothing
  const again = await p.bob.client.save(sent[1]?.id as string, downloads)
  assert.deepEqual([again.alreadySaved, again.path], [true, join(downloads, 'photo.jpg')])
})

test('with a download directory, a file whose push broke is downloaded once its chunks are at the mailboxes and bob syncs', async (t) => {
  const p = await connectedPair(t, CHUNK)
  const { path, data } = await randomFile(p.root, 'notes.bin', 20 * CHUNK + 5)
  let seen = 0
  let gone: Promise<void> | undefined
  const [sent] = await p.alice.client.sendFiles('bob', [path], 'for later', { onProgress: (x) => { if (x.stage === 'sending' && ++seen === 3) gone ??= p.bob.stop() } })
  await gone
  assert.equal(sent?.route, 'mailbox')

  const downloads = join(p.root, 'Downloads')
  await p.bob.restart({ attachments: { chunkBytes: CHUNK, replicas: 3, downloadDir: downloads } })
  await mkdir(downloads)
  p.bob.client.attachments.startAutoFetch()
  await p.bob.client.sync()
  p.bob.client.attachments.afterSync()
  assert.ok(await untilState(p.bob, 'notes.bin', 'saved') !== undefined, 'downloaded from the mailboxes')
  assert.deepEqual(await readFile(join(downloads, 'notes.bin')), data)
  assert.deepEqual(await readdir(downloads), ['notes.bin'])
})
