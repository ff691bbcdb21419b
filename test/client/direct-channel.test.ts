/**
 * The direct route's channel (src/shared/protocols/channel.ts): deliveries to an online contact
 * go one after another on one kept-open stream, served by serveMany(); a channel the recipient
 * reset, or a recipient that does not serve it, costs nothing but a fresh stream.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { DirectRequest, DirectResponse, DirectStatus } from '../../proto/cairn.js'
import { parsePeerId } from '../../src/shared/peer-id.js'
import { DIRECT_CHANNEL_PROTOCOL } from '../../src/shared/protocols/ids.js'
import { rawPeer } from '../helpers/raw-peer.js'
import { befriend, makeUser, tempRoot, type TestUser } from '../helpers/users.js'

/** The channel streams `receiver` holds open from `sender`. */
function channelsAt (receiver: TestUser, sender: TestUser): Stream[] {
  const node = receiver.client.node
  if (node === undefined) throw new Error('no node')
  return node.getConnections(parsePeerId(sender.peerId)).flatMap(c => c.streams).filter(s => s.protocol === DIRECT_CHANNEL_PROTOCOL && s.status === 'open')
}

test('direct sends share one kept-open stream; after the recipient resets it the next send still goes direct, once', async (t) => {
  const root = await tempRoot(t)
  const alice = await makeUser(t, root, 'alice')
  const bob = await makeUser(t, root, 'bob')
  await befriend(alice, bob)

  assert.equal((await alice.client.send('bob', 'one')).route, 'direct')
  const first = channelsAt(bob, alice)
  assert.equal(first.length, 1, 'the first delivery opened a channel')
  for (const text of ['two', 'three']) assert.equal((await alice.client.send('bob', text)).route, 'direct')
  assert.deepEqual(channelsAt(bob, alice).map(s => s.id), first.map(s => s.id), 'later deliveries went on the same stream')

  // the recipient drops the channel (as its idle deadline does): the sender finds out on its next send
  for (const s of first) s.abort(new Error('idle'))
  const sent = await alice.client.send('bob', 'four')
  assert.equal(sent.route, 'direct')
  assert.equal((await alice.client.sent()).find(m => m.id === sent.id)?.state, 'delivered')
  assert.deepEqual((await bob.client.inbox()).map(m => m.text), ['one', 'two', 'three', 'four'], 'each message stored once, in order')
  assert.deepEqual(await alice.client.messenger.pending(), [], 'nothing left in the outbox')
})

test('a channel that breaks under a delivery after answering before: the delivery is repeated on a fresh stream, stored once', async (t) => {
  const root = await tempRoot(t)
  const alice = await makeUser(t, root, 'alice')
  const bob = await makeUser(t, root, 'bob')
  await befriend(alice, bob)
  assert.equal((await alice.client.send('bob', 'one')).route, 'direct')
  const messenger = bob.client.messenger
  const receive = messenger.receive.bind(messenger)
  let resets = 0
  // the recipient resets the channel in the middle of the next delivery (as a connection or
  // process going down would), after storing nothing: the repeat on a fresh stream stores it
  messenger.receive = async (...args) => {
    if (resets++ === 0) throw Object.assign(new Error('gone'), { name: 'AbortError' })
    return receive(...args)
  }
  t.after(() => { messenger.receive = receive })
  const sent = await alice.client.send('bob', 'two')
  assert.equal(sent.route, 'direct')
  assert.equal(resets, 2, 'refused once on the channel, taken on the fresh stream')
  assert.deepEqual((await bob.client.inbox()).map(m => m.text), ['one', 'two'])
})

test('a recipient that serves only the one-request protocol still gets direct deliveries', async (t) => {
  const root = await tempRoot(t)
  const alice = await makeUser(t, root, 'alice')
  const bob = await makeUser(t, root, 'bob')
  await befriend(alice, bob)
  await bob.client.node?.unhandle(DIRECT_CHANNEL_PROTOCOL) // as a node from before the channel
  for (const text of ['one', 'two']) assert.equal((await alice.client.send('bob', text)).route, 'direct')
  assert.deepEqual((await bob.client.inbox()).map(m => m.text), ['one', 'two'])
})

test('the channel answers requests in turn on one stream; a malformed one is answered BAD_REQUEST and ends it', async (t) => {
  const root = await tempRoot(t)
  const bob = await makeUser(t, root, 'bob')
  const raw = await rawPeer(t, root)
  const signal = AbortSignal.timeout(10_000)
  const stream = await raw.dialProtocol(multiaddr(bob.address), DIRECT_CHANNEL_PROTOCOL, { signal })
  const lp = lpStream(stream, { maxDataLength: 1 << 20 })
  const ask = async (frame: Uint8Array): Promise<DirectResponse> => {
    await lp.write(frame, { signal })
    return DirectResponse.decode(await lp.read({ signal }))
  }
  for (let i = 0; i < 2; i++) {
    const res = await ask(DirectRequest.encode({ version: 1, takeBundle: {} }))
    assert.equal(res.status, DirectStatus.DIRECT_OK)
    assert.ok(res.bundle !== undefined, `bundle ${i + 1} on the same stream`)
  }
  assert.equal((await ask(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]))).status, DirectStatus.DIRECT_BAD_REQUEST)
  await assert.rejects(lp.read({ signal }), 'nothing more on a stream after a bad frame')
})
