/**
 * A client whose bootstrap dials all failed at start-up is not stuck offline: the first send that
 * needs the network dials the bootstrap peers again. Found as a flake: 20 clients starting in one
 * process on a loaded machine each missed the 5 s deadline of every bootstrap dial, and their
 * messages to an offline contact stayed in the outbox although the mailbox nodes were up.
 * Here the bootstrap peer is down while alice starts, and up again when she sends.
 */
import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import { ManualClock } from '../../src/shared/clock.js'
import { routingTableByDistance } from '../../src/shared/placement.js'
import { mailboxNetwork } from '../helpers/network.js'
import { makeUser, tempRoot } from '../helpers/users.js'
import { waitFor } from '../helpers/wait.js'

test('a client that could not reach its bootstrap peer at start reaches it when a send needs the network, and the message goes to the mailboxes', async (t) => {
  const root = await tempRoot(t)
  const net = await mailboxNetwork(t, root, 5)
  const bob = await makeUser(t, root, 'bob', { overrides: { bootstrap: net.bootstrap } })
  assert.ok((await bob.client.publishBundles()).published > 0)
  await bob.stop()

  const gate = net.nodes.at(-1)
  assert.ok(gate !== undefined)
  const gateAddress = gate.addresses()[0] as string
  await net.stopNode(gate)
  const alice = await makeUser(t, root, 'alice', { overrides: { bootstrap: [gateAddress] } })
  assert.equal((await alice.client.id()).addresses.length > 0, true)
  assert.equal(alice.client.node?.getConnections().length, 0, 'alice starts cut off: her only bootstrap peer is down')

  const back = await net.restart(gate)
  assert.equal(back.addresses()[0], gateAddress, 'the bootstrap peer is back at the same address')
  const sent = await alice.client.send(bob.peerId, 'are you there?')
  assert.equal(sent.route, 'mailbox', 'stored at the mailboxes, not left in the outbox')
  assert.deepEqual(await alice.client.messenger.pending(), [])

  await bob.restart({ bootstrap: net.bootstrap })
  await bob.client.sync()
  assert.deepEqual((await bob.client.inbox()).map(m => m.text), ['are you there?'])
})

/**
 * `nodes` mailbox nodes, the last of them stopped, and user `name` (a mailbox peer too) started with
 * that one as its only bootstrap peer: it starts with no connection at all.
 */
async function startCutOff (t: TestContext, nodes: number, name: string) {
  const root = await tempRoot(t)
  const net = await mailboxNetwork(t, root, nodes)
  const gate = net.nodes.at(-1)
  assert.ok(gate !== undefined)
  const gateAddress = gate.addresses()[0] as string // read while it runs
  await net.stopNode(gate)
  const user = await makeUser(t, root, name, { overrides: { bootstrap: [gateAddress], mailbox: { enabled: true } } })
  const node = user.client.node
  assert.ok(node !== undefined)
  assert.equal(node.getConnections().length, 0, `${name} starts cut off: the only bootstrap peer is down`)
  return { root, net, gate, user, node }
}

// Found in the simulation (session 18): peers whose start-up dials missed their deadline on a busy
// machine were in nobody's routing table for the rest of the run, because one inbound connection
// (a contact, a lookup) made them count as connected and they never dialled their bootstrap peers
// again: no lookup found them, so their mailboxes were never chosen as replicas.
test('an ordinary peer that never joined the DHT, though a contact dialled it, dials its bootstrap peer again when the daemon retries, and lookups find it', async (t) => {
  const { root, net, gate, user: dave, node } = await startCutOff(t, 3, 'dave')
  const carol = await makeUser(t, root, 'carol')
  await carol.client.node?.dial(multiaddr(dave.address))
  await waitFor('carol\'s connection at dave', () => node.getConnections().length > 0)

  await net.restart(gate)
  assert.equal(await dave.client.reconnectIfIsolated(), true, 'connected to a contact but not to the DHT: he dials his bootstrap peer again')
  await dave.client.dhtReady()
  const other = net.nodes[0]?.node
  assert.ok(other !== undefined)
  const found: string[] = []
  for await (const e of other.services.dht.getClosestPeers(node.peerId.toMultihash().bytes, { signal: AbortSignal.timeout(30_000) })) {
    if (e.name === 'FINAL_PEER') found.push(e.peer.id.toString())
  }
  assert.ok(found.includes(dave.peerId), `a lookup of dave's id from another mailbox node finds him (found ${found.length} peers)`)
  assert.equal(await dave.client.reconnectIfIsolated(), false, 'joined: nothing more to dial')
})

// Found in the 200-peer simulation (issue 16): a third of the online peers were in no routing
// table, though each was connected to its bootstrap peer. A start-up dial that missed its deadline
// left the peer unjoined; the connection to the bootstrap peer came anyway (the dial completing
// late, or the bootstrap peer dialling in), and "connected to every bootstrap peer" counted as not
// cut off, so nothing ever ran the join. The bootstrap peer's own table had no room for it (a full
// bucket), and no other server learnt of it.
test('a peer connected to its bootstrap peer that never joined the DHT joins when the daemon retries, without dialling, and the other servers learn of it', async (t) => {
  const { net, gate, user: erin, node } = await startCutOff(t, 4, 'erin')
  const back = await net.restart(gate)
  // the bootstrap peer is the one that connects: erin is connected to every bootstrap peer she has
  await back.node.dial(multiaddr(erin.address))
  await waitFor('the bootstrap peer\'s connection at erin', () => node.getConnections().some(c => c.remotePeer.equals(back.node.peerId)))
  const others = net.nodes.filter(n => n !== back)
  const knowErin = (): number => others.filter(n => routingTableByDistance(n.node, new Uint8Array(32)).some(p => p.equals(node.peerId))).length
  assert.equal(knowErin(), 0, 'no other server has met erin')

  assert.equal(await erin.client.reconnectIfIsolated(), true, 'connected, never joined: she joins the DHT')
  await erin.client.dhtReady()
  assert.equal(node.getConnections().filter(c => c.remotePeer.equals(back.node.peerId)).length, 1, 'no second dial to the bootstrap peer')
  await waitFor('every other server has erin in its routing table', () => knowErin() === others.length)
  assert.equal(await erin.client.reconnectIfIsolated(), false, 'joined: nothing more to do')
})

// The daemon's retry asks every 30 s (delivery.retryIntervalMs). A peer connected to its bootstrap
// peer whose join finds nobody (here the bootstrap peer is a user's device, no DHT server) ran a
// join on every ask: a DHT lookup every 30 s for as long as it ran. Now the next join waits the
// retry interval, then twice as long after each join that found nobody, up to an hour.
test('a peer whose join found nobody does not join again on every retry: the next join waits, twice as long each time', async (t) => {
  const root = await tempRoot(t)
  const clock = new ManualClock(Date.now())
  const frank = await makeUser(t, root, 'frank', { overrides: { mailbox: { enabled: false }, network: { serveWhenReachable: false } } })
  const gina = await makeUser(t, root, 'gina', { clock, overrides: { bootstrap: [frank.address], mailbox: { enabled: true } } })
  await gina.client.dhtReady()
  assert.ok((gina.client.node?.getConnections().length ?? 0) > 0, 'gina is connected to her bootstrap peer')
  const retry = gina.config.delivery.retryIntervalMs

  assert.equal(await gina.client.reconnectIfIsolated(), false, 'start-up\'s join found nobody a moment ago: no join again yet')
  clock.advance(retry)
  assert.equal(await gina.client.reconnectIfIsolated(), true, 'a retry interval later: she joins again')
  await gina.client.dhtReady()
  clock.advance(retry)
  assert.equal(await gina.client.reconnectIfIsolated(), false, 'that join found nobody too: the next waits twice as long')
  clock.advance(retry)
  assert.equal(await gina.client.reconnectIfIsolated(), true, 'two retry intervals later: she joins again')
  await gina.client.dhtReady()
})
