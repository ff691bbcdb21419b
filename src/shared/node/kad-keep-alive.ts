/**
 * kad-dht tags the 20 peers closest to us with a keep-alive tag, and libp2p's reconnect queue
 * redials a keep-alive peer the moment its connection closes. The other end need not value us as
 * we value it: at its connection cap its trimmer closes our connection first (we carry no tag of
 * its own), we redial at once, it trims again once the new connection's grace is over, and so on
 * for as long as both run. 1,000 simulated peers with nothing asked of them after their warm-up
 * burned 1.90 CPU-s per s with the loop and 0.74 without (docs/BENCHMARKS.md, "The 1,000-peer
 * bundle round, publish by publish").
 *
 * Cairn needs no standing connection to its closest peers: a lookup dials whom it asks, and the
 * routing table keeps peers whether connected or not. So kad-dht's keep-alive tag is turned into
 * its removal on the way into the peer store (which also clears a tag an older version stored);
 * its `kad-close` value stays, and the trimmer still keeps those connections longest. Other
 * keep-alive tags (a relay we hold a reservation on) are untouched.
 */
import type { Libp2p, PeerData } from '@libp2p/interface'
import { KEEP_ALIVE } from '@libp2p/interface'

/** kad-dht's own tag name (its constants.ts KEEP_ALIVE_TAG; not exported). */
export const KAD_KEEP_ALIVE_TAG = `${KEEP_ALIVE}-kad-dht`

/** Install on `node.peerStore` before the node starts. */
export function dropKadKeepAlive (node: Libp2p): void {
  const store = node.peerStore
  const merge = store.merge.bind(store)
  store.merge = async (id, data, options) => merge(id, withoutKadKeepAlive(data), options)
}

function withoutKadKeepAlive (data: Partial<PeerData>): Partial<PeerData> {
  if (data.tags === undefined || !(KAD_KEEP_ALIVE_TAG in data.tags)) return data
  return { ...data, tags: { ...data.tags, [KAD_KEEP_ALIVE_TAG]: undefined } }
}
