/**
 * libp2p reads a peer's record from the peer store (a datastore read, a protobuf decode, every
 * address parsed) each time anything asks, and a DHT server asks a lot: every FIND_NODE it answers
 * reads the K closest peers' records, and a lookup on a warm network is tens of such answers
 * naming the same few dozen peers (docs/BENCHMARKS.md, "A peer's record read once").
 *
 * This keeps what a read returned for `ttlMs` and answers the next read of that peer from it,
 * until anything writes that peer: every write method of the store (merge, patch, save, delete,
 * consumePeerRecord) forgets it before and after it runs, as does a `peer:update` from anywhere,
 * and a read that a write overlapped is not kept. What a kept record gives up is only what libp2p
 * computes at read time from the clock: an address or tag past its age is still returned until
 * the entry expires (the ages are an hour and more; the TTL is seconds). Each read returns its
 * own copy, so a caller that changes one changes nothing kept.
 */
import type { Libp2p, Peer, PeerId, PeerInfo, PeerStore } from '@libp2p/interface'

export interface PeerReadsInit {
  /** How long a read stands for the next ones, ms (injected clock). */
  ttlMs: number
  now: () => number
  /** Most records kept; the oldest read is forgotten first. */
  maxPeers: number
}

interface Kept { at: number, peer: Peer }

/** For benchmarks' A/B runs only (bench/micro/handover-pass.ts): read the store every time when false. */
let keeping = true
export function setPeerReadKeeping (on: boolean): void { keeping = on }

/** Install on `node.peerStore` before the node starts, and before any other wrapper of its writes. */
export function keepPeerReads (node: Libp2p, init: PeerReadsInit): void {
  const store: PeerStore = node.peerStore
  const kept = new Map<string, Kept>()
  /** Reads under way, by peer: a write meanwhile marks them, and what they return is not kept. */
  const reading = new Map<string, Set<{ overlapped: boolean }>>()
  const wrote = (id?: PeerId): void => {
    if (id === undefined) {
      kept.clear()
      for (const reads of reading.values()) for (const r of reads) r.overlapped = true
      return
    }
    const key = id.toString()
    kept.delete(key)
    for (const r of reading.get(key) ?? []) r.overlapped = true
  }
  node.addEventListener('peer:update', evt => { wrote(evt.detail.peer.id) })
  const get = store.get.bind(store)
  store.get = async (id, options) => {
    const key = id.toString()
    const hit = kept.get(key)
    if (keeping && hit !== undefined && init.now() - hit.at < init.ttlMs) return copy(hit.peer)
    const read = { overlapped: false }
    const reads = reading.get(key) ?? new Set()
    reading.set(key, reads.add(read))
    try {
      const peer = await get(id, options)
      if (keeping && !read.overlapped) {
        kept.delete(key)
        if (kept.size >= init.maxPeers) kept.delete(kept.keys().next().value as string)
        kept.set(key, { at: init.now(), peer: copy(peer) })
      }
      return peer
    } finally {
      reads.delete(read)
      if (reads.size === 0) reading.delete(key)
    }
  }
  store.getInfo = async (id, options): Promise<PeerInfo> => {
    const peer = await store.get(id, options)
    return { id: peer.id, multiaddrs: peer.addresses.map(a => a.multiaddr) }
  }
  /** A write forgets its peer as it starts (reads under way are marked) and again once it is done. */
  const writing = <A extends [PeerId, ...unknown[]], R>(write: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    wrote(args[0])
    try { return await write(...args) } finally { wrote(args[0]) }
  }
  store.merge = writing(store.merge.bind(store))
  store.patch = writing(store.patch.bind(store))
  store.save = writing(store.save.bind(store))
  store.delete = writing(store.delete.bind(store))
  // a signed peer record names its peer inside: everything kept is forgotten rather than decode it here
  const consume = store.consumePeerRecord.bind(store) as (...args: unknown[]) => Promise<boolean>
  store.consumePeerRecord = (async (...args: unknown[]) => {
    wrote()
    try { return await consume(...args) } finally { wrote() }
  }) as PeerStore['consumePeerRecord']
}

/** A record of its own: the arrays and maps a caller might change are new. */
function copy (peer: Peer): Peer {
  return { ...peer, addresses: [...peer.addresses], protocols: [...peer.protocols], metadata: new Map(peer.metadata), tags: new Map(peer.tags) }
}
