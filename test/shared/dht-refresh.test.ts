/**
 * network.dhtRefreshMs: how often a node's DHT looks itself up and refreshes its routing table.
 * kad-dht's own table refresh is 5 min, fixed; routing-only-dht.ts sets it. A real node on
 * loopback, asked by a peer that counts the FIND_NODE requests it gets.
 */
import assert from 'node:assert/strict'
import test from 'node:test'
import { lpStream } from '@libp2p/utils'
import { KAD_PROTOCOL } from '../../src/shared/protocols/ids.js'
import { encodeKad, KadType } from '../helpers/hostile-peer.js'
import { rawPeer } from '../helpers/raw-peer.js'
import { tempRoot } from '../helpers/users.js'

test('a node refreshes its DHT table as often as network.dhtRefreshMs says, not only every 5 min', async (t) => {
  const root = await tempRoot(t)
  // the counting peer: serves the DHT protocol by hand, answering every request with no closer peer
  const counter = await rawPeer(t, root)
  const asked: number[] = []
  await counter.handle(KAD_PROTOCOL, async (stream) => {
    const lp = lpStream(stream)
    await lp.read({ signal: AbortSignal.timeout(5000) })
    asked.push(Date.now())
    await lp.write(encodeKad({ type: KadType.FIND_NODE }), { signal: AbortSignal.timeout(5000) })
    await stream.close().catch(() => {})
  })

  const node = await rawPeer(t, root, { dhtServer: true, config: { network: { dhtRefreshMs: 1500 } } })
  await node.dial(counter.getMultiaddrs()[0] ?? assert.fail('the counting peer listens nowhere'))

  // the start's own burst (the forced refresh, the first self-query) comes first; then only the
  // refreshes at the configured interval ask again (kad-dht's 5 min: none in this window)
  const settled = Date.now() + 3000
  await new Promise(resolve => setTimeout(resolve, 3000 + 6000))
  const later = asked.filter(at => at >= settled).length
  assert.ok(asked.length > 0, 'the node asked the counting peer at all (it is in the routing table)')
  assert.ok(later >= 2, `the node asked again at least twice in the 6 s after its start-up burst; it asked ${later} times (${asked.length} in all)`)
})
