/**
 * ChunkStore on a real LevelDB: a chunk is stored only under the address that names it, counted in
 * bytes with the recipient's mail against its quota and the node cap, kept until it expires, and
 * its usage survives a restart.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import type { RefusalReason } from '../../src/mailbox/errors.js'
import { ChunkStore, encodeHeld } from '../../src/mailbox/chunk-store.js'
import { handChunksOver } from '../../src/mailbox/chunk-handover.js'
import { MailboxStatus, type MailboxRequest, type MailboxResponse } from '../../proto/cairn.js'
import { NAMESPACES } from '../../src/shared/namespaces.js'
import { silentLogger } from '../../src/shared/logger.js'
import { MailboxRefusal, MailboxStore } from '../../src/mailbox/index.js'
import { chunkCid } from '../../src/shared/chunk-address.js'
import { Store } from '../../src/shared/store.js'
import { tempRoot, testConfig } from '../helpers/users.js'

const HOUR = 3600_000
const refused = (reason: RefusalReason) => (err: unknown): boolean => err instanceof MailboxRefusal && err.reason === reason

/** A ChunkStore (and the MailboxStore it shares quotas with) on a fresh LevelDB, 1 MiB for all. */
async function roomyChunkStore (t: TestContext): Promise<ChunkStore> {
  const root = await tempRoot(t)
  const config = testConfig(join(root, 'node'), { mailbox: { maxBytesPerRecipient: 1 << 20, maxTotalBytes: 1 << 20 } })
  const store = await Store.open(join(root, 'store'))
  t.after(async () => { await store.close() })
  const mail = new MailboxStore({ store }, config)
  await mail.open()
  const chunks = new ChunkStore({ store, mail }, config)
  await chunks.open()
  return chunks
}

test('chunks: address checked, quota and node cap in bytes, expiry, usage kept across a restart', async (t) => {
  const root = await tempRoot(t)
  const config = testConfig(join(root, 'node'), { mailbox: { maxBytesPerRecipient: 10_000, maxTotalBytes: 15_000 } })
  const now = Date.UTC(2026, 0, 1)
  const open = async (): Promise<{ store: Store, chunks: ChunkStore }> => {
    const store = await Store.open(join(root, 'store'))
    const mail = new MailboxStore({ store }, config)
    await mail.open()
    const chunks = new ChunkStore({ store, mail }, config)
    await chunks.open()
    return { store, chunks }
  }
  let { store, chunks } = await open()
  t.after(async () => { await store.close() })
  const data = randomBytes(4000)
  const cid = chunkCid(data)

  await assert.rejects(chunks.put('alice', chunkCid(randomBytes(10)), data, now + HOUR, now), refused('bad-request'))
  await assert.rejects(chunks.put('alice', randomBytes(36), data, now + HOUR, now), refused('bad-request'))
  await assert.rejects(chunks.put('alice', cid, data, now - 1, now), refused('expired'))
  assert.equal(chunks.bytesOf('alice'), 0, 'a refused chunk changes nothing')

  assert.equal(await chunks.put('alice', cid, data, now + HOUR, now), 'stored')
  assert.equal(await chunks.put('alice', cid, data, now + HOUR, now), 'duplicate')
  assert.deepEqual(await chunks.get('alice', cid, now), new Uint8Array(data))
  assert.equal(await chunks.get('bob', cid, now), undefined, 'one owner cannot read another\'s chunks')
  const second = randomBytes(4000)
  assert.equal(await chunks.put('alice', chunkCid(second), second, now + HOUR, now), 'stored')
  const third = randomBytes(4000)
  await assert.rejects(chunks.put('alice', chunkCid(third), third, now + HOUR, now), refused('quota-exceeded'))
  const b1 = randomBytes(4000)
  assert.equal(await chunks.put('bob', chunkCid(b1), b1, now + HOUR, now), 'stored')
  const b2 = randomBytes(4000)
  await assert.rejects(chunks.put('bob', chunkCid(b2), b2, now + HOUR, now), refused('node-full'))

  await store.close();
  ({ store, chunks } = await open())
  assert.equal(chunks.bytesOf('alice'), 8000, 'usage is durable')
  assert.equal(chunks.heldBytes, 12_000)

  assert.equal(await chunks.sweep(now + HOUR), 3)
  assert.equal(await chunks.get('alice', cid, now), undefined)
  assert.equal(chunks.heldBytes, 0)
})

test('chunk handover sends no chunk that its holder\'s disk damaged (the replica would refuse it at every pass until it expires)', async (t) => {
  const root = await tempRoot(t)
  const config = testConfig(join(root, 'node'))
  const now = Date.now()
  const store = await Store.open(join(root, 'store'))
  t.after(async () => { await store.close() })
  const mail = new MailboxStore({ store }, config)
  const chunks = new ChunkStore({ store, mail }, config)
  await chunks.open()
  const [good, bad] = [randomBytes(3000), randomBytes(3000)]
  for (const data of [good, bad]) assert.equal(await chunks.put('alice', chunkCid(data), data, now + HOUR, now), 'stored')
  // a bit flips on this node's disk
  const damaged = Buffer.from(bad)
  damaged[100] = (damaged[100] ?? 0) ^ 1
  await store.write([{ type: 'put', key: `${NAMESPACES.mailboxChunk}alice/${Buffer.from(chunkCid(bad)).toString('hex')}`, value: encodeHeld({ data: damaged, expiresAt: now + HOUR }) }])

  const sent: Uint8Array[] = []
  const ask = async (req: Partial<MailboxRequest>): Promise<MailboxResponse> => {
    if (req.reconcileChunks !== undefined) {
      // a replica that holds nothing: it wants every id listed
      return { status: MailboxStatus.MAILBOX_OK, reconcile: { differ: [], wantTombstones: [], wantBundle: false }, wanted: req.reconcileChunks.ranges.flatMap(r => r.ids) } as unknown as MailboxResponse
    }
    if (req.putChunk !== undefined) sent.push(req.putChunk.cid)
    return { status: MailboxStatus.MAILBOX_OK } as unknown as MailboxResponse
  }
  const out = await handChunksOver({ chunks, recipient: 'alice', recipientBytes: new Uint8Array(16), peer: 'replica', now: () => now, ask, log: silentLogger() })
  assert.notEqual(out, 'unsupported')
  assert.deepEqual(sent.map(c => Buffer.from(c).toString('hex')), [Buffer.from(chunkCid(good)).toString('hex')], 'only the intact chunk went')
})

test('the same chunk put many times at once (holders handing it over together) is stored, and counted, once', async (t) => {
  const chunks = await roomyChunkStore(t)
  const now = Date.UTC(2026, 0, 1)
  const data = randomBytes(5000)
  const results = await Promise.all(Array.from({ length: 8 }, async () => chunks.put('alice', chunkCid(data), data, now + HOUR, now)))
  assert.deepEqual(results.filter(r => r === 'stored').length, 1, `stored once: ${results.join(', ')}`)
  assert.equal(chunks.bytesOf('alice'), 5000, 'its bytes counted once against the quota')
  assert.equal(await chunks.put('alice', chunkCid(data), data, now + HOUR, now), 'duplicate')
  assert.equal(chunks.bytesOf('alice'), 5000)
})

test('a chunk released while its copy is being written goes once the write ends, and its bytes leave the quota', async (t) => {
  const chunks = await roomyChunkStore(t)
  const now = Date.UTC(2026, 0, 1)
  const held = randomBytes(3000)
  assert.equal(await chunks.put('alice', chunkCid(held), held, now + HOUR, now), 'stored')
  // a holder's handover copy of another chunk of the file arrives as alice, having saved it, releases both
  const arriving = randomBytes(5000)
  const put = chunks.put('alice', chunkCid(arriving), arriving, now + HOUR, now)
  const released = await chunks.release('alice', [chunkCid(held), chunkCid(arriving)])
  assert.equal(await put, 'stored')
  assert.equal(released, 2, 'both chunks released, the one being written included')
  assert.equal(chunks.bytesOf('alice'), 0, 'nothing left counted against alice\'s quota')
  assert.equal(await chunks.get('alice', chunkCid(arriving), now), undefined)
  // and neither comes back: a later copy of it is taken for a duplicate
  assert.equal(await chunks.put('alice', chunkCid(arriving), arriving, now + HOUR, now), 'duplicate')
  assert.equal(chunks.bytesOf('alice'), 0)
})
