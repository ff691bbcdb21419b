/**
 * `connectionGater.filterMultiaddrForPeer` that keeps the public direct addresses of untrusted
 * peers out of the peer store, so DCUtR's "unilateral upgrade" never runs.
 *
 * Why: when A dials B through a relay, B's DCUtR first looks in the peer store for A's public
 * addresses and, if it finds one, dials it directly (the unilateral upgrade) before any hole
 * punch. For a NATed A that address is A's NAT mapping (confirmed by observed-address.ts), so:
 *  - A's router drops the SYN and the dial hangs for DCUtR's 5 s timeout;
 *  - it leaves a SYN_SENT conntrack entry on B's router for exactly the 4-tuple the punch will use
 *    (B's fixed local port -> A's mapping), carrying B's first sequence number;
 *  - the real punch then reuses that 4-tuple with a new sequence number, conntrack marks B's
 *    packets INVALID, they leave un-NATed and are dropped. Measured: 0/5 with the unilateral
 *    upgrade, 10/10 with this gate (/work/shared/nat-example/NOTES.md, "NOUNI").
 * With no public address for A in its peer store, B goes straight to the coordinated punch.
 *
 * Kept: every address of a trusted peer; every relay (/p2p-circuit) address; private, loopback
 * and other non-public addresses, which the unilateral upgrade ignores anyway (it only dials
 * public addresses), so LAN and loopback setups still connect directly.
 *
 * Trade-offs:
 *  - An untrusted peer with a genuinely public, listening address is never dialed on it from the
 *    peer store: we reach it through a relay and then the punch (which works against a public
 *    peer too). That costs the relay round trip and needs a relay reservation. Cairn clients do
 *    not listen on TCP (the fixed dial port cannot also be a listener), so only infrastructure
 *    nodes have such addresses, and those belong in trustedPeers.
 *  - trustedPeers must therefore list every node we dial by peer id on a direct address: relays,
 *    bootstrap, mailbox and DHT server nodes. For a DHT server missing from it we store only its
 *    relay and private addresses, so a dial by peer id goes through a relay, or falls back to a
 *    peer-routing lookup when nothing is stored.
 *  - Explicit dials to a multiaddr are not affected (the gate filters what the peer store keeps,
 *    not what may be dialed), and nor are addresses returned by a peer-routing lookup.
 */
import { isPrivate } from '@libp2p/utils'
import { CODE_DNS, CODE_DNS4, CODE_DNS6, CODE_DNSADDR, CODE_IP4, CODE_IP6, CODE_P2P_CIRCUIT } from '@multiformats/multiaddr'
import type { ConnectionGater, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface DirectDialGateInit {
  /** Peer ids (string form) whose direct addresses we keep: relays, bootstrap, mailbox, DHT servers. */
  trustedPeers: () => Set<string>
}

export type FilterMultiaddrForPeer = NonNullable<ConnectionGater['filterMultiaddrForPeer']>

const DNS_CODES = new Set([CODE_DNS, CODE_DNS4, CODE_DNS6, CODE_DNSADDR])

/**
 * True for the addresses DCUtR's unilateral upgrade would dial: not relayed, and either a DNS
 * name (DCUtR assumes those are public) or a public IP. Mirrors @libp2p/dcutr's isPublicAndDialable.
 */
export function isPublicDirectAddress (ma: Multiaddr): boolean {
  const components = ma.getComponents()
  if (components.some(c => c.code === CODE_P2P_CIRCUIT)) return false
  const first = components[0]
  if (first == null) return false
  if (DNS_CODES.has(first.code)) return true
  if (first.code === CODE_IP4 || first.code === CODE_IP6) return !isPrivate(ma)
  return false
}

/**
 * Use as `connectionGater: { filterMultiaddrForPeer: directDialGate({ trustedPeers }) }`.
 * Returns true to store the address.
 */
export function directDialGate (init: DirectDialGateInit): FilterMultiaddrForPeer {
  return (peer: PeerId, multiaddr: Multiaddr): boolean =>
    init.trustedPeers().has(peer.toString()) || !isPublicDirectAddress(multiaddr)
}
