/**
 * The datastore libp2p is given (its peer store, and the DHT's routing-table tags kept there):
 * the data dir's own store (`network.peerStore: 'disk'`), or a memory datastore that this process
 * keeps per store path (`'memory'`), so that a node stopped and started again in the same process
 * finds the peers it knew, as it would on disk. Cairn's own data never goes through it.
 */
import { MemoryDatastore } from 'datastore-core/memory'
import type { Datastore } from 'interface-datastore'
import type { CairnConfig } from '../config.js'

/** Memory peer stores of this process, by the path of the store they stand beside. */
const kept = new Map<string, MemoryDatastore>()

export function libp2pDatastore (store: { path: string, datastore: Datastore }, config: Pick<CairnConfig, 'network'>): Datastore {
  if (config.network.peerStore === 'disk') return store.datastore
  let memory = kept.get(store.path)
  if (memory === undefined) {
    memory = new MemoryDatastore()
    kept.set(store.path, memory)
  }
  return memory
}
