/**
 * A sender whose chunks do not make the file it described (a digest that is not its file's): the
 * receiver fetches every chunk, each authentic, and the whole fails its check. The file is then
 * refused for good, kept so across restarts: not fetched by the daemon again, nor by `cairn save`,
 * and the inbox says so; a direct push of it is refused at its offer. Real nodes, real LevelDB; the
 * lie is written into bob's record of the file, as his client stored it from alice's message.
 */
import assert from 'node:assert/strict'
import { mkdir, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { pushChunks } from '../../../src/client/attachments/chunk-push.js'
import { AttachmentDigestError } from '../../../src/client/attachments/errors.js'
import { FileChunks } from '../../../src/client/attachments/file-chunks.js'
import { descriptorOf, incomingRecords, recordOp } from '../../../src/client/attachments/incoming-store.js'
import { encodeDescriptor, listOutgoing, outgoingDescriptor, outgoingTags } from '../../../src/client/attachments/outgoing-store.js'
import { systemClock } from '../../../src/shared/clock.js'
import { paths } from '../../../src/shared/data-dir.js'
import { Store } from '../../../src/shared/store.js'
import { bobAway, startAsDaemon } from '../../helpers/attachments.js'
import { randomFile } from '../../helpers/random-file.js'
import type { TestUser } from '../../helpers/users.js'

const CHUNK = 64 * 1024
const sleep = async (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

const stateOf = async (bob: TestUser): Promise<string | undefined> => (await bob.client.inbox())[0]?.attachment?.state

/** Bob's record of his one received file, its descriptor's digest replaced: what alice's lie would have stored. */
async function lieInRecord (bob: TestUser): Promise<void> {
  const store = await Store.open(paths.store(bob.config.dataDir))
  try {
    const records = []
    for await (const r of incomingRecords(store)) records.push(r)
    const [r] = records
    assert.ok(r !== undefined && records.length === 1)
    const d = descriptorOf(r)
    const lie = { ...d, sha256: new Uint8Array(32).fill(7) }
    await store.write([recordOp({ ...r, descriptor: encodeDescriptor(lie) }, Buffer.from(d.fileId).toString('hex'))])
  } finally {
    await store.close()
  }
}

test('a file whose chunks do not make what its sender described is refused once, and stays refused across restarts: not fetched again by the daemon or by `cairn save`, nor taken when its sender pushes it', async (t) => {
  const { root, bob, alice } = await bobAway(t, 4, CHUNK)
  const { path } = await randomFile(root, 'invoice.pdf', 6 * CHUNK + 3)
  assert.equal((await alice.client.sendFiles('bob', [path], 'the invoice'))[0]?.route, 'mailbox')

  // bob collects the message with no daemon: the file waits at the mailboxes
  await bob.restart()
  await bob.client.contactAdd('alice', alice.peerId)
  assert.equal((await bob.client.sync()).received, 1)
  assert.equal(await stateOf(bob), 'waiting')
  await bob.stop()
  await lieInRecord(bob)

  const daemonStarts = async (): Promise<{ downloads: number, fetches: number }> => startAsDaemon(bob, { attachments: { chunkBytes: CHUNK, replicas: 3 }, limits: { requestTimeoutMs: 60_000 } })
  assert.deepEqual(await daemonStarts(), { downloads: 0, fetches: 1 })
  for (let i = 0; i < 150 && await stateOf(bob) !== 'refused'; i++) await sleep(100)
  assert.equal(await stateOf(bob), 'refused', 'every chunk fetched, the whole refused')

  const out = join(root, 'out')
  await mkdir(out)
  const [m] = await bob.client.inbox()
  assert.ok(m !== undefined)
  await assert.rejects(bob.client.save(m.id, out), (e: unknown) => e instanceof AttachmentDigestError && e.fault === 'sender' && e.exitCode === 1 && /not fetched again/.test(e.message))
  assert.deepEqual(await readdir(out), [], 'nothing saved')

  await bob.stop()
  assert.deepEqual(await daemonStarts(), { downloads: 0, fetches: 0 }, 'not asked for again at a restart')
  assert.equal(await stateOf(bob), 'refused')

  // its sender pushes the same chunks straight to bob: refused at the offer, not one chunk taken
  const rec = (await listOutgoing(alice.client.store)).find(r => outgoingDescriptor(r).name === 'invoice.pdf')
  assert.ok(rec !== undefined && alice.client.node !== undefined && bob.client.node !== undefined)
  const d = outgoingDescriptor(rec)
  const chunks = new FileChunks(path, d, outgoingTags(rec))
  t.after(async () => { await chunks.close() })
  await alice.client.node.dial(bob.client.node.getMultiaddrs())
  let pushed = 0
  await assert.rejects(pushChunks(alice.client.node, bob.client.identity.peerId, d.fileId, chunks, alice.config, { clock: systemClock, onChunk: () => { pushed++ } }), /recipient refused the chunks: CHUNK_CORRUPT refused/)
  assert.equal(pushed, 0, 'no chunk sent')
  const file = await bob.client.attachments.incoming(m.id)
  assert.equal(file.arrivedCount, 0, 'no chunk written')
  assert.equal(await stateOf(bob), 'refused')
})
