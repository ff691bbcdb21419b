/**
 * Where a user's mail waits: the mailbox key is SHA-256 over a domain tag and the PeerId bytes; the
 * replica set is the k DHT servers closest to it. kad-dht hashes the key it is given once more
 * (its Kademlia id is sha256(key)), and so do we when ranking, so both sides agree on the order.
 */
import { createHash } from 'node:crypto'
import type { PeerId } from '@libp2p/interface'
import type { CairnNode } from './node/create-node.js'
import { peerIdBytes } from './peer-id.js'

const TAG = Buffer.from('cairn/mailbox-key/v1')
/** A lookup with no deadline of its own gets this one. */
const LOOKUP_TIMEOUT_MS = 30_000

export function mailboxKey (peer: PeerId): Uint8Array {
  return new Uint8Array(createHash('sha256').update(TAG).update(peerIdBytes(peer)).digest())
}

function kadId (bytes: Uint8Array): Buffer {
  return createHash('sha256').update(bytes).digest()
}

/** Compare XOR distances of two peers to a kad id: negative when `a` is closer. */
function closer (target: Buffer, a: Buffer, b: Buffer): number {
  for (let i = 0; i < target.length; i++) {
    const da = (a[i] as number) ^ (target[i] as number)
    const db = (b[i] as number) ^ (target[i] as number)
    if (da !== db) return da - db
  }
  return 0
}

/** Order peers by distance to `key` (closest first). */
export function rankByDistance (key: Uint8Array, peers: PeerId[]): PeerId[] {
  const target = kadId(key)
  const ids = new Map(peers.map(p => [p.toString(), kadId(p.toMultihash().bytes)]))
  const unique = [...new Map(peers.map(p => [p.toString(), p])).values()]
  return unique.sort((a, b) => closer(target, ids.get(a.toString()) as Buffer, ids.get(b.toString()) as Buffer))
}

/**
 * The `count` DHT servers closest to `key` that the network knows of, ranked; with `includeSelf`,
 * this node competes for a place too (a holder asking whether it is still a replica).
 */
export async function closestPeers (node: CairnNode, key: Uint8Array, count: number, options: { includeSelf?: boolean, signal?: AbortSignal } = {}): Promise<PeerId[]> {
  // with no connection at all a query only waits for peers that are not coming: answer at once
  if (node.getConnections().length === 0) return options.includeSelf === true ? [node.peerId] : []
  const signal = options.signal ?? AbortSignal.timeout(LOOKUP_TIMEOUT_MS)
  let found = await lookup(node, key, signal)
  // a cold routing table (just joined) can end a query early; the first query filled it, so ask again
  if (found.length < count && !signal.aborted) found = [...found, ...await lookup(node, key, signal)]
  if (options.includeSelf === true) found.push(node.peerId)
  return rankByDistance(key, found).slice(0, count)
}

async function lookup (node: CairnNode, key: Uint8Array, signal?: AbortSignal): Promise<PeerId[]> {
  const found: PeerId[] = []
  try {
    for await (const event of node.services.dht.getClosestPeers(key, signal === undefined ? {} : { signal })) {
      if (event.name === 'FINAL_PEER') found.push(event.peer.id)
    }
  } catch (err) {
    // a query that found some peers before failing (timeout, no route) is still useful
    if (found.length === 0 && (err as Error).name !== 'AbortError' && (err as Error).name !== 'TimeoutError') throw err
  }
  return found
}

/** A Kademlia join: look up our own id, which fills the buckets around us. */
export async function joinDht (node: CairnNode, signal?: AbortSignal): Promise<number> {
  if (node.getConnections().length === 0) return 0
  return (await lookup(node, node.peerId.toMultihash().bytes, signal ?? AbortSignal.timeout(LOOKUP_TIMEOUT_MS))).length
}
