/** A bare host, as an anonymous depositor's ephemeral one: a fresh key, no listener, no DHT. */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { systemClock } from '../../src/shared/clock.js'
import { createNode, type CairnNode } from '../../src/shared/node/create-node.js'
import { Store } from '../../src/shared/store.js'
import { peerConfig } from './cluster.js'

export async function depositor (root: string): Promise<{ node: CairnNode, close: () => Promise<void> }> {
  const store = await Store.open(join(root, `depositor-${randomBytes(6).toString('hex')}`))
  const config = peerConfig(join(root, 'depositors'), 0, { overrides: { listen: [], network: { allowPrivateAddresses: true } } })
  const node = await createNode({ privateKey: await generateKeyPair('Ed25519'), datastore: store.datastore, config, clock: systemClock, dhtServer: false })
  return { node, close: async () => { await node.stop(); await store.close() } }
}

