/**
 * The offline-recipient set-up the mailbox and growth suites share: mailbox nodes in a process of
 * their own (remote-mailboxes.ts), Alice and Bob as clients in this one, bootstrapped from those
 * nodes. Bob publishes his bundles, takes Alice as a contact (a stranger's burst would meet the
 * daily cap) and goes away; Alice has Bob's address. `stop` ends it all and removes `root`.
 */
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { CairnClient } from '../../src/client/client.js'
import type { ConfigLayer } from '../../src/shared/config.js'
import { Cluster, addressOf, type Peer } from './cluster.js'
import { RemoteMailboxes } from './remote-mailboxes.js'

export interface OfflinePair {
  cluster: Cluster
  boxes: RemoteMailboxes
  bootstrap: string[]
  alicePeer: Peer
  alice: CairnClient
  /** Stopped: `cluster.start(bobPeer, { bootstrap })` brings him back. */
  bobPeer: Peer
  stop: () => Promise<void>
}

export async function offlinePair (o: { root: string, mailboxNodes: number, replicas: number, overrides: ConfigLayer }): Promise<OfflinePair> {
  const cluster = new Cluster({ root: o.root, mailbox: false, overrides: o.overrides })
  let boxes: RemoteMailboxes | undefined
  const stop = async (): Promise<void> => {
    await cluster.stopAll()
    await boxes?.stop()
    await rm(o.root, { recursive: true, force: true })
  }
  try {
    boxes = await RemoteMailboxes.start({ root: join(o.root, 'mailboxes'), count: o.mailboxNodes, overrides: o.overrides })
    const bootstrap = boxes.bootstrap
    const alicePeer = await cluster.add('alice', { bootstrap })
    const bobPeer = await cluster.add('bob', { bootstrap })
    const alice = alicePeer.client
    const bob = bobPeer.client
    if (alice === undefined || bob === undefined) throw new Error('alice or bob did not start')
    if ((await bob.publishBundles()).published < o.replicas) throw new Error('bob could not publish to every replica')
    await bob.contactAdd('alice', alicePeer.peerId)
    await cluster.stop(bobPeer)
    await alice.contactAdd('bob', addressOf(bobPeer))
    return { cluster, boxes, bootstrap, alicePeer, alice, bobPeer, stop }
  } catch (err) {
    await stop()
    throw err
  }
}
