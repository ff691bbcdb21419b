/**
 * Cairn uses its DHT for routing only: finding the peers closest to a key. Stock kad-dht also
 * stores, for anyone who asks, provider records (kept 48 h) and values: a stranger running a stock
 * client filled a mailbox node's store with 12,000 provider records in a minute from one PeerId
 * (+6 MiB on disk, +165 MiB RSS). Here a node refuses both, so a flood changes neither its store
 * nor its memory:
 * - PUT_VALUE: no record namespace validates (kad-dht's public `validators` option), so the
 *   request is refused before anything is written and the stream is reset;
 * - ADD_PROVIDER: kad-dht has no option for it, so its handler is replaced by one that ignores
 *   the request before anything is written, including the peer-store merge of the addresses the
 *   stranger offered. That handler table is kad-dht's internal; if an upgrade moves it, the
 *   node fails at start rather than storing again (test/shared/dht-storage.test.ts guards it).
 */
import { InvalidParametersError } from '@libp2p/interface'
import { CairnError } from '../errors.js'
import { kadDHT, MessageType, type KadDHT, type KadDHTComponents, type KadDHTInit } from '@libp2p/kad-dht'
import type { PeerId } from '@libp2p/interface'
import { trustRecentAnswers, type KadRoutingTable, type RecentAnswersInit } from './kad-liveness.js'
import { narrowQueryPaths } from './kad-query-paths.js'

interface RpcHandler { handle: (peerId: PeerId, msg: unknown) => Promise<unknown> }

/** What kad-dht 16 keeps inside: one handler per message type, keyed by the type's name; the serving deadline; the table refresh's interval. */
interface KadInternals {
  rpc?: { handlers?: Record<string, RpcHandler | undefined>, incomingMessageTimeout?: number }
  routingTableRefresh?: { refreshInterval?: number }
  routingTable?: KadRoutingTable
}

/** What Cairn adds to kad-dht's options. */
export interface RoutingOnlyDhtInit extends KadDHTInit {
  /**
   * How often a bucket of the routing table that no lookup touched meanwhile is refreshed (a
   * lookup of a random key in it), ms; also the self-query's interval unless `querySelfInterval`
   * says otherwise. kad-dht has an option for the self-query only; its table refresh is 5 min,
   * fixed, so it is set inside, as the serving deadline is.
   */
  refreshIntervalMs?: number
  /**
   * A peer that answered a query or connected as a DHT server this recently enters the routing
   * table without kad-dht's liveness ping (kad-liveness.ts); absent: kad-dht pings as it does.
   */
  recentAnswers?: RecentAnswersInit
  /**
   * Answers each of a lookup's paths gathers before it stops (kad-query-paths.ts); absent or
   * kBucketSize: kad-dht's own rule, a path stops at K answers.
   */
  pathK?: number
}

/** kad-dht's internals are not the shape this wrapper was written against (a kad-dht upgrade). */
export class DhtShapeError extends CairnError {
  constructor (message: string) {
    super('INTERNAL', message)
    this.name = 'DhtShapeError'
  }
}

/** A validator that accepts nothing: no DHT record is ever stored here, nor taken from others. */
const refuseRecord = async (): Promise<void> => {
  throw new InvalidParametersError('this node stores no DHT records')
}

/** kad-dht with every storage request refused; `init.validators` and `init.selectors` are ignored. */
export function routingOnlyDht ({ refreshIntervalMs, recentAnswers, pathK, ...init }: RoutingOnlyDhtInit): (components: KadDHTComponents) => KadDHT {
  return (components) => {
    // replaces the default `pk` validator too; any namespace without one is refused by kad-dht
    const dht = kadDHT({ ...(refreshIntervalMs === undefined ? {} : { querySelfInterval: refreshIntervalMs }), ...init, validators: { pk: refuseRecord }, selectors: {} })(components)
    const handlers = (dht as unknown as KadInternals).rpc?.handlers
    if (handlers?.[MessageType.ADD_PROVIDER] === undefined || handlers[MessageType.PUT_VALUE] === undefined) {
      throw new DhtShapeError('@libp2p/kad-dht no longer has rpc.handlers: cannot refuse provider records (see src/shared/node/routing-only-dht.ts)')
    }
    // kad-dht 16.4 documents `incomingMessageTimeout` but never hands it to its RPC, which then
    // resets every stream whose request is not read, answered and written within 10 s: a busy
    // machine's answers to live askers were cut ("The stream has been reset" at the asker)
    const rpc = (dht as unknown as KadInternals).rpc
    if (init.incomingMessageTimeout !== undefined && rpc !== undefined) rpc.incomingMessageTimeout = init.incomingMessageTimeout
    if (refreshIntervalMs !== undefined) {
      const refresh = (dht as unknown as KadInternals).routingTableRefresh
      if (typeof refresh?.refreshInterval !== 'number') throw new DhtShapeError('@libp2p/kad-dht no longer has routingTableRefresh.refreshInterval: cannot set network.dhtRefreshMs (see src/shared/node/routing-only-dht.ts)')
      refresh.refreshInterval = refreshIntervalMs
    }
    if (recentAnswers !== undefined) {
      const table = (dht as unknown as KadInternals).routingTable
      if (table === undefined || !trustRecentAnswers(table, { self: components.peerId, ...recentAnswers })) throw new DhtShapeError('@libp2p/kad-dht no longer has routingTable.kb.verify: cannot skip its liveness ping of peers that just answered (see src/shared/node/kad-liveness.ts)')
    }
    if (pathK !== undefined && !narrowQueryPaths(dht, { pathK })) throw new DhtShapeError('@libp2p/kad-dht no longer has queryManager.routingTable: cannot set network.dhtPathK (see src/shared/node/kad-query-paths.ts)')
    const log = components.logger.forComponent('cairn:dht')
    handlers[MessageType.ADD_PROVIDER] = {
      // ADD_PROVIDER has no answer: the stranger sees what it would see from a node that stored it
      // (a reset stream makes a stock client fail with an unhandled rejection)
      handle: async (peerId) => {
        log.trace('ignored a provider record from %p', peerId)
        return undefined
      }
    }
    return dht
  }
}
