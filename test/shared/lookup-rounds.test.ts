/**
 * A lookup asks each DHT server once when the network is smaller than the replica count: the
 * second query that refills a cold routing table is only for a table that knows more than the
 * first query returned. Every server here counts the FIND_NODE requests it answers for the key.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import type { PeerId } from '@libp2p/interface'
import { MessageType } from '@libp2p/kad-dht'
import type { OperatorNode } from '../../src/mailbox/operator-node.js'
import { systemClock } from '../../src/shared/clock.js'
import { closestPeers, routingTableSize } from '../../src/shared/placement.js'
import { mailboxNetwork } from '../helpers/network.js'
import { tempRoot } from '../helpers/users.js'

interface FindNodeHandler { handle: (peer: PeerId, msg: { key?: Uint8Array }) => Promise<unknown> }

/** How many FIND_NODE requests for `key` each node answers from now on, by node. */
function countAsks (nodes: OperatorNode[], key: Uint8Array): Map<string, number> {
  const asked = new Map<string, number>()
  const wanted = Buffer.from(key).toString('hex')
  for (const op of nodes) {
    const handlers = (op.node.services.dht as unknown as { rpc: { handlers: Record<string, FindNodeHandler> } }).rpc.handlers
    const honest = handlers[MessageType.FIND_NODE] as FindNodeHandler
    handlers[MessageType.FIND_NODE] = {
      handle: async (peer, msg) => {
        if (Buffer.from(msg.key ?? []).toString('hex') === wanted) asked.set(op.node.peerId.toString(), (asked.get(op.node.peerId.toString()) ?? 0) + 1)
        return honest.handle(peer, msg)
      }
    }
  }
  return asked
}

test('in a network of fewer servers than the replica count, one lookup asks each server once', async (t) => {
  const root = await tempRoot(t)
  const net = await mailboxNetwork(t, root, 3)
  await net.warm()
  const [asker, ...servers] = net.nodes as [OperatorNode, OperatorNode, OperatorNode]
  assert.equal(routingTableSize(asker.node), 2, 'the asker knows both other servers')
  const key = randomBytes(32)
  const asked = countAsks(servers, key)
  const found = await closestPeers(asker.node, key, 5, { clock: systemClock })
  assert.deepEqual(new Set(found.map(String)), new Set(servers.map(s => s.node.peerId.toString())), 'the lookup found both servers')
  assert.deepEqual(servers.map(s => asked.get(s.node.peerId.toString()) ?? 0), [1, 1], 'each server was asked for the key once, not once per query round')
})
