/**
 * The one-shot CLI's baseline, as a whole process: start a bare libp2p node (Cairn's transports,
 * nothing else), dial the address in argv[2], echo one frame of argv[3] bytes, stop, exit.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { bareNode, echoOnce } from './bare.js'

const [addr, bytes] = process.argv.slice(2)
if (addr === undefined) throw new Error('usage: echo-process MULTIADDR [BYTES]')
const node = await bareNode()
const ma = multiaddr(addr)
const peer = addr.split('/p2p/')[1]
if (peer === undefined) throw new Error(`${addr} has no /p2p/`)
await node.dial(ma)
const { peerIdFromString } = await import('@libp2p/peer-id')
await echoOnce(node, peerIdFromString(peer), new Uint8Array(Number(bytes ?? 1024)))
await node.stop()
