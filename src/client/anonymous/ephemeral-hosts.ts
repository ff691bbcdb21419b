/**
 * Hosts for talking to other people's mailboxes without the user's PeerId: a second, lightweight
 * libp2p host (TCP and WebSockets, Noise, Yamux; no listener, no DHT service, no identify) with a
 * fresh Ed25519 key, reused for `rotateMs` and then replaced by one with a new key. A replica sees
 * a connection from an identity that is not the user's and, across a rotation, not the one the
 * user's earlier deposits came from. It does not hide the network address (docs/PRIVACY.md).
 * Replicas are found from this host too (`closestPeers`: a Kademlia walk, dht-walk.ts, started
 * from DHT servers the user's node knows), so no DHT server sees the user's PeerId look up the
 * mailbox key of someone it is about to write to.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Libp2p, PeerId } from '@libp2p/interface'
import { tcp } from '@libp2p/tcp'
import { isPrivate } from '@libp2p/utils'
import { webSockets } from '@libp2p/websockets'
import type { Multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { BoundedMap } from '../../shared/bounded-map.js'
import type { Clock } from '../../shared/clock.js'
import type { Logger } from '../../shared/logger.js'
import { lookupDeadline, pickDiverse } from '../../shared/placement.js'
import { walkClosest, walkForPeer, type WalkPeer } from './dht-walk.js'

export interface EphemeralHostsComponents {
  /** Where a replica's addresses come from (the user's node's peer store). */
  addressesOf: (peer: PeerId) => Promise<Multiaddr[]>
  /** DHT servers the user's node knows, with their addresses: where a lookup starts (none: the node is offline). */
  dhtServers: () => Promise<WalkPeer[]>
  /** The user's PeerId: never dialled from an ephemeral host, never a replica for its own deposits. */
  self: PeerId
  clock: Clock
  /** Debug lines on lookups (seeds, answers, time): for post-mortems on slow machines. @default silent */
  log?: Logger
}

/** The ephemeral hosts' settings (anonymousDepositHosts derives them from the configuration). */
export interface EphemeralHostsInit {
  /** How long one ephemeral identity is reused, ms (deposits within it are linkable by identity). @default delivery.anonymousIdentityMs, 10 minutes */
  rotateMs: number
  /** How long a replaced host is kept for requests still in flight on it, ms. @default a request's deadline plus a lookup's, 30 s */
  drainMs: number
  /** Dial timeout, ms. @default network.dialTimeoutMs, 5,000 */
  dialTimeoutMs: number
  /** Dial private and loopback addresses (LANs, tests). @default network.allowPrivateAddresses, true */
  allowPrivateAddresses: boolean
  /** The DHT's protocol. @default KAD_PROTOCOL */
  dhtProtocol: string
  /** One FIND_NODE request's idle deadline, ms. @default limits.requestTimeoutMs, 15,000 */
  requestTimeoutMs: number
  /** How many of the closest servers a peer lookup asks before it gives up (kad-dht's findPeer: its k). @default network.dhtK, 40 */
  dhtK: number
}

/** How a lookup for others' replicas is run. */
export interface LookupOptions {
  /** At most this many replicas from one subnet (mailbox.replicasPerSubnet); 0: no limit. */
  perSubnet: number
  signal?: AbortSignal
  /** Called whenever a DHT server answers or fails. */
  onProgress?: () => void
}

/** What the mailbox route asks for: the host to reach `peer` from, and the replica lookup run from it. */
export interface DepositHost {
  hostFor: (peer: PeerId) => Promise<Libp2p>
  /** The `count` DHT servers closest to `key` (ranked, diverse by subnet), found from an ephemeral identity. */
  closestPeers: (key: Uint8Array, count: number, options: LookupOptions) => Promise<PeerId[]>
}

export interface FindPeerOptions {
  signal?: AbortSignal
  /** Called whenever a DHT server answers or fails: the caller's idle deadline may start again. */
  onProgress?: () => void
}

/** What the direct route asks for: a peer's addresses, looked up without the user's PeerId. */
export interface PeerFinder {
  /** `peer`'s addresses as the DHT servers on the path know them, found from an ephemeral identity; empty when none knew it. */
  findPeer: (peer: PeerId, options: FindPeerOptions) => Promise<Multiaddr[]>
}

/** FIND_NODE requests in flight at once in a lookup (kad-dht's own alpha). */
const LOOKUP_ALPHA = 10
/** Addresses remembered from lookups, for hosts made after the one that ran the lookup. */
const KNOWN_ADDRESSES = 1024

export class EphemeralHosts implements DepositHost, PeerFinder {
  private current?: { host: Promise<Libp2p>, until: number }
  private readonly retiring = new Set<Promise<Libp2p>>()
  /**
   * Per host and peer, the address lookup and merge in flight. A burst of deposits to the same few
   * replicas (a group send deposits for every offline member at once) shares one per replica:
   * merged one by one, each under the peer store's lock for that peer, they held the deposits back
   * by up to a second for 25 members.
   */
  private readonly merging = new Map<string, Promise<void>>()
  /**
   * Replicas' addresses as lookups found them: the replica set is cached for a minute (the mailbox
   * route) and may outlive the host that looked it up; the user's node never learnt them.
   */
  private readonly known = new BoundedMap<string, Multiaddr[]>(KNOWN_ADDRESSES)
  private stopped = false

  constructor (private readonly components: EphemeralHostsComponents, private readonly init: EphemeralHostsInit) {}

  /** The current ephemeral host (a new identity once the window has passed), knowing `peer`'s addresses. */
  async hostFor (peer: PeerId): Promise<Libp2p> {
    const host = await this.currentHost()
    await this.knowAddresses(host, peer)
    return host
  }

  /**
   * The `count` DHT servers closest to `key`, looked up from the current ephemeral host. The walk
   * goes on until the 2 × `count` closest servers have answered: room for the subnet rule to pass
   * some over, and far fewer requests than a kad-dht query for its k (network.dhtK, 40) peers.
   */
  async closestPeers (key: Uint8Array, count: number, options: LookupOptions): Promise<PeerId[]> {
    const host = await this.currentHost()
    const seeds = await this.components.dhtServers()
    const started = this.components.clock.now()
    let answered = 0
    if (seeds.length === 0) {
      this.components.log?.debug({ seeds: 0 }, 'replica walk: no DHT server known to start from')
      return []
    }
    // an idle deadline (a server's answer or failure starts it again): a slow machine's walk that
    // is being answered is not cut off at a fixed total
    const limit = lookupDeadline(this.components.clock, options.signal)
    const found = await walkClosest(host, key, seeds, {
      protocol: this.init.dhtProtocol,
      count: 2 * count,
      alpha: LOOKUP_ALPHA,
      exclude: [this.components.self],
      requestTimeoutMs: this.init.requestTimeoutMs,
      clock: this.components.clock,
      signal: limit.signal,
      onProgress: () => { answered++; limit.touch(); options.onProgress?.() }
    }).finally(() => { limit.clear() })
    this.components.log?.debug({ seeds: seeds.length, settled: answered, found: found.length, ms: this.components.clock.now() - started, aborted: limit.signal.aborted }, 'replica walk')
    for (const p of found) this.remember(p)
    return pickDiverse(host, found.map(p => p.id), options.perSubnet, count, new Map(found.map(p => [p.id.toString(), p.multiaddrs])))
  }

  /**
   * `peer`'s addresses, found by a FIND_NODE walk for its peer-id key from the current ephemeral
   * host (what kad-dht's findPeer asks, under the user's PeerId). The walk ends at the first
   * server that names `peer`; `peer` itself is not asked.
   */
  async findPeer (peer: PeerId, options: FindPeerOptions): Promise<Multiaddr[]> {
    const host = await this.currentHost()
    const seeds = await this.components.dhtServers()
    if (seeds.length === 0) return []
    const limit = lookupDeadline(this.components.clock, options.signal)
    const started = this.components.clock.now()
    let settled = 0
    const found = await walkForPeer(host, peer, seeds, {
      protocol: this.init.dhtProtocol,
      count: this.init.dhtK,
      alpha: LOOKUP_ALPHA,
      exclude: [this.components.self],
      requestTimeoutMs: this.init.requestTimeoutMs,
      clock: this.components.clock,
      signal: limit.signal,
      onProgress: () => { settled++; limit.touch(); options.onProgress?.() }
    }).finally(() => { limit.clear() })
    this.components.log?.debug({ seeds: seeds.length, settled, addresses: found.length, ms: this.components.clock.now() - started, aborted: options.signal?.aborted === true || limit.signal.aborted }, 'address walk')
    return found
  }

  private async currentHost (): Promise<Libp2p> {
    if (this.stopped) throw new Error('ephemeral hosts are stopped')
    const now = this.components.clock.now()
    if (this.current === undefined || this.current.until <= now) {
      if (this.current !== undefined) this.retire(this.current.host)
      this.current = { host: this.create(), until: now + this.init.rotateMs }
    }
    return this.current.host
  }

  private remember (peer: WalkPeer): void {
    const k = peer.id.toString()
    this.known.set(k, peer.multiaddrs)
  }

  /** `host` has `peer`'s addresses from the user's node (one lookup and merge for the calls that overlap it). */
  private async knowAddresses (host: Libp2p, peer: PeerId): Promise<void> {
    const key = `${host.peerId.toString()}/${peer.toString()}`
    let merged = this.merging.get(key)
    if (merged === undefined) {
      merged = (async () => {
        const multiaddrs = [...await this.components.addressesOf(peer), ...this.known.get(peer.toString()) ?? []]
        if (multiaddrs.length > 0) await host.peerStore.merge(peer, { multiaddrs })
      })().finally(() => { this.merging.delete(key) })
      this.merging.set(key, merged)
    }
    await merged
  }

  /** The identity deposits are made under now, if a host is up (for tests and status). */
  async currentPeerId (): Promise<PeerId | undefined> {
    return this.current === undefined ? undefined : (await this.current.host).peerId
  }

  /** Hosts are made on first use; nothing to do until then. */
  start (): void {
    this.stopped = false
  }

  async stop (): Promise<void> {
    this.stopped = true
    const all = [...this.retiring, ...(this.current === undefined ? [] : [this.current.host])]
    this.current = undefined
    this.retiring.clear()
    this.known.clear()
    await Promise.all(all.map(async h => { await (await h).stop() }).map(async p => p.catch(() => {})))
  }

  private retire (host: Promise<Libp2p>): void {
    this.retiring.add(host)
    this.components.clock.setTimeout(() => {
      this.retiring.delete(host)
      void host.then(async h => h.stop()).catch(() => {})
    }, this.init.drainMs).unref()
  }

  private async create (): Promise<Libp2p> {
    return createLibp2p({
      privateKey: await generateKeyPair('Ed25519'),
      addresses: { listen: [] },
      transports: [tcp(), webSockets()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      // as the user's own node (create-node.ts, docs/DECISIONS.md): a ping that fails on a busy
      // device does not abort the connection and the deposits on it; requests have idle deadlines
      connectionMonitor: { abortConnectionOnPingFailure: false },
      connectionManager: { dialTimeout: this.init.dialTimeoutMs, maxConnections: 64 },
      ...(this.init.allowPrivateAddresses ? {} : { connectionGater: { denyDialMultiaddr: async (ma: Multiaddr) => isPrivate(ma) } })
    })
  }
}

