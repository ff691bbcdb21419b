/**
 * A daemon whose only bootstrap peer is one mailbox node (a DHT server and relay), NAT traversal
 * on, as the NAT test beds run it: it prints its ready line and answers. With kad-dht's
 * allowQueryWithZeroPeers (session 21, reverted) such a client spun in a loop of queries that
 * ended at once while its routing table was empty: 100 % CPU, 400 MB in 17 s, never ready.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { cairn, startCairn } from '../helpers/cli.js'
import { tempRoot } from '../helpers/users.js'

test('a daemon bootstrapped to a single mailbox node, NAT traversal on, starts and answers', async (t) => {
  const root = await tempRoot(t)
  const loopback = ['--listen', '/ip4/127.0.0.1/tcp/0']
  const lan = { CAIRN_NETWORK_ALLOW_PRIVATE_ADDRESSES: 'true' }
  const relay = await startCairn<{ addresses: string[] }>(t, ['--data-dir', join(root, 'relay'), 'mailbox', '--json', ...loopback], { ...lan, CAIRN_RELAY_ENABLED: 'true' })
  const A = ['--data-dir', join(root, 'alice')]
  assert.equal((await cairn([...A, 'init'])).code, 0)
  const env = { CAIRN_BOOTSTRAP: relay.first.addresses[0] as string, CAIRN_NETWORK_NAT_TRAVERSAL: 'true', CAIRN_MAILBOX_REPLICAS: '1' }
  const started = Date.now()
  const daemon = await startCairn<{ peerId: string }>(t, [...A, 'daemon', '--json', ...loopback], env)
  assert.match(daemon.first.peerId, /^12D3KooW/, `ready after ${Date.now() - started} ms`)
  const status = await cairn([...A, 'status', '--json'])
  assert.equal(status.code, 0, status.stderr)
  assert.equal(await daemon.stop(), 0, daemon.stderr())
})
