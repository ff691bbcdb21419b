/**
 * How far each of a lookup's paths walks. kad-dht 16 splits a lookup into `disjointPaths` paths
 * (10 with Cairn's settings, S/Kademlia's defence against a path steered by a liar); a path asks
 * every closer peer it hears of until it holds K peers that answered and nothing queued is
 * closer, or nothing is left to ask. K is the routing table's bucket size, Cairn's 40
 * (network.dhtK: the lookup's horizon, what a crowd of one attacker's identities must fill to
 * capture a replica set). Measured (bench/micro/lookup-paths.ts): a lookup asked ~46 of 200
 * simulated peers and ~200 of 1,000, nearly every request a new connection under a connection cap.
 *
 * Here each path can end once it holds `pathK` answers and nothing queued is closer, as a lookup
 * for `pathK` peers would (network.dhtPathK; its default is K, kad-dht's own rule: measured, fewer
 * ask fewer peers but find fewer of the true closest, docs/DECISIONS.md "How far a lookup's paths
 * walk is a setting; it stays K"). The horizon does not narrow: the lookup still returns the K
 * closest of every peer that answered on any path (kad-dht's getClosestPeers keeps its own K
 * list), and the paths are disjoint, so 10 paths of `pathK` answers each reach 10 × `pathK` peers
 * near the key.
 * The starting peers are still the table's K closest, split among the paths.
 *
 * kad-dht reads the bucket size from its routing table for both the starting peers and each
 * path's stopping rule, and has no option for the latter. So its query manager is given a view of
 * the table that reports `pathK` as the bucket size and asks the real table for K starting peers;
 * everything else reaches the table itself.
 */

/** The part of kad-dht 16's routing table its query manager reads. */
interface QueryTable {
  kBucketSize: number
  closestPeers: (kadId: Uint8Array, options?: { count?: number }) => unknown[]
}

interface QueryManager { routingTable?: QueryTable }

/** Each path's answers before it stops; changeable while running (the bench compares settings). */
export interface QueryPaths { pathK: number }

const byDht = new WeakMap<object, QueryPaths>()

/** The setting a DHT was given (routing-only-dht.ts), to change while it runs; undefined if none. */
export function queryPathsOf (dht: object): QueryPaths | undefined {
  return byDht.get(dht)
}

/**
 * Makes `dht`'s lookups stop each path at `paths.pathK` answers (read at every lookup);
 * false if kad-dht's internals are not the shape this was written against (the caller fails loudly).
 */
export function narrowQueryPaths (dht: object, paths: QueryPaths): boolean {
  const queryManager = (dht as { queryManager?: QueryManager }).queryManager
  const table = queryManager?.routingTable
  if (queryManager === undefined || table === undefined || typeof table.kBucketSize !== 'number' || typeof table.closestPeers !== 'function') return false
  byDht.set(dht, paths)
  queryManager.routingTable = new Proxy(table, {
    get (target, prop) {
      if (prop === 'kBucketSize') return Math.min(paths.pathK, target.kBucketSize)
      // the starting peers: the table's K closest, whatever count the query manager asks for
      if (prop === 'closestPeers') return (kadId: Uint8Array, options?: { count?: number }) => target.closestPeers(kadId, { ...options, count: target.kBucketSize })
      const value: unknown = Reflect.get(target, prop, target)
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
    }
  })
  return true
}
