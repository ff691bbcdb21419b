/**
 * attachments.downloadDir: the daemon saves each file a contact sends, up to autoFetchBytes, into
 * the directory by itself, as `cairn save` would; a larger one, or a stranger's, waits for `cairn
 * save`. Real nodes on loopback, real LevelDB, the daemon's wiring (AutoFetch: start, afterSync) as
 * `cairn daemon` runs it.
 */
import assert from 'node:assert/strict'
import { mkdir, readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import type { CairnNode } from '../../../src/shared/node/create-node.js'
import { CHUNKS_PROTOCOL, CHUNKS_STREAMED_PROTOCOL } from '../../../src/shared/protocols/ids.js'
import { bobAway, directPair, startAsDaemon, type BobAway } from '../../helpers/attachments.js'
import type { TestUser } from '../../helpers/users.js'
import { randomFile } from '../../helpers/random-file.js'
import { waitFor } from '../../helpers/wait.js'
import { connectedPair, type StreamedPair } from './streamed-pair.js'

const CHUNK = 64 * 1024
const sleep = async (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

/** Bob's message with the file named `name`, once its file is `state` (up to 15 s); undefined if it never is. */
async function untilState (bob: TestUser, name: string, state: string): Promise<string | undefined> {
  for (let i = 0; i < 150; i++) {
    const m = (await bob.client.inbox()).find(x => x.attachment?.name === name)
    if (m?.attachment?.state === state) return m.id
    await sleep(100)
  }
  return undefined
}

const stateOf = async (bob: TestUser, name: string): Promise<string | undefined> => (await bob.client.inbox()).find(m => m.attachment?.name === name)?.attachment?.state

/** The file goes announced streamed; bob goes away after its third chunk: the rest goes to his mailboxes. */
async function brokenPush (p: StreamedPair, name: string, size: number): Promise<Buffer> {
  const { path, data } = await randomFile(p.root, name, size)
  let seen = 0
  let gone: Promise<void> | undefined
  const [sent] = await p.alice.client.sendFiles('bob', [path], 'for later', { onProgress: (x) => { if (x.stage === 'sending' && ++seen === 3) gone ??= p.bob.stop() } })
  await gone
  assert.equal(sent?.route, 'mailbox')
  return data
}

test('with a download directory, the daemon saves a contact\'s file up to autoFetchBytes there by itself, byte-exact; a larger one, or a stranger\'s, waits for `cairn save`', async (t) => {
  const p = await connectedPair(t, CHUNK)
  const downloads = join(p.root, 'Downloads')
  await mkdir(downloads) // cairn daemon makes it
  await p.bob.stop()
  await p.bob.restart({ attachments: { chunkBytes: CHUNK, replicas: 3, autoFetchBytes: 1024 * 1024, downloadDir: downloads } })
  p.bob.client.attachments.autoFetch.start() // as the daemon does
  assert.equal((await p.alice.client.send('bob', 'back')).route, 'direct')

  const { path: large } = await randomFile(p.root, 'film.mkv', 2 * 1024 * 1024)
  const { path: small, data } = await randomFile(p.root, 'photo.jpg', 5 * CHUNK + 9)
  const sent = await p.alice.client.sendFiles('bob', [large, small], '')
  assert.deepEqual(sent.map(r => r.route), ['direct', 'direct'])

  assert.ok(await untilState(p.bob, 'photo.jpg', 'saved') !== undefined, 'saved by the daemon, with no `cairn save`')
  assert.deepEqual(await readFile(join(downloads, 'photo.jpg')), data)
  assert.deepEqual(await readdir(downloads), ['photo.jpg'], 'the larger file is not downloaded, and no temporary file is left')
  assert.equal(await stateOf(p.bob, 'film.mkv'), 'complete', 'it waits, received, for `cairn save`')
  assert.equal((await p.bob.client.inbox()).find(m => m.attachment?.name === 'photo.jpg')?.attachment?.savedTo, join(downloads, 'photo.jpg'), 'the inbox says where it went')

  // a `cairn save` of the downloaded file says where it is and writes nothing
  const again = await p.bob.client.save(sent[1]?.id as string, downloads)
  assert.deepEqual([again.alreadySaved, again.path], [true, join(downloads, 'photo.jpg')])

  // alice is no longer bob's contact: her small file arrives, and stays in the data dir
  await p.bob.client.contactRemove('alice')
  const { path: note } = await randomFile(p.root, 'note.txt', 2 * CHUNK)
  assert.equal((await p.alice.client.sendFiles('bob', [note], ''))[0]?.route, 'direct')
  assert.ok(await untilState(p.bob, 'note.txt', 'complete') !== undefined)
  await sleep(1000) // a download would have been asked for with its message, before its chunks came
  assert.deepEqual(await readdir(downloads), ['photo.jpg'], 'a stranger\'s file is not written into the directory')
  assert.equal(await stateOf(p.bob, 'note.txt'), 'complete')
})

test('with a download directory, a file whose push broke is downloaded once its describing message comes from the mailboxes', async (t) => {
  const p = await connectedPair(t, CHUNK)
  const data = await brokenPush(p, 'notes.bin', 20 * CHUNK + 5)
  const downloads = join(p.root, 'Downloads')
  await mkdir(downloads)
  await p.bob.restart({ attachments: { chunkBytes: CHUNK, replicas: 3, autoFetchBytes: 2 * 1024 * 1024, downloadDir: downloads } })
  p.bob.client.attachments.autoFetch.start()
  await p.bob.client.sync()
  assert.ok(await untilState(p.bob, 'notes.bin', 'saved') !== undefined, 'downloaded from the mailboxes')
  assert.deepEqual(await readFile(join(downloads, 'notes.bin')), data)
  assert.deepEqual(await readdir(downloads), ['notes.bin'])
})

test('with a download directory, a file whose push broke, larger than autoFetchBytes, is not downloaded when its describing message comes', async (t) => {
  const p = await connectedPair(t, CHUNK)
  await brokenPush(p, 'large.bin', 40 * CHUNK)
  const downloads = join(p.root, 'Downloads')
  await mkdir(downloads)
  await p.bob.restart({ attachments: { chunkBytes: CHUNK, replicas: 3, autoFetchBytes: 2 * 1024 * 1024, downloadDir: downloads } })
  p.bob.client.attachments.autoFetch.start()
  await p.bob.client.sync() // brings the describing message (not shown, not counted)
  p.bob.client.attachments.autoFetch.afterSync()
  await sleep(2000) // a download asked for would be running or done by now (two store reads after the message)
  assert.equal(p.bob.client.attachments.autoFetch.downloadsActive, 0, 'no download asked for')
  assert.deepEqual(await readdir(downloads), [], 'left for `cairn save`')
  // not fetched either: only what the push got to bob before he stopped (none to three chunks)
  assert.ok(['waiting', 'partial'].includes(await stateOf(p.bob, 'large.bin') ?? ''), 'not fetched')
})

/** Bob away at 4 mailbox nodes; alice's send of report.pdf to him killed after 6 chunks stored: the message and a third of the chunks wait there. */
async function halfUploaded (t: TestContext): Promise<BobAway & { data: Buffer, downloads: string }> {
  const away = await bobAway(t, 4, CHUNK)
  const { path, data } = await randomFile(away.root, 'report.pdf', 20 * CHUNK + 5)
  let stored = 0
  await assert.rejects(away.alice.client.sendFiles('bob', [path], 'the report', { onProgress: (p) => { if (p.stage === 'sending' && ++stored === 6) throw new Error('killed') } }), /killed/)
  const downloads = join(away.root, 'Downloads')
  await mkdir(downloads)
  return { ...away, data, downloads }
}

/** Bob's one message's download tried once and not saved (chunks missing), waiting to be tried again. */
async function firstTryFailed (bob: TestUser): Promise<void> {
  const [m] = await bob.client.inbox()
  assert.ok(m !== undefined)
  for (let i = 0; i < 150 && !bob.client.attachments.autoFetch.downloadsWaiting.includes(m.id); i++) await sleep(100)
  assert.deepEqual(bob.client.attachments.autoFetch.downloadsWaiting, [m.id], 'the first try could not save it: chunks missing')
}

test('with a download directory, a file not all at the mailboxes when its message came is downloaded by the try after a sync once it is', async (t) => {
  const { bob, alice, data, downloads } = await halfUploaded(t)
  // the first retry's own timer (limits.requestTimeoutMs) far off: the try after a sync is what saves it
  await bob.restart({ attachments: { chunkBytes: CHUNK, replicas: 3, downloadDir: downloads }, limits: { requestTimeoutMs: 60_000 } })
  await bob.client.contactAdd('alice', alice.peerId)
  bob.client.attachments.autoFetch.start()
  assert.equal((await bob.client.sync()).received, 1)
  await firstTryFailed(bob)
  assert.deepEqual(await readdir(downloads), [])

  assert.equal(await alice.client.attachments.resume(), 1) // the rest of the chunks reach the mailboxes
  await bob.client.sync()
  bob.client.attachments.autoFetch.afterSync() // as the daemon does after each sync
  assert.ok(await untilState(bob, 'report.pdf', 'saved') !== undefined, 'downloaded by the try after the sync')
  assert.deepEqual(await readFile(join(downloads, 'report.pdf')), data)
  // the inbox says saved once the save's record is written; the try that saved it leaves the
  // waiting list when the save returns, after the received copy's removal: moments later, on a
  // slow machine after the check above (a run at 0.66 core read it still waiting)
  await waitFor('the download to leave the waiting list', () => bob.client.attachments.autoFetch.downloadsWaiting.length === 0)
  assert.deepEqual(bob.client.attachments.autoFetch.downloadsWaiting, [], 'done: no longer waiting')
})

test('without a download directory, a file not all at the mailboxes when its message came is fetched by the try after a sync once it is', async (t) => {
  const { bob, alice } = await halfUploaded(t)
  await bob.restart({ attachments: { chunkBytes: CHUNK, replicas: 3 }, limits: { requestTimeoutMs: 60_000 } })
  await bob.client.contactAdd('alice', alice.peerId)
  bob.client.attachments.autoFetch.start()
  assert.equal((await bob.client.sync()).received, 1)
  assert.ok(await untilState(bob, 'report.pdf', 'partial') !== undefined, 'the first fetch took the chunks there were')
  await sleep(500) // a fetch asked for again would be running by now
  assert.equal(await stateOf(bob, 'report.pdf'), 'partial')

  // alice's resume pushes straight to bob when she can: he takes no pushes, so the rest reach the mailboxes
  await (bob.client.node as CairnNode).unhandle([CHUNKS_PROTOCOL, CHUNKS_STREAMED_PROTOCOL])
  assert.equal(await alice.client.attachments.resume(), 1)
  await bob.client.sync()
  bob.client.attachments.autoFetch.afterSync() // as the daemon does after each sync
  assert.ok(await untilState(bob, 'report.pdf', 'complete') !== undefined, 'fetched by the try after the sync')
})

test('a daemon restarted while a download waited asks for it again at start; files received while downloads were off are not downloaded when they are turned on', async (t) => {
  const { root, bob, alice, data, downloads } = await halfUploaded(t)
  const on = { attachments: { chunkBytes: CHUNK, replicas: 3, downloadDir: downloads }, limits: { requestTimeoutMs: 60_000 } }
  const daemonStarts = async (overrides: typeof on | { attachments: { chunkBytes: number, replicas: number } }): Promise<number> => (await startAsDaemon(bob, overrides)).downloads
  assert.equal(await daemonStarts(on), 0) // the first start with a directory: from now on
  await bob.client.contactAdd('alice', alice.peerId)
  assert.equal((await bob.client.sync()).received, 1)
  await firstTryFailed(bob)

  await bob.stop() // the waiting list goes with the process
  assert.equal(await alice.client.attachments.resume(), 1)
  assert.equal(await daemonStarts(on), 1, 'asked for again at start')
  assert.ok(await untilState(bob, 'report.pdf', 'saved') !== undefined, 'downloaded with no sync')
  assert.deepEqual(await readFile(join(downloads, 'report.pdf')), data)

  // downloads off: a file comes and is fetched; turned on again, it is not downloaded
  await bob.stop()
  assert.equal(await daemonStarts({ attachments: { chunkBytes: CHUNK, replicas: 3 } }), 0)
  const { path: later } = await randomFile(root, 'later.bin', 3 * CHUNK)
  await alice.client.sendFiles('bob', [later], '')
  await bob.client.sync()
  // as the daemon does: its message may have come before all its chunks (a replica told bob at once)
  bob.client.attachments.autoFetch.afterSync()
  assert.ok(await untilState(bob, 'later.bin', 'complete') !== undefined)
  await bob.stop()
  assert.equal(await daemonStarts(on), 0, 'received while downloads were off')
  assert.deepEqual(await readdir(downloads), ['report.pdf'])
})

test('without a download directory, a daemon restarted while a fetch waited asks for it again at start and fetches it with no sync; a complete file is not asked for', async (t) => {
  const { bob, alice } = await halfUploaded(t)
  const off = { attachments: { chunkBytes: CHUNK, replicas: 3 }, limits: { requestTimeoutMs: 60_000 } }
  const daemonStarts = async (): Promise<{ downloads: number, fetches: number }> => startAsDaemon(bob, off)
  assert.deepEqual(await daemonStarts(), { downloads: 0, fetches: 0 })
  assert.equal((await bob.client.sync()).received, 1)
  assert.ok(await untilState(bob, 'report.pdf', 'partial') !== undefined, 'the first fetch took the chunks there were')

  await bob.stop() // the waiting list goes with the process
  assert.equal(await alice.client.attachments.resume(), 1) // bob is away: the rest reach the mailboxes
  assert.deepEqual(await daemonStarts(), { downloads: 0, fetches: 1 }, 'asked for again at start')
  assert.ok(await untilState(bob, 'report.pdf', 'complete') !== undefined, 'fetched with no sync')
  await bob.stop()
  assert.deepEqual(await daemonStarts(), { downloads: 0, fetches: 0 }, 'complete: nothing to fetch')
})

test('the first start with a download directory also downloads a file that came between the client opening and the downloads starting', async (t) => {
  const { root, alice, bob } = await directPair(t, CHUNK)
  const downloads = join(root, 'Downloads')
  await mkdir(downloads)
  await bob.stop()
  await bob.restart({ attachments: { chunkBytes: CHUNK, downloadDir: downloads } }) // open, its node up: files can come
  const { path, data } = await randomFile(root, 'early.txt', 3 * CHUNK)
  assert.equal((await alice.client.sendFiles('bob', [path], ''))[0]?.route, 'direct')
  assert.ok(await untilState(bob, 'early.txt', 'complete') !== undefined)
  bob.client.attachments.autoFetch.start() // as the daemon does, a moment after the client opened
  assert.deepEqual(await bob.client.attachments.autoFetch.resumeWaiting(), { downloads: 1, fetches: 0 }, 'asked for: it came after the client opened')
  assert.ok(await untilState(bob, 'early.txt', 'saved') !== undefined)
  assert.deepEqual(await readFile(join(downloads, 'early.txt')), data)
})
