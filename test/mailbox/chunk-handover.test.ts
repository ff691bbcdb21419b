/**
 * Chunk handover between replicas (issue 14) on real nodes on loopback: a file sent to an offline
 * recipient outlives every replica it was first stored at; a handed-over chunk keeps its expiry;
 * a holder that hands over bytes its address does not name gets nothing stored.
 */
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { PrivateKey } from '@libp2p/interface'
import { encodeHeld } from '../../src/mailbox/chunk-store.js'
import type { OperatorNode } from '../../src/mailbox/operator-node.js'
import { chunkCid } from '../../src/shared/chunk-address.js'
import { NAMESPACES } from '../../src/shared/namespaces.js'
import { parsePeerId } from '../../src/shared/peer-id.js'
import { mailboxKey, rankByDistance } from '../../src/shared/placement.js'
import { MailboxRequest, MailboxResponse, MailboxStatus } from '../../proto/cairn.js'
import { peerIdBytes } from '../../src/shared/peer-id.js'
import { MAILBOX_PROTOCOL } from '../../src/shared/protocols/ids.js'
import { mailboxNetwork, type MailboxNet } from '../helpers/network.js'
import { frame, rawPeer, sendRaw } from '../helpers/raw-peer.js'
import { makeUser, tempRoot } from '../helpers/users.js'
import { randomFile } from '../helpers/random-file.js'

const CHUNK = 64 * 1024
const HOUR = 3600_000
const replicas = { mailbox: { replicas: 3 } }
const delay = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

/** A key that ranks among the two closest to `key` against every node of `net`. */
async function closerKey (net: MailboxNet, key: Uint8Array): Promise<PrivateKey> {
  for (let tries = 0; tries < 20_000; tries++) {
    const candidate = await generateKeyPair('Ed25519')
    const ranked = rankByDistance(key, [peerIdFromPrivateKey(candidate), ...net.nodes.map(n => n.node.peerId)])
    if (ranked.slice(0, 2).some(p => p.equals(peerIdFromPrivateKey(candidate)))) return candidate
  }
  throw new Error('no closer key in 20,000 tries')
}

test('a file sent to an offline recipient outlives every replica it was stored at: newcomers get its chunks by handover', async (t) => {
  const root = await tempRoot(t)
  const net = await mailboxNetwork(t, root, 5, { overrides: replicas })
  const overrides = { bootstrap: net.bootstrap, ...replicas, attachments: { chunkBytes: CHUNK, replicas: 3 } }
  const bob = await makeUser(t, root, 'bob', { overrides })
  await bob.client.publishBundles()
  await bob.stop()
  const alice = await makeUser(t, root, 'alice', { overrides })
  await alice.client.contactAdd('bob', bob.peerId)
  const { path, data } = await randomFile(root, 'report.pdf', 8 * CHUNK + 5) // 9 chunks
  const [sent] = await alice.client.sendFiles('bob', [path], 'for when you are back')
  assert.equal(sent?.route, 'mailbox')
  await alice.stop() // the sender is gone for good

  const original = net.nodes.filter(n => n.mailbox.chunks.bytesOf(bob.peerId) > 0 || n.mailbox.store.usageOf(bob.peerId).count > 0)
  assert.ok(original.length >= 2, `stored at ${original.length} replicas`)
  // three nodes join, each closer to bob's mailbox key than all but one of the first nodes
  const key = mailboxKey(parsePeerId(bob.peerId))
  const newcomers: OperatorNode[] = []
  for (let i = 0; i < 3; i++) newcomers.push(await net.add(`newcomer-${i}`, { privateKey: await closerKey(net, key) }))
  // the replica set now is the closest three of the live nodes: newcomers among them
  const top = (): OperatorNode[] => {
    const ids = rankByDistance(key, net.nodes.map(n => n.node.peerId)).slice(0, 3)
    return net.nodes.filter(n => ids.some(p => p.equals(n.node.peerId)))
  }
  const chunkBytes = (n: OperatorNode): number => n.mailbox.chunks.bytesOf(bob.peerId)
  const full = (): boolean => top().filter(n => newcomers.includes(n)).every(n => chunkBytes(n) >= data.length)
  for (let round = 0; round < 3 && !full(); round++) {
    await net.warm()
    await net.handoverRound()
  }
  const receivers = newcomers.filter(n => chunkBytes(n) > 0)
  assert.ok(receivers.length >= 2, `chunks reached ${receivers.length} newcomers`)
  for (const n of receivers) {
    assert.ok(chunkBytes(n) >= data.length, `a newcomer holds ${chunkBytes(n)} of ${data.length} bytes`)
    assert.ok(n.mailbox.store.usageOf(bob.peerId).count >= 1, 'and the descriptor message')
  }
  assert.ok(net.nodes.some(n => n.mailbox.metrics.handoverChunksSent > 0), 'holders handed chunks over')

  // every replica the file was first stored at leaves for good
  for (const n of original) await net.stopNode(n)
  await net.warm()
  await bob.restart({ bootstrap: net.bootstrap })
  await bob.client.contactAdd('alice', alice.peerId)
  // (the client may have collected it on start already; a lookup on a loaded machine can still meet
  // the peers that left, and the daemon syncs again, as here)
  for (let i = 0; i < 3 && (await bob.client.inbox()).length === 0; i++) {
    if (i > 0) await net.warm()
    await bob.client.sync()
  }
  assert.equal((await bob.client.inbox()).length, 1)
  const [m] = await bob.client.inbox()
  assert.ok(m?.attachment !== undefined)
  const out = join(root, 'out')
  await mkdir(out)
  const saved = await bob.client.save(m.id, out)
  const digest = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')
  assert.equal(digest(await readFile(saved.path)), digest(data), 'saved byte-exact')
})

/** A recipient (no client needed: chunks are put at a holder directly) and a network of four. */
async function holderOf (t: Parameters<typeof tempRoot>[0], mailbox: Record<string, number> = {}): Promise<{ root: string, net: MailboxNet, r: string, holder: OperatorNode, others: OperatorNode[] }> {
  const root = await tempRoot(t)
  const net = await mailboxNetwork(t, root, 4, { overrides: { mailbox: { ...replicas.mailbox, ...mailbox } } })
  const r = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
  // the holder is the closest node: its replica set is the next two
  const [first] = rankByDistance(mailboxKey(parsePeerId(r)), net.nodes.map(n => n.node.peerId))
  const holder = net.nodes.find(n => first !== undefined && n.node.peerId.equals(first))
  assert.ok(holder !== undefined)
  return { root, net, r, holder, others: net.nodes.filter(n => n !== holder) }
}

test('a handed-over chunk keeps its expiry: a copy never outlives the first', async (t) => {
  const { net, r, holder, others } = await holderOf(t)
  const now = Date.now()
  const data = randomBytes(5000)
  const cid = chunkCid(data)
  // an hour left here; a fresh put at the receiver would be kept for the mail TTL (14 days)
  assert.equal(await holder.mailbox.chunks.put(r, cid, data, now + HOUR, now), 'stored')
  // a full pass, as the hourly timer runs it, reaches a recipient held here for its chunks alone (a
  // pass does not start beside another: while the start-up pass runs, runOnce returns at once)
  const held = (): OperatorNode[] => others.filter(n => n.mailbox.chunks.bytesOf(r) > 0)
  let ran = false
  for (let i = 0; i < 100 && !ran; i++) {
    const runs = holder.mailbox.metrics.handoverRuns
    await holder.mailbox.handover.runOnce()
    ran = holder.mailbox.metrics.handoverRuns > runs
    if (!ran) await delay(100)
  }
  assert.ok(ran, 'a full pass ran')
  // (a replica set found short on a loaded machine fills at the next pass, as it would an hour later)
  for (let pass = 0; pass < 2 && held().length < 2; pass++) { await net.warm(); await holder.mailbox.handover.forRecipient(r) }
  const copies = held()
  assert.equal(copies.length, 2, `the other two replicas got the chunk (rejections there: ${JSON.stringify(others.map(n => n.mailbox.metrics.rejections))})`)
  for (const n of copies) {
    assert.equal(await n.mailbox.chunks.expiryOf(r, cid), now + HOUR)
    assert.deepEqual(Buffer.from(await n.mailbox.chunks.get(r, cid, now) ?? []), data)
    assert.equal(await n.mailbox.chunks.get(r, cid, now + HOUR), undefined, 'gone when the original goes')
  }
  // in sync now: the next pass copies nothing and costs one round per replica
  const sent = holder.mailbox.metrics.handoverChunksSent
  const rounds = holder.mailbox.metrics.chunkReconcileRounds
  await holder.mailbox.handover.forRecipient(r)
  assert.equal(holder.mailbox.metrics.handoverChunksSent, sent)
  assert.ok(holder.mailbox.metrics.chunkReconcileRounds - rounds <= 2, `${holder.mailbox.metrics.chunkReconcileRounds - rounds} rounds for two replicas`)
})

test('bytes their address does not name get nothing stored, whether a holder\'s disk damaged them or a hostile holder sends them; good chunks still go', async (t) => {
  const { root, r, holder, others } = await holderOf(t)
  const now = Date.now()
  const good = randomBytes(3000)
  const named = randomBytes(3000)
  const badCid = chunkCid(named)
  assert.equal(await holder.mailbox.chunks.put(r, chunkCid(good), good, now + HOUR, now), 'stored')
  assert.equal(await holder.mailbox.chunks.put(r, badCid, named, now + HOUR, now), 'stored')
  // other bytes under the same address on the holder's disk: an honest holder does not send them
  const key = `${NAMESPACES.mailboxChunk}${r}/${Buffer.from(badCid).toString('hex')}`
  const forged = randomBytes(3000)
  await holder.store.write([{ type: 'put', key, value: encodeHeld({ data: forged, expiresAt: now + HOUR }) }])
  await holder.mailbox.handover.forRecipient(r)
  const reached = others.filter(n => n.mailbox.chunks.bytesOf(r) > 0)
  assert.equal(reached.length, 2, 'the good chunk reached both replicas')
  // a hostile holder (a modified node) sends them anyway, as a handover's put_chunk
  const stranger = await rawPeer(t, root)
  for (const n of reached) {
    const put = MailboxRequest.encode({ version: 1, putChunk: { recipient: peerIdBytes(parsePeerId(r)), cid: badCid, data: forged, expiresAt: now + HOUR } })
    const answer = await sendRaw(stranger, n.addresses()[0] as string, MAILBOX_PROTOCOL, frame(put))
    assert.equal(answer.frame === undefined ? undefined : MailboxResponse.decode(answer.frame).status, MailboxStatus.MAILBOX_BAD_REQUEST, 'refused as a bad request')
    assert.equal(n.mailbox.chunks.bytesOf(r), good.length, 'only the good chunk is counted')
    assert.deepEqual(Buffer.from(await n.mailbox.chunks.get(r, chunkCid(good), now) ?? []), good)
    assert.equal(await n.mailbox.chunks.expiryOf(r, badCid), undefined, 'nothing stored under the forged address')
  }

  // a peer that is no replica (not even a DHT server) learns nothing of which chunks are held
  const ask = MailboxRequest.encode({ version: 1, reconcileChunks: { recipient: peerIdBytes(parsePeerId(r)), ranges: [] } })
  const answer = await sendRaw(stranger, holder.addresses()[0] as string, MAILBOX_PROTOCOL, frame(ask))
  assert.ok(answer.frame !== undefined)
  const res = MailboxResponse.decode(answer.frame)
  assert.equal(res.status, MailboxStatus.MAILBOX_NOT_RESPONSIBLE)
  assert.equal(res.reconcile, undefined)
  assert.deepEqual(res.wanted, [])
})

test('a replica that is full refuses the rest of a pass once: counted against its byte cap, no retry loop', async (t) => {
  // every node may hold 20,000 bytes; the holder has five 3,000-byte chunks, the replicas 9,000 bytes
  // of someone else's already: three of the five fit there, the fourth is refused
  const { net, r, holder, others } = await holderOf(t, { maxTotalBytes: 20_000 })
  // (after the start-up passes, so nothing but the passes below moves a chunk)
  for (let i = 0; i < 100 && net.nodes.some(n => n.mailbox.metrics.handoverRuns === 0); i++) await delay(100)
  await delay(500)
  const now = Date.now()
  const someone = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
  for (const n of others) {
    for (let i = 0; i < 3; i++) { const d = randomBytes(3000); await n.mailbox.chunks.put(someone, chunkCid(d), d, now + HOUR, now) }
  }
  for (let i = 0; i < 5; i++) { const d = randomBytes(3000); assert.equal(await holder.mailbox.chunks.put(r, chunkCid(d), d, now + HOUR, now), 'stored') }
  await holder.mailbox.handover.forRecipient(r)
  const replicasOf = others.filter(n => n.mailbox.chunks.bytesOf(r) > 0)
  assert.equal(replicasOf.length, 2)
  for (const n of replicasOf) {
    assert.equal(n.mailbox.chunks.bytesOf(r), 9000, 'three chunks fit')
    assert.ok(n.mailbox.chunks.heldBytes <= 20_000)
    assert.equal(n.mailbox.metrics.rejections['node-full'], 1, 'one refusal ended the exchange for this pass')
  }
  assert.equal(holder.mailbox.metrics.handoverChunksSent, 6)
  // the next pass asks again, is refused once more per replica, and stores nothing
  await holder.mailbox.handover.forRecipient(r)
  for (const n of replicasOf) {
    assert.equal(n.mailbox.chunks.bytesOf(r), 9000)
    assert.equal(n.mailbox.metrics.rejections['node-full'], 2)
  }
  assert.equal(holder.mailbox.metrics.handoverChunksSent, 6)
})

test('chunks uploaded to one replica only reach the rest of the replica set once the upload goes quiet, without waiting for the hourly pass', async (t) => {
  const quietMs = 800
  const { root, net, r, holder, others } = await holderOf(t, { chunkHandoverQuietMs: quietMs })
  // (after the start-up passes: from here only the upload's own trigger can move a chunk; the hourly pass is an hour away)
  for (let i = 0; i < 100 && net.nodes.some(n => n.mailbox.metrics.handoverRuns === 0); i++) await delay(100)
  await delay(500)
  const uploader = await rawPeer(t, root)
  const expiresAt = Date.now() + HOUR
  const chunks = [randomBytes(4000), randomBytes(4000), randomBytes(4000)]
  for (const data of chunks) {
    const put = MailboxRequest.encode({ version: 1, putChunk: { recipient: peerIdBytes(parsePeerId(r)), cid: chunkCid(data), data, expiresAt } })
    const answer = await sendRaw(uploader, holder.addresses()[0] as string, MAILBOX_PROTOCOL, frame(put))
    assert.equal(answer.frame === undefined ? undefined : MailboxResponse.decode(answer.frame).status, MailboxStatus.MAILBOX_OK)
  }
  assert.equal(holder.mailbox.chunks.bytesOf(r), 12_000)
  const spread = (): OperatorNode[] => others.filter(n => n.mailbox.chunks.bytesOf(r) === 12_000)
  for (let i = 0; i < 300 && spread().length < 2; i++) await delay(100)
  assert.equal(spread().length, 2, `the rest of the replica set holds every chunk (holders: ${others.map(n => n.mailbox.chunks.bytesOf(r)).join(', ')})`)
  // the holder's own pass moved them (the number of copies is not asserted: on the CI machine the two
  // replicas held all six while the nodes' counters said five — a copy whose answer was lost, or that
  // was answered "duplicate", is not counted; the next pass finds it held)
  const sent = [holder, ...others].map(n => n.mailbox.metrics.handoverChunksSent)
  assert.ok(holder.mailbox.metrics.handoverChunksSent > 0, `the holder handed chunks over (sent by holder, replicas: ${sent.join(', ')})`)
})

test('holders passing at the same moment send each chunk to a replica that lacks it once, not once each', async (t) => {
  const { net, r } = await holderOf(t)
  const now = Date.now()
  const chunks = Array.from({ length: 6 }, () => randomBytes(5000))
  const key = mailboxKey(parsePeerId(r))
  const ranked = rankByDistance(key, net.nodes.map(n => n.node.peerId))
  const byRank = ranked.map(p => net.nodes.find(n => n.node.peerId.equals(p)) as OperatorNode)
  const [gone, ...holders] = byRank.slice(0, 3) as [OperatorNode, ...OperatorNode[]]
  const empty = byRank[3] as OperatorNode
  for (const n of [gone, ...holders]) for (const c of chunks) assert.equal(await n.mailbox.chunks.put(r, chunkCid(c), c, now + HOUR, now), 'stored')
  // a replica leaves: the fourth node is now among the closest three, and both holders' passes
  // (as an upload going quiet schedules them, on every replica at once) run together
  await net.stopNode(gone)
  await net.warm()
  const sent = (): number => net.nodes.reduce((n, node) => n + node.mailbox.metrics.handoverChunksSent, 0)
  const before = sent()
  await Promise.all(holders.map(async h => h.mailbox.handover.forRecipient(r)))
  assert.equal(empty.mailbox.chunks.bytesOf(r), 6 * 5000, 'the new replica holds every chunk')
  assert.equal(sent() - before, 6, 'each chunk was sent to it once, by one of the 2 holders')
})
