/**
 * A holder that ranks outside a recipient's replica set now (the network grew closer to the key
 * while it held on, or the owner's lookup was off when it published) still hands the bundle and
 * the mail over: the replicas refuse it reconciliation, so it offers by list, which they take on a
 * deposit's terms. Before (issue 16, session 42), such a holder moved nothing, and a user whose
 * bundle sat only there could not be written to while away. Attachment chunks go the same way
 * (OfferChunks, session 43): before, a file's chunks held only there never reached the replicas.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { Responsibility } from '../../src/mailbox/responsibility.js'
import type { OperatorNode } from '../../src/mailbox/operator-node.js'
import { chunkCid } from '../../src/shared/chunk-address.js'
import { parsePeerId, peerIdBytes } from '../../src/shared/peer-id.js'
import { mailboxKey, rankByDistance } from '../../src/shared/placement.js'
import { boundEnvelope } from '../helpers/envelopes.js'
import { mailboxNetwork } from '../helpers/network.js'
import { makeUser, tempRoot, testConfig } from '../helpers/users.js'

test('a holder outside the replica set hands an away user\'s bundle, mail and file chunks to the replica, and a stranger can then write to that user', async (t) => {
  const root = await tempRoot(t)
  // k = 1 with one place of slack: a replica takes reconciliation from the 4 nodes it ranks
  // closest to a key, so the farthest of 8 nodes is outside
  const mailbox = { replicas: 1, placementSlack: 1 }
  const net = await mailboxNetwork(t, root, 8, { overrides: { mailbox } })
  const bob = await makeUser(t, root, 'bob', { overrides: { bootstrap: net.bootstrap, mailbox } })
  const bundle = await bob.client.messenger.bundleShare({ preKeys: 2, kyberPreKeys: 2 })
  await bob.stop()
  const bobPeer = parsePeerId(bob.peerId)
  const ranked = rankByDistance(mailboxKey(bobPeer), net.nodes.map(n => n.node.peerId))
  const byId = new Map(net.nodes.map(n => [n.node.peerId.toString(), n]))
  const replica = byId.get(ranked[0]?.toString() ?? '') as OperatorNode
  const holder = byId.get(ranked[ranked.length - 1]?.toString() ?? '') as OperatorNode

  // the replica's own view, once its routing table knows every other node: the holder is outside
  const tableSize = (): number => (replica.node.services.dht as unknown as { routingTable: { size: number } }).routingTable.size
  for (let i = 0; i < 50 && tableSize() < net.nodes.length - 1; i++) { await net.warm(); await new Promise(resolve => setTimeout(resolve, 200)) }
  const view = new Responsibility({ node: replica.node, now: () => Date.now() }, testConfig(root, { mailbox }))
  assert.ok(await view.holds(bobPeer), 'the closest node holds Bob')
  assert.equal(await view.isReplica(bobPeer, holder.node.peerId, 2), false, `the holder is outside the replica's offer window (routing table of ${tableSize()})`)

  // Bob's bundle and one envelope sit only at the holder, as if the network had moved since
  const envelope = boundEnvelope({ recipient: peerIdBytes(bobPeer), sealed: new Uint8Array(randomBytes(200)) })
  await holder.mailbox.store.putBundle(bob.peerId, bundle)
  assert.equal(await holder.mailbox.store.deposit(envelope, Date.now()), 'stored')
  assert.equal(await replica.mailbox.store.getBundle(bob.peerId), undefined)
  // and a file's chunk sent to Bob while he was away
  const chunk = new Uint8Array(randomBytes(3000))
  const cid = chunkCid(chunk)
  assert.equal(await holder.mailbox.chunks.put(bob.peerId, cid, chunk, Date.now() + 3600_000, Date.now()), 'stored')

  await holder.mailbox.handover.runOnce()
  const handed = await replica.mailbox.store.getBundle(bob.peerId)
  assert.equal(handed?.signedPreKey?.id, bundle.signedPreKey?.id, 'the replica holds Bob\'s bundle')
  assert.equal(handed?.preKeys.length, 0, 'without the holder\'s one-time prekeys')
  assert.deepEqual(await replica.mailbox.store.ids(bob.peerId), [Buffer.from(envelope.id).toString('hex')], 'the replica holds the envelope')
  // refused chunk reconciliation too, the holder offers the chunk ids by list and puts what is wanted
  assert.deepEqual(Buffer.from(await replica.mailbox.chunks.get(bob.peerId, cid, Date.now()) ?? []), Buffer.from(chunk), 'the replica holds the chunk')

  // a stranger's first message to away Bob goes to the replica, and Bob reads it
  const alice = await makeUser(t, root, 'alice', { overrides: { bootstrap: net.bootstrap, mailbox } })
  assert.equal((await alice.client.send(bob.peerId, 'found you')).route, 'mailbox')
  await bob.restart()
  await bob.client.sync()
  assert.deepEqual((await bob.client.inbox()).map(m => m.text), ['found you'])
})
