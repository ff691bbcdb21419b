/**
 * Files announced streamed (session 21): to a connected recipient the announcement carries the key
 * and size only, each chunk goes as soon as it is sealed, and the stream ends with the digest of the
 * chunks' tags (ChunkEnd). A push that breaks is finished directly by the sender's resume, or goes
 * to mailboxes with the full descriptor in a second, unshown message.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { pushChunks } from '../../../src/client/attachments/chunk-push.js'
import { isStreamed } from '../../../src/client/attachments/descriptor.js'
import { FileChangedError } from '../../../src/client/attachments/errors.js'
import { descriptorOf, getIncoming } from '../../../src/client/attachments/incoming-store.js'
import { encodeDescriptor, listOutgoing, outgoingDescriptor, outgoingTags, putOutgoing, type OutgoingRecord } from '../../../src/client/attachments/outgoing-store.js'
import { FileChunks } from '../../../src/client/attachments/file-chunks.js'
import { systemClock } from '../../../src/shared/clock.js'
import { directPair, chunksNotSent, fileAt } from '../../helpers/attachments.js'
import { befriend, makeUser, tempRoot } from '../../helpers/users.js'
import { connectedPair } from './streamed-pair.js'
import { randomFile } from '../../helpers/random-file.js'

const CHUNK = 64 * 1024

test('streamed: to a connected recipient the first chunk leaves with no describe pass; the stream\'s end completes the file, saved byte-exact; a file written to meanwhile is never completed', async (t) => {
  const root = await tempRoot(t)
  const overrides = { attachments: { chunkBytes: CHUNK } }
  const alice = await makeUser(t, root, 'alice', { overrides })
  const bob = await makeUser(t, root, 'bob', { overrides })
  await befriend(alice, bob)
  assert.equal((await alice.client.send('bob', 'hi')).route, 'direct') // connected from here on
  const { path, data } = await randomFile(root, 'clip.mp4', 10 * CHUNK + 33)

  const stages: string[] = []
  const [sent] = await alice.client.sendFiles('bob', [path], 'a clip', { onProgress: (p) => { if (stages.at(-1) !== p.stage) stages.push(p.stage) } })
  assert.equal(sent?.route, 'direct')
  assert.deepEqual(stages, ['sending'], 'no reading pass before the chunks go')
  const m = await fileAt(bob, 'clip.mp4')
  assert.equal(m.state, 'complete')
  const rec = await getIncoming(bob.client.store, alice.peerId, (await bob.client.attachments.incoming(m.id)).fileIdHex)
  assert.ok(rec !== undefined && rec.streamed === true && isStreamed(descriptorOf(rec)), 'announced with no chunk list and no digest')
  const out = join(root, 'out')
  await mkdir(out)
  assert.deepEqual(await readFile((await bob.client.save(m.id, out)).path), data)

  // a file written to while it is streamed (same size): the push stops before its end, never completed
  const other = join(root, 'draft.bin')
  await writeFile(other, randomBytes(6 * CHUNK))
  let n = 0
  const [changed] = await alice.client.sendFiles('bob', [other], '', { onProgress: (p) => { if (p.stage === 'sending' && ++n === 2) writeFileSync(other, randomBytes(CHUNK), { flag: 'r+' }) } })
  assert.equal(changed?.error, new FileChangedError(other).message)
  assert.equal((await listOutgoing(alice.client.store)).find(r => outgoingDescriptor(r).name === 'draft.bin')?.state, 'failed')
  assert.notEqual((await fileAt(bob, 'draft.bin')).state, 'complete')
})

test('streamed, the push broken and no mailbox: the sender\'s resume describes the file and finishes it directly; a wrong end digest is refused and nothing kept', async (t) => {
  const { root, alice, bob } = await directPair(t, CHUNK)
  const { path, data } = await randomFile(root, 'movie.mp4', 12 * CHUNK)

  // a stream whose end is not the chunks' (the sender sealed something else): refused, nothing kept
  const liar = join(root, 'liar.bin')
  await writeFile(liar, randomBytes(3 * CHUNK))
  const stop = new Error('stopped after the announcement')
  await chunksNotSent(alice.client.sendFiles('bob', [liar], '', { onProgress: (p) => { if (p.stage === 'sending') throw stop } }))
  const lied = (await listOutgoing(alice.client.store)).find(r => outgoingDescriptor(r).name === 'liar.bin')
  assert.ok(lied !== undefined && lied.streamed === true)
  const node = alice.client.node
  assert.ok(node !== undefined)
  const lm = await fileAt(bob, 'liar.bin')
  const d = outgoingDescriptor(lied)
  const chunks = new FileChunks(liar, d, outgoingTags(lied))
  t.after(async () => { await chunks.close() })
  await assert.rejects(pushChunks(node, bob.client.identity.peerId, d.fileId, chunks, alice.config, { clock: systemClock, end: () => new Uint8Array(32) }), /CHUNK_CORRUPT/)
  const liarFile = await bob.client.attachments.incoming(lm.id)
  assert.equal(liarFile.heldCount, 0, 'every chunk forgotten')
  assert.equal(liarFile.complete, false)

  // the sender dies after its fourth chunk left: the file is described for mailboxes (none here)
  let seen = 0
  await chunksNotSent(alice.client.sendFiles('bob', [path], '', { onProgress: (p) => { if (p.stage === 'sending' && ++seen === 4) throw new Error('killed') } }))
  const m = await fileAt(bob, 'movie.mp4')
  assert.notEqual(m.state, 'complete')
  const rec = (await listOutgoing(alice.client.store)).find(r => outgoingDescriptor(r).name === 'movie.mp4')
  assert.ok(rec !== undefined && rec.streamed === true && rec.state === 'sending' && !isStreamed(outgoingDescriptor(rec)), 'described in full after the break')
  // as a sender SIGKILLed mid-push leaves it: the record still streamed, no tags; the resume describes it first
  const killed: OutgoingRecord = { ...rec, descriptor: encodeDescriptor({ ...outgoingDescriptor(rec), chunks: [], sha256: new Uint8Array(0) }) }
  delete killed.tags
  await putOutgoing(alice.client.store, killed)

  assert.ok(await alice.client.attachments.resume() >= 1)
  for (let i = 0; i < 100 && (await fileAt(bob, 'movie.mp4')).state !== 'complete'; i++) await new Promise(resolve => setTimeout(resolve, 100))
  assert.equal((await fileAt(bob, 'movie.mp4')).state, 'complete')
  // the full descriptor's message (sent before the mailbox upload gave up) is not shown
  assert.deepEqual((await bob.client.inbox()).map(x => x.attachment?.name ?? x.text).sort(), ['hi', 'liar.bin', 'movie.mp4'])
  const out = join(root, 'out')
  await mkdir(out)
  assert.deepEqual(await readFile((await bob.client.save(m.id, out)).path), data)
})

test('streamed, the recipient gone mid-push: the chunks go to its mailboxes after the full descriptor; back online it saves the file from there', async (t) => {
  const { root, alice, bob } = await connectedPair(t, CHUNK)
  const { path, data } = await randomFile(root, 'notes.bin', 20 * CHUNK + 5)

  let seen = 0
  let gone: Promise<void> | undefined
  const [sent] = await alice.client.sendFiles('bob', [path], 'for later', { onProgress: (p) => { if (p.stage === 'sending' && ++seen === 3) gone ??= bob.stop() } })
  await gone
  assert.equal(sent?.route, 'mailbox')
  const rec = (await listOutgoing(alice.client.store)).find(r => outgoingDescriptor(r).name === 'notes.bin')
  assert.ok(rec?.streamed === true && rec.completionSent === true && rec.state === 'stored')
  await alice.stop() // the file must not need its sender any more

  await bob.restart()
  await bob.client.sync()
  const m = await fileAt(bob, 'notes.bin')
  assert.deepEqual((await bob.client.inbox()).map(x => x.text).sort(), ['for later', 'hi'], 'the second message is not shown')
  const out = join(root, 'out')
  await mkdir(out)
  assert.deepEqual(await readFile((await bob.client.save(m.id, out)).path), data)
})
