/**
 * Cairn peers on loopback for benchmarks and the simulation: each a real CairnClient (its own data
 * dir, LevelDB, libsignal identity, libp2p host on 127.0.0.1), optionally serving as a mailbox and
 * DHT server (config mailbox.enabled), that can be stopped and started again on the same data dir
 * and port. Unlike test/helpers it does not need a node:test context.
 */
import { join } from 'node:path'
import { CairnClient } from '../../src/client/client.js'
import type { SendResult } from '../../src/client/delivery.js'
import type { Clock } from '../../src/shared/clock.js'
import { resolveConfig, type CairnConfig, type ConfigLayer } from '../../src/shared/config.js'
import { mkdirSync, openSync, writeSync } from 'node:fs'
import { createLogger, silentLogger, type Logger } from '../../src/shared/logger.js'
import { joinDht } from '../../src/shared/placement.js'
import { stablePort } from '../../test/helpers/ports.js'
import { systemClock } from '../../src/shared/clock.js'
import { inParallel } from '../../src/shared/in-parallel.js'

export interface Peer {
  name: string
  dataDir: string
  peerId: string
  /** The TCP port it listens on; kept across restarts. */
  port: number
  client?: CairnClient
}

export interface ClusterOptions {
  root: string
  clock?: Clock
  /** Serve as mailbox + DHT server (ordinary peers); false: a client that only uses the network. */
  mailbox?: boolean
  overrides?: ConfigLayer
}

export function peerConfig (dataDir: string, port: number, options: { mailbox?: boolean, overrides?: ConfigLayer, bootstrap?: string[] }): CairnConfig {
  // every node shares 127.0.0.1: replica diversity by subnet would leave one replica per set
  const base = resolveConfig([{ dataDir, listen: [`/ip4/127.0.0.1/tcp/${port}`], logLevel: 'silent', bootstrap: options.bootstrap ?? [], mailbox: { replicasPerSubnet: 0 } }, options.overrides ?? {}])
  return { ...base, mailbox: { ...base.mailbox, enabled: options.mailbox ?? base.mailbox.enabled } }
}

/** A send's route as a failed run names it: `outbox` says why the message waits (keys, identity, route). */
export function routeOf (r: SendResult): string {
  return r.route === 'outbox' && r.waiting !== undefined ? `outbox (waiting for ${r.waiting})` : r.route
}

export function addressOf (peer: Peer): string {
  return `/ip4/127.0.0.1/tcp/${peer.port}/p2p/${peer.peerId}`
}

export class Cluster {
  readonly peers: Peer[] = []

  constructor (private readonly options: ClusterOptions) {}

  online (): Peer[] {
    return this.peers.filter(p => p.client !== undefined)
  }

  /** Create an identity and start it, joined through `bootstrap` (default: the first peers). */
  async add (name: string, options: { mailbox?: boolean, bootstrap?: string[] } = {}): Promise<Peer> {
    const dataDir = join(this.options.root, name)
    const mailbox = options.mailbox ?? this.options.mailbox ?? true
    const clock = this.options.clock
    await CairnClient.init(peerConfig(dataDir, 0, { mailbox, ...this.extra() }), clock)
    // below the ephemeral range, so the port is still free whenever the peer comes back
    const peer: Peer = { name, dataDir, peerId: '', port: await stablePort() }
    this.peers.push(peer)
    await this.start(peer, { mailbox, bootstrap: options.bootstrap ?? this.defaultBootstrap(peer) })
    return peer
  }

  /** Start `count` peers: the first alone, then the rest in parallel joined through it. */
  async addMany (prefix: string, count: number, options: { mailbox?: boolean } = {}): Promise<Peer[]> {
    const first = await this.add(`${prefix}-0`, options)
    const rest = await Promise.all(Array.from({ length: count - 1 }, async (_, i) => this.add(`${prefix}-${i + 1}`, { ...options, bootstrap: [addressOf(first)] })))
    return [first, ...rest]
  }

  /** Start (again) on the same data dir and port. */
  async start (peer: Peer, options: { mailbox?: boolean, bootstrap?: string[] } = {}): Promise<CairnClient> {
    if (peer.client !== undefined) return peer.client
    const mailbox = options.mailbox ?? this.options.mailbox ?? true
    const config = peerConfig(peer.dataDir, peer.port, { mailbox, ...this.extra(), bootstrap: options.bootstrap ?? this.defaultBootstrap(peer) })
    const clock = this.options.clock
    const client = await CairnClient.open({ config, log: peerLogger(peer.name), ...(clock === undefined ? {} : { clock }) })
    peer.client = client
    loopbackGossip(client)
    peer.peerId = client.identity.peerId.toString()
    const addr = client.node?.getMultiaddrs()[0]?.toString() ?? ''
    peer.port = Number(addr.split('/tcp/')[1]?.split('/')[0] ?? 0)
    return client
  }

  async stop (peer: Peer): Promise<void> {
    const client = peer.client
    if (client === undefined) return
    peer.client = undefined
    await client.stop()
  }

  async stopAll (): Promise<void> {
    await Promise.all(this.peers.map(async p => this.stop(p).catch(() => {})))
  }

  /** A Kademlia self-lookup on every online peer (`atOnce` at a time), so routing tables reflect who is online. */
  async warm (atOnce = Infinity): Promise<void> {
    await inParallel(this.online(), atOnce, async p => {
      const node = p.client?.node
      if (node !== undefined) await joinDht(node, systemClock, AbortSignal.timeout(10_000)).catch(() => 0)
    })
  }

  private extra (): { overrides?: ConfigLayer } {
    return this.options.overrides === undefined ? {} : { overrides: this.options.overrides }
  }

  /** Up to three online peers other than `self`, as a real bootstrap list would offer. */
  private defaultBootstrap (self: Peer): string[] {
    return this.online().filter(p => p !== self).slice(0, 3).map(addressOf)
  }
}

/** CAIRN_BENCH_LOG_DIR=DIR: each peer's debug log in DIR/NAME.log (a bench is silent otherwise). */
function peerLogger (name: string): Logger {
  const dir = process.env.CAIRN_BENCH_LOG_DIR
  if (dir === undefined || dir === '') return silentLogger()
  mkdirSync(dir, { recursive: true })
  const fd = openSync(join(dir, `${name}.log`), 'a')
  return createLogger('debug', { peer: name }, { write: (line: string) => { writeSync(fd, line) } })
}

/**
 * Every node here shares 127.0.0.1, and gossipsub's peer score penalises more than 10 peers from
 * one IP quadratically (IPColocationFactor, weight -5): from 15 such peers a node stops
 * publishing to them and from 16 it ignores everything they send (graylist), so group gossip dies
 * on any loopback cluster larger than a dozen nodes. Loopback is exempted here, as replica
 * diversity by subnet is (peerConfig); the client's own scoring is left as it is.
 */
export function loopbackGossip (client: CairnClient): void {
  const pubsub = (client.node?.services as { pubsub?: { score?: { params?: { IPColocationFactorWhitelist?: Set<string> } } } } | undefined)?.pubsub
  const whitelist = pubsub?.score?.params?.IPColocationFactorWhitelist
  if (whitelist === undefined) throw new Error('gossipsub score parameters not found: the loopback exemption needs updating')
  whitelist.add('127.0.0.1')
  whitelist.add('::1')
}

/**
 * Two client peers (no mailbox) that know each other's address, the first message from alice to
 * bob already sent directly (bundle taken, session started): what the direct-route suites time from.
 */
export async function directPair (cluster: Cluster): Promise<{ alicePeer: Peer, bobPeer: Peer, alice: CairnClient, bob: CairnClient }> {
  const alicePeer = await cluster.add('alice', { bootstrap: [] })
  const bobPeer = await cluster.add('bob', { bootstrap: [] })
  const alice = alicePeer.client as CairnClient
  const bob = bobPeer.client as CairnClient
  await alice.contactAdd('bob', addressOf(bobPeer))
  await bob.contactAdd('alice', addressOf(alicePeer))
  if ((await alice.send('bob', 'hello')).route !== 'direct') throw new Error('warm-up send did not go direct')
  return { alicePeer, bobPeer, alice, bob }
}
