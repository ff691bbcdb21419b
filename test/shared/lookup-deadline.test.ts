/**
 * A lookup's deadline measures stalls, not its whole time (issue 12 item 3, issue 16 item 5): on a
 * slow machine the servers of a lookup answer slowly but steadily, and the lookup must wait for
 * them however long that takes in all (up to a generous cap); a lookup that no server answers any
 * more is still given up. The servers are real mailbox nodes on loopback; their FIND_NODE handler
 * for the key under test answers one request at a time, each a fixed gap of the lookup's clock
 * after the last. That clock has manual timers, moved on 1 s every 20 ms of real time, so the old
 * fixed total (30 s) passes within a second.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import type { OperatorNode } from '../../src/mailbox/operator-node.js'
import { ManualClock } from '../../src/shared/clock.js'
import { LOOKUP_IDLE_MS, lookupClosest } from '../../src/shared/placement.js'
import { mailboxNetwork } from '../helpers/network.js'
import { answerSlowly, tick } from '../helpers/slow-dht.js'
import { tempRoot } from '../helpers/users.js'

test('a lookup whose servers answer one every 10 s is not cut off at the old fixed total (30 s): it finds them all', async (t) => {
  const root = await tempRoot(t)
  const net = await mailboxNetwork(t, root, 6)
  const [asker, ...servers] = net.nodes as [OperatorNode, ...OperatorNode[]]
  const clock = new ManualClock(Date.now(), { timers: 'manual' })
  const key = randomBytes(32)
  const slow = answerSlowly(servers, key, clock, 10_000)
  tick(t, clock)
  const started = clock.now()
  const { ranked } = await lookupClosest(asker.node, key, 5, { clock })
  const took = clock.now() - started
  assert.equal(slow.answered, servers.length, 'every server answered')
  assert.ok(took > 3 * LOOKUP_IDLE_MS / 2, `the lookup took ${took} ms of its clock, longer than the old total`)
  assert.deepEqual(new Set(ranked.map(String)), new Set(servers.map(s => s.node.peerId.toString())), 'all five servers found')
})

test('a lookup that no server answers any more is given up after the idle deadline', async (t) => {
  const root = await tempRoot(t)
  const net = await mailboxNetwork(t, root, 4)
  const [asker, ...servers] = net.nodes as [OperatorNode, ...OperatorNode[]]
  const clock = new ManualClock(Date.now(), { timers: 'manual' })
  const key = randomBytes(32)
  answerSlowly(servers, key, clock, Infinity)
  tick(t, clock)
  const started = clock.now()
  const { ranked } = await lookupClosest(asker.node, key, 5, { clock })
  const took = clock.now() - started
  assert.deepEqual(ranked, [], 'nothing found')
  assert.ok(took >= LOOKUP_IDLE_MS && took < 2 * LOOKUP_IDLE_MS, `given up after ${took} ms of its clock`)
})
