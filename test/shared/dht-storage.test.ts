/**
 * Issue 10: the DHT is for routing only. A stranger floods a mailbox node (as `cairn mailbox` runs
 * it) with provider records and values, raw and through a stock kad-dht client; the node keeps
 * none of them, answers GET_PROVIDERS / GET_VALUE with nothing, takes none of the addresses
 * offered, and its heap stays within a fixed bound.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { join } from 'node:path'
import { generateKeyPair, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { OperatorNode } from '../../src/mailbox/operator-node.js'
import { silentLogger } from '../../src/shared/logger.js'
import { hostilePeer, KadType, readKad } from '../helpers/hostile-peer.js'
import { tempRoot, testConfig } from '../helpers/users.js'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

function heapMiB (): number {
  gc()
  const m = process.memoryUsage()
  return (m.heapUsed + m.external) / 2 ** 20
}

test('a flood of provider records and values leaves a mailbox node\'s store and memory as they were', async (t) => {
  const root = await tempRoot(t)
  const config = testConfig(join(root, 'mbx'))
  const op = await OperatorNode.start({ ...config, mailbox: { ...config.mailbox, enabled: true } }, silentLogger())
  t.after(async () => { await op.stop() })
  const target = op.addresses()[0] as string
  const bad = await hostilePeer(t)
  const dhtKeys = async (): Promise<string[]> => {
    const keys: string[] = []
    for await (const k of op.store.datastore.queryKeys({ prefix: '/dht/' })) keys.push(k.toString())
    return keys
  }

  // the stock client's own calls first (they also reach the node: it is the only DHT server around)
  await bad.node.dial(multiaddr(target))
  const polite = CID.createV1(0x55, await sha256.digest(new TextEncoder().encode('polite')))
  const drain = async (events: AsyncIterable<unknown>): Promise<void> => { try { for await (const _ of events) { /* until the query ends */ } } catch { /* refused */ } }
  await drain(bad.node.services.dht.provide(polite, { signal: AbortSignal.timeout(10_000) }))
  const politeKey = await generateKeyPair('Ed25519')
  const politeRecordKey = new Uint8Array([...new TextEncoder().encode('/pk/'), ...politeKey.publicKey.toMultihash().bytes])
  await drain(bad.node.services.dht.put(politeRecordKey, publicKeyToProtobuf(politeKey.publicKey), { signal: AbortSignal.timeout(10_000) }))
  await bad.floodProviders(target, 200)
  await bad.floodValues(target, 50)
  const warm = heapMiB()

  const started = Date.now()
  const cids = await bad.floodProviders(target, 1500)
  const keys = await bad.floodValues(target, 300)
  const grown = heapMiB() - warm
  t.diagnostic(`1500 ADD_PROVIDER + 300 PUT_VALUE in ${Date.now() - started} ms; heap ${grown.toFixed(1)} MiB over the warm-up`)

  const stored = await dhtKeys()
  assert.equal(stored.length, 0, `no DHT record in the node's store; found ${stored.length}, e.g. ${stored.slice(0, 2).join(', ')}`)
  for (const cid of [polite, ...cids.slice(0, 20)]) {
    const answer = await bad.ask(target, { type: KadType.GET_PROVIDERS, key: cid.bytes })
    assert.ok(answer !== undefined, `GET_PROVIDERS is still answered (${bad.lastAskError() ?? ''})`)
    assert.equal(readKad(answer).providers, 0, `no provider for ${cid.toString()}`)
  }
  for (const key of [politeRecordKey, ...keys.slice(0, 20)]) {
    const answer = await bad.ask(target, { type: KadType.GET_VALUE, key })
    assert.ok(answer !== undefined, `GET_VALUE is still answered (${bad.lastAskError() ?? ''})`)
    assert.equal(readKad(answer).record, undefined, 'no value')
  }
  const known = await op.node.peerStore.get(bad.node.peerId).catch(() => undefined)
  assert.ok(!(known?.addresses ?? []).some(a => a.multiaddr.toString() === bad.claimedAddress), 'the addresses a provider record offered are not taken')
  assert.ok(grown < 32, `heap grew ${grown.toFixed(1)} MiB during the flood`)
})
