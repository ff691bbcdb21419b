/**
 * Where a user's mail waits: the mailbox key is SHA-256 over a domain tag and the PeerId bytes; the
 * replica set is the k DHT servers closest to it, taking at most `perSubnet` from any one IPv4 /24
 * or IPv6 /48, so that identities (free to make) parked next to a victim's key from one network
 * cannot fill its whole replica set. kad-dht hashes the key it is given once more (its Kademlia id
 * is sha256(key)), and so do we when ranking, so both sides agree on the order. Senders,
 * recipients, holders and the responsibility check all choose with the same function.
 */
import { createHash } from 'node:crypto'
import type { Libp2p, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Clock } from './clock.js'
import type { Logger } from './logger.js'
import type { CairnNode } from './node/create-node.js'
import { peerIdBytes } from './peer-id.js'
import { IdleDeadline, withSignal } from './protocols/idle-deadline.js'
import { KAD_PROTOCOL } from './protocols/ids.js'

const TAG = Buffer.from('cairn/mailbox-key/v1')
/**
 * A lookup is given up when no DHT server has answered (nor failed) for this long: what was once
 * its whole time (issue 12 item 3, issue 16 item 5: on a slow machine a lookup that is being
 * answered took longer than that in all, and was cut off with the replicas half found).
 */
export const LOOKUP_IDLE_MS = 30_000
/** However steadily servers answer, a lookup ends after this long (kad-dht's own default for a query). */
export const LOOKUP_MAX_MS = 180_000

/**
 * The deadline of one lookup: idle (`touch` on each server's answer or failure), capped, and
 * `signal` too. `clear` once the lookup is over; `stalled` says whether the idle deadline (not
 * `signal`) ended it.
 */
export function lookupDeadline (clock: Clock, signal?: AbortSignal, idleMs = LOOKUP_IDLE_MS, what = 'DHT lookup'): { signal: AbortSignal, touch: () => void, clear: () => void, stalled: () => boolean } {
  const idle = new IdleDeadline(clock, idleMs, { maxMs: Math.max(idleMs, LOOKUP_MAX_MS), what })
  return { signal: withSignal(signal, idle.signal), touch: () => { idle.touch() }, clear: () => { idle.clear() }, stalled: () => idle.signal.aborted }
}

export function mailboxKey (peer: PeerId): Uint8Array {
  return new Uint8Array(createHash('sha256').update(TAG).update(peerIdBytes(peer)).digest())
}

/** A key's or a PeerId's (multihash bytes') place in Kademlia's id space, as kad-dht computes it. */
export function kadId (bytes: Uint8Array): Buffer {
  return createHash('sha256').update(bytes).digest()
}

/** Compare XOR distances of two peers to a kad id: negative when `a` is closer. */
export function closer (target: Buffer, a: Buffer, b: Buffer): number {
  for (let i = 0; i < target.length; i++) {
    const da = (a[i] as number) ^ (target[i] as number)
    const db = (b[i] as number) ^ (target[i] as number)
    if (da !== db) return da - db
  }
  return 0
}

/** The network an address is in, for replica diversity: an IPv4 /24 or an IPv6 /48; undefined for other kinds. */
export function subnetOf (addr: Multiaddr): string | undefined {
  for (const c of addr.getComponents()) {
    if (c.name === 'ip4' && c.value !== undefined) return 'ip4/' + c.value.split('.').slice(0, 3).join('.')
    if (c.name === 'ip6' && c.value !== undefined) return 'ip6/' + expandIp6(c.value).slice(0, 3).join(':')
  }
  return undefined
}

function expandIp6 (text: string): string[] {
  const [head = '', tail] = text.split('::')
  const h = head === '' ? [] : head.split(':')
  const t = tail === undefined || tail === '' ? [] : tail.split(':')
  return [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t].map(g => g.toLowerCase().replace(/^0+(?=.)/, ''))
}

/**
 * The first `count` of `ranked`, skipping a peer once `perSubnet` peers of its subnet are chosen
 * (0: no limit). A peer's subnets are those of its addresses; one with no known address counts
 * as one shared unknown subnet. Taking a prefix of a longer pick gives the shorter pick.
 */
export function diversify (ranked: PeerId[], subnetsOf: (peer: PeerId) => string[], perSubnet: number, count: number): PeerId[] {
  if (perSubnet <= 0) return ranked.slice(0, count)
  const used = new Map<string, number>()
  const out: PeerId[] = []
  for (const peer of ranked) {
    if (out.length === count) break
    const nets = subnetsOf(peer)
    const mine = nets.length === 0 ? ['unknown'] : [...new Set(nets)]
    if (mine.some(n => (used.get(n) ?? 0) >= perSubnet)) continue
    for (const n of mine) used.set(n, (used.get(n) ?? 0) + 1)
    out.push(peer)
  }
  return out
}

/** What subnet checks read of a host: the user's node, or the ephemeral host a lookup ran from. */
export type PeerView = Pick<Libp2p, 'peerId' | 'getConnections' | 'getMultiaddrs' | 'peerStore'>

/**
 * Where a peer is on the network, as far as this node can tell: the address its open connection
 * came from (a TCP handshake proves it), else the addresses it announced.
 */
export async function subnetsOfPeer (node: PeerView, peer: PeerId, announced: Multiaddr[] = []): Promise<string[]> {
  if (peer.equals(node.peerId)) return node.getMultiaddrs().map(subnetOf).filter((n): n is string => n !== undefined).slice(0, 1)
  const conns = node.getConnections(peer).filter(c => c.limits === undefined)
  let addrs = conns.length > 0 ? conns.map(c => c.remoteAddr) : announced
  if (addrs.length === 0) addrs = await node.peerStore.get(peer).then(p => p.addresses.map(a => a.multiaddr), () => [])
  return addrs.map(subnetOf).filter((n): n is string => n !== undefined)
}

/** Order peers by distance to `key` (closest first). */
export function rankByDistance (key: Uint8Array, peers: PeerId[]): PeerId[] {
  const target = kadId(key)
  const ids = new Map(peers.map(p => [p.toString(), kadId(p.toMultihash().bytes)]))
  const unique = [...new Map(peers.map(p => [p.toString(), p])).values()]
  return unique.sort((a, b) => closer(target, ids.get(a.toString()) as Buffer, ids.get(b.toString()) as Buffer))
}

export interface ClosestPeersOptions {
  /** This node competes for a place too (a holder asking whether it is still a replica). */
  includeSelf?: boolean
  /** At most this many from one subnet (config mailbox.replicasPerSubnet); 0 or absent: no limit. */
  perSubnet?: number
  /** Whose time the lookup's idle deadline (LOOKUP_IDLE_MS, capped at LOOKUP_MAX_MS) is measured in. */
  clock: Clock
  signal?: AbortSignal
  /** Called on every event of the query (a peer answered, one was found): its idle deadline may start again. */
  onProgress?: () => void
  /** Give up after this long with no server's answer or failure, ms. @default LOOKUP_IDLE_MS */
  idleMs?: number
  /** Where a debug line on each query goes (how long it waited, how many answered): for post-mortems on slow machines. */
  log?: Logger
}

/** The `count` DHT servers closest to `key` that the network knows of, ranked, diverse by subnet. */
export async function closestPeers (node: CairnNode, key: Uint8Array, count: number, options: ClosestPeersOptions): Promise<PeerId[]> {
  return (await lookupClosest(node, key, count, options)).picked
}

/**
 * closestPeers, with every peer the lookup found (`ranked`, closest first): those a subnet
 * limit passed over too, which a remembered replica set must not mistake for newcomers.
 */
export async function lookupClosest (node: CairnNode, key: Uint8Array, count: number, options: ClosestPeersOptions): Promise<{ picked: PeerId[], ranked: PeerId[] }> {
  // with no DHT server to ask, a query only waits for peers that are not coming: answer at once
  if (await noDhtServer(node, options.clock, options.signal)) {
    const self = options.includeSelf === true ? [node.peerId] : []
    return { picked: self, ranked: self }
  }
  const limit = lookupDeadline(options.clock, options.signal, options.idleMs)
  const announced = new Map<string, Multiaddr[]>()
  const query = { clock: options.clock, ...(options.log === undefined ? {} : { log: options.log }), ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }) }
  let found: PeerId[]
  try {
    found = await lookup(node, key, limit, announced, query)
    // a cold routing table (just joined) can end a query early; the first query filled it, so ask
    // again, but only if the table now knows servers the query did not return: in a network of
    // fewer than `count` servers the second query would only ask every one of them again
    if (found.length < Math.min(count, routingTableSize(node)) && !limit.signal.aborted) found = [...found, ...await lookup(node, key, limit, announced, query)]
  } finally {
    limit.clear()
  }
  if (options.includeSelf === true) found.push(node.peerId)
  const ranked = rankByDistance(key, found)
  return { picked: await pickDiverse(node, ranked, options.perSubnet ?? 0, count, announced), ranked }
}

/** How long a lookup waits for an empty routing table to get its first DHT server after the last identify answer. */
const EMPTY_TABLE_WAIT_MS = 5000

/**
 * Whether a lookup can only wait out its deadline for peers that are not coming: no connection at
 * all, every connected peer identified and none of them a DHT server (a client connected to a
 * contact alone, or a node bootstrapped through a user's device), or a routing table that stays
 * empty for EMPTY_TABLE_WAIT_MS although peers are connected. A server just dialled, or one
 * switching to server mode, joins the table well within that once identify has answered; on a busy
 * machine identify itself can take longer (it has a request's deadline), so the wait starts again
 * each time another connected peer's identify answers: a start-up that is making progress is not
 * cut short.
 */
async function noDhtServer (node: CairnNode, clock: Clock, signal?: AbortSignal): Promise<boolean> {
  if (node.getConnections().length === 0) return true
  let identified = -1
  for (let waited = 0; routingTableSize(node) === 0; waited += 100) {
    if (signal?.aborted === true) return true
    const peers = await connectedPeers(node)
    if (peers.identified === peers.connected && peers.servers === 0) return true
    if (peers.identified > identified) {
      identified = peers.identified
      waited = 0
    }
    if (waited >= EMPTY_TABLE_WAIT_MS) return true
    await clock.sleep(100, signal).catch(() => {})
  }
  return false
}

/**
 * The connected peers, how many identify has answered for, and how many of those speak Kademlia.
 * Identify records the protocols, then the agent version: a peer without the latter has not
 * answered yet and may still turn out to be a server. (A peer store kept on disk may hold an
 * earlier connection's answer: a peer that has become a server since is then taken for a client
 * until its identify answers, which adds it to the routing table for the next lookup.)
 */
async function connectedPeers (node: CairnNode): Promise<{ connected: number, identified: number, servers: number }> {
  const peers = new Map(node.getConnections().map(c => [c.remotePeer.toString(), c.remotePeer]))
  let identified = 0
  let servers = 0
  for (const peer of peers.values()) {
    const known = await node.peerStore.get(peer).catch(() => undefined)
    if (known?.metadata.has('AgentVersion') === true) identified++
    if (known?.protocols.includes(KAD_PROTOCOL) === true) servers++
  }
  return { connected: peers.size, identified, servers }
}

/** The part of kad-dht's routing table Cairn reads (kad-dht does not export its type). */
interface RoutingTableView { size: number, closestPeers: (kadId: Uint8Array, o: { count: number }) => PeerId[] }

function routingTableOf (node: CairnNode): RoutingTableView | undefined {
  return (node.services.dht as unknown as { routingTable?: RoutingTableView } | undefined)?.routingTable
}

/** How many DHT servers this node's Kademlia routing table holds (0 when none is known). */
export function routingTableSize (node: CairnNode): number {
  return routingTableOf(node)?.size ?? 0
}

/** The DHT servers of this node's Kademlia routing table, closest to `key` first (kad-dht ranks them). */
export function routingTableByDistance (node: CairnNode, key: Uint8Array): PeerId[] {
  const table = routingTableOf(node)
  if (table === undefined || table.size === 0) return []
  return table.closestPeers(kadId(key), { count: table.size })
}

/** `diversify` over peers this node knows, their subnets looked up first. */
export async function pickDiverse (node: PeerView, ranked: PeerId[], perSubnet: number, count: number, announced = new Map<string, Multiaddr[]>()): Promise<PeerId[]> {
  if (perSubnet <= 0) return ranked.slice(0, count)
  const nets = new Map(await Promise.all(ranked.map(async p => [p.toString(), await subnetsOfPeer(node, p, announced.get(p.toString()))] as const)))
  return diversify(ranked, p => nets.get(p.toString()) ?? [], perSubnet, count)
}

/**
 * One kad-dht query. A server's answer or failure restarts `limit`'s idle clock; waits with no
 * server involved (for the routing table's first peer, for kad-dht's first self-query) do not.
 */
async function lookup (node: CairnNode, key: Uint8Array, limit: { signal: AbortSignal, touch: () => void }, announced: Map<string, Multiaddr[]>, query: { clock: Clock, onProgress?: () => void, log?: Logger }): Promise<PeerId[]> {
  const found: PeerId[] = []
  const started = query.clock.now()
  const seen = { table: routingTableSize(node), answers: 0, errors: 0, firstEventMs: -1 }
  const failures: string[] = []
  try {
    for await (const event of node.services.dht.getClosestPeers(key, { signal: limit.signal })) {
      if (seen.firstEventMs < 0) seen.firstEventMs = query.clock.now() - started
      if (event.name === 'PEER_RESPONSE') seen.answers++
      if (event.name === 'QUERY_ERROR') {
        seen.errors++
        if (failures.length < 3) failures.push(event.error.message)
      }
      if (event.name === 'PEER_RESPONSE' || event.name === 'QUERY_ERROR') limit.touch()
      query.onProgress?.()
      if (event.name === 'FINAL_PEER') {
        found.push(event.peer.id)
        announced.set(event.peer.id.toString(), event.peer.multiaddrs)
      }
    }
  } catch (err) {
    // a query that found some peers before failing (timeout, no route) is still useful
    if (found.length === 0 && (err as Error).name !== 'AbortError' && (err as Error).name !== 'TimeoutError') throw err
  } finally {
    // where a slow lookup's time went: before its first event (an empty table, kad-dht's first
    // self-query), or waiting on servers
    query.log?.debug({ ...seen, failures, found: found.length, ms: query.clock.now() - started, aborted: limit.signal.aborted ? String((limit.signal.reason as Error | undefined)?.message) : false }, 'DHT query')
  }
  return found
}

/**
 * A Kademlia join: look up our own id, which fills the buckets around us. Connected to no DHT
 * server (only to clients, say a node bootstrapped through a user's device), the query could only
 * wait out its deadline: it gives up once the table has stayed empty a moment (noDhtServer).
 */
export async function joinDht (node: CairnNode, clock: Clock, signal?: AbortSignal, idleMs = LOOKUP_IDLE_MS, log?: Logger): Promise<number> {
  if (await noDhtServer(node, clock, signal)) return 0
  const limit = lookupDeadline(clock, signal, idleMs)
  try {
    return (await lookup(node, node.peerId.toMultihash().bytes, limit, new Map(), { clock, ...(log === undefined ? {} : { log }) })).length
  } finally {
    limit.clear()
  }
}
