/**
 * A Kademlia join (a self-lookup) made while connected to no DHT server, only to a peer that does
 * not serve the DHT (here a bare libp2p node: identify and ping, no Kademlia): kad-dht would hold the query until its routing table gets a peer, which
 * never comes, and an operator node bootstrapped through a user's device would wait out the whole
 * deadline before it reported started. Once identify has answered and shown no server, the join
 * gives up at once. The node's clock is frozen (manual timers), so only that check can end it:
 * a join that waits for a deadline or polls the table would never return.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Multiaddr } from '@multiformats/multiaddr'
import { OperatorNode } from '../../src/mailbox/operator-node.js'
import { ManualClock } from '../../src/shared/clock.js'
import { silentLogger } from '../../src/shared/logger.js'
import { joinDht, routingTableSize } from '../../src/shared/placement.js'
import { bareNode } from '../../bench/lib/bare.js'
import { tempRoot, testConfig } from '../helpers/users.js'

test('a node connected to no DHT server, only to a client, ends its DHT join at once instead of waiting out the deadline', async (t) => {
  const root = await tempRoot(t)
  const device = await bareNode()
  t.after(async () => { await device.stop() })
  const config = testConfig(join(root, 'mbx'))
  const op = await OperatorNode.start({ ...config, mailbox: { ...config.mailbox, enabled: true } }, silentLogger())
  t.after(async () => { await op.stop() })

  await op.node.dial(device.getMultiaddrs()[0] as Multiaddr)
  // identify's answer is what tells a client from a server
  for (let i = 0; i < 200 && (await op.node.peerStore.get(device.peerId)).metadata.get('AgentVersion') === undefined; i++) await sleep(50)
  assert.equal(routingTableSize(op.node), 0, 'a client is never in the routing table')

  const frozen = new ManualClock(Date.now(), { timers: 'manual' })
  const outcome = await Promise.race([
    joinDht(op.node, frozen).then(found => ({ found })),
    sleep(10_000).then(() => 'still waiting after 10 s' as const)
  ])
  assert.deepEqual(outcome, { found: 0 })
})
