/**
 * A peer named again in DHT answers with no new address is not written to the peer store again
 * (src/shared/node/repeated-merges.ts), and the peer store still ends up as libp2p alone leaves
 * it: a new address is merged, addresses another write replaced come back with the next
 * discovery, a deleted peer is stored again, other merges (tags) always go through, and after the
 * TTL the record is written again. A real node on a real LevelDB, its writes counted.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import { nodeCountingPeerRecords } from '../helpers/counting-datastore.js'

test('a peer named again with no new address is not written again; the peer store still holds what libp2p alone would', async (t) => {
  const { node, clock, count: writes, peer } = await nodeCountingPeerRecords(t, 'put')
  const [a, b, c] = [4101, 4102, 4103].map(port => multiaddr(`/ip4/127.0.0.1/tcp/${port}`))
  const addrs = async (): Promise<string[]> => (await node.peerStore.get(peer)).addresses.map(x => x.multiaddr.toString()).sort()
  const written = async (merge: () => Promise<unknown>): Promise<number> => { const before = writes(); await merge(); return writes() - before }

  assert.equal(await written(async () => node.peerStore.merge(peer, { multiaddrs: [a] })), 1, 'the first discovery is written')
  assert.equal(await written(async () => node.peerStore.merge(peer, { multiaddrs: [a] })), 0, 'the same discovery again is not')
  assert.equal(await written(async () => node.peerStore.merge(peer, { multiaddrs: [a, b] })), 1, 'one naming a new address is')
  assert.deepEqual(await addrs(), [a, b].map(String).sort())
  assert.equal(await written(async () => node.peerStore.merge(peer, { multiaddrs: [b] })), 0, 'addresses already merged: not written')

  // another write replaced the addresses: the next discovery merges again, as without the skip
  await node.peerStore.patch(peer, { multiaddrs: [c] })
  assert.equal(await written(async () => node.peerStore.merge(peer, { multiaddrs: [a] })), 1, 'after a patch, a discovery is written')
  assert.deepEqual(await addrs(), [a, c].map(String).sort(), 'the address the patch removed is back, beside the patched one')

  await node.peerStore.delete(peer)
  await node.peerStore.merge(peer, { multiaddrs: [a] })
  assert.deepEqual(await addrs(), [a.toString()], 'a deleted peer discovered again is stored again')

  // merges of anything but addresses always go through
  await node.peerStore.merge(peer, { tags: { 'test-tag': { value: 7 } } })
  assert.equal((await node.peerStore.get(peer)).tags.get('test-tag')?.value, 7, 'a tag merge is applied')
  assert.equal(await written(async () => node.peerStore.merge(peer, { multiaddrs: [a] })), 1, 'a tag merge forgot the last discovery: written')
  assert.equal(await written(async () => node.peerStore.merge(peer, { multiaddrs: [a] })), 0)

  clock.advance(10 * 60_000)
  assert.equal(await written(async () => node.peerStore.merge(peer, { multiaddrs: [a] })), 1, 'once the TTL has passed, the record is written again')
  assert.deepEqual(await addrs(), [a.toString()])
})
