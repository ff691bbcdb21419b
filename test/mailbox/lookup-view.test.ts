/**
 * What a DHT server sees of a sender's lookups (docs/PRIVACY.md, "DHT peer"): the lookup of the
 * recipient's mailbox key that comes before a deposit or a bundle request comes from the ephemeral
 * identity, never the sender's PeerId, so a server on the path cannot link the sender to the
 * recipient by who asked. The same holds for the direct route's lookup of an online recipient's
 * addresses (FIND_NODE for its peer-id key). Every mailbox node here is a curious DHT server: a modified node whose
 * FIND_NODE handler records who asked for which key before answering as usual.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import type { PeerId } from '@libp2p/interface'
import { MessageType } from '@libp2p/kad-dht'
import type { OperatorNode } from '../../src/mailbox/operator-node.js'
import { systemClock } from '../../src/shared/clock.js'
import { parsePeerId } from '../../src/shared/peer-id.js'
import { closestPeers, mailboxKey } from '../../src/shared/placement.js'
import { mailboxNetwork, type MailboxNet } from '../helpers/network.js'
import { makeUser, tempRoot, type TestUser } from '../helpers/users.js'

interface FindNodeHandler { handle: (peer: PeerId, msg: { key?: Uint8Array }) => Promise<unknown> }
type Asked = Array<{ server: string, from: string, key: string }>

/** Make every node record, before answering, who asked it for the peers closest to which key. */
function curious (nodes: OperatorNode[]): Asked {
  const asked: Asked = []
  for (const op of nodes) {
    const handlers = (op.node.services.dht as unknown as { rpc: { handlers: Record<string, FindNodeHandler> } }).rpc.handlers
    const honest = handlers[MessageType.FIND_NODE] as FindNodeHandler
    handlers[MessageType.FIND_NODE] = {
      handle: async (peer, msg) => {
        asked.push({ server: op.node.peerId.toString(), from: peer.toString(), key: Buffer.from(msg.key ?? []).toString('hex') })
        return honest.handle(peer, msg)
      }
    }
  }
  return asked
}

/** Six mailbox nodes (k = 3), Bob's bundle published and Bob gone. */
async function setUp (t: TestContext): Promise<{ net: MailboxNet, alice: TestUser, bob: TestUser }> {
  const root = await tempRoot(t)
  const net = await mailboxNetwork(t, root, 6, { overrides: { mailbox: { replicas: 3 } } })
  const overrides = { bootstrap: net.bootstrap, mailbox: { replicas: 3 } /* anonymous deposits: on by default */ }
  const bob = await makeUser(t, root, 'bob', { overrides })
  await bob.client.publishBundles()
  await bob.stop()
  const alice = await makeUser(t, root, 'alice', { overrides })
  return { net, alice, bob }
}

test('no DHT server sees the sender\'s PeerId look up the mailbox key of the offline recipient it writes to', async (t) => {
  const { net, alice, bob } = await setUp(t)
  const asked = curious(net.nodes)
  const bobKey = Buffer.from(mailboxKey(parsePeerId(bob.peerId))).toString('hex')
  await alice.client.contactAdd('bob', bob.peerId)
  const sent = await alice.client.send('bob', 'hello, and no DHT server saw me look for you')
  assert.equal(sent.route, 'mailbox')
  // The replicas themselves look up bob's key too (the handover pass a deposit or bob's bundle
  // schedules): those are the network's own nodes spreading bob's mail, not the sender.
  const replicas = new Set(net.nodes.map(op => op.node.peerId.toString()))
  const forBob = asked.filter(a => a.key === bobKey && !replicas.has(a.from))
  assert.ok(forBob.length > 0, 'the servers did see lookups of bob\'s mailbox key (the recording works)')
  assert.deepEqual(forBob.filter(a => a.from === alice.peerId), [], 'none of them from alice\'s PeerId')
  const ephemeral = (await alice.client.anonymous?.currentPeerId())?.toString()
  assert.deepEqual(forBob.filter(a => a.from !== ephemeral), [], `all from the identity alice deposits under (${String(ephemeral)})`)

  await bob.restart({ bootstrap: net.bootstrap })
  await bob.client.sync()
  assert.deepEqual((await bob.client.inbox()).map(m => [m.text, m.from]), [['hello, and no DHT server saw me look for you', alice.peerId]], 'the anonymous lookup found the replicas bob collects from')
})

test('the lookup from an ephemeral identity finds the replica set the recipient\'s own lookup finds', async (t) => {
  const { net, alice, bob } = await setUp(t)
  const key = mailboxKey(parsePeerId(bob.peerId))
  const anonymous = alice.client.anonymous
  assert.ok(anonymous !== undefined)
  await alice.client.networkReady()
  const fromEphemeral = await anonymous.closestPeers(key, 3, { perSubnet: 0 })
  await bob.restart({ bootstrap: net.bootstrap })
  await bob.client.sync() // joined the DHT
  const fromOwner = await closestPeers(bob.client.node as NonNullable<typeof bob.client.node>, key, 3, { clock: systemClock })
  assert.equal(fromEphemeral.length, 3)
  assert.deepEqual(fromEphemeral.map(String), fromOwner.map(String))
})

test('no DHT server sees the sender\'s PeerId look up the addresses of an online recipient it writes to directly', async (t) => {
  const root = await tempRoot(t)
  const net = await mailboxNetwork(t, root, 6, { overrides: { mailbox: { replicas: 3 } } })
  const overrides = { bootstrap: net.bootstrap, mailbox: { replicas: 3 } /* anonymous deposits: on by default */ }
  const bob = await makeUser(t, root, 'bob', { overrides })
  await bob.client.publishBundles() // joined the DHT: the servers know bob's addresses
  const alice = await makeUser(t, root, 'alice', { overrides })
  await alice.client.networkReady()
  await alice.client.contactAdd('bob', bob.peerId) // his PeerId only: no address
  const aliceNode = alice.client.node
  assert.ok(aliceNode !== undefined)
  const bobId = parsePeerId(bob.peerId)
  assert.equal(aliceNode.getConnections(bobId).length, 0, 'no connection to bob yet')
  assert.deepEqual((await aliceNode.peerStore.get(bobId).catch(() => undefined))?.addresses ?? [], [], 'no address for bob yet')

  const asked = curious(net.nodes)
  const bobPeerKey = Buffer.from(bobId.toMultihash().bytes).toString('hex')
  const sent = await alice.client.send('bob', 'hello, and no DHT server saw me look for your address')
  assert.equal(sent.route, 'direct')
  const forBob = asked.filter(a => a.key === bobPeerKey)
  assert.ok(forBob.length > 0, 'the servers did see a lookup of bob\'s peer-id key (the recording works)')
  assert.deepEqual(forBob.filter(a => a.from === alice.peerId), [], 'none of them from alice\'s PeerId')

  const arrived = async (): Promise<boolean> => (await bob.client.inbox()).some(m => m.from === alice.peerId && m.route === 'direct')
  for (let i = 0; i < 600 && !await arrived(); i++) await new Promise(resolve => setTimeout(resolve, 100))
  assert.deepEqual((await bob.client.inbox()).map(m => [m.text, m.from, m.route]), [['hello, and no DHT server saw me look for your address', alice.peerId, 'direct']])
})

test('an attachment upload resumed after a killed send: no DHT server sees the sender\'s PeerId look up the offline recipient', async (t) => {
  const root = await tempRoot(t)
  const net = await mailboxNetwork(t, root, 6, { overrides: { mailbox: { replicas: 3 } } })
  const chunkBytes = 64 * 1024
  const overrides = { bootstrap: net.bootstrap, mailbox: { replicas: 3 }, attachments: { chunkBytes, replicas: 3 } }
  const bob = await makeUser(t, root, 'bob', { overrides })
  await bob.client.publishBundles()
  await bob.stop()
  const alice = await makeUser(t, root, 'alice', { overrides })
  await alice.client.contactAdd('bob', bob.peerId)
  const path = join(root, 'big.bin')
  await writeFile(path, randomBytes(8 * chunkBytes + 3))
  let stored = 0
  await assert.rejects(alice.client.sendFiles('bob', [path], '', { onProgress: (p) => { if (p.stage === 'sending' && ++stored === 3) throw new Error('killed') } }), /killed/)
  await alice.stop()

  await alice.restart()
  await alice.client.networkReady()
  // what the first send's lookup found of bob (a stale address the servers still keep) is gone,
  // as once the peer store has dropped it: a push now has no address to dial
  const aliceNode = alice.client.node
  assert.ok(aliceNode !== undefined)
  await aliceNode.peerStore.delete(parsePeerId(bob.peerId))
  const asked = curious(net.nodes)
  // a resumed transfer tries the recipient first (a direct push), then its mailboxes
  assert.equal(await alice.client.attachments.resume(), 1)
  const bobPeerKey = Buffer.from(parsePeerId(bob.peerId).toMultihash().bytes).toString('hex')
  assert.deepEqual(asked.filter(a => a.key === bobPeerKey && a.from === alice.peerId), [], 'no lookup of bob\'s addresses from alice\'s PeerId')
  const bobKey = Buffer.from(mailboxKey(parsePeerId(bob.peerId))).toString('hex')
  assert.deepEqual(asked.filter(a => a.key === bobKey && a.from === alice.peerId), [], 'nor of his mailbox key')
})
