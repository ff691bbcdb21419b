import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { putOutbox } from '../../src/client/outbox.js'
import { systemClock, type Clock } from '../../src/shared/clock.js'
import { cairn, startCairn } from '../helpers/cli.js'
import { mailboxNetwork, type MailboxNet } from '../helpers/network.js'
import { makeUser, tempRoot, type TestUser } from '../helpers/users.js'

test('with no network, send says outbox; when the network returns, sync delivers it', async (t) => {
  const root = await tempRoot(t)
  const net = await mailboxNetwork(t, root, 6)
  const bob = await makeUser(t, root, 'bob', { overrides: { bootstrap: net.bootstrap } })
  await bob.client.publishBundles()
  await bob.stop()
  // alice's only way in is a bootstrap peer that is down
  const alice = await makeUser(t, root, 'alice', { overrides: { bootstrap: ['/ip4/127.0.0.1/tcp/1/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN'] } })
  await alice.client.contactAdd('bob', bob.peerId)
  const r = await alice.client.send('bob', 'written on the train')
  assert.equal(r.route, 'outbox')
  assert.equal((await alice.client.messenger.pending()).length, 1)

  await alice.stop()
  await alice.restart({ bootstrap: net.bootstrap })
  const sync = await alice.client.sync()
  assert.equal(sync.sent, 1)
  assert.equal((await alice.client.messenger.pending()).length, 0)

  await bob.restart({ bootstrap: net.bootstrap })
  await bob.client.sync()
  assert.deepEqual((await bob.client.inbox()).map(m => m.text), ['written on the train'])
})

test('the daemon sends the outbox by itself when its bootstrap peers come back', async (t) => {
  const root = await tempRoot(t)
  const net = await mailboxNetwork(t, root, 6)
  const bob = await makeUser(t, root, 'bob', { overrides: { bootstrap: net.bootstrap } })
  await bob.client.publishBundles()
  await bob.stop()
  // a mailbox node whose address alice knows, down while she writes
  const late = net.nodes[5]
  assert.ok(late !== undefined)
  const lateAddr = late.addresses()[0] as string
  await net.stopNode(late)

  const A = ['--data-dir', join(root, 'alice')]
  assert.equal((await cairn([...A, 'init'])).code, 0)
  const env = { CAIRN_BOOTSTRAP: lateAddr }
  assert.equal((await cairn([...A, 'contact', 'add', 'bob', bob.peerId], { env })).code, 0)
  const sent = await cairn([...A, 'send', 'bob', 'queued while offline', '--json', '--listen', '/ip4/127.0.0.1/tcp/0'], { env })
  assert.equal(JSON.parse(sent.stdout).route, 'outbox', sent.stderr)

  await startCairn(t, [...A, 'daemon', '--json', '--listen', '/ip4/127.0.0.1/tcp/0'], { ...env, CAIRN_DELIVERY_RETRY_INTERVAL_MS: '300' })
  await net.restart(late) // the network comes back
  const deadline = Date.now() + 30_000
  let held = 0
  while (Date.now() < deadline && held === 0) {
    await new Promise(resolve => setTimeout(resolve, 300))
    held = net.held(bob.peerId).reduce((a, b) => a + b, 0)
  }
  assert.ok(held > 0, 'the daemon deposited the queued message without being asked')
  await bob.restart({ bootstrap: net.bootstrap })
  await bob.client.sync()
  assert.deepEqual((await bob.client.inbox()).map(m => m.text), ['queued while offline'])
})

const DAY = 24 * 3600_000
const NO_WAY_IN = ['/ip4/127.0.0.1/tcp/1/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN']

/**
 * Bob (his bundles at 3 of 4 mailbox nodes) and alice, whose clock is `daysAgo` behind: she starts a
 * session with bob, then, with no way in, writes `texts` (each goes to her outbox) and stops; both
 * are offline. `back()` sets alice's clock to today and starts her on the network again.
 */
async function aliceWroteLongAgo (t: TestContext, daysAgo: number, texts: string[]): Promise<{ net: MailboxNet, alice: TestUser, bob: TestUser, back: () => Promise<void> }> {
  const root = await tempRoot(t)
  const overrides = { mailbox: { replicas: 3 } }
  const net = await mailboxNetwork(t, root, 4, { overrides })
  const bob = await makeUser(t, root, 'bob', { overrides: { bootstrap: net.bootstrap, ...overrides } })
  await bob.client.publishBundles()
  let offset = -daysAgo * DAY
  const clock: Clock = { ...systemClock, now: () => Date.now() + offset }
  const alice = await makeUser(t, root, 'alice', { clock, overrides: { bootstrap: net.bootstrap, ...overrides } })
  await alice.client.contactAdd('bob', bob.peerId)
  await bob.client.contactAdd('alice', alice.peerId)
  await alice.client.sync() // a session with bob from his bundle
  await alice.stop()
  await bob.stop()
  await alice.restart({ bootstrap: NO_WAY_IN })
  for (const text of texts) assert.equal((await alice.client.send('bob', text)).route, 'outbox')
  return {
    net,
    alice,
    bob,
    back: async () => {
      await alice.stop()
      offset = 0
      await alice.restart({ bootstrap: net.bootstrap, ...overrides })
    }
  }
}

test('a message that waited in the outbox past its envelope\'s expiry still goes: it leaves with a new expiry, and arrives once', async (t) => {
  // alice writes 15 days ago by her clock (the mail TTL is 14), then comes back to today
  const { net, alice, bob, back } = await aliceWroteLongAgo(t, 15, ['written before the holidays'])
  await back()
  assert.equal((await alice.client.sync()).sent, 1, 'the old message left the outbox for bob\'s mailboxes')
  assert.equal((await alice.client.messenger.pending()).length, 0)
  await bob.restart({ bootstrap: net.bootstrap, mailbox: { replicas: 3 } })
  await bob.client.sync()
  assert.deepEqual((await bob.client.inbox()).map(m => m.text), ['written before the holidays'])
})

test('a message that waited in the outbox longer than its sender certificate lives is sealed again, and opens', async (t) => {
  // alice writes 62 days ago: the certificate she seals under (60 days) has expired by the time
  // she is back, and bob collects today
  const { net, alice, bob, back } = await aliceWroteLongAgo(t, 62, ['written two months ago', 'damaged on disk'])
  const [queued, damaged] = await alice.client.messenger.pending()
  assert.ok(queued?.envelope !== undefined && (queued.certExpires ?? Infinity) < Date.now(), 'sealed under a certificate that has expired by today')
  // the second entry's record of what it would take to seal it again is damaged: it goes as it is
  // (bob will refuse it), and holds up nothing else
  assert.ok(damaged !== undefined)
  const tx = alice.client.store.transaction()
  putOutbox(tx, { ...damaged, inner: Buffer.from('not a sealed sender content').toString('base64') })
  await tx.commit()
  await back()
  assert.equal((await alice.client.sync()).sent, 2)
  await bob.restart({ bootstrap: net.bootstrap, mailbox: { replicas: 3 } })
  await bob.client.sync()
  assert.deepEqual((await bob.client.inbox()).map(m => m.text), ['written two months ago'])
})
