/**
 * Before dialling a peer by its PeerId with no connection to it: make sure its addresses are in the
 * peer store, looked up so that no DHT server sees the user's PeerId ask for them.
 *
 * With a finder (anonymous deposits on), the addresses are looked up from an ephemeral identity
 * (client/anonymous: a FIND_NODE walk for the peer-id key) and merged into the peer store; with
 * none found and none known, this throws instead of letting the dial go on, since libp2p's dialer
 * asks its peer routing (kad-dht's findPeer, under the user's PeerId) whenever the peer store has no
 * address. Without a finder, the lookup is kad-dht's, and only with NAT traversal on (else the
 * dial's own lookup does it).
 *
 * Why look up before the dial at all with NAT traversal: a dial hands peer-routing results straight
 * to the transports, past connectionGater.filterMultiaddrForPeer, so it would dial the peer's NAT
 * mapping (public, but unreachable unsolicited) before its relay address, hang until the timeout,
 * and leave the conntrack entry that spoils the hole punch. What is merged into the peer store
 * passes the direct-dial gate; the dial then uses the peer store's addresses: relay and private
 * ones only.
 */
import type { PeerId } from '@libp2p/interface'
import { CairnError } from '../../shared/errors.js'
import type { CairnNode } from '../../shared/node/create-node.js'
import type { PeerFinder } from '../anonymous/ephemeral-hosts.js'

export interface AddressLookupOptions {
  /** Where addresses are looked up (client/anonymous); undefined: kad-dht, under the user's PeerId. */
  finder: PeerFinder | undefined
  /** network.natTraversal: look up even when addresses are known (they may be stale or a NAT mapping). */
  natTraversal: boolean
  signal: AbortSignal
  /** Called whenever a DHT server answers or fails: the caller's idle deadline may start again. */
  onProgress?: () => void
}

/** Throws CairnError DELIVERY_FAILED when, with a finder, no address is found or known. */
export async function lookUpAddresses (node: CairnNode, peer: PeerId, options: AddressLookupOptions): Promise<void> {
  const { finder, natTraversal, signal, onProgress } = options
  if (finder === undefined) {
    if (natTraversal) await node.peerRouting.findPeer(peer, { signal, useCache: false, ...(onProgress === undefined ? {} : { onProgress: () => { onProgress() } }) }).catch(() => {})
    return
  }
  if (!natTraversal && await knowsAddress(node, peer)) return
  const found = await finder.findPeer(peer, { signal, ...(onProgress === undefined ? {} : { onProgress }) }).catch(() => [])
  if (found.length > 0) await node.peerStore.merge(peer, { multiaddrs: found })
  else if (!await knowsAddress(node, peer)) throw new CairnError('DELIVERY_FAILED', 'no address found for the recipient')
}

/** Whether the peer store has an address to dial `peer` at. */
export async function knowsAddress (node: CairnNode, peer: PeerId): Promise<boolean> {
  try {
    return (await node.peerStore.get(peer)).addresses.length > 0
  } catch {
    return false
  }
}
