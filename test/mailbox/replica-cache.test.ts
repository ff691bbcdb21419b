/**
 * A periodic sync (the daemon's) collects at the replica set its last DHT lookup found, without
 * looking it up again, while that set is plausible (src/client/mailbox/own-replicas.ts). Lookups
 * are counted where a DHT server sees them: every mailbox node here records who asked it for the
 * peers closest to which key (its FIND_NODE handler), so "no lookup" means no server was asked
 * for Bob's mailbox key by Bob.
 *
 * Bob takes no direct deliveries (his node does not speak the direct protocol, as a client no one
 * can dial): Alice's messages wait at his mailbox replicas while he is online, and only a
 * collect brings them in.
 */
import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import { MessageType } from '@libp2p/kad-dht'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { OperatorNode } from '../../src/mailbox/operator-node.js'
import type { CairnNode } from '../../src/shared/node/create-node.js'
import { closer, kadId, mailboxKey, rankByDistance, routingTableByDistance } from '../../src/shared/placement.js'
import { DIRECT_CHANNEL_PROTOCOL, DIRECT_PROTOCOL } from '../../src/shared/protocols/ids.js'
import { mailboxNetwork, type MailboxNet } from '../helpers/network.js'
import { makeUser, tempRoot, type TestUser } from '../helpers/users.js'
import { waitFor } from '../helpers/wait.js'

interface FindNodeHandler { handle: (peer: PeerId, msg: { key?: Uint8Array }) => Promise<unknown> }

interface World { net: MailboxNet, alice: TestUser, bob: TestUser, bobNode: CairnNode, key: Uint8Array, lookups: { count: number }, watch: (node: OperatorNode) => void }

/** k = 2, so a collect asks 4 of the 8 mailbox nodes; Bob online, with his bundles published. */
async function setUp (t: TestContext): Promise<World> {
  const root = await tempRoot(t)
  const net = await mailboxNetwork(t, root, 8, { overrides: { mailbox: { replicas: 2 } } })
  const overrides = { bootstrap: net.bootstrap, mailbox: { replicas: 2 } }
  const bob = await makeUser(t, root, 'bob', { overrides })
  const bobNode = bob.client.node as CairnNode
  await bobNode.unhandle([DIRECT_PROTOCOL, DIRECT_CHANNEL_PROTOCOL])
  const alice = await makeUser(t, root, 'alice', { overrides })
  await alice.client.contactAdd('bob', bob.peerId)
  const key = mailboxKey(bobNode.peerId)
  const hexKey = Buffer.from(key).toString('hex')
  const lookups = { count: 0 }
  // a node records, before answering, each time Bob asks it for the peers closest to his mailbox key
  const watch = (op: OperatorNode): void => {
    const handlers = (op.node.services.dht as unknown as { rpc: { handlers: Record<string, FindNodeHandler> } }).rpc.handlers
    const honest = handlers[MessageType.FIND_NODE] as FindNodeHandler
    handlers[MessageType.FIND_NODE] = {
      handle: async (peer, msg) => {
        if (peer.equals(bobNode.peerId) && Buffer.from(msg.key ?? []).toString('hex') === hexKey) lookups.count++
        return honest.handle(peer, msg)
      }
    }
  }
  for (const n of net.nodes) watch(n)
  return { net, alice, bob, bobNode, key, lookups, watch }
}

/** A periodic sync (its tail too: the bundle top-up asks the same replicas), and the lookups it made. */
async function periodicSync (w: World): Promise<{ received: number, lookups: number }> {
  w.lookups.count = 0
  const r = await w.bob.client.sync({ reuseReplicas: true })
  await w.bob.client.syncSettled()
  return { received: r.received, lookups: w.lookups.count }
}

async function sendToMailbox (w: World, text: string): Promise<void> {
  assert.equal((await w.alice.client.send('bob', text)).route, 'mailbox')
}

const texts = async (u: TestUser): Promise<string[]> => (await u.client.inbox()).map(m => m.text)

/** A key for a node closer to Bob's mailbox key than every node now: a replica of every deposit from its start. */
async function closerThanAll (w: World): Promise<PrivateKey> {
  const target = kadId(w.key)
  const nearest = kadId((rankByDistance(w.key, w.net.nodes.map(n => n.node.peerId))[0] as PeerId).toMultihash().bytes)
  let key: PrivateKey
  do key = await generateKeyPair('Ed25519')
  while (closer(target, kadId(peerIdFromPrivateKey(key).toMultihash().bytes), nearest) >= 0)
  return key
}

test('a second periodic sync within the bound asks no DHT server yet collects the new mail; `cairn sync` still looks up', async (t) => {
  const w = await setUp(t)
  assert.ok((await periodicSync(w)).lookups > 0, 'the first sync looks its replicas up')
  await sendToMailbox(w, 'while you were quiet')
  const second = await periodicSync(w)
  assert.deepEqual(await texts(w.bob), ['while you were quiet'])
  assert.equal(second.received, 1)
  assert.equal(second.lookups, 0, 'the second sync collected at the remembered replicas')
  assert.deepEqual(w.bob.client.lastReplicaSetChoice(), { source: 'remembered', lookedUpAgain: false })
  // an explicit sync (what `cairn sync` does) looks up whatever is remembered
  w.lookups.count = 0
  await w.bob.client.sync()
  await w.bob.client.syncSettled()
  assert.ok(w.lookups.count > 0, 'an explicit sync looks up')
  assert.deepEqual(w.bob.client.lastReplicaSetChoice(), { source: 'asked', lookedUpAgain: false })
})

test('a remembered replica that stopped answering makes the sync look up again, and the mail still comes from the others', async (t) => {
  const w = await setUp(t)
  await periodicSync(w)
  await sendToMailbox(w, 'one replica will be gone')
  // the closest node to Bob's key is in every set he could remember, and holds the mail
  const closest = rankByDistance(w.key, w.net.nodes.map(n => n.node.peerId))[0] as PeerId
  const gone = w.net.nodes.find(n => n.node.peerId.equals(closest)) as OperatorNode
  assert.equal(gone.mailbox.store.usageOf(w.bob.peerId).count, 1)
  await w.net.stopNode(gone)
  const after = await periodicSync(w)
  assert.deepEqual(await texts(w.bob), ['one replica will be gone'])
  assert.ok(after.lookups > 0, 'the sync looked its replicas up again')
  assert.deepEqual(w.bob.client.lastReplicaSetChoice(), { source: 'remembered', lookedUpAgain: true })
  // the set found then is remembered: the next sync asks no server
  assert.equal((await periodicSync(w)).lookups, 0)
})

test('a DHT server closer to the mailbox key than the remembered replicas, once in the routing table, makes the sync look up and collect there', async (t) => {
  const w = await setUp(t)
  await periodicSync(w)
  // a node closer to Bob's key than any now: a replica of every deposit from here on
  const newcomer = await w.net.add('newcomer', { privateKey: await closerThanAll(w) })
  w.watch(newcomer)
  // Bob meets it (its identify puts it in his routing table)
  await w.bobNode.dial(newcomer.node.peerId)
  await waitFor('the newcomer in Bob\'s routing table', () => routingTableByDistance(w.bobNode, w.key).some(p => p.equals(newcomer.node.peerId)))
  await sendToMailbox(w, 'left at the newcomer too')
  assert.equal(newcomer.mailbox.store.usageOf(w.bob.peerId).count, 1, 'the deposit reached the newcomer')
  const after = await periodicSync(w)
  assert.ok(after.lookups > 0, 'the sync looked its replicas up again')
  assert.deepEqual(w.bob.client.lastReplicaSetChoice(), { source: 'newcomer', lookedUpAgain: false })
  assert.deepEqual(await texts(w.bob), ['left at the newcomer too'])
  // Bob collected at the newcomer: his ack removed the mail there
  assert.equal(newcomer.mailbox.store.usageOf(w.bob.peerId).count, 0)
})

test('a restarted client\'s first sync collects at the replica set its last lookup saved while it looks them up; a replica only the lookup finds is collected too', async (t) => {
  const w = await setUp(t)
  await w.bob.client.sync()
  await w.bob.client.syncSettled()
  await w.bob.stop()
  // while Bob is away, a node closer to his key than any he saved joins: it holds what comes next
  const newcomer = await w.net.add('newcomer', { privateKey: await closerThanAll(w) })
  const aliceNode = w.alice.client.node as CairnNode
  await aliceNode.dial(newcomer.node.peerId)
  await waitFor('the newcomer in Alice\'s routing table', () => routingTableByDistance(aliceNode, w.key).some(p => p.equals(newcomer.node.peerId)))
  await sendToMailbox(w, 'while you were away')
  await sendToMailbox(w, 'left at the newcomer too')
  assert.equal(newcomer.mailbox.store.usageOf(w.bob.peerId).count, 2, 'the deposits reached the newcomer')

  await w.bob.restart({ bootstrap: w.net.bootstrap, mailbox: { replicas: 2 } })
  const bobNode = w.bob.client.node as CairnNode
  await bobNode.unhandle([DIRECT_PROTOCOL, DIRECT_CHANNEL_PROTOCOL])
  await w.bob.client.sync()
  await w.bob.client.syncSettled()
  assert.deepEqual(w.bob.client.lastReplicaSetChoice(), { source: 'asked', lookedUpAgain: false, saved: true })
  assert.deepEqual((await texts(w.bob)).sort(), ['left at the newcomer too', 'while you were away'])
  // Bob collected at the newcomer, which only his lookup could name: his ack removed the mail there
  assert.equal(newcomer.mailbox.store.usageOf(w.bob.peerId).count, 0)
})
