/**
 * Issue 10: `cairn mailbox` runs on the internet, so the DHT it serves hands out no private or
 * loopback addresses (its own or its peers') unless `network.allowPrivateAddresses` says so.
 * A DHT server peer on loopback joins a mailbox node configured as `cairn mailbox` is; a stranger
 * then asks that node (FIND_NODE) for the peer and for the node itself.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromMultihash } from '@libp2p/peer-id'
import * as Digest from 'multiformats/hashes/digest'
import { mailbox } from '../../src/client/cli/commands/mailbox.js'
import { OperatorNode } from '../../src/mailbox/operator-node.js'
import { resolveConfig, type ConfigLayer } from '../../src/shared/config.js'
import { silentLogger } from '../../src/shared/logger.js'
import { createNode } from '../../src/shared/node/create-node.js'
import { KAD_PROTOCOL } from '../../src/shared/protocols/ids.js'
import { Store } from '../../src/shared/store.js'
import { hostilePeer, KadType, readKad } from '../helpers/hostile-peer.js'
import { tempRoot, testConfig } from '../helpers/users.js'
import { systemClock } from '../../src/shared/clock.js'

/** What a stranger learns from the node about `who`: the addresses of each peer it names. */
async function answerFor (t: TestContext, layers: ConfigLayer[]): Promise<{ peer: string[], node: string[] }> {
  const root = await tempRoot(t)
  // the config `cairn mailbox` resolves: its command defaults under whatever the operator set
  const config = resolveConfig([mailbox.defaults ?? {}, { dataDir: join(root, 'mbx'), listen: ['/ip4/127.0.0.1/tcp/0'], logLevel: 'silent' }, ...layers])
  const op = await OperatorNode.start({ ...config, mailbox: { ...config.mailbox, enabled: true } }, silentLogger())
  t.after(async () => { await op.stop() })
  const target = op.addresses()[0] as string

  const store = await Store.open(join(root, 'peer'))
  const peer = await createNode({ privateKey: await generateKeyPair('Ed25519'), datastore: store.datastore, config: testConfig(join(root, 'peer')), clock: systemClock, dhtServer: true })
  t.after(async () => { await peer.stop(); await store.close() })
  await peer.dial(multiaddr(target))
  // the node has learnt what the peer serves (identify), then given its routing table a moment
  for (let i = 0; i < 50; i++) {
    if ((await op.node.peerStore.get(peer.peerId).catch(() => undefined))?.protocols.includes(KAD_PROTOCOL) === true) break
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  await new Promise(resolve => setTimeout(resolve, 500))

  const stranger = await hostilePeer(t)
  const addrsOf = async (key: Uint8Array, who: string): Promise<string[]> => {
    const answer = await stranger.ask(target, { type: KadType.FIND_NODE, key })
    assert.ok(answer !== undefined, `FIND_NODE is answered (${stranger.lastAskError() ?? ''})`)
    const entry = readKad(answer).closer.find(c => peerIdFromMultihash(Digest.decode(c.id)).toString() === who)
    return (entry?.addrs ?? []).map(a => multiaddr(a).toString())
  }
  return {
    peer: await addrsOf(peer.peerId.toMultihash().bytes, peer.peerId.toString()),
    node: await addrsOf(op.node.peerId.toMultihash().bytes, op.node.peerId.toString())
  }
}

test('`cairn mailbox` keeps loopback and private addresses out of the DHT by default', async (t) => {
  const seen = await answerFor(t, [])
  assert.deepEqual(seen.peer, [], 'no loopback address of a peer is handed out')
  assert.deepEqual(seen.node, [], 'nor of the node itself')
})

test('`cairn mailbox` with network.allowPrivateAddresses hands loopback addresses out (a LAN or test network)', async (t) => {
  const seen = await answerFor(t, [{ network: { allowPrivateAddresses: true } }])
  assert.ok(seen.peer.some(a => a.startsWith('/ip4/127.0.0.1/')), `the peer's loopback address is handed out: ${seen.peer.join(', ')}`)
  assert.ok(seen.node.some(a => a.startsWith('/ip4/127.0.0.1/')), `and the node's own: ${seen.node.join(', ')}`)
})
