/**
 * A peer's record read from the peer store stands for the next reads of it (src/shared/node/
 * peer-reads.ts), and a read never returns what a write has since changed: a merge, a patch, a
 * delete each make the next read go to the store; a caller that changes what it was given changes
 * nothing kept; after the TTL the store is read again. A real node on a real LevelDB, its reads of
 * peer records counted.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { Datastore } from 'interface-datastore'
import { ManualClock } from '../../src/shared/clock.js'
import { createNode } from '../../src/shared/node/create-node.js'
import { Store } from '../../src/shared/store.js'
import { tempRoot, testConfig } from '../helpers/users.js'

/** The datastore, counting reads of peer records (libp2p keeps them under /peers/). */
function counting (datastore: Datastore): { datastore: Datastore, reads: () => number } {
  let n = 0
  const counted = new Proxy(datastore, {
    get (target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown
      if (prop === 'get' && typeof v === 'function') {
        return async (key: { toString: () => string }, ...rest: unknown[]) => {
          if (key.toString().startsWith('/peers/')) n++
          return (v as (...a: unknown[]) => unknown).apply(target, [key, ...rest])
        }
      }
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v
    }
  })
  return { datastore: counted, reads: () => n }
}

test('a peer record read once answers the next reads until something writes it; no read returns a stale record', async (t) => {
  const root = await tempRoot(t)
  const store = await Store.open(join(root, 'db'))
  const { datastore, reads } = counting(store.datastore)
  const clock = new ManualClock(Date.now())
  const node = await createNode({ privateKey: await generateKeyPair('Ed25519'), datastore, config: testConfig(root), clock, dhtServer: false })
  t.after(async () => { await node.stop(); await store.close() })
  const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
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
