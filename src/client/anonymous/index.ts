/**
 * Anonymous deposits: mail and bundle requests for other people's mailboxes, and the DHT lookups
 * of those people's replicas, go out from a short-lived libp2p identity (ephemeral-hosts.ts,
 * dht-walk.ts), so neither a replica nor a DHT server sees the sender's PeerId. The user's own
 * requests (fetch, ack, put_bundle, status) and lookups of its own mailbox keep the user's
 * identity: replicas authorise them by it. Config: delivery.anonymousDeposits, delivery.anonymousIdentityMs.
 */
import type { PeerId } from '@libp2p/interface'
import type { Clock } from '../../shared/clock.js'
import type { CairnConfig } from '../../shared/config.js'
import type { Logger } from '../../shared/logger.js'
import type { CairnNode } from '../../shared/node/create-node.js'
import { KAD_PROTOCOL } from '../../shared/protocols/ids.js'
import { EphemeralHosts } from './ephemeral-hosts.js'
import type { WalkPeer } from './dht-walk.js'

export { EphemeralHosts, type DepositHost, type EphemeralHostsComponents, type EphemeralHostsInit, type FindPeerOptions, type LookupOptions, type PeerFinder } from './ephemeral-hosts.js'
export { walkClosest, walkForPeer, type WalkOptions, type WalkPeer } from './dht-walk.js'

/** The ephemeral hosts for `node`'s user, or undefined when anonymous deposits are off. */
export function anonymousDepositHosts (node: CairnNode, config: CairnConfig, clock: Clock, log?: Logger): EphemeralHosts | undefined {
  if (!config.delivery.anonymousDeposits) return undefined
  return new EphemeralHosts({
    addressesOf: async (peer: PeerId) => (await node.peerStore.get(peer).catch(() => undefined))?.addresses.map(a => a.multiaddr) ?? [],
    dhtServers: async () => dhtServersOf(node),
    self: node.peerId,
    clock,
    ...(log === undefined ? {} : { log })
  }, {
    rotateMs: config.delivery.anonymousIdentityMs,
    drainMs: config.limits.requestTimeoutMs + config.delivery.mailboxTimeoutMs,
    dialTimeoutMs: config.network.dialTimeoutMs,
    allowPrivateAddresses: config.network.allowPrivateAddresses,
    dhtProtocol: KAD_PROTOCOL,
    requestTimeoutMs: config.limits.requestTimeoutMs,
    dhtK: config.network.dhtK
  })
}

/**
 * The DHT servers `node` knows (identify told it they serve Cairn's DHT) and their addresses; none
 * while it is offline, as its own lookups would find none. Read from its peer store: no traffic.
 */
async function dhtServersOf (node: CairnNode): Promise<WalkPeer[]> {
  if (node.getConnections().length === 0) return []
  const peers = await node.peerStore.all({ filters: [p => p.protocols.includes(KAD_PROTOCOL) && p.addresses.length > 0 && !p.id.equals(node.peerId)] })
  return peers.map(p => ({ id: p.id, multiaddrs: p.addresses.map(a => a.multiaddr) }))
}
