/**
 * A hostile peer for the mailbox protocol: a stock libp2p host built as every Cairn node is (so it
 * speaks /cairn/mailbox and, as a DHT server, lists /cairn/kad in identify and sits in routing
 * tables), but with no mailbox of its own and no scruples: it asks whatever a test tells it to.
 */
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import type { MailboxRequest, MailboxResponse } from '../../proto/cairn.js'
import { askMailbox } from '../../src/client/mailbox/mailbox-rpc.js'
import type { CairnConfig } from '../../src/shared/config.js'
import { createNode, type CairnNode } from '../../src/shared/node/create-node.js'
import { joinDht } from '../../src/shared/placement.js'
import { Store } from '../../src/shared/store.js'
import { testConfig } from './users.js'
import { systemClock } from '../../src/shared/clock.js'

export interface HostilePeer {
  node: CairnNode
  peerId: PeerId
  /** Send one mailbox request to `to`, as this peer. */
  ask: (to: PeerId, req: Omit<MailboxRequest, 'version'>) => Promise<MailboxResponse>
}

/** A hostile peer joined to the network through `bootstrap`; `dhtServer` makes it pass for a holder. */
export async function hostilePeer (t: TestContext, root: string, bootstrap: string[], options: { dhtServer?: boolean, privateKey?: PrivateKey } = {}): Promise<HostilePeer> {
  const dir = join(root, `hostile-${Math.random().toString(16).slice(2)}`)
  const store = await Store.open(dir)
  const config: CairnConfig = testConfig(dir)
  const node = await createNode({ privateKey: options.privateKey ?? await generateKeyPair('Ed25519'), datastore: store.datastore, config, clock: systemClock, dhtServer: options.dhtServer ?? false })
  t.after(async () => { await node.stop(); await store.close() })
  await Promise.all(bootstrap.map(async a => node.dial(multiaddr(a)).catch(() => undefined)))
  await joinDht(node, systemClock, AbortSignal.timeout(10_000)).catch(() => 0)
  return { node, peerId: node.peerId, ask: async (to, req) => askMailbox(node, config, to, req, { clock: systemClock }) }
}
