import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { chunkCid, openChunk, sealChunk } from '../../../src/client/attachments/chunk-cipher.js'
import { descriptorProblem, MAX_CHUNKS, safeFileName } from '../../../src/client/attachments/descriptor.js'
import { AttachmentDigestError, BadFileError, CorruptChunkError, FileChangedError } from '../../../src/client/attachments/errors.js'
import { checkFiles } from '../../../src/client/attachments/file-check.js'
import { describeFile, FileChunks } from '../../../src/client/attachments/file-chunks.js'
import { IncomingFile } from '../../../src/client/attachments/incoming-file.js'
import { getIncoming, storedChunks } from '../../../src/client/attachments/incoming-store.js'
import { encodeDescriptor } from '../../../src/client/attachments/outgoing-store.js'
import { Store } from '../../../src/shared/store.js'
import { plaintextOf, receivedFileSetup, type ReceivedFileSetup } from '../../helpers/received-file.js'
import { tempRoot } from '../../helpers/users.js'

const CHUNK = 4096

const setup = async (t: TestContext, size: number): Promise<ReceivedFileSetup> => receivedFileSetup(t, size, CHUNK, 'photo.jpg')

test('round trip: chunks made on demand are received, checked and assembled byte-exact', async (t) => {
  const { path, data, d, incoming } = await setup(t, CHUNK * 5 + 123)
  assert.equal(d.chunks.length, 6)
  assert.equal(descriptorProblem(d), undefined)
  const chunks = new FileChunks(path, d)
  const inc = await incoming()
  assert.equal(inc.state(), 'waiting')
  for (const i of [5, 2, 0, 1, 4, 3]) await inc.accept(i, await chunks.chunk(i)) // any order
  await chunks.close()
  assert.equal(await inc.finish(), true)
  assert.equal(inc.state(), 'complete')
  assert.deepEqual(await plaintextOf(inc), data)
})

test('progress survives a reopen: only the missing chunks are asked for again', async (t) => {
  const { path, data, d, incoming } = await setup(t, CHUNK * 4)
  const chunks = new FileChunks(path, d)
  const first = await incoming()
  await first.accept(0, await chunks.chunk(0))
  await first.accept(2, await chunks.chunk(2))
  await first.closeFile()
  const again = await incoming() // as after a kill: state from the store and the partial file
  assert.equal(again.state(), 'partial')
  assert.deepEqual(again.missing(), [1, 3])
  for (const i of again.missing()) await again.accept(i, await chunks.chunk(i))
  await chunks.close()
  assert.equal(await again.finish(), true)
  assert.deepEqual(await plaintextOf(again), data)
})

test('a tampered, swapped or misplaced chunk is refused with a typed error and nothing is written', async (t) => {
  const { path, d, incoming } = await setup(t, CHUNK * 3)
  const chunks = new FileChunks(path, d)
  const inc = await incoming()
  const c0 = await chunks.chunk(0)
  const c1 = await chunks.chunk(1)
  const flipped = Buffer.from(c0)
  flipped[10] = (flipped[10] ?? 0) ^ 1
  await assert.rejects(inc.accept(0, flipped), (e: unknown) => e instanceof CorruptChunkError && e.fault === 'address')
  await assert.rejects(inc.accept(0, c1), (e: unknown) => e instanceof CorruptChunkError && e.fault === 'address') // swapped
  await assert.rejects(inc.accept(7, c0), (e: unknown) => e instanceof CorruptChunkError && e.fault === 'index')
  assert.equal(inc.state(), 'waiting')
  await chunks.close()
})

test('the associated data binds index, count and file: a chunk opened at another place fails authentication', () => {
  const key = randomBytes(32)
  const fileId = randomBytes(16)
  const sealed = sealChunk(key, { fileId, index: 1, count: 3 }, Buffer.from('hello'))
  assert.equal(openChunk(key, { fileId, index: 1, count: 3 }, sealed).toString(), 'hello')
  const fault = (e: unknown): boolean => e instanceof CorruptChunkError && e.fault === 'authentication'
  assert.throws(() => openChunk(key, { fileId, index: 0, count: 3 }, sealed), fault) // reordered
  assert.throws(() => openChunk(key, { fileId, index: 1, count: 2 }, sealed), fault) // list truncated
  assert.throws(() => openChunk(key, { fileId: randomBytes(16), index: 1, count: 3 }, sealed), fault) // another file
})

test('a truncated chunk list or a foreign address makes the descriptor unsound', async (t) => {
  const { d } = await setup(t, CHUNK * 3)
  assert.match(descriptorProblem({ ...d, chunks: d.chunks.slice(0, 2) }) ?? '', /chunk list/)
  assert.match(descriptorProblem({ ...d, chunks: [...d.chunks.slice(0, 2), randomBytes(36)] }) ?? '', /address/)
  assert.match(descriptorProblem({ ...d, key: randomBytes(16) }) ?? '', /key/)
  assert.equal(safeFileName('../../etc/passwd'), 'passwd')
  assert.equal(safeFileName('..'), 'attachment')
  assert.equal(safeFileName('a\u0007b\nc'), 'abc')
  // at most 200 bytes of whole characters, the extension kept: 100 CJK characters (300 bytes) would pass a cut by characters, and fail to save
  const cjk = safeFileName('名'.repeat(100) + '.pdf')
  assert.deepEqual([Buffer.byteLength(cjk), cjk], [199, '名'.repeat(65) + '.pdf'])
  assert.equal(safeFileName('a'.repeat(300)), 'a'.repeat(200))
})

test('a sender lying about the digest: the assembled file is refused and forgotten', async (t) => {
  const root = await tempRoot(t)
  const path = join(root, 'f.bin')
  await writeFile(path, randomBytes(CHUNK * 2))
  const [file] = await checkFiles([path], 1 << 30, 1 << 30)
  assert.ok(file !== undefined)
  const d = { ...await describeFile(file, CHUNK), sha256: randomBytes(32) }
  const store = await Store.open(join(root, 'store'))
  t.after(async () => { await store.close() })
  const inc = await IncomingFile.open(store, root, { from: 'x', messageId: 'm', receivedAt: 1, descriptor: encodeDescriptor(d) })
  const chunks = new FileChunks(path, d)
  for (let i = 0; i < 2; i++) await inc.accept(i, await chunks.chunk(i))
  await chunks.close()
  await assert.rejects(inc.finish(), (e: unknown) => e instanceof AttachmentDigestError && e.fault === 'sender' && /refused/.test(e.message))
  assert.equal(inc.state(), 'refused')
  assert.deepEqual(inc.missing(), [0, 1], 'its chunks forgotten')
  // kept: opened again (a restart), it is still refused, and not fetched again (Attachments.fetch, resumeWaiting)
  await inc.closeFile()
  const again = await IncomingFile.open(store, root, (await getIncoming(store, 'x', inc.fileIdHex)) ?? assert.fail('record kept'))
  assert.equal(again.state(), 'refused')
  await again.closeFile()
})

test('a file changed after it was described is never re-encrypted under the same nonces', async (t) => {
  const { path, d } = await setup(t, CHUNK * 2)
  await writeFile(path, randomBytes(CHUNK * 2))
  const chunks = new FileChunks(path, d)
  await assert.rejects(chunks.chunk(1), FileChangedError)
  await chunks.close()
})

test('equal files from two senders share no chunk address', async (t) => {
  const { path, d } = await setup(t, CHUNK * 2)
  const [file] = await checkFiles([path], 1 << 30, 1 << 30)
  assert.ok(file !== undefined)
  const other = await describeFile(file, CHUNK)
  assert.deepEqual(other.sha256, d.sha256)
  const mine = new Set(d.chunks.map(c => Buffer.from(c).toString('hex')))
  assert.ok(other.chunks.every(c => !mine.has(Buffer.from(c).toString('hex'))))
  assert.notDeepEqual(chunkCid(Buffer.from('a')), chunkCid(Buffer.from('b')))
})

test('bad files are refused by name before anything is read: missing, directory, over the limit', async (t) => {
  const root = await tempRoot(t)
  const ok = join(root, 'ok.txt')
  await writeFile(ok, 'x'.repeat(100))
  await assert.rejects(checkFiles([ok, join(root, 'nope')], 1000, 1000), (e: unknown) => e instanceof BadFileError && e.exitCode === 2 && /nope: no such file/.test(e.message))
  await assert.rejects(checkFiles([root], 1000, 1000), (e: unknown) => e instanceof BadFileError && /is a directory/.test(e.message))
  await assert.rejects(checkFiles([ok], 50, 1000), (e: unknown) => e instanceof BadFileError && /ok.txt: is 100 bytes; the limit is 50/.test(e.message))
  await assert.rejects(checkFiles([ok, ok], 1000, 150), (e: unknown) => e instanceof BadFileError && /per message/.test(e.message))
  // more chunks than a descriptor lists: refused at the sender, not by the recipient after the upload
  const big = join(root, 'big.bin')
  await writeFile(big, Buffer.alloc(MAX_CHUNKS * 1024 + 1))
  await assert.rejects(checkFiles([big], 1 << 30, 1 << 30, 1024), (e: unknown) => e instanceof BadFileError && e.exitCode === 2 && new RegExp(`big.bin: .*at most ${MAX_CHUNKS * 1024} go in one message`).test(e.message))
  assert.equal((await checkFiles([big], 1 << 30, 1 << 30, 2048))[0]?.size, MAX_CHUNKS * 1024 + 1)
})

test('a forgotten file (its message was deleted) takes no more chunks: its chunk file is not made again, nothing more recorded', async (t) => {
  const { path, d, store, incoming } = await setup(t, CHUNK * 3)
  const chunks = new FileChunks(path, d)
  const inc = await incoming()
  await inc.accept(0, await chunks.chunk(0))
  await inc.forget()
  await rm(inc.path)
  await assert.rejects(inc.accept(1, await chunks.chunk(1)), /message was deleted/)
  await assert.rejects(inc.accept(2, await chunks.chunk(2), { defer: true }), /message was deleted/)
  await chunks.close()
  assert.equal(existsSync(inc.path), false)
  assert.deepEqual([...await storedChunks(store, 'alice', inc.fileIdHex)], [0], 'only what was held before')
})
