/**
 * Anonymous deposits: mail and bundle requests for other people's mailboxes go out from a
 * short-lived libp2p identity (ephemeral-hosts.ts), so no replica sees the sender's PeerId.
 * The user's own requests (fetch, ack, put_bundle, status) keep the user's identity: replicas
 * authorise them by it. Config: delivery.anonymousDeposits, delivery.anonymousIdentityMs.
 */
import type { PeerId } from '@libp2p/interface'
import type { Clock } from '../../shared/clock.js'
import type { CairnConfig } from '../../shared/config.js'
import type { CairnNode } from '../../shared/node/create-node.js'
import { EphemeralHosts } from './ephemeral-hosts.js'

export { EphemeralHosts, type DepositHost, type EphemeralHostsComponents, type EphemeralHostsInit } from './ephemeral-hosts.js'

/** The ephemeral hosts for `node`'s user, or undefined when anonymous deposits are off. */
export function anonymousDepositHosts (node: CairnNode, config: CairnConfig, clock: Clock): EphemeralHosts | undefined {
  if (!config.delivery.anonymousDeposits) return undefined
  return new EphemeralHosts({
    addressesOf: async (peer: PeerId) => (await node.peerStore.get(peer).catch(() => undefined))?.addresses.map(a => a.multiaddr) ?? [],
    clock
  }, {
    rotateMs: config.delivery.anonymousIdentityMs,
    drainMs: config.limits.requestTimeoutMs + config.delivery.mailboxTimeoutMs,
    dialTimeoutMs: config.network.dialTimeoutMs,
    allowPrivateAddresses: config.network.allowPrivateAddresses
  })
}
