/**
 * A Kademlia lookup from a host that runs no kad-dht: FIND_NODE requests to the closest servers
 * known so far, `alpha` in flight, until the `count` closest that answered have all been asked.
 * The anonymous route runs it from the ephemeral host (ephemeral-hosts.ts), so every DHT server on
 * the path sees that identity, not the user's. It starts from servers the user's node already
 * knows (their addresses are in its peer store; handing them over costs no traffic), so it needs
 * no routing table, no self-query and no pings of its own: a lookup is the FIND_NODE requests and
 * the connections they open, nothing else. A client that asks is not added to a server's routing
 * table (it offers no DHT protocol), as with kad-dht in client mode.
 */
import type { Libp2p, PeerId } from '@libp2p/interface'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { KadMessage, KadMessageType } from '../../../proto/kad.js'
import type { Clock } from '../../shared/clock.js'
import { peerIdFromBytes } from '../../shared/peer-id.js'
import { closer, kadId } from '../../shared/placement.js'
import { request } from '../../shared/protocols/rpc.js'

/** A DHT server and where to reach it. */
export interface WalkPeer { id: PeerId, multiaddrs: Multiaddr[] }

export interface WalkOptions {
  /** The DHT's protocol id (Cairn's own prefix: KAD_PROTOCOL). */
  protocol: string
  /** How many of the closest servers that answer to find. */
  count: number
  /** FIND_NODE requests in flight at once. */
  alpha: number
  /** Never asked and never returned (the user's own node). */
  exclude?: PeerId[]
  /** One request's idle deadline, ms (limits.requestTimeoutMs). */
  requestTimeoutMs: number
  clock: Clock
  /** Governs the whole walk: once aborted, no request starts and what answered so far is returned. */
  signal?: AbortSignal
  /** Called whenever a server answers or fails: the caller's idle deadline may start again. */
  onProgress?: () => void
}

/** 20 peers of up to 8 addresses each, with room to spare. */
const MAX_ANSWER_BYTES = 64 * 1024
/** A server may offer many addresses for one peer; more than this are not dialled. */
const ADDRESSES_PER_PEER = 8

interface Candidate { peer: WalkPeer, id: Buffer, state: 'new' | 'asking' | 'answered' | 'failed' }

/** The `count` servers closest to `key` that answered, closest first, with their addresses. */
export async function walkClosest (host: Libp2p, key: Uint8Array, seeds: WalkPeer[], options: WalkOptions): Promise<WalkPeer[]> {
  return (await walk(host, key, seeds, options)).closest
}

/**
 * `peer`'s addresses, as a DHT server that knows it answers a FIND_NODE for its peer-id key (kad-dht
 * puts a peer it has in its peer store first among the closer peers). The walk stops at the first
 * answer that names `peer`, and `peer` itself is never asked (it need not serve the DHT, and a
 * request would show it the identity looking for it). Empty when no server on the path knew it.
 */
export async function walkForPeer (host: Libp2p, peer: PeerId, seeds: WalkPeer[], options: WalkOptions): Promise<Multiaddr[]> {
  return (await walk(host, peer.toMultihash().bytes, seeds, options, peer)).target?.multiaddrs ?? []
}

async function walk (host: Libp2p, key: Uint8Array, seeds: WalkPeer[], options: WalkOptions, wanted?: PeerId): Promise<{ closest: WalkPeer[], target?: WalkPeer }> {
  const target = kadId(key)
  let hit: WalkPeer | undefined
  const skip = new Set([host.peerId, ...(options.exclude ?? [])].map(p => p.toString()))
  const candidates = new Map<string, Candidate>()
  let ranked: Candidate[] = []
  const learn = (peers: WalkPeer[]): void => {
    for (const peer of peers) {
      const k = peer.id.toString()
      if (wanted?.equals(peer.id) === true) {
        if (peer.multiaddrs.length > 0) hit ??= peer
        continue
      }
      if (skip.has(k) || candidates.has(k) || peer.multiaddrs.length === 0) continue
      candidates.set(k, { peer, id: kadId(peer.id.toMultihash().bytes), state: 'new' })
    }
    ranked = [...candidates.values()].sort((a, b) => closer(target, a.id, b.id))
  }
  learn(seeds)

  const inFlight = new Set<Promise<void>>()
  const ask = (c: Candidate): void => {
    c.state = 'asking'
    const done: Promise<void> = findNode(host, c.peer, key, options)
      .then(found => { c.state = 'answered'; learn(found) }, () => { c.state = 'failed' })
      .finally(() => { inFlight.delete(done); options.onProgress?.() })
    inFlight.add(done)
  }
  for (;;) {
    if (options.signal?.aborted !== true && hit === undefined) {
      // the closest `count` not known to have failed; any of them not yet asked is asked next
      const nearest = ranked.filter(c => c.state !== 'failed').slice(0, options.count)
      for (const c of nearest) {
        if (inFlight.size >= options.alpha) break
        if (c.state === 'new') ask(c)
      }
    }
    if (inFlight.size === 0 || hit !== undefined) break
    await Promise.race(inFlight)
  }
  const closest = ranked.filter(c => c.state === 'answered').slice(0, options.count).map(c => c.peer)
  return hit === undefined ? { closest } : { closest, target: hit }
}

/** One FIND_NODE: the servers `peer` knows closest to `key`. Throws when it cannot be asked. */
async function findNode (host: Libp2p, peer: WalkPeer, key: Uint8Array, options: WalkOptions): Promise<WalkPeer[]> {
  await host.peerStore.merge(peer.id, { multiaddrs: peer.multiaddrs })
  const answer = await request(host, peer.id, options.protocol, { type: KadMessageType.FIND_NODE, key: new Uint8Array(key) }, { req: KadMessage, res: KadMessage }, {
    maxBytes: MAX_ANSWER_BYTES,
    timeoutMs: options.requestTimeoutMs,
    clock: options.clock,
    ...(options.signal === undefined ? {} : { signal: options.signal })
  })
  const found: WalkPeer[] = []
  for (const p of answer.closer) {
    try {
      found.push({ id: peerIdFromBytes(p.id), multiaddrs: p.multiaddrs.slice(0, ADDRESSES_PER_PEER).map(b => multiaddr(b)) })
    } catch {
      // a peer we cannot read is one we cannot dial: the others still count
    }
  }
  return found
}
