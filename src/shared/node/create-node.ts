/**
 * Builds the libp2p host every Cairn process runs: TCP + WebSockets, Noise, Yamux, identify, ping
 * and the Kademlia DHT on Cairn's own protocol. Callers add their services (direct delivery, the
 * mailbox) through `services`; the host neither opens nor closes the datastore it is given.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { kadDHT, passthroughMapper, removePrivateAddressesMapper, type KadDHT } from '@libp2p/kad-dht'
import { ping, type Ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { createLibp2p, type Libp2p, type Libp2pOptions } from 'libp2p'
import type { ComponentLogger, PrivateKey, ServiceMap } from '@libp2p/interface'
import type { Datastore } from 'interface-datastore'
import type { CairnConfig } from '../config.js'
import { KAD_PROTOCOL } from '../protocols/ids.js'

export interface CairnServices extends ServiceMap {
  identify: unknown
  ping: Ping
  dht: KadDHT
}

export interface NodeInit<S extends ServiceMap> {
  privateKey: PrivateKey
  datastore: Datastore
  config: CairnConfig
  /** DHT server (answers queries, holds mailboxes) or client (only asks). */
  dhtServer: boolean
  services?: { [K in keyof S]: (components: any) => S[K] }
  /** libp2p's own logs; default: @libp2p/logger, switched on with DEBUG=libp2p:* */
  logger?: ComponentLogger
  start?: boolean
}

export type CairnNode<S extends ServiceMap = ServiceMap> = Libp2p<CairnServices & S>

export async function createNode<S extends ServiceMap = ServiceMap> (init: NodeInit<S>): Promise<CairnNode<S>> {
  const { config } = init
  const options: Libp2pOptions<CairnServices & S> = {
    privateKey: init.privateKey,
    datastore: init.datastore,
    start: init.start ?? true,
    addresses: { listen: config.listen, announce: config.announce },
    transports: [tcp(), webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: {
      // all test peers share one IP; the default (5 inbound connections/s per host) refuses them
      inboundConnectionThreshold: 100,
      maxIncomingPendingConnections: 64,
      dialTimeout: config.network.dialTimeoutMs,
      ...(config.network.allowPrivateAddresses ? { allow: ['/ip4/127.0.0.0/ipcidr/8', '/ip6/::1/ipcidr/128'] } : {})
    },
    services: {
      identify: identify(),
      ping: ping(),
      dht: kadDHT({
        protocol: KAD_PROTOCOL,
        clientMode: !init.dhtServer,
        peerInfoMapper: config.network.allowPrivateAddresses ? passthroughMapper : removePrivateAddressesMapper,
        kBucketSize: 20,
        // kad-dht holds every query until its first self-query, which by default starts 1 s after
        // boot; Cairn joins explicitly (joinDht) right after dialling bootstrap peers instead
        initialQuerySelfInterval: 0
      }),
      ...(init.services ?? {})
    } as any
  }
  if (init.logger !== undefined) options.logger = init.logger
  return createLibp2p(options)
}
