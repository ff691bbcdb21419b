/**
 * A saved file's chunks are released at the recipient's replicas (issue 14): real mailbox nodes on
 * loopback, real LevelDB. After the save and a sync, no replica holds them and the recipient's
 * quota there is free again; nobody but the recipient can release them; a replica that missed the
 * release cannot hand them back to one that took it, and is asked at the next sync that finds it.
 */
import assert from 'node:assert/strict'
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { MailboxStatus } from '../../../proto/cairn.js'
import { askMailbox } from '../../../src/client/mailbox/mailbox-rpc.js'
import { systemClock } from '../../../src/shared/clock.js'
import { NAMESPACES } from '../../../src/shared/namespaces.js'
import { bobAway, bobCollects } from '../../helpers/attachments.js'
import { randomFile } from '../../helpers/random-file.js'

const CHUNK = 64 * 1024
/** A held chunk's bytes (chunk-store.ts: 8 bytes of expiry, then the chunk). */
const decodeData = (v: Uint8Array): Uint8Array => v.subarray(8)

test('saved through mailboxes: the replicas drop the chunks at the next sync, only at the owner\'s word, never take them back, and one that was down drops them at a later sync', async (t) => {
  const { root, net, bob, alice } = await bobAway(t, 4, CHUNK)
  const { path, data } = await randomFile(root, 'photo.jpg', 5 * CHUNK + 7) // 6 chunks
  const [sent] = await alice.client.sendFiles('bob', [path], 'from the hike')
  assert.equal(sent?.route, 'mailbox')
  const holders = net.nodes.filter(n => n.mailbox.chunks.bytesOf(bob.peerId) > 0)
  assert.ok(holders.length >= 2, `held at ${holders.length} replicas`)
  const prefix = `${NAMESPACES.mailboxChunk}${bob.peerId}/`
  const held: Array<{ key: string, value: Uint8Array }> = []
  for await (const e of (holders[0] as typeof holders[number]).store.list(prefix)) held.push(e)
  assert.equal(held.length, 6)
  const keys = held.map(e => e.key)
  const cids = keys.map(k => new Uint8Array(Buffer.from(k.slice(prefix.length), 'hex')))

  // anyone else naming bob's chunks releases nothing: the owner is the authenticated remote peer
  const aliceNode = alice.client.node
  assert.ok(aliceNode !== undefined)
  for (const h of holders) {
    const res = await askMailbox(aliceNode, alice.config, h.node.peerId, { releaseChunks: { cids } }, { clock: systemClock })
    assert.equal(res.status, MailboxStatus.MAILBOX_OK)
    assert.equal(res.released ?? 0, 0)
    assert.ok(h.mailbox.chunks.bytesOf(bob.peerId) >= data.length, 'a stranger\'s release changed nothing')
  }
  await alice.stop()

  const m = await bobCollects(bob, alice)
  const out = join(root, 'out')
  await mkdir(out)
  const saved = await bob.client.save(m.id, out)
  assert.deepEqual(await readFile(saved.path), data)

  // one replica is down while the next sync's tail asks the replicas it reached to drop them
  const [away, ...took] = holders
  assert.ok(away !== undefined && took.length > 0)
  await net.stopNode(away)
  await bob.client.sync()
  await bob.client.syncSettled()
  for (const h of took) {
    assert.equal(h.mailbox.chunks.bytesOf(bob.peerId), 0, 'the saved file no longer counts against bob\'s quota')
    const left: string[] = []
    for await (const key of h.store.listKeys(prefix)) left.push(key)
    assert.deepEqual(left, [], 'no chunk of the saved file is held any more')
  }

  // the replica that missed the release comes back and hands its copies over; a resumed upload
  // offers them again: a replica that released them takes neither
  const back = await net.restart(away)
  assert.ok(back.mailbox.chunks.bytesOf(bob.peerId) >= data.length, 'the replica that was down still holds its copies')
  for (const h of took) {
    for (const e of held) {
      const cid = new Uint8Array(Buffer.from(e.key.slice(prefix.length), 'hex'))
      assert.equal(await h.mailbox.chunks.put(bob.peerId, cid, decodeData(e.value), Date.now() + 3600_000, Date.now()), 'duplicate')
    }
  }
  await net.handoverRound()
  for (const h of took) assert.equal(h.mailbox.chunks.bytesOf(bob.peerId), 0, 'a released chunk was not taken back by handover')

  // bob's next sync finds the replica that was down and asks it too
  await bob.client.sync()
  await bob.client.syncSettled()
  assert.equal(back.mailbox.chunks.bytesOf(bob.peerId), 0, 'the replica that missed the release dropped the chunks at bob\'s next sync')
  await bob.stop()
})
