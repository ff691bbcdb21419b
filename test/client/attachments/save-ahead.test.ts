/**
 * A save asked for ahead (save-ahead.ts): each chunk's plaintext goes into the save's temporary
 * file as the chunk is received, and the save reads back only the chunks held before it was asked
 * for. A stream that does not end with its chunks' digest leaves nothing in the user's directory; a
 * save ahead killed with its process leaves a temporary file the next save replaces byte-exact.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { test } from 'node:test'
import { tagsDigest } from '../../../src/client/attachments/chunk-cipher.js'
import { pushChunks } from '../../../src/client/attachments/chunk-push.js'
import { AttachmentStateError } from '../../../src/client/attachments/errors.js'
import { FileChunks } from '../../../src/client/attachments/file-chunks.js'
import { listOutgoing, outgoingDescriptor, outgoingTags } from '../../../src/client/attachments/outgoing-store.js'
import { temporaryPath } from '../../../src/client/attachments/save-file.js'
import { systemClock } from '../../../src/shared/clock.js'
import { directPair, chunksNotSent } from '../../helpers/attachments.js'
import type { TestUser } from '../../helpers/users.js'
import { randomFile } from '../../helpers/random-file.js'

const CHUNK = 64 * 1024

async function fileAt (bob: TestUser, name: string): Promise<string> {
  for (let i = 0; i < 300; i++) {
    const m = (await bob.client.inbox()).find(x => x.attachment?.name === name)
    if (m !== undefined) return m.id
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  throw new Error(`${name} never reached bob`)
}

async function untilComplete (bob: TestUser, id: string): Promise<void> {
  for (let i = 0; i < 100 && !(await bob.client.attachments.incoming(id)).complete; i++) await new Promise(resolve => setTimeout(resolve, 100))
  assert.equal((await bob.client.attachments.incoming(id)).complete, true)
}

/** alice and bob connected directly (helpers' directPair), and a directory to save into. */
async function pair (t: Parameters<typeof directPair>[0], limits: Parameters<typeof directPair>[2] = {}): Promise<{ root: string, alice: TestUser, bob: TestUser, out: string }> {
  const { root, alice, bob } = await directPair(t, CHUNK, limits)
  const out = join(root, 'out')
  await mkdir(out)
  return { root, alice, bob, out }
}

test('save ahead: the chunks received after it was asked for are not read back by the save; the file is byte-exact and alone in the directory', async (t) => {
  const { root, alice, bob, out } = await pair(t)
  const { path, data } = await randomFile(root, 'movie.mp4', 16 * CHUNK + 7)
  // the push breaks after its fourth chunk: those chunks are held before the save is asked for
  let seen = 0
  await chunksNotSent(alice.client.sendFiles('bob', [path], '', { onProgress: (p) => { if (p.stage === 'sending' && ++seen === 4) throw new Error('broken') } }))
  const id = await fileAt(bob, 'movie.mp4')
  await bob.client.saveAhead(id, out)
  assert.ok(await alice.client.attachments.resume() >= 1)
  await untilComplete(bob, id)
  const saved = await bob.client.save(id, out)
  assert.deepEqual(await readFile(saved.path), data)
  const count = (await bob.client.attachments.incoming(id)).count
  assert.ok(saved.readBack !== undefined && saved.readBack > 0 && saved.readBack < count, `only the chunks held before the save ahead are read back (${String(saved.readBack)} of ${count})`)
  assert.deepEqual(await readdir(out), ['movie.mp4'])
})

test('save ahead, and a stream that does not end with its chunks\' digest: refused, nothing left in the directory, and the save says the file is not there', async (t) => {
  const { root, alice, bob, out } = await pair(t)
  const liar = join(root, 'liar.bin')
  await writeFile(liar, randomBytes(3 * CHUNK))
  await chunksNotSent(alice.client.sendFiles('bob', [liar], '', { onProgress: (p) => { if (p.stage === 'sending') throw new Error('stopped after the announcement') } }))
  const id = await fileAt(bob, 'liar.bin')
  await bob.client.saveAhead(id, out)
  const rec = (await listOutgoing(alice.client.store)).find(r => outgoingDescriptor(r).name === 'liar.bin')
  assert.ok(rec !== undefined)
  const d = outgoingDescriptor(rec)
  const chunks = new FileChunks(liar, d, outgoingTags(rec))
  t.after(async () => { await chunks.close() })
  const node = alice.client.node
  assert.ok(node !== undefined)
  await assert.rejects(pushChunks(node, bob.client.identity.peerId, d.fileId, chunks, alice.config, { clock: systemClock, end: () => new Uint8Array(32) }), /CHUNK_CORRUPT/)
  assert.deepEqual(await readdir(out), [], 'the chunks written ahead went with the file')
  await assert.rejects(bob.client.save(id, out), (e: unknown) => e instanceof AttachmentStateError)
  assert.deepEqual(await readdir(out), [])

  // a save ahead whose message is deleted: its temporary file goes with it
  const other = join(root, 'other.bin')
  await writeFile(other, randomBytes(3 * CHUNK))
  await chunksNotSent(alice.client.sendFiles('bob', [other], '', { onProgress: (p) => { if (p.stage === 'sending') throw new Error('stopped after the announcement') } }))
  const otherId = await fileAt(bob, 'other.bin')
  await bob.client.saveAhead(otherId, out)
  assert.equal((await readdir(out)).length, 1, 'the save ahead\'s temporary file')
  await bob.client.deleteMessages([otherId])
  assert.deepEqual(await readdir(out), [])
})

test('save ahead killed with its process: the temporary file it left is replaced, and the save after the restart is byte-exact', async (t) => {
  const { root, alice, bob, out } = await pair(t)
  const { path, data } = await randomFile(root, 'film.mkv', 12 * CHUNK + 3)
  let seen = 0
  await chunksNotSent(alice.client.sendFiles('bob', [path], '', { onProgress: (p) => { if (p.stage === 'sending' && ++seen === 3) throw new Error('broken') } }))
  const id = await fileAt(bob, 'film.mkv')
  await bob.client.saveAhead(id, out)
  await bob.stop()
  // what a SIGKILL leaves (nothing ran to remove it): the temporary file, part-written
  await writeFile(temporaryPath(out, 'film.mkv', id.slice(0, 16)), randomBytes(5 * CHUNK))
  await bob.restart()
  await bob.client.saveAhead(id, out)
  assert.ok(await alice.client.attachments.resume() >= 1)
  await untilComplete(bob, id)
  const saved = await bob.client.save(id, out)
  assert.deepEqual(await readFile(saved.path), data)
  assert.deepEqual(await readdir(out), ['film.mkv'])
})

/** The announcement alone reaches bob (the first push broken at once); then alice's push of the file from its record, holding back every chunk from `stallAt` on until `go()`. */
async function stallingPush (t: Parameters<typeof directPair>[0], alice: TestUser, bob: TestUser, path: string, stallAt: number): Promise<{ id: string, pushing: Promise<unknown>, go: () => void }> {
  const name = basename(path)
  await chunksNotSent(alice.client.sendFiles('bob', [path], '', { onProgress: (p) => { if (p.stage === 'sending') throw new Error('stopped after the announcement') } }))
  const id = await fileAt(bob, name)
  const rec = (await listOutgoing(alice.client.store)).find(r => outgoingDescriptor(r).name === name)
  assert.ok(rec !== undefined)
  const d = outgoingDescriptor(rec)
  const tags = outgoingTags(rec)
  assert.ok(tags !== undefined)
  const chunks = new FileChunks(path, d, tags)
  t.after(async () => { await chunks.close() })
  let go!: () => void
  const gate = new Promise<void>(resolve => { go = resolve })
  const source = { count: chunks.count, chunkParts: async (i: number) => { if (i >= stallAt) await gate; return chunks.chunkParts(i) } }
  const node = alice.client.node
  assert.ok(node !== undefined)
  const pushing = pushChunks(node, bob.client.identity.peerId, d.fileId, source, alice.config, { clock: systemClock, end: () => tagsDigest(tags) })
  pushing.catch(() => {}) // awaited by the caller
  for (let i = 0; i < 100 && (await bob.client.attachments.incoming(id)).arrivedCount < stallAt; i++) await new Promise(resolve => setTimeout(resolve, 50))
  assert.equal((await bob.client.attachments.incoming(id)).arrivedCount, stallAt)
  return { id, pushing, go }
}

test('save of a file still coming straight from its sender: it waits while chunks arrive, writes each where the file goes as it comes (only those held before are read back), and ends byte-exact', async (t) => {
  const { root, alice, bob, out } = await pair(t)
  const { path, data } = await randomFile(root, 'talk.webm', 16 * CHUNK + 5)
  const { id, pushing, go } = await stallingPush(t, alice, bob, path, 4)
  // the save, asked for with 4 chunks here; the push goes on once the save is waiting
  const received: number[] = []
  let waiting!: () => void
  const isWaiting = new Promise<void>(resolve => { waiting = resolve })
  const saving = bob.client.save(id, out, { onProgress: (p) => { if (p.stage === 'receiving') { received.push(p.done); waiting() } } })
  await Promise.race([isWaiting, saving])
  go()
  await pushing
  const saved = await saving
  assert.deepEqual(await readFile(saved.path), data)
  const count = (await bob.client.attachments.incoming(id)).count
  assert.ok(saved.readBack !== undefined && saved.readBack >= 4 && saved.readBack < count, `only the chunks held before the save are read back (${String(saved.readBack)} of ${count})`)
  assert.ok(received.length >= 2 && received[0] === 4 * CHUNK && received.at(-1) === data.length, `the status line follows the file as it arrives (${received.join(', ')})`)
  assert.deepEqual(await readdir(out), ['talk.webm'])
})

test('save of a file whose sender stalled mid-push: it waits for the push, gives up after a frame\'s deadline with no chunk, says what is missing, and leaves nothing in the directory', async (t) => {
  const { root, alice, bob, out } = await pair(t, { requestTimeoutMs: 1500 })
  const path = join(root, 'stuck.bin')
  await writeFile(path, randomBytes(6 * CHUNK))
  const { id, pushing, go } = await stallingPush(t, alice, bob, path, 2)
  const stages = new Set<string>()
  await assert.rejects(bob.client.save(id, out, { onProgress: (p) => { stages.add(p.stage) } }), (e: unknown) => e instanceof AttachmentStateError && /4 of 6 chunks/.test(e.message))
  assert.ok(stages.has('receiving'), 'the save waited while the push ran')
  assert.deepEqual(await readdir(out), [], 'what was written ahead went with the failed save')
  go()
  await assert.rejects(pushing, 'the recipient cut the stalled push off')
  // the sender comes back: the next save gets the whole file
  assert.ok(await alice.client.attachments.resume() >= 1)
  const saved = await bob.client.save(id, out)
  assert.deepEqual(await readFile(saved.path), await readFile(path))
})
