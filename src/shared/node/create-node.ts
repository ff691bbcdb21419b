/**
 * Builds the libp2p host every Cairn process runs: TCP + WebSockets + circuit relay v2, Noise,
 * Yamux, identify, ping, AutoNAT, DCUtR and the Kademlia DHT on Cairn's own protocol. Operator
 * nodes add a relay server; peers behind NAT add the pieces hole punching needs (see
 * docs/NAT.md). Callers add their services; the host neither opens nor closes the datastore.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { autoNAT } from '@libp2p/autonat'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { dcutr } from '@libp2p/dcutr'
import { identify, identifyPush } from '@libp2p/identify'
import { mdns } from '@libp2p/mdns'
import { passthroughMapper, removePrivateAddressesMapper, type KadDHT } from '@libp2p/kad-dht'
import { ping, type Ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { createLibp2p, type Libp2p, type Libp2pOptions } from 'libp2p'
import type { ComponentLogger, PrivateKey, ServiceMap } from '@libp2p/interface'
import type { Datastore } from 'interface-datastore'
import type { CairnConfig } from '../config.js'
import { KAD_PROTOCOL } from '../protocols/ids.js'
import { directDialGate } from './direct-dial-gate.js'
import { routingOnlyDht } from './routing-only-dht.js'
import { keepPeerReads } from './peer-reads.js'
import { skipRepeatedMerges } from './repeated-merges.js'
import { dropKadKeepAlive } from './kad-keep-alive.js'
import { confirmObservedAddresses } from './observed-address.js'
import { connectionTrimmer } from './connection-trimmer.js'
import type { Clock } from '../clock.js'
import { peersOf } from '../peer-id.js'

export interface CairnServices extends ServiceMap {
  identify: unknown
  ping: Ping
  dht: KadDHT
}

export interface NodeInit<S extends ServiceMap> {
  privateKey: PrivateKey
  datastore: Datastore
  config: CairnConfig
  /** Cairn's own timers in the node's services (libp2p's internals keep their own). */
  clock: Clock
  /** DHT server (answers queries, holds mailboxes) or client (only asks). */
  dhtServer: boolean
  services?: { [K in keyof S]: (components: any) => S[K] }
  /** libp2p's own metrics (operator nodes export them to Prometheus); default: none. */
  metrics?: Libp2pOptions['metrics']
  /** libp2p's own logs; default: @libp2p/logger, switched on with DEBUG=libp2p:* */
  logger?: ComponentLogger
  start?: boolean
}

export type CairnNode<S extends ServiceMap = ServiceMap> = Libp2p<CairnServices & S>

/** libp2p's own deadline for one address's dial (its connection manager's `addressDialTimeout` default). */
const LIBP2P_ADDRESS_DIAL_TIMEOUT_MS = 6_000
/** libp2p's own deadline for an inbound connection's handshake (`inboundUpgradeTimeout` default). */
const LIBP2P_INBOUND_UPGRADE_TIMEOUT_MS = 10_000
/** A peer named again within this long with no new address is not merged again (repeated-merges.ts). */
const REPEATED_MERGE_TTL_MS = 10 * 60_000
/** Peers whose last merge is remembered for that (a routing table holds a few hundred). */
const REPEATED_MERGE_PEERS = 1_000
/** A peer's record read stands this long for the next reads, unless something writes it (peer-reads.ts). */
const PEER_READ_TTL_MS = 30_000
/** Records kept for that (a FIND_NODE answer reads K of the routing table's few hundred). */
const PEER_READ_PEERS = 1_000
/** A peer that answered a DHT query this recently needs no liveness ping to enter the routing table (kad-liveness.ts). */
const KAD_ANSWER_COUNTS_MS = 120_000
/** Peers remembered for that (a lookup hears from a few dozen). */
const KAD_ANSWER_PEERS = 2_000

export async function createNode<S extends ServiceMap = ServiceMap> (init: NodeInit<S>): Promise<CairnNode<S>> {
  const { config } = init
  const nat = config.network.natTraversal
  const trusted = peersOf(config.bootstrap)
  const options: Libp2pOptions<CairnServices & S> = {
    privateKey: init.privateKey,
    datastore: init.datastore,
    start: false,
    addresses: {
      // behind NAT nobody can dial our TCP listener; we are reached through relays (and punches)
      listen: nat ? [...config.listen, '/p2p-circuit'] : config.listen,
      announce: config.announce
    },
    transports: [
      // a fixed local port makes the mapping a relay observes the one a hole punch reuses
      tcp(nat ? { dialOpts: { noDelay: true, localPort: config.network.dialPort } as { noDelay: boolean } } : {}),
      webSockets(),
      circuitRelayTransport({ reservationCompletionTimeout: 10_000 })
    ],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // libp2p pings every connection each 10 s and by default aborts it when a ping fails; on a
    // slow or busy device a ping still running when the next starts fails ("2/1 ping streams"),
    // and the abort took every request on the connection with it (issue 12: syncs that lost
    // replicas midway). Requests have their own idle deadlines; a dead connection still fails them.
    connectionMonitor: { abortConnectionOnPingFailure: false },
    connectionManager: {
      // all test peers share one IP; the default (5 inbound connections/s per host) refuses them
      inboundConnectionThreshold: 100,
      maxIncomingPendingConnections: 64,
      dialTimeout: config.network.dialTimeoutMs,
      // libp2p also cuts each address's dial at 6 s, and each inbound handshake at 10 s, whatever
      // dialTimeout says: a longer network.dialTimeoutMs (a slow device or link) was 6 s in
      // effect, and the answering side hung up at 10 s. Neither goes below libp2p's
      // own, so the default 5 s changes nothing (kad-dht's dials keep 6 s per address).
      addressDialTimeout: Math.max(LIBP2P_ADDRESS_DIAL_TIMEOUT_MS, config.network.dialTimeoutMs),
      inboundUpgradeTimeout: Math.max(LIBP2P_INBOUND_UPGRADE_TIMEOUT_MS, config.network.dialTimeoutMs),
      maxConnections: config.network.maxConnections,
      ...(config.network.allowPrivateAddresses ? { allow: ['/ip4/127.0.0.0/ipcidr/8', '/ip6/::1/ipcidr/128'] } : {})
    },
    ...(nat ? { connectionGater: { filterMultiaddrForPeer: directDialGate({ trustedPeers: () => trusted }) } } : {}),
    // peers on the same LAN find each other without a bootstrap peer (the DHT then connects them)
    ...(config.network.mdns ? { peerDiscovery: [mdns({ serviceTag: 'cairn.local' })] } : {}),
    services: {
      // identify is how kad-dht learns that a peer serves the DHT: one that misses its deadline
      // leaves that peer out of the routing table for the connection's life (a busy machine missed
      // the default 5 s and its every lookup then waited on an empty table); a request's deadline
      identify: identify({ timeout: config.limits.requestTimeoutMs }),
      // tell connected peers (relays, DHT servers) when our addresses change, e.g. the /p2p-circuit
      // address a relay reservation adds: peer routing can only hand out what they were told
      identifyPush: identifyPush(),
      // two pings on one connection at once: the connection monitor's and kad-dht's check of a new
      // contact. With the default one, kad-dht's failed ("2/1 ping streams") and the peer was never
      // added to the routing table; two is what a listener accepts (the ping spec)
      ping: ping({ maxOutboundStreams: 2 }),
      autoNAT: autoNAT({ protocolPrefix: 'cairn' }),
      dcutr: dcutr(),
      // routing only: provider records and values that strangers offer are refused
      dht: routingOnlyDht({
        protocol: KAD_PROTOCOL,
        clientMode: !init.dhtServer,
        peerInfoMapper: config.network.allowPrivateAddresses ? passthroughMapper : removePrivateAddressesMapper,
        kBucketSize: config.network.dhtK,
        // each of a lookup's paths stops at this many answers (kad-query-paths.ts); K by default, as kad-dht
        pathK: config.network.dhtPathK,
        // a lookup per bucket and one of itself, every network.dhtRefreshMs (kad-dht's 5 min by default)
        refreshIntervalMs: config.network.dhtRefreshMs,
        // kad-dht holds every query until its first self-query, which by default starts 1 s after
        // boot; Cairn joins explicitly (joinDht) right after dialling bootstrap peers instead
        initialQuerySelfInterval: 0,
        // not allowQueryWithZeroPeers: with it, a client whose table is still empty spun in a loop
        // of queries that end at once (a daemon bootstrapped to one server never printed that it
        // was ready: 100 % CPU, 400 MB in 17 s; session 21). A query waits for the table's first
        // peer instead; noDhtServer (placement.ts) gives up on a table that stays empty
        // one FIND_NODE's deadline (dial, stream, answer) is kad-dht's adaptive one, at least 5 s by
        // default: a busy machine's requests to live servers missed it and a lookup found nobody
        // (issue 16 item 5). kad-dht has no idle deadline to hook, so this stays a total: as long
        // as one of our own requests takes to cut off a stalled peer (silence for
        // requestTimeoutMs, then an unanswered ping for as long); it still adapts upwards
        networkDialTimeout: { minTimeout: 2 * config.limits.requestTimeoutMs, maxTimeout: 4 * config.limits.requestTimeoutMs },
        // the serving side's deadline on one request (read, answer, write), 10 s by default; as
        // long as an asker waits at least (routing-only-dht.ts passes it on)
        incomingMessageTimeout: 2 * config.limits.requestTimeoutMs,
        // no dial to ask a peer that just answered us whether it is there
        recentAnswers: { now: () => init.clock.now(), windowMs: KAD_ANSWER_COUNTS_MS, maxPeers: KAD_ANSWER_PEERS }
      }),
      ...(config.relay.enabled
        ? {
            relay: circuitRelayServer({
              reservations: {
                maxReservations: config.relay.maxReservations,
                reservationTtl: config.relay.reservationTtlMs,
                applyDefaultLimit: true,
                defaultDataLimit: BigInt(config.relay.dataLimitBytes),
                // milliseconds on the server; the client is told the same number and reads it as
                // seconds (circuit-relay-v2 4.2.13), so never trust conn.limits.seconds on a client
                defaultDurationLimit: config.relay.durationLimitMs
              }
            })
          }
        : {}),
      // libp2p's pruning closes no connection with a gossipsub stream, nor any allow-listed one
      connectionTrimmer: connectionTrimmer({ maxConnections: config.network.maxConnections, clock: init.clock }),
      ...(nat ? { observedAddress: confirmObservedAddresses({ trustedPeers: () => trusted, clock: init.clock }) } : {}),
      ...(init.services ?? {})
    } as any
  }
  if (init.logger !== undefined) options.logger = init.logger
  if (init.metrics !== undefined) options.metrics = init.metrics
  const node = await createLibp2p(options)
  // the read cache wraps the store's own writes; the merge skipper wraps it, so a skipped merge
  // (no write) keeps what was read
  keepPeerReads(node, { ttlMs: PEER_READ_TTL_MS, now: () => init.clock.now(), maxPeers: PEER_READ_PEERS })
  skipRepeatedMerges(node, { ttlMs: REPEATED_MERGE_TTL_MS, now: () => init.clock.now(), maxPeers: REPEATED_MERGE_PEERS })
  // no standing connection to kad-dht's closest peers: at the other end's cap it is a reconnect loop
  dropKadKeepAlive(node)
  if (init.start ?? true) await node.start()
  return node
}
