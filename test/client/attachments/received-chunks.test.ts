/**
 * The received file's layout on disk (issue 15): chunk ciphertext in fixed slots, never plaintext;
 * a chunk the disk altered is caught by the whole-file check; a plaintext `.part` file left by an
 * older version is converted on first open (its chunks checked again) and removed.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { AttachmentDigestError } from '../../../src/client/attachments/errors.js'
import { FileChunks } from '../../../src/client/attachments/file-chunks.js'
import { attachmentsDir, IncomingFile } from '../../../src/client/attachments/incoming-file.js'
import { chunkStoredOp, getIncoming, markSaved, recordOp } from '../../../src/client/attachments/incoming-store.js'
import { receivedBase } from '../../../src/client/attachments/received-chunks.js'
import { filesHolding } from '../../helpers/files.js'
import { plaintextOf, receivedFileSetup, type ReceivedFileSetup } from '../../helpers/received-file.js'

const CHUNK = 4096

const setup = async (t: TestContext, size: number): Promise<ReceivedFileSetup> => receivedFileSetup(t, size, CHUNK, 'diary.txt')

async function receiveAll (s: ReceivedFileSetup, inc: IncomingFile): Promise<void> {
  const chunks = new FileChunks(s.path, s.d)
  for (let i = 0; i < s.d.chunks.length; i++) await inc.accept(i, await chunks.chunk(i))
  await chunks.close()
}

test('partial and complete, the received file holds no plaintext: every 32-byte window of the content is absent', async (t) => {
  const s = await setup(t, CHUNK * 3 + 100)
  const inc = await s.incoming()
  const chunks = new FileChunks(s.path, s.d)
  await inc.accept(1, await chunks.chunk(1))
  await chunks.close()
  const onDisk = await readFile(inc.path)
  assert.equal(inc.path.endsWith('.chunks'), true)
  for (let at = 0; at + 32 <= s.data.length; at += 32) assert.equal(onDisk.includes(s.data.subarray(at, at + 32)), false, `plaintext at ${at} found`)
  await receiveAll(s, inc)
  assert.equal(await inc.finish(), true)
  for (let at = 0; at + 32 <= s.data.length; at += 512) assert.deepEqual(filesHolding(attachmentsDir(s.root), s.data.subarray(at, at + 32)), [])
  assert.deepEqual(await plaintextOf(inc), s.data)
})

test('a chunk altered on disk after it was written: the whole-file check refuses it and every chunk is fetched again', async (t) => {
  const s = await setup(t, CHUNK * 3)
  const first = await s.incoming()
  await receiveAll(s, first)
  await first.closeFile()
  const bytes = await readFile(first.path)
  bytes[CHUNK + 40] = (bytes[CHUNK + 40] ?? 0) ^ 1 // inside chunk 1's slot
  await writeFile(first.path, bytes)
  // opened again (a restart): the digest kept while the chunks arrived is gone, the file is read
  const inc = await s.incoming()
  await assert.rejects(inc.finish(), (e: unknown) => e instanceof AttachmentDigestError && e.fault === 'local')
  assert.equal(inc.state(), 'waiting', 'not refused: taken again, it mends')
  assert.deepEqual(inc.missing(), [0, 1, 2])
})

test('an old plaintext .part file is converted on open: complete stays complete, the plaintext file is gone', async (t) => {
  const s = await setup(t, CHUNK * 4 + 10)
  const fileIdHex = Buffer.from(s.d.fileId).toString('hex')
  const dir = attachmentsDir(s.root)
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, `alice-${fileIdHex}.part`), s.data) // as the version before issue 15 left it
  await s.store.write(s.d.chunks.map((_, i) => chunkStoredOp('alice', fileIdHex, i)))
  s.record.complete = true
  const inc = await s.incoming()
  assert.deepEqual(await readdir(dir), [`${receivedBase('alice', fileIdHex)}.chunks`])
  assert.equal(inc.state(), 'complete')
  assert.deepEqual(await plaintextOf(inc), s.data)
  assert.deepEqual(filesHolding(dir, s.data.subarray(0, 64)), [])
})

test('an old partial .part file whose chunk no longer matches its address: that chunk is forgotten, the others kept', async (t) => {
  const s = await setup(t, CHUNK * 4)
  const fileIdHex = Buffer.from(s.d.fileId).toString('hex')
  const dir = attachmentsDir(s.root)
  await mkdir(dir, { recursive: true })
  const old = Buffer.alloc(s.data.length)
  s.data.copy(old, 0, 0, CHUNK) // chunk 0 intact
  randomBytes(CHUNK).copy(old, 2 * CHUNK) // chunk 2 damaged
  await writeFile(join(dir, `alice-${fileIdHex}.part`), old)
  await s.store.write([0, 2].map(i => chunkStoredOp('alice', fileIdHex, i)))
  const inc = await s.incoming()
  assert.deepEqual(await readdir(dir), [`${receivedBase('alice', fileIdHex)}.chunks`])
  assert.equal(inc.state(), 'partial')
  assert.deepEqual(inc.missing(), [1, 2, 3])
  const again = await IncomingFile.open(s.store, s.root, s.record) // the forgetting is on disk, not only in memory
  assert.deepEqual(again.missing(), [1, 2, 3])
  const chunks = new FileChunks(s.path, s.d)
  for (const i of again.missing()) await again.accept(i, await chunks.chunk(i))
  await chunks.close()
  assert.equal(await again.finish(), true)
  assert.deepEqual(await plaintextOf(again), s.data)
})

test('a received file\'s name does not say who sent it; one named by its sender (before session 10) is renamed with its chunks kept', async (t) => {
  const s = await setup(t, CHUNK * 3)
  const fileIdHex = Buffer.from(s.d.fileId).toString('hex')
  const dir = attachmentsDir(s.root)
  const first = await s.incoming()
  const chunks = new FileChunks(s.path, s.d)
  for (const i of [0, 1]) await first.accept(i, await chunks.chunk(i))
  await first.closeFile()
  const names = await readdir(dir)
  assert.equal(names.length, 1)
  assert.ok(!names.some(n => n.includes('alice') || n.includes(fileIdHex)), `file names: ${names.join(', ')}`)

  // as an earlier version left it: the same chunks under the sender's name
  await rename(join(dir, names[0] as string), join(dir, `alice-${fileIdHex}.chunks`))
  const again = await IncomingFile.open(s.store, s.root, s.record)
  assert.deepEqual(await readdir(dir), names)
  assert.deepEqual(again.missing(), [2])
  await again.accept(2, await chunks.chunk(2))
  await chunks.close()
  assert.equal(await again.finish(), true)
  assert.deepEqual(await plaintextOf(again), s.data)
})

test('saved, then killed before the chunk file was removed: the next open removes it, and nothing is asked for again', async (t) => {
  const s = await setup(t, CHUNK * 3)
  const inc = await s.incoming()
  await receiveAll(s, inc)
  assert.equal(await inc.finish(), true)
  await inc.closeFile()
  const fileIdHex = Buffer.from(s.d.fileId).toString('hex')
  const saved = join(s.root, 'diary (saved).txt')
  // the record and chunk records are written, the process dies before the file's removal
  const record = await getIncoming(s.store, 'alice', fileIdHex)
  assert.ok(record !== undefined)
  await markSaved(s.store, record, fileIdHex, saved)
  assert.equal((await readdir(attachmentsDir(s.root))).length, 1)
  const again = await IncomingFile.open(s.store, s.root, (await getIncoming(s.store, 'alice', fileIdHex)) ?? record)
  assert.deepEqual(await readdir(attachmentsDir(s.root)), [])
  assert.equal(again.state(), 'saved')
  assert.equal(again.savedTo, saved)
  assert.deepEqual(again.missing(), [], 'a sender resuming its push is told nothing is missing')
})

test('chunks fetched from mailboxes, then killed before the file was finished: the record on disk still says so (what the save reads to release them at the replicas)', async (t) => {
  const s = await setup(t, CHUNK * 2 + 10)
  const fileIdHex = Buffer.from(s.d.fileId).toString('hex')
  await s.store.write([recordOp(s.record, fileIdHex)]) // as the message that carried it wrote it
  const first = await IncomingFile.open(s.store, s.root, { ...s.record })
  const chunks = new FileChunks(s.path, s.d)
  for (let i = 0; i < s.d.chunks.length; i++) await first.accept(i, await chunks.chunk(i), { fromMailbox: true })
  await chunks.close()
  // the process dies here, before finish(): only what is on disk counts
  const onDisk = await getIncoming(s.store, 'alice', fileIdHex)
  assert.equal(onDisk?.fromMailboxes, true, 'the record on disk says chunks came from mailboxes')
  const second = await IncomingFile.open(s.store, s.root, onDisk)
  assert.equal(await second.finish(), true)
  assert.equal((await getIncoming(s.store, 'alice', fileIdHex))?.fromMailboxes, true, 'finishing keeps it')
})

test('a view opened before its record changed (a second message describing the file, an announcement taking the record) writes back only what it owns: marks, not its stale copy', async (t) => {
  const s = await setup(t, CHUNK * 2 + 10)
  const fileIdHex = Buffer.from(s.d.fileId).toString('hex')
  await s.store.write([recordOp(s.record, fileIdHex)])
  const view = await IncomingFile.open(s.store, s.root, { ...s.record })
  // meanwhile the receiver rewrites the record (here: another message now shows the file)
  await s.store.write([recordOp({ ...s.record, messageId: 'the-announcement' }, fileIdHex)])
  const chunks = new FileChunks(s.path, s.d)
  for (let i = 0; i < s.d.chunks.length; i++) await view.accept(i, await chunks.chunk(i), { fromMailbox: true })
  await chunks.close()
  assert.equal((await getIncoming(s.store, 'alice', fileIdHex))?.messageId, 'the-announcement', 'a chunk from a mailbox marks the record, and only marks it')
  assert.equal(await view.finish(), true)
  const done = await getIncoming(s.store, 'alice', fileIdHex)
  assert.equal(done?.complete, true)
  assert.equal(done?.fromMailboxes, true)
  assert.equal(done?.messageId, 'the-announcement', 'finishing keeps what the receiver wrote')
  const saved = join(s.root, 'saved.txt')
  await writeFile(saved, s.data)
  await view.markSaved(saved)
  assert.equal((await getIncoming(s.store, 'alice', fileIdHex))?.messageId, 'the-announcement', 'saving keeps it too')
})
