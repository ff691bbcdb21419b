/**
 * patches/@libp2p+tcp: a message on a libp2p connection reaches the socket as several buffers
 * (noise's length prefix, the ciphertext); the patched transport writes them in one system call.
 * Unpatched, a socket write per buffer: twice as many (replication.test: 193,836 writes against
 * 94,416 after; here ~4 a message against 2).
 */
import assert from 'node:assert/strict'
import { Socket } from 'node:net'
import { test } from 'node:test'
import { rawPeer } from '../helpers/raw-peer.js'
import { tempRoot } from '../helpers/users.js'

const PROTOCOL = '/cairn-test/sink/1.0.0'

test('each small message on a TCP connection goes to the socket in one write, not one per buffer', async (t) => {
  const root = await tempRoot(t)
  const [a, b] = await Promise.all([rawPeer(t, root), rawPeer(t, root)])
  let received = 0
  const messages = 200
  const all = Promise.withResolvers<void>()
  await b.handle(PROTOCOL, async (stream) => {
    for await (const chunk of stream) { received += chunk.byteLength; if (received >= messages * 100) all.resolve() }
  })
  const address = b.getMultiaddrs()[0]
  assert.ok(address !== undefined)
  const stream = await a.dialProtocol(address, PROTOCOL, { signal: AbortSignal.timeout(10_000) })
  // count every write a socket makes from here on, in this process (both peers are here)
  const proto = Socket.prototype as unknown as { _write: (...a: unknown[]) => unknown, _writev: (...a: unknown[]) => unknown }
  const { _write: write, _writev: writev } = proto
  let writes = 0
  proto._write = function (...args) { writes++; return write.apply(this, args) }
  proto._writev = function (...args) { writes++; return writev.apply(this, args) }
  t.after(() => { proto._write = write; proto._writev = writev })
  for (let i = 0; i < messages; i++) {
    if (!stream.send(new Uint8Array(100).fill(i))) await stream.onDrain()
    // one message at a time: the test is about a message's buffers, not several messages' batching
    await new Promise(resolve => setImmediate(resolve))
  }
  await all.promise
  proto._write = write
  proto._writev = writev
  await stream.close()
  // two sends a message reach the socket here (measured: 400 writes for 200 messages patched, 804
  // unpatched, a write per buffer)
  assert.ok(writes <= messages * 2.5, `${writes} socket writes for ${messages} messages`)
  assert.ok(writes >= messages, `${writes} socket writes for ${messages} messages: not all counted`)
})
