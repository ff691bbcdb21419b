import assert from 'node:assert/strict'
import { test } from 'node:test'
import { makeUser, tempRoot } from '../helpers/users.js'

test('with mDNS on, two peers on one LAN find each other without a bootstrap peer or an address', async (t) => {
  const root = await tempRoot(t)
  const lan = { listen: ['/ip4/0.0.0.0/tcp/0'], network: { mdns: true } }
  const alice = await makeUser(t, root, 'alice', { overrides: lan })
  const bob = await makeUser(t, root, 'bob', { overrides: lan })
  await alice.client.contactAdd('bob', bob.peerId) // a PeerId only: no address
  const deadline = Date.now() + 5_000 // a query is sent at start and answered at once where multicast works
  while (Date.now() < deadline && (alice.client.node?.getConnections().length ?? 0) === 0) await new Promise(resolve => setTimeout(resolve, 200))
  if ((alice.client.node?.getConnections().length ?? 0) === 0) {
    t.skip('no multicast on this machine\'s interfaces: mDNS announcements never arrived')
    return
  }
  assert.equal((await alice.client.send('bob', 'found you on the LAN')).route, 'direct')
  assert.equal((await bob.client.inbox()).at(-1)?.text, 'found you on the LAN')
})
