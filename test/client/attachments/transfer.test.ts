import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { pushChunks } from '../../../src/client/attachments/chunk-push.js'
import { AttachmentStateError } from '../../../src/client/attachments/errors.js'
import { FileChunks } from '../../../src/client/attachments/file-chunks.js'
import { attachmentsDir } from '../../../src/client/attachments/incoming-file.js'
import { listOutgoing, outgoingDescriptor } from '../../../src/client/attachments/outgoing-store.js'
import { befriend, makeUser, tempRoot } from '../../helpers/users.js'
import { systemClock } from '../../../src/shared/clock.js'
import { randomFile } from '../../helpers/random-file.js'
import { chunksNotSent } from '../../helpers/attachments.js'

const CHUNK = 256 * 1024
const overrides = { attachments: { chunkBytes: CHUNK } }

test('direct: a 3 MiB file reaches an online recipient byte-exact, is listed complete, saved atomically, and its received copy removed once saved', async (t) => {
  const root = await tempRoot(t)
  const alice = await makeUser(t, root, 'alice', { overrides })
  // no mailboxes here: a save that must fetch again gives up after a short lookup
  const bob = await makeUser(t, root, 'bob', { overrides: { ...overrides, delivery: { mailboxTimeoutMs: 1500 } } })
  await befriend(alice, bob)
  const { path, data } = await randomFile(root, 'report.pdf', 3 * 1024 * 1024 + 17)

  const [sent] = await alice.client.sendFiles('bob', [path], 'the report')
  assert.ok(sent !== undefined)
  assert.deepEqual({ route: sent.route, name: sent.name, size: sent.size }, { route: 'direct', name: 'report.pdf', size: data.length })
  const [m] = await bob.client.inbox()
  assert.ok(m !== undefined)
  assert.equal(m.text, 'the report')
  assert.deepEqual(m.attachment, { fileId: m.attachment?.fileId, name: 'report.pdf', size: data.length, mediaType: 'application/pdf', state: 'complete' })

  const out = join(root, 'out')
  await mkdir(out)
  const received = attachmentsDir(bob.config.dataDir)
  assert.equal((await readdir(received)).length, 1, 'the received chunk file waits in the data dir')
  // a save killed part-way writes nothing and keeps the received copy: the next save completes
  const kill = new Error('killed')
  await assert.rejects(bob.client.save(m.id, out, { onProgress: (p) => { if (p.stage === 'saving') throw kill } }), (e: unknown) => e === kill)
  assert.deepEqual(await readdir(out), [], 'no temporary file left')
  assert.equal((await readdir(received)).length, 1)
  assert.equal((await bob.client.inbox())[0]?.attachment?.state, 'complete')

  const saved = await bob.client.save(m.id, out)
  assert.equal(saved.path, join(out, 'report.pdf'))
  assert.deepEqual(await readFile(saved.path), data)
  // once saved and verified, the received copy no longer costs disk
  assert.deepEqual(await readdir(received), [])
  assert.equal((await bob.client.inbox())[0]?.attachment?.state, 'saved')
  // a second save says where the file is and writes nothing
  assert.deepEqual(await bob.client.save(m.id, join(root)), { id: m.id, path: join(out, 'report.pdf'), name: 'report.pdf', size: data.length, alreadySaved: true })
  assert.deepEqual(await readdir(out), ['report.pdf'])
  // the saved file gone, a direct file cannot be taken again from mailboxes: exit 1, naming where it was saved
  await rm(saved.path)
  await assert.rejects(bob.client.save(m.id, out), (e: unknown) => e instanceof AttachmentStateError && e.exitCode === 1 && e.message.includes(`saved to ${saved.path}`))
  assert.deepEqual(await readdir(out), [])
})

test('direct, interrupted: the transfer resumes where it stopped, across a restart of the recipient', async (t) => {
  const root = await tempRoot(t)
  // no mailboxes here: the fallback after the break gives up after a short lookup
  const alice = await makeUser(t, root, 'alice', { overrides: { ...overrides, delivery: { mailboxTimeoutMs: 1500 } } })
  const bob = await makeUser(t, root, 'bob', { overrides })
  await befriend(alice, bob)
  const { path, data } = await randomFile(root, 'movie.mp4', 12 * CHUNK)

  // the sender dies after its fourth chunk left (no mailbox to fall back on: the send fails)
  const kill = new Error('killed')
  const path2 = path
  let seen = 0
  await chunksNotSent(alice.client.sendFiles('bob', [path2], '', { onProgress: (p) => { if (p.stage === 'sending' && ++seen === 4) throw kill } }))
  // the send returns once the mailbox fallback gave up (at once with no DHT server known); bob
  // syncs what reached him in its own time
  const movie = async (): Promise<Awaited<ReturnType<typeof bob.client.inbox>>[number] | undefined> => (await bob.client.inbox()).find(x => x.attachment?.name === 'movie.mp4')
  for (let i = 0; i < 300 && (await movie())?.attachment?.state !== 'partial'; i++) await new Promise(resolve => setTimeout(resolve, 100))
  const second = await movie()
  assert.ok(second?.attachment !== undefined)
  assert.equal(second.attachment.state, 'partial')

  // the recipient is killed and comes back: what it held is still held
  await bob.stop()
  await bob.restart()
  const heldBefore = (await bob.client.attachments.incoming(second.id)).heldCount
  // what the recipient had synced when the stream broke (the rest was in flight, and is gone)
  assert.ok(heldBefore >= 1 && heldBefore < 12, `held ${heldBefore}`)

  // the sender resumes: only the missing chunks cross the wire
  const rec = (await listOutgoing(alice.client.store)).find(r => outgoingDescriptor(r).name === 'movie.mp4')
  assert.ok(rec !== undefined && rec.state === 'sending')
  const d = outgoingDescriptor(rec)
  const chunks = new FileChunks(rec.path, d)
  const node = alice.client.node
  assert.ok(node !== undefined)
  const r = await pushChunks(node, bob.client.identity.peerId, d.fileId, chunks, alice.config, { clock: systemClock })
  await chunks.close()
  assert.equal(r.alreadyHeld, heldBefore)
  assert.equal(r.sent, 12 - heldBefore)
  const out = join(root, 'out')
  await import('node:fs/promises').then(async fs => fs.mkdir(out))
  assert.deepEqual(await readFile((await bob.client.save(second.id, out)).path), data)
})

test('direct, larger than every buffer: a receiver slower than the network pauses the sender instead of overflowing', async (t) => {
  // 40 MiB: more than yamux's largest window (16 MiB) and the stream's read limit (24 MiB) together
  // with what an unpaused reader would let through; the receiver syncs every chunk, so it is the
  // slow side. Without working backpressure the receiving stream overflows and the push fails.
  const root = await tempRoot(t)
  const big = { attachments: { chunkBytes: 960 * 1024 }, delivery: { mailboxTimeoutMs: 1000 } }
  const alice = await makeUser(t, root, 'alice', { overrides: big })
  const bob = await makeUser(t, root, 'bob', { overrides: big })
  await befriend(alice, bob)
  const path = join(root, 'big.bin')
  const data = randomBytes(40 * 1024 * 1024)
  await writeFile(path, data)
  const [sent] = await alice.client.sendFiles('bob', [path], '')
  assert.equal(sent?.route, 'direct')
  const [m] = await bob.client.inbox()
  assert.equal(m?.attachment?.state, 'complete')
  const parts: Buffer[] = []
  for await (const b of (await bob.client.attachments.incoming(m.id)).plaintext()) parts.push(b)
  assert.deepEqual(Buffer.concat(parts), data)
})

test('direct, from a stranger: a small file is taken, a large one is refused (it must wait at mailboxes); a refused file does not stop the files after it', async (t) => {
  const root = await tempRoot(t)
  const alice = await makeUser(t, root, 'alice', { overrides: { ...overrides, delivery: { mailboxTimeoutMs: 1000 } } })
  const bob = await makeUser(t, root, 'bob', { overrides: { ...overrides, attachments: { chunkBytes: CHUNK, autoFetchBytes: 300 * 1024 } } })
  await alice.client.contactAdd('bob', bob.address) // bob does not know alice
  const small = join(root, 'small.txt')
  const large = join(root, 'large.txt')
  await writeFile(small, randomBytes(200 * 1024))
  await writeFile(large, randomBytes(2 * 1024 * 1024))
  assert.equal((await alice.client.sendFiles('bob', [small], ''))[0]?.route, 'direct')
  // one send of two files: the large one's chunks do not go, the small one after it still does
  const after = join(root, 'after.txt')
  await writeFile(after, randomBytes(100 * 1024))
  const results = await alice.client.sendFiles('bob', [large, after], '')
  assert.deepEqual(results.map(r => [r.name, r.route]), [['large.txt', 'outbox'], ['after.txt', 'direct']])
  // the error says both halves: no mailbox to store it at, and why bob refused it directly
  assert.match(results[0]?.error ?? '', /no mailbox nodes reachable for the attachment; the recipient did not take it directly either: .*too large to take directly from a sender who is not a contact.*; the file is tried again at the next sync$/)
  assert.equal(results[1]?.error, undefined)
  const states = Object.fromEntries((await bob.client.inbox()).map(m => [m.attachment?.name, m.attachment?.state]))
  assert.deepEqual(states, { 'small.txt': 'complete', 'large.txt': 'waiting', 'after.txt': 'complete' })
  // the refused file's record stays, to be tried again at the next sync
  assert.equal((await listOutgoing(alice.client.store)).find(r => outgoingDescriptor(r).name === 'large.txt')?.state, 'sending')
})

test('direct, a sender\'s stream carrying a chunk that is not the one asked for, or altered: refused as corrupt, nothing held, the honest resume saves byte-exact', async (t) => {
  // on the sender's own stream a chunk is proved by opening it at its place (its address is not hashed there)
  const root = await tempRoot(t)
  const alice = await makeUser(t, root, 'alice', { overrides: { ...overrides, delivery: { mailboxTimeoutMs: 1500 } } })
  const bob = await makeUser(t, root, 'bob', { overrides })
  await befriend(alice, bob)
  const { path, data } = await randomFile(root, 'scan.pdf', 4 * CHUNK)
  const stop = new Error('stopped after the announcement')
  await chunksNotSent(alice.client.sendFiles('bob', [path], '', { onProgress: (p) => { if (p.stage === 'sending') throw stop } }))
  const scan = async (): Promise<Awaited<ReturnType<typeof bob.client.inbox>>[number] | undefined> => (await bob.client.inbox()).find(x => x.attachment?.name === 'scan.pdf')
  for (let i = 0; i < 300 && await scan() === undefined; i++) await new Promise(resolve => setTimeout(resolve, 100))
  const m = await scan()
  assert.ok(m !== undefined)

  const rec = (await listOutgoing(alice.client.store)).find(r => outgoingDescriptor(r).name === 'scan.pdf')
  assert.ok(rec !== undefined)
  const d = outgoingDescriptor(rec)
  const node = alice.client.node
  assert.ok(node !== undefined)
  const honest = new FileChunks(rec.path, d)
  t.after(async () => { await honest.close() })
  const held = async (): Promise<number> => (await bob.client.attachments.incoming(m.id)).heldCount
  const tampered = (parts: (i: number) => Promise<Buffer[]>): FileChunks => ({ count: honest.count, chunkParts: parts }) as unknown as FileChunks
  const swapped = tampered(async (i) => honest.chunkParts((i + 1) % 4))
  await assert.rejects(pushChunks(node, bob.client.identity.peerId, d.fileId, swapped, alice.config, { clock: systemClock }), /CHUNK_CORRUPT/)
  const flipped = tampered(async (i) => {
    const parts = await honest.chunkParts(i)
    const first = Buffer.from(parts[0] as Buffer)
    first[9] = (first[9] as number) ^ 0x80
    return [first, ...parts.slice(1)]
  })
  await assert.rejects(pushChunks(node, bob.client.identity.peerId, d.fileId, flipped, alice.config, { clock: systemClock }), /CHUNK_CORRUPT/)
  // at most chunk 0, from the first stream; a refused chunk kept would also fail the save's byte-exact check below
  assert.ok(await held() <= 1, 'a refused chunk is never recorded held')

  const r = await pushChunks(node, bob.client.identity.peerId, d.fileId, honest, alice.config, { clock: systemClock })
  assert.equal(r.alreadyHeld + r.sent, 4)
  const out = join(root, 'out')
  await mkdir(out)
  assert.deepEqual(await readFile((await bob.client.save(m.id, out)).path), data)
})

test('two saves of one file at once (a second `cairn save` while the daemon still runs the first): one file, byte-exact, the other says where', async (t) => {
  const root = await tempRoot(t)
  const alice = await makeUser(t, root, 'alice', { overrides })
  const bob = await makeUser(t, root, 'bob', { overrides: { ...overrides, delivery: { mailboxTimeoutMs: 1500 } } })
  await befriend(alice, bob)
  const { path, data } = await randomFile(root, 'film.mkv', 3 * 1024 * 1024 + 5)
  const [sent] = await alice.client.sendFiles('bob', [path], '')
  assert.equal(sent?.route, 'direct')
  const out = join(root, 'out')
  await mkdir(out)
  // either may reach the queue first (each resolves its target before it queues): one writes, the other says where
  const both = await Promise.all([bob.client.save(sent.id, out), bob.client.save(sent.id, out)])
  assert.deepEqual(both.map(r => r.alreadySaved ?? false).sort(), [false, true])
  assert.equal(both[0].path, both[1].path)
  assert.deepEqual(await readdir(out), ['film.mkv'], 'one file, no second name, no temporary file left')
  assert.deepEqual(await readFile(join(out, 'film.mkv')), data)
})
