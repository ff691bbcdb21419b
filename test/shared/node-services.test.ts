/**
 * How Cairn's libp2p node is configured, where a default of libp2p's broke something of ours.
 * Real nodes on loopback.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import test from 'node:test'
import { rawPeer } from '../helpers/raw-peer.js'

test('two pings on one connection at once both succeed (the connection monitor\'s and kad-dht\'s check of a new contact)', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'cairn-node-services-'))
  t.after(async () => { await rm(root, { recursive: true, force: true }) })
  const [a, b] = await Promise.all([rawPeer(t, root), rawPeer(t, root)])
  await a.dial(b.getMultiaddrs()[0] ?? assert.fail('b listens nowhere'))
  // with libp2p's default of one outbound ping stream, the second failed with
  // TooManyOutboundProtocolStreamsError, and kad-dht left the peer out of its routing table
  for (let round = 0; round < 5; round++) {
    const rtts = await Promise.all([a.services.ping.ping(b.peerId), a.services.ping.ping(b.peerId)])
    assert.equal(rtts.length, 2)
    for (const rtt of rtts) assert.ok(rtt >= 0)
  }
})
