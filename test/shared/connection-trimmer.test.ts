/**
 * network.maxConnections on loopback, where libp2p's own pruning exempts the allow list (and
 * everywhere closes no connection with a gossipsub stream): the connection trimmer closes idle
 * connections past the cap, oldest first, counting gossipsub's standing stream as idle, and leaves
 * a connection with a request's stream open and one just opened. Real nodes on loopback.
 */
import assert from 'node:assert/strict'
import test from 'node:test'
import type { Connection, Stream } from '@libp2p/interface'
import { rawPeer } from '../helpers/raw-peer.js'
import { tempRoot } from '../helpers/users.js'

const HOLD = '/cairn-test/hold/1'
/** Gossipsub's protocol: its stream stays open for the connection's life. */
const MESHSUB = '/meshsub/1.1.0'
/** The trimmer's grace for a new connection (connection-trimmer.ts), and a margin. */
const PAST_GRACE_MS = 5_000 + 500

test('a node on loopback keeps network.maxConnections: idle ones are closed, busy and new ones stay, inbound is still accepted', async (t) => {
  const root = await tempRoot(t)
  const hub = await rawPeer(t, root, { config: { network: { maxConnections: 3 } } })

  const peers = await Promise.all(Array.from({ length: 6 }, async () => await rawPeer(t, root)))
  // who ended each connection that closed, as the trimmer reports it (the simulation's census reads this)
  const closedAtHub: Connection[] = []
  const closedAtPeer1: Connection[] = []
  hub.addEventListener('connection:close', ({ detail }) => { closedAtHub.push(detail) })
  peers[1]?.addEventListener('connection:close', ({ detail }) => { closedAtPeer1.push(detail) })
  const held: Stream[] = []
  await peers[0]?.handle(HOLD, (stream) => { held.push(stream) }) // kept open, never answered
  await peers[1]?.handle(MESHSUB, (stream) => { held.push(stream) })
  for (const p of peers) await hub.dial(p.getMultiaddrs()[0] ?? assert.fail('a peer listens nowhere'))
  const busy = await hub.dialProtocol(peers[0]?.peerId ?? assert.fail(), HOLD)
  const standing = await hub.dialProtocol(peers[1]?.peerId ?? assert.fail(), MESHSUB)
  t.after(() => { for (const s of [busy, standing, ...held]) s.abort(new Error('test over')) })
  const connected = (peer: { peerId: unknown }): boolean => hub.getConnections().some(c => c.remotePeer.equals(peer.peerId as any))
  assert.equal(peers.filter(connected).length, 6, 'connections just opened are kept past the cap (their first request may not have started)')

  await new Promise(resolve => setTimeout(resolve, PAST_GRACE_MS))
  const late = await rawPeer(t, root)
  await late.dial(hub.getMultiaddrs()[0] ?? assert.fail('the hub listens nowhere'))

  const until = Date.now() + 5_000
  while (hub.getConnections().length > 3 && Date.now() < until) await new Promise(resolve => setTimeout(resolve, 50))
  assert.equal(hub.getConnections().length, 3, `the hub trimmed to its cap of 3 (holds ${hub.getConnections().length})`)
  assert.ok(connected(late), 'the inbound connection that arrived at the cap was accepted and kept')
  assert.ok(connected(peers[0] ?? assert.fail()), 'the connection with a stream open was kept')
  assert.equal(busy.status, 'open', 'the open stream was not touched')
  assert.ok(!connected(peers[1] ?? assert.fail()), 'the oldest idle connection, whose only stream was gossipsub\'s standing one, was closed')
  assert.equal(peers.filter(connected).length, 2, 'of the six older connections, the busy one and the newest idle one remain')

  const trimmerOf = (node: typeof hub): { closedByTrim: (c: Connection) => boolean } => (node.services as { connectionTrimmer?: { closedByTrim: (c: Connection) => boolean } }).connectionTrimmer ?? assert.fail('a node without its connection trimmer')
  assert.equal(closedAtHub.length, 4, 'four connections closed at the hub')
  assert.ok(closedAtHub.every(c => trimmerOf(hub).closedByTrim(c)), 'the hub\'s trimmer reports each of them as its own')
  const seen = Date.now() + 5_000
  while (closedAtPeer1.length === 0 && Date.now() < seen) await new Promise(resolve => setTimeout(resolve, 50))
  assert.equal(closedAtPeer1.length, 1, 'the trimmed peer saw its connection close')
  assert.equal(trimmerOf(peers[1] ?? assert.fail()).closedByTrim(closedAtPeer1[0] ?? assert.fail()), false, 'the trimmed peer\'s own trimmer does not claim a close the hub made')
})
