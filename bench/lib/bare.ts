/**
 * Baselines made of bare libp2p: an echo protocol served on any node (so the echo runs over the
 * very connection Cairn uses), and a bare node with Cairn's transports but none of its services.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import type { Libp2p, PeerId } from '@libp2p/interface'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { lpStream } from '@libp2p/utils'
import { createLibp2p } from 'libp2p'

export const ECHO_PROTOCOL = '/cairn-bench/echo/1.0.0'
const MAX = 1 << 20

/** Answer each stream's one length-prefixed frame with the same bytes, then close. */
export async function serveEcho (node: Libp2p): Promise<void> {
  await node.handle(ECHO_PROTOCOL, async (stream) => {
    const signal = AbortSignal.timeout(10_000)
    try {
      const lp = lpStream(stream, { maxDataLength: MAX })
      const frame = await lp.read({ signal })
      await lp.write(frame, { signal })
      await stream.close({ signal })
    } catch (err) {
      stream.abort(err as Error)
    }
  }, { maxInboundStreams: 256, runOnLimitedConnection: true })
}

/** One request/response on a fresh stream (as Cairn's rpc does): write a frame, read the echo. */
export async function echoOnce (node: Libp2p, peer: PeerId, payload: Uint8Array): Promise<void> {
  const signal = AbortSignal.timeout(10_000)
  const stream = await node.dialProtocol(peer, ECHO_PROTOCOL, { signal })
  try {
    const lp = lpStream(stream, { maxDataLength: MAX })
    await lp.write(payload, { signal })
    const back = await lp.read({ signal })
    if (back.byteLength !== payload.byteLength) throw new Error('echo came back with a different length')
    await stream.close({ signal }).catch(() => {})
  } catch (err) {
    stream.abort(err as Error)
    throw err
  }
}

export const ECHO_CHANNEL_PROTOCOL = '/cairn-bench/echo-channel/1.0.0'

/** Answer every length-prefixed frame on a stream with the same bytes until the other side closes it. */
export async function serveEchoChannel (node: Libp2p): Promise<void> {
  await node.handle(ECHO_CHANNEL_PROTOCOL, async (stream) => {
    const lp = lpStream(stream, { maxDataLength: MAX })
    try {
      for (;;) await lp.write(await lp.read())
    } catch (err) {
      // the other side closing its end is how a channel ends
      if ((err as Error).name === 'UnexpectedEOFError') await stream.close().catch(() => {})
      else stream.abort(err as Error)
    }
  }, { maxInboundStreams: 16, runOnLimitedConnection: true })
}

/** One kept-open stream to `peer` for echoes, as Cairn's direct channel keeps one for deliveries. */
export async function echoChannel (node: Libp2p, peer: PeerId): Promise<{ echo: (payload: Uint8Array) => Promise<void>, close: () => Promise<void> }> {
  const stream = await node.dialProtocol(peer, ECHO_CHANNEL_PROTOCOL, { signal: AbortSignal.timeout(10_000) })
  const lp = lpStream(stream, { maxDataLength: MAX })
  return {
    echo: async (payload) => {
      const signal = AbortSignal.timeout(10_000)
      await lp.write(payload, { signal })
      const back = await lp.read({ signal })
      if (back.byteLength !== payload.byteLength) throw new Error('echo came back with a different length')
    },
    close: async () => { await stream.close().catch(() => {}) }
  }
}

/** A libp2p node with Cairn's transport stack (TCP, Noise, Yamux, identify, ping) and nothing else. */
export async function bareNode (): Promise<Libp2p> {
  return createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), ping: ping() }
  })
}
