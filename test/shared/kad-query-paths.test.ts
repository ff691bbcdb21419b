/**
 * network.dhtPathK: each of a lookup's disjoint paths stops at this many answers instead of at K
 * (src/shared/node/kad-query-paths.ts). What it saves shows at hundreds of peers, where a path's
 * queue outgrows kad-dht's 10 requests at once (`node dist/bench/micro/lookup-paths.js`); here,
 * with real nodes, that kad-dht's query manager runs on the setting, that a lookup still starts
 * from the table's K closest and returns every server that answered, and that the setting can be
 * changed while the node runs. The query manager is reached through kad-dht's internals, which is
 * what the code under test wraps.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import test from 'node:test'
import type { CairnNode } from '../../src/shared/node/create-node.js'
import { queryPathsOf } from '../../src/shared/node/kad-query-paths.js'
import { kadId, routingTableSize } from '../../src/shared/placement.js'
import { rawPeer } from '../helpers/raw-peer.js'
import { tempRoot } from '../helpers/users.js'
import { waitFor } from '../helpers/wait.js'

interface QueryTable { kBucketSize: number, closestPeers: (id: Uint8Array, o: { count: number }) => unknown[] }
const queryTableOf = (node: CairnNode): QueryTable => (node.services.dht as unknown as { queryManager: { routingTable: QueryTable } }).queryManager.routingTable

async function found (node: CairnNode, key: Uint8Array): Promise<Set<string>> {
  const peers = new Set<string>()
  for await (const ev of node.services.dht.getClosestPeers(key, { signal: AbortSignal.timeout(20_000) })) {
    if (ev.name === 'FINAL_PEER') peers.add(ev.peer.id.toString())
  }
  return peers
}

test('a lookup stops each path at network.dhtPathK answers, starts from the K closest and still returns every server that answered', async (t) => {
  const root = await tempRoot(t)
  const config = { network: { dhtK: 4, dhtPathK: 1 }, mailbox: { replicas: 1 } }
  const asker = await rawPeer(t, root, { dhtServer: true, config })
  const servers = await Promise.all(Array.from({ length: 5 }, async () => rawPeer(t, root, { dhtServer: true, config })))
  for (const s of servers) await asker.dial(s.getMultiaddrs()[0] ?? assert.fail('a server listens nowhere'))
  await waitFor('every server in the asker\'s routing table', async () => routingTableSize(asker) === 4 || routingTableSize(asker) === 5)

  const table = queryTableOf(asker)
  assert.equal(table.kBucketSize, 1, 'each path of a lookup stops at one answer (kad-dht alone: K, 4)')
  const key = randomBytes(32)
  assert.equal(table.closestPeers(kadId(key), { count: table.kBucketSize }).length, Math.min(4, routingTableSize(asker)), 'a lookup still starts from the table\'s K closest, not from dhtPathK of them')

  const all = new Set(servers.map(s => s.peerId.toString()))
  const got = await found(asker, key)
  assert.ok(got.size >= 4 && [...got].every(p => all.has(p)), `the lookup returned K servers that answered, not one per path: ${got.size}`)

  const paths = queryPathsOf(asker.services.dht) ?? assert.fail('no dhtPathK setting on the node')
  paths.pathK = 3
  assert.equal(table.kBucketSize, 3, 'the setting changed while the node runs')
  paths.pathK = 100
  assert.equal(table.kBucketSize, 4, 'above K, kad-dht\'s own rule: a path stops at K answers')
})
