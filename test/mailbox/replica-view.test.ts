/**
 * What a replica sees of a deposit (docs/PRIVACY.md): the connection a deposit, a bundle request or
 * an attachment chunk upload arrives on carries an ephemeral identity, never the sender's PeerId; what the replica stores
 * holds the recipient's PeerId and nothing of the sender; two deposits from one user across a
 * rotation come from two unrelated identities. (The replica's answer path is observed by wrapping
 * its private `answer`: the deposit's own connection is what matters, since the sender's node
 * also talks to replicas as a DHT client under its own PeerId.)
 */
import assert from 'node:assert/strict'
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import type { Connection } from '@libp2p/interface'
import type { MailboxRequest } from '../../proto/cairn.js'
import type { OperatorNode } from '../../src/mailbox/operator-node.js'
import { parsePeerId, peerIdBytes } from '../../src/shared/peer-id.js'
import { NAMESPACES } from '../../src/shared/namespaces.js'
import { mailboxNetwork, type MailboxNet } from '../helpers/network.js'
import { makeUser, tempRoot, type TestUser } from '../helpers/users.js'
import { systemClock, type Clock } from '../../src/shared/clock.js'
import { randomFile } from '../helpers/random-file.js'

const CHUNK = 64 * 1024

type Seen = Array<{ kind: 'deposit' | 'takeBundle' | 'putChunk', from: string }>

/** Record who each replica's deposits, bundle requests and chunk uploads came from. */
function watch (nodes: OperatorNode[]): Seen {
  const seen: Seen = []
  for (const op of nodes) {
    const service = (op.mailbox as unknown as { service: { answer: (req: MailboxRequest, c: Connection) => Promise<unknown> } }).service
    const answer = service.answer.bind(service)
    service.answer = async (req, connection) => {
      if (req.deposit !== undefined) seen.push({ kind: 'deposit', from: connection.remotePeer.toString() })
      if (req.takeBundle !== undefined) seen.push({ kind: 'takeBundle', from: connection.remotePeer.toString() })
      if (req.putChunk !== undefined) seen.push({ kind: 'putChunk', from: connection.remotePeer.toString() })
      return answer(req, connection)
    }
  }
  return seen
}

/** Four mailbox nodes (k = 3), Bob's bundle published and Bob gone, Alice knowing him. */
async function setUp (t: TestContext, clock: Clock): Promise<{ root: string, net: MailboxNet, alice: TestUser, bob: TestUser }> {
  const root = await tempRoot(t)
  const net = await mailboxNetwork(t, root, 4, { overrides: { mailbox: { replicas: 3 } } })
  const overrides = { bootstrap: net.bootstrap, mailbox: { replicas: 3 }, attachments: { chunkBytes: CHUNK, replicas: 3 }, delivery: { anonymousIdentityMs: 60_000 /* anonymous deposits: on by default */ } }
  const bob = await makeUser(t, root, 'bob', { overrides })
  await bob.client.publishBundles()
  await bob.stop()
  const alice = await makeUser(t, root, 'alice', { overrides, clock })
  await alice.client.contactAdd('bob', bob.peerId)
  return { root, net, alice, bob }
}

test('a replica\'s view of a deposit: not the sender\'s PeerId at the connection, nothing of the sender in its store', async (t) => {
  const { net, alice, bob } = await setUp(t, systemClock)
  const seen = watch(net.nodes)
  const sent = await alice.client.send('bob', 'hello through an unlinkable depositor')
  assert.equal(sent.route, 'mailbox')
  const ephemeral = (await alice.client.anonymous?.currentPeerId())?.toString()
  assert.ok(ephemeral !== undefined && ephemeral !== alice.peerId)
  assert.ok(seen.some(s => s.kind === 'deposit') && seen.some(s => s.kind === 'takeBundle'), JSON.stringify(seen))
  assert.deepEqual(seen.filter(s => s.from === alice.peerId), [], 'no deposit or bundle request came on a connection from the sender\'s PeerId')
  assert.ok(seen.every(s => s.from === ephemeral), 'all of them from the one ephemeral identity of this window')

  await net.handoverRound({ atOnce: true })
  const aliceText = alice.peerId
  const aliceBytes = Buffer.from(peerIdBytes(parsePeerId(alice.peerId)))
  let records = 0
  for (const op of net.nodes) {
    for await (const { key, value } of op.store.list(NAMESPACES.mailbox)) {
      records++
      const bytes = Buffer.from(value)
      assert.ok(!key.includes(aliceText) && !bytes.includes(aliceBytes) && !bytes.includes(Buffer.from(aliceText)), `${key} names the sender`)
    }
  }
  assert.ok(records > 0)
  await bob.restart({ bootstrap: net.bootstrap })
  await bob.client.sync()
  const inbox = await bob.client.inbox()
  assert.deepEqual(inbox.map(m => [m.text, m.from]), [['hello through an unlinkable depositor', alice.peerId]], 'sealed sender still names alice to bob')
})

test('two deposits from one user across a rotation come from two unrelated identities', async (t) => {
  let offset = 0
  const { net, alice } = await setUp(t, { ...systemClock, now: () => Date.now() + offset })
  const seen = watch(net.nodes)
  assert.equal((await alice.client.send('bob', 'first')).route, 'mailbox')
  assert.equal((await alice.client.send('bob', 'second, same window')).route, 'mailbox')
  const first = new Set(seen.filter(s => s.kind === 'deposit').map(s => s.from))
  assert.equal(first.size, 1, 'one identity within a window')
  offset += 60_001
  seen.length = 0
  assert.equal((await alice.client.send('bob', 'third, after the rotation')).route, 'mailbox')
  const later = new Set(seen.filter(s => s.kind === 'deposit').map(s => s.from))
  assert.equal(later.size, 1)
  assert.notDeepEqual([...later], [...first], 'a new identity after the rotation')
  assert.ok(![...first, ...later].includes(alice.peerId))
})

test('a replica\'s view of an attachment to an offline recipient: no chunk upload comes from the sender\'s PeerId', async (t) => {
  const { root, net, alice, bob } = await setUp(t, systemClock)
  const seen = watch(net.nodes)
  const { path, data } = await randomFile(root, 'photo.bin', 5 * CHUNK + 7)
  const [sent] = await alice.client.sendFiles('bob', [path], 'a file while you were away')
  assert.equal(sent?.route, 'mailbox')
  // the replicas hand chunks over to one another (put_chunk under their own PeerIds): not the sender
  const replicas = new Set(net.nodes.map(op => op.node.peerId.toString()))
  const uploads = seen.filter(s => s.kind === 'putChunk' && !replicas.has(s.from))
  assert.ok(uploads.length >= 6, `the replicas saw the chunk uploads (${uploads.length})`)
  assert.deepEqual(uploads.filter(s => s.from === alice.peerId), [], 'no chunk upload came on a connection from the sender\'s PeerId')
  const ephemeral = (await alice.client.anonymous?.currentPeerId())?.toString()
  assert.deepEqual(uploads.filter(s => s.from !== ephemeral), [], `all from the identity alice deposits under (${String(ephemeral)})`)

  await alice.stop()
  await bob.restart({ bootstrap: net.bootstrap })
  await bob.client.sync()
  const [m] = await bob.client.inbox()
  assert.equal(m?.from, alice.peerId)
  const out = join(root, 'out')
  await mkdir(out)
  assert.deepEqual(await readFile((await bob.client.save(m.id, out)).path), data, 'bob saves the file the anonymous uploads stored')
})
