/**
 * A datastore that counts one operation (`get` or `put`) on libp2p's peer records (kept under
 * /peers/), for tests of the peer store's shortcuts (src/shared/node/peer-reads.ts,
 * repeated-merges.ts): what a user's device pays is reads and writes of its store.
 */
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PeerId } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { Datastore } from 'interface-datastore'
import { ManualClock } from '../../src/shared/clock.js'
import { createNode, type CairnNode } from '../../src/shared/node/create-node.js'
import { Store } from '../../src/shared/store.js'
import { tempRoot, testConfig } from './users.js'

export function countingPeerRecords (datastore: Datastore, op: 'get' | 'put'): { datastore: Datastore, count: () => number } {
  let n = 0
  const counted = new Proxy(datastore, {
    get (target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown
      if (prop === op && typeof v === 'function') {
        return async (key: { toString: () => string }, ...rest: unknown[]) => {
          if (key.toString().startsWith('/peers/')) n++
          return (v as (...a: unknown[]) => unknown).apply(target, [key, ...rest])
        }
      }
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v
    }
  })
  return { datastore: counted, count: () => n }
}

/**
 * A real node (createNode, DHT client) on a real LevelDB in a temp dir, its peer-record `op`s
 * counted, a manual clock, and a stranger's PeerId to store things about; stopped after the test.
 */
export async function nodeCountingPeerRecords (t: TestContext, op: 'get' | 'put'): Promise<{ node: CairnNode, clock: ManualClock, count: () => number, peer: PeerId }> {
  const root = await tempRoot(t)
  const store = await Store.open(join(root, 'db'))
  const { datastore, count } = countingPeerRecords(store.datastore, op)
  const clock = new ManualClock(Date.now())
  const node = await createNode({ privateKey: await generateKeyPair('Ed25519'), datastore, config: testConfig(root), clock, dhtServer: false })
  t.after(async () => { await node.stop(); await store.close() })
  return { node, clock, count, peer: peerIdFromPrivateKey(await generateKeyPair('Ed25519')) }
}
