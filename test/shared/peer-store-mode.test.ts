/**
 * network.peerStore: with `memory`, libp2p's peer store stays out of the data dir's LevelDB, a node
 * stopped and started again in the same process still knows the peers it knew (as on disk), and
 * Cairn's own data is on disk as before; a value other than disk or memory is refused by name.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { OperatorNode } from '../../src/mailbox/operator-node.js'
import { envLayer, loadConfig, type PeerStoreMode } from '../../src/shared/config.js'
import { paths } from '../../src/shared/data-dir.js'
import { ConfigError } from '../../src/shared/errors.js'
import { silentLogger } from '../../src/shared/logger.js'
import { Store } from '../../src/shared/store.js'
import { stablePort } from '../helpers/ports.js'
import { tempRoot, testConfig } from '../helpers/users.js'

async function startNode (dataDir: string, port: number, bootstrap: string[], peerStore: PeerStoreMode): Promise<OperatorNode> {
  const config = testConfig(dataDir, { listen: [`/ip4/127.0.0.1/tcp/${port}`], bootstrap, network: { peerStore } })
  return OperatorNode.start({ ...config, mailbox: { ...config.mailbox, enabled: true } }, silentLogger())
}

/** Keys under a prefix in a stopped node's LevelDB. */
async function keysOnDisk (dataDir: string, prefix: string): Promise<number> {
  const store = await Store.open(paths.store(dataDir))
  try {
    let n = 0
    for await (const _ of store.datastore.queryKeys({ prefix })) n++
    return n
  } finally {
    await store.close()
  }
}

for (const mode of ['disk', 'memory'] as const) {
  test(`peerStore ${mode}: peers known before a restart in this process are known after it; on disk only with disk`, async (t) => {
    const root = await tempRoot(t)
    const [portA, portB] = [await stablePort(), await stablePort()]
    let a = await startNode(join(root, 'a'), portA, [], mode)
    const b = await startNode(join(root, 'b'), portB, [a.addresses()[0] as string], mode)
    t.after(async () => { await a.stop().catch(() => {}); await b.stop().catch(() => {}) })
    const deadline = Date.now() + 60_000
    while (!await a.node.peerStore.has(b.node.peerId)) {
      assert.ok(Date.now() < deadline, 'a learns of b within 60 s')
      await new Promise(resolve => setTimeout(resolve, 100))
    }
    await b.stop()
    await a.stop()
    assert.equal(await keysOnDisk(join(root, 'a'), '/peers') > 0, mode === 'disk', `libp2p's peer records in a's LevelDB (${mode})`)
    assert.ok(await keysOnDisk(join(root, 'a'), '/cairn') > 0, 'Cairn\'s own data is on disk either way')
    // no bootstrap, b stopped: a can only know b from what it kept
    a = await startNode(join(root, 'a'), portA, [], mode)
    assert.ok(await a.node.peerStore.has(b.node.peerId), 'a still knows b after its restart')
  })
}

test('peerStore: a value other than disk or memory is refused by name, from the environment or a layer', () => {
  const isPeerStoreError = (e: unknown): boolean => e instanceof ConfigError && e.key === 'network.peerStore'
  assert.throws(() => loadConfig({ dataDir: '/nonexistent-cairn' }, { CAIRN_NETWORK_PEER_STORE: 'ram' }), isPeerStoreError)
  assert.throws(() => testConfig('/nonexistent-cairn', { network: { peerStore: 'ram' as PeerStoreMode } }), isPeerStoreError)
  assert.deepEqual(envLayer({ CAIRN_NETWORK_PEER_STORE: 'memory' }), { network: { peerStore: 'memory' } })
})
