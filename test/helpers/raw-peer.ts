/** A bare libp2p node that speaks Cairn's protocols byte by byte, for sending what a client never would. */
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PeerId } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { createNode, type CairnNode } from '../../src/shared/node/create-node.js'
import type { ConfigLayer } from '../../src/shared/config.js'
import { Store } from '../../src/shared/store.js'
import { testConfig } from './users.js'
import { systemClock, type Clock } from '../../src/shared/clock.js'

/** A bare Cairn libp2p node on loopback (a DHT client unless `dhtServer`; the system clock unless `clock`), stopped when the test ends. */
export async function rawPeer (t: TestContext, root: string, o: { dhtServer?: boolean, config?: ConfigLayer, clock?: Clock } = {}): Promise<CairnNode> {
  const store = await Store.open(join(root, `raw-${Math.random().toString(16).slice(2)}`))
  const node = await createNode({ privateKey: await generateKeyPair('Ed25519'), datastore: store.datastore, config: testConfig(root, o.config), clock: o.clock ?? systemClock, dhtServer: o.dhtServer ?? false })
  t.after(async () => { await node.stop(); await store.close() })
  return node
}

export interface RawAnswer {
  /** The length-prefixed frame the server answered with, if any. */
  frame?: Uint8Array
  /** The server reset or closed the stream without an answer. */
  refused: boolean
}

/** Write `bytes` as they are (no framing added) and read one length-prefixed answer. */
export async function sendRaw (node: CairnNode, address: string, protocol: string, bytes: Uint8Array): Promise<RawAnswer> {
  const stream = await node.dialProtocol(multiaddr(address), protocol, { signal: AbortSignal.timeout(5000) })
  try {
    stream.send(bytes)
  } catch {
    // the server reset the stream before we wrote (e.g. too many streams at once): refused
    return { refused: true }
  }
  // half-close: a server still waiting for the rest of a frame sees the end at once
  await stream.close({ signal: AbortSignal.timeout(5000) }).catch(() => {})
  try {
    const lp = lpStream(stream, { maxDataLength: 1 << 20 })
    const frame = await lp.read({ signal: AbortSignal.timeout(5000) })
    return { frame: frame.subarray(), refused: false }
  } catch {
    return { refused: true }
  }
}

export function frame (payload: Uint8Array): Uint8Array {
  const len: number[] = []
  let n = payload.length
  do { let b = n & 0x7f; n >>>= 7; if (n > 0) b |= 0x80; len.push(b) } while (n > 0)
  return new Uint8Array([...len, ...payload])
}

export function peerOf (address: string): PeerId | string {
  return address.split('/p2p/')[1] ?? ''
}
