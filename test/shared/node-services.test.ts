/**
 * How Cairn's libp2p node is configured, where a default of libp2p's broke something of ours.
 * Real nodes on loopback.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer, connect, type AddressInfo, type Socket } from 'node:net'
import test, { type TestContext } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
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

/**
 * A TCP relay to `port` on loopback that holds what the dialling side writes for `holdMs` before
 * passing it on (the answering side's bytes go through at once): the answering node sees its
 * connection open at once and the dialler's first handshake message `holdMs` later, as on a slow
 * link or from a starved device.
 */
async function slowRelay (t: TestContext, port: number, holdMs: number): Promise<number> {
  const sockets = new Set<Socket>()
  const server = createServer(inbound => {
    const outbound = connect(port, '127.0.0.1')
    for (const s of [inbound, outbound]) {
      sockets.add(s)
      s.on('error', () => { inbound.destroy(); outbound.destroy() })
      s.on('close', () => { sockets.delete(s); inbound.destroy(); outbound.destroy() })
    }
    inbound.pause()
    outbound.pipe(inbound)
    const timer = setTimeout(() => { inbound.pipe(outbound) }, holdMs)
    inbound.on('close', () => { clearTimeout(timer) })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.after(async () => {
    for (const s of sockets) s.destroy()
    await new Promise(resolve => server.close(resolve))
  })
  return (server.address() as AddressInfo).port
}

test('a handshake slower than libp2p\'s own per-address (6 s) and inbound (10 s) deadlines completes within network.dialTimeoutMs', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'cairn-node-services-'))
  t.after(async () => { await rm(root, { recursive: true, force: true }) })
  // a slow device's setting: both ends wait 20 s for a connection to come up
  const slow = { network: { dialTimeoutMs: 20_000 } }
  const [a, b] = await Promise.all([rawPeer(t, root, { config: slow }), rawPeer(t, root, { config: slow })])
  const port = Number((b.getMultiaddrs()[0] ?? assert.fail('b listens nowhere')).toString().split('/tcp/')[1]?.split('/')[0])
  // the dialler's first bytes reach b 11 s after b accepted the TCP connection: past libp2p's 6 s
  // for one address at a and its 10 s for an inbound handshake at b (each failed the dial before)
  const relay = await slowRelay(t, port, 11_000)
  const started = performance.now()
  const connection = await a.dial(multiaddr(`/ip4/127.0.0.1/tcp/${relay}/p2p/${b.peerId.toString()}`), { signal: AbortSignal.timeout(20_000) })
  assert.equal(connection.remotePeer.toString(), b.peerId.toString())
  assert.ok(performance.now() - started >= 11_000, 'the dial went through the slow relay')
  assert.equal(connection.status, 'open')
})
