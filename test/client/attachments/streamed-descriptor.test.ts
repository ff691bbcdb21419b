/**
 * A streamed descriptor at the recipient's boundary: what passes, what is refused, and the second
 * message that completes it (incoming-store.ts completesStreamed), which changes nothing unless it
 * is the same file from the same sender; and that second message opened before the announcement
 * (Attachment.completes), kept unshown until the announcement takes it, and forgotten by the daily
 * pass when the announcement never comes.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import type { Attachment } from '../../../proto/cairn.js'
import { chunkTotal, descriptorProblem, isStreamed } from '../../../src/client/attachments/descriptor.js'
import { completesStreamed, descriptorOf, getIncoming, recordIncoming, recordUnannounced, type IncomingRecord } from '../../../src/client/attachments/incoming-store.js'
import { makeUser, tempRoot } from '../../helpers/users.js'
import { chunkCid } from '../../../src/client/attachments/chunk-cipher.js'
import type { Kv } from '../../../src/client/crypto/kv.js'

function memoryKv (): Kv & { map: Map<string, Uint8Array> } {
  const map = new Map<string, Uint8Array>()
  return { map, get: async (k) => map.get(k), getMany: async (ks) => ks.map(k => map.get(k)), put: (k, v) => { map.set(k, v) }, delete: (k) => { map.delete(k) } }
}

const CHUNK = 64 * 1024
const streamed = (): Attachment => ({ fileId: randomBytes(16), name: 'a.bin', size: 3 * CHUNK + 1, mediaType: 'application/octet-stream', chunkBytes: CHUNK, chunks: [], key: randomBytes(32), sha256: new Uint8Array(0), caption: 'hello', groupHeads: [] })
const full = (a: Attachment): Attachment => ({ ...a, chunks: [0, 1, 2, 3].map(() => chunkCid(randomBytes(CHUNK + 16))), sha256: randomBytes(32), caption: '' })
const record = (kv: ReturnType<typeof memoryKv>): IncomingRecord => JSON.parse(new TextDecoder().decode([...kv.map.values()][0])) as IncomingRecord

test('a streamed descriptor (no chunk list, no digest) passes with its count from the size; a list without a digest, or more chunks than a list may hold, is refused', () => {
  const a = streamed()
  assert.equal(descriptorProblem(a), undefined)
  assert.ok(isStreamed(a))
  assert.equal(chunkTotal(a), 4)
  assert.equal(chunkTotal({ ...a, size: 0 }), 1)
  assert.match(descriptorProblem({ ...a, sha256: randomBytes(32) }) ?? '', /chunk list/)
  assert.match(descriptorProblem({ ...a, chunks: full(a).chunks }) ?? '', /digest/)
  assert.match(descriptorProblem({ ...a, chunkBytes: 1024, size: 3 * 1024 * 1024 }) ?? '', /too many chunks/)
})

test('the second message completes a streamed record only for the same file, key and shape; anything else changes nothing', async () => {
  const kv = memoryKv()
  const a = streamed()
  await recordIncoming(kv, 'alice', 'm1', a, 1)
  assert.equal(record(kv).streamed, true)
  // not a completion: another key (a stranger's guess at the file id), or another sender
  assert.equal((await completesStreamed(kv, 'alice', { ...full(a), key: randomBytes(32) })).outcome, 'none')
  assert.equal((await completesStreamed(kv, 'mallory', full(a))).outcome, 'unknown')
  // the same file, but not the announced one: handled (not shown), nothing changed
  const before = record(kv).descriptor
  assert.equal((await completesStreamed(kv, 'alice', { ...full(a), size: a.size + 1 })).outcome, 'unchanged')
  assert.equal((await completesStreamed(kv, 'alice', { ...full(a), name: 'other.bin' })).outcome, 'unchanged')
  assert.equal(record(kv).descriptor, before)
  // the full descriptor: the record takes its list and digest, keeps its caption and its streamed mark
  const f = full(a)
  assert.equal((await completesStreamed(kv, 'alice', f)).outcome, 'completed')
  const d = descriptorOf(record(kv))
  assert.equal(isStreamed(d), false)
  assert.deepEqual(d.chunks.map(c => Buffer.from(c).toString('hex')), f.chunks.map(c => Buffer.from(c).toString('hex')))
  assert.equal(d.caption, 'hello')
  assert.equal(record(kv).streamed, true)
  assert.equal(record(kv).messageId, 'm1')
  // a later one changes nothing more
  assert.equal((await completesStreamed(kv, 'alice', full(a))).outcome, 'unchanged')
  assert.deepEqual(descriptorOf(record(kv)).chunks.map(c => Buffer.from(c).toString('hex')), f.chunks.map(c => Buffer.from(c).toString('hex')))
})

test('a completing descriptor opened before its announcement is kept unshown; the announcement of the same file and key takes it, with its caption and id; a streamed one marked completing is refused', async () => {
  const kv = memoryKv()
  const a = streamed()
  assert.match(descriptorProblem({ ...a, completes: true }) ?? '', /completing descriptor/)
  const f = { ...full(a), completes: true }
  assert.equal(descriptorProblem(f), undefined)
  recordUnannounced(kv, 'alice', 'm2', f, 1)
  assert.equal(record(kv).unannounced, true)
  assert.equal(record(kv).streamed, true)
  assert.equal(descriptorOf(record(kv)).completes, undefined, 'how it came is not kept')
  // a copy of the completing message changes nothing; the announcement is not a second message
  assert.equal((await completesStreamed(kv, 'alice', f)).outcome, 'unchanged')
  assert.equal((await completesStreamed(kv, 'alice', a)).outcome, 'none')
  // an announcement under another key, or of another shape, does not take it
  await recordIncoming(kv, 'alice', 'm1', { ...a, key: randomBytes(32) }, 2)
  await recordIncoming(kv, 'alice', 'm1', { ...a, size: a.size + 1 }, 2)
  assert.equal(record(kv).unannounced, true)
  assert.equal(record(kv).messageId, 'm2')
  await recordIncoming(kv, 'alice', 'm1', a, 2)
  const r = record(kv)
  assert.equal(r.unannounced, undefined)
  assert.equal(r.messageId, 'm1')
  assert.equal(r.streamed, true)
  const d = descriptorOf(r)
  assert.equal(d.caption, 'hello')
  assert.deepEqual(d.chunks.map(c => Buffer.from(c).toString('hex')), f.chunks.map(c => Buffer.from(c).toString('hex')))
})

test('a completing message whose announcement never came is forgotten (its key with it) once older than the limit; one its announcement took, a recent one and other files stay', async (t) => {
  const bob = await makeUser(t, await tempRoot(t), 'bob')
  const [a1, a2, a3, a4] = [streamed(), streamed(), streamed(), streamed()]
  const hexId = (a: Attachment): string => Buffer.from(a.fileId).toString('hex')
  const tx = bob.client.store.transaction()
  recordUnannounced(tx, 'alice', 'm1', { ...full(a1), completes: true }, 1000)
  recordUnannounced(tx, 'alice', 'm2', { ...full(a2), completes: true }, 1000)
  await recordIncoming(tx, 'alice', 'm3', full(a3), 1000)
  recordUnannounced(tx, 'alice', 'm4', { ...full(a4), completes: true }, 5000)
  await tx.commit()
  const taken = bob.client.store.transaction()
  await recordIncoming(taken, 'alice', 'm2a', a2, 2000)
  await taken.commit()

  assert.equal(await bob.client.attachments.pruneUnannounced(3000), 1)
  assert.equal(await getIncoming(bob.client.store, 'alice', hexId(a1)), undefined, 'never announced, older: forgotten')
  assert.equal((await getIncoming(bob.client.store, 'alice', hexId(a2)))?.messageId, 'm2a', 'taken by its announcement')
  assert.ok(await getIncoming(bob.client.store, 'alice', hexId(a3)) !== undefined, 'an ordinary file')
  assert.equal((await getIncoming(bob.client.store, 'alice', hexId(a4)))?.unannounced, true, 'not old enough yet')
})
