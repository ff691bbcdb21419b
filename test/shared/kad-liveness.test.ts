/**
 * kad-dht pings a peer before it enters the routing table, even one that answered us a moment ago;
 * under a connection cap that ping is a dial (src/shared/node/kad-liveness.ts). And it never renews
 * an old contact's ping time when that contact answers, so a full bucket pings the same contacts
 * again for every new peer it sees. Real nodes; the routing table is reached through kad-dht's
 * internals, which is what the code under test wraps.
 */
import assert from 'node:assert/strict'
import test from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { PeerId } from '@libp2p/interface'
import { ManualClock } from '../../src/shared/clock.js'
import type { CairnNode } from '../../src/shared/node/create-node.js'
import { kadId } from '../../src/shared/placement.js'
import { rawPeer } from '../helpers/raw-peer.js'
import { tempRoot } from '../helpers/users.js'
import { waitFor } from '../helpers/wait.js'

interface Contact { peerId: PeerId, kadId: Uint8Array, lastPing: number }
interface Table {
  add: (peerId: PeerId) => Promise<void>
  remove: (peerId: PeerId) => Promise<void>
  kb: { toIterable: () => Iterable<Contact> }
}

const tableOf = (node: CairnNode): Table => (node.services.dht as unknown as { routingTable: Table }).routingTable
const holds = (node: CairnNode, peer: PeerId): boolean => [...tableOf(node).kb.toIterable()].some(c => c.peerId.equals(peer))

/** Count the connections `node` opens to `peer` and its pings of it from now on. */
function watch (node: CairnNode, peer: PeerId): { dials: number, pings: number } {
  const seen = { dials: 0, pings: 0 }
  node.addEventListener('connection:open', (evt) => { if (evt.detail.direction === 'outbound' && evt.detail.remotePeer.equals(peer)) seen.dials++ })
  const pinger = node.services.ping
  const ping = pinger.ping.bind(pinger)
  pinger.ping = async (p, options) => { if (p.toString() === peer.toString()) seen.pings++; return ping(p, options) }
  return seen
}

test('a peer that just answered enters the routing table without a dial; one heard from long ago is pinged first', async (t) => {
  const root = await tempRoot(t)
  const clock = new ManualClock(Date.now())
  const a = await rawPeer(t, root, { dhtServer: true, clock })
  const b = await rawPeer(t, root, { dhtServer: true })
  // B connects and identifies as a DHT server: kad-dht queues it for A's table, as it does a peer
  // that answered a query
  await a.dial(b.getMultiaddrs()[0] ?? assert.fail('b listens nowhere'))
  await waitFor("B in A's routing table", async () => holds(a, b.peerId))
  await tableOf(a).remove(b.peerId)
  await a.hangUp(b.peerId)
  await waitFor('A and B disconnected', async () => a.getConnections(b.peerId).length === 0)

  const seen = watch(a, b.peerId)
  // what a lookup's update queue does moments later, once the cap's trimmer has closed the connection
  await tableOf(a).add(b.peerId)
  assert.equal(holds(a, b.peerId), true, "B is back in A's routing table")
  assert.equal(seen.dials, 0, 'A did not dial B to ask whether it is there (it answered a moment ago)')

  // long after B was last heard from, the same re-entry is checked with a ping, which dials
  await tableOf(a).remove(b.peerId)
  clock.advance(10 * 60_000)
  await tableOf(a).add(b.peerId)
  assert.equal(holds(a, b.peerId), true, "B is back in A's routing table after answering a ping")
  assert.equal(seen.pings, 1, 'A pinged B, heard from 10 min ago, before taking it back')
  assert.equal(seen.dials, 1, 'that ping dialled B')
})

test('an old contact that answers its ping is not pinged again for every new peer its full bucket sees', async (t) => {
  const root = await tempRoot(t)
  // one contact per bucket: a second peer in B's bucket makes kad-dht ask B whether it is still there
  const a = await rawPeer(t, root, { dhtServer: true, config: { network: { dhtK: 1 }, mailbox: { replicas: 1 } } })
  const b = await rawPeer(t, root, { dhtServer: true })
  await a.dial(b.getMultiaddrs()[0] ?? assert.fail('b listens nowhere'))
  await waitFor("B in A's routing table", async () => holds(a, b.peerId))
  const table = tableOf(a)
  const contact = [...table.kb.toIterable()].find(c => c.peerId.equals(b.peerId)) ?? assert.fail('no contact for B')
  // B was last pinged more than kad-dht's 10 min ago
  contact.lastPing = 1
  // kad-dht splits a full bucket until its depth is 6 bits: peers sharing B's first 6 bits share its bucket
  const prefix = (id: Uint8Array): number => id[0] >> 2
  const sameBucket: PeerId[] = []
  while (sameBucket.length < 2) {
    const id = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    if (prefix(kadId(id.toMultihash().bytes)) === prefix(contact.kadId)) sameBucket.push(id)
  }

  const seen = watch(a, b.peerId)
  for (const stranger of sameBucket) await table.add(stranger)
  assert.equal(holds(a, b.peerId), true, 'B, which answered, stays in its bucket')
  assert.equal(sameBucket.some(id => holds(a, id)), false, 'neither newcomer displaced it')
  assert.equal(seen.pings, 1, 'B was pinged for the first newcomer only: its answer counts as recent for the second')
})
