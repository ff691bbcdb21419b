/**
 * Every DHT answer names up to K peers, and libp2p merges each named peer's addresses into the
 * peer store: a read, a decode, an encode and a write per peer (a LevelDB write with the disk peer
 * store), whether anything changed or not. A lookup on a warm network is tens to hundreds of
 * answers, so over a thousand merges that change nothing; skipping them took ~28 % off a lookup's
 * CPU with the disk peer store (docs/BENCHMARKS.md, "What a lookup costs, and the peer store's share").
 *
 * This skips a merge of addresses alone when the same peer was merged within `ttlMs` with these
 * addresses or more, and nothing has written that peer since (any other write, a delete, or a
 * `peer:update` from anywhere forgets it). What a skip gives up: the record's `updated` time is
 * not refreshed (it only ages a peer with no fresh address out after six hours, far above the
 * TTL); the addresses' own ages are not refreshed by a merge anyway. Other merges (tags, protocols,
 * metadata: identify's, kad-dht's, the protocol libp2p merges for every stream) always go through:
 * skipping a stream's repeated protocol merge too broke a reconnect test, cause not found
 * (docs/DECISIONS.md, session 39).
 */
import type { Libp2p, Peer, PeerData, PeerId, PeerStore } from '@libp2p/interface'

export interface RepeatedMergesInit {
  /** How long a merge's addresses stand for the next one naming no new address, ms. */
  ttlMs: number
  now: () => number
  /** Most peers remembered; the least recently merged is forgotten first. */
  maxPeers: number
}

interface Recent { at: number, addrs: Set<string>, peer: Peer }

/** For benchmarks' A/B runs only (bench/micro/handover-pass.ts): merge every time when false. */
let skipping = true
export function setRepeatedMergeSkipping (on: boolean): void { skipping = on }

/** Install on `node.peerStore` before the node starts. */
export function skipRepeatedMerges (node: Libp2p, init: RepeatedMergesInit): void {
  const store: PeerStore = node.peerStore
  const recent = new Map<string, Recent>()
  const forget = (id: PeerId): void => { recent.delete(id.toString()) }
  // a write this wrapper does not see (a signed peer record, say) announces itself with this
  node.addEventListener('peer:update', evt => { forget(evt.detail.peer.id) })
  const merge = store.merge.bind(store)
  const patch = store.patch.bind(store)
  const save = store.save.bind(store)
  const remove = store.delete.bind(store)
  store.merge = async (id, data, options) => {
    if (!addressesOnly(data) || !skipping) { forget(id); return merge(id, data, options) }
    const key = id.toString()
    const addrs = (data.multiaddrs ?? []).map(a => a.toString())
    const seen = recent.get(key)
    if (seen !== undefined && init.now() - seen.at < init.ttlMs && addrs.every(a => seen.addrs.has(a))) {
      return seen.peer
    }
    const peer = await merge(id, data, options)
    recent.delete(key) // (its own peer:update already did, if anything changed)
    if (recent.size >= init.maxPeers) recent.delete(recent.keys().next().value as string)
    // what was asked and what the store kept: the same ask again changes nothing
    recent.set(key, { at: init.now(), addrs: new Set([...addrs, ...peer.addresses.map(a => a.multiaddr.toString())]), peer })
    return peer
  }
  store.patch = async (id, data, options) => { forget(id); return patch(id, data, options) }
  store.save = async (id, data, options) => { forget(id); return save(id, data, options) }
  store.delete = async (id, options) => { forget(id); await remove(id, options) }
}

function addressesOnly (data: PeerData): boolean {
  return data.multiaddrs !== undefined && Object.keys(data).every(k => k === 'multiaddrs')
}
