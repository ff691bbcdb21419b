/**
 * A peer's record read from the peer store stands for the next reads of it (src/shared/node/
 * peer-reads.ts), and a read never returns what a write has since changed: a merge, a patch, a
 * delete each make the next read go to the store; a caller that changes what it was given changes
 * nothing kept; after the TTL the store is read again. A real node on a real LevelDB, its reads of
 * peer records counted.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import { nodeCountingPeerRecords } from '../helpers/counting-datastore.js'

test('a peer record read once answers the next reads until something writes it; no read returns a stale record', async (t) => {
  const { node, clock, count: reads, peer } = await nodeCountingPeerRecords(t, 'get')
  const [a, b, c] = [4201, 4202, 4203].map(port => multiaddr(`/ip4/127.0.0.1/tcp/${port}`))
  /** The peer's addresses as `get` returns them, and how many store reads that took. */
  const read = async (): Promise<{ addrs: string[], reads: number }> => {
    const before = reads()
    const addrs = (await node.peerStore.get(peer)).addresses.map(x => x.multiaddr.toString()).sort()
    return { addrs, reads: reads() - before }
  }

  await node.peerStore.merge(peer, { multiaddrs: [a] })
  assert.deepEqual(await read(), { addrs: [a.toString()], reads: 1 }, 'the first read goes to the store')
  assert.deepEqual(await read(), { addrs: [a.toString()], reads: 0 }, 'the next is answered from it')
  const before = reads()
  const info = await node.peerStore.getInfo(peer)
  assert.deepEqual(info.multiaddrs.map(String), [a.toString()])
  assert.equal(reads() - before, 0, 'getInfo (what a DHT server answers FIND_NODE with) too')

  await node.peerStore.merge(peer, { multiaddrs: [b] })
  assert.deepEqual(await read(), { addrs: [a, b].map(String).sort(), reads: 1 }, 'a merge with a new address: read again, and it is there')
  await node.peerStore.patch(peer, { multiaddrs: [c] })
  assert.deepEqual(await read(), { addrs: [c.toString()], reads: 1 }, 'a patch: read again')

  // what a caller does to the record it was given is its own
  const given = await node.peerStore.get(peer)
  given.addresses.length = 0
  given.tags.set('changed-by-caller', { value: 1 })
  const again = await node.peerStore.get(peer)
  assert.deepEqual(again.addresses.map(x => x.multiaddr.toString()), [c.toString()])
  assert.equal(again.tags.has('changed-by-caller'), false)

  // a write started while a read was under way: the read's answer is not kept
  const racing = node.peerStore.get(peer)
  const writing = node.peerStore.merge(peer, { multiaddrs: [a] })
  await Promise.all([racing, writing])
  assert.deepEqual((await read()).addrs, [a, c].map(String).sort(), 'the merge that raced a read is seen by the next read')

  await node.peerStore.delete(peer)
  await assert.rejects(node.peerStore.get(peer), { name: 'NotFoundError' }, 'a deleted peer is not answered from what was kept')

  await node.peerStore.merge(peer, { multiaddrs: [b] })
  assert.equal((await read()).reads, 1)
  assert.equal((await read()).reads, 0)
  clock.advance(30_000)
  assert.deepEqual(await read(), { addrs: [b.toString()], reads: 1 }, 'once the TTL has passed, the store is read again')
})
