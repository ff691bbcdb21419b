/**
 * A hostile peer as anyone could run one: a stock libp2p node with stock kad-dht (client mode) on
 * Cairn's DHT protocol. Besides the stock client's own calls (provide, put), it sends raw Kademlia
 * messages to one chosen node in bulk, skipping the lookups a polite client makes first, so a test
 * can flood a node with storage requests in seconds and then ask it what it kept.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import { ping, type Ping } from '@libp2p/ping'
import { kadDHT, Record as DhtRecord, type KadDHT } from '@libp2p/kad-dht'
import { tcp } from '@libp2p/tcp'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p, type Libp2p } from 'libp2p'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import type { TestContext } from 'node:test'
import { KAD_PROTOCOL } from '../../src/shared/protocols/ids.js'

/** kad-dht's MessageType numbers (its dht.proto). */
export const KadType = { PUT_VALUE: 0, GET_VALUE: 1, ADD_PROVIDER: 2, GET_PROVIDERS: 3, FIND_NODE: 4 } as const

export interface KadMessage { type: number, key?: Uint8Array, record?: Uint8Array, providers?: Array<{ id: Uint8Array, addrs: Uint8Array[] }> }

const varint = (n: number): number[] => { const out: number[] = []; do { let b = n & 0x7f; n = Math.floor(n / 128); if (n > 0) b |= 0x80; out.push(b) } while (n > 0); return out }
const bytesField = (field: number, b: Uint8Array): number[] => [...varint(field << 3 | 2), ...varint(b.length), ...b]

/** Encode a Kademlia message (only the fields a storage request uses). */
export function encodeKad (m: KadMessage): Uint8Array {
  const out = [...varint(1 << 3), ...varint(m.type)]
  if (m.key !== undefined) out.push(...bytesField(2, m.key))
  if (m.record !== undefined) out.push(...bytesField(3, m.record))
  for (const p of m.providers ?? []) out.push(...bytesField(9, new Uint8Array([...bytesField(1, p.id), ...p.addrs.flatMap(a => bytesField(2, a))])))
  return new Uint8Array(out)
}

/** The top-level fields of a Kademlia answer: how many provider and closer peers, whether a record came, and the closer peers' addresses. */
export function readKad (b: Uint8Array): { providers: number, closer: Array<{ id: Uint8Array, addrs: Uint8Array[] }>, record?: Uint8Array } {
  const fields = (buf: Uint8Array): Array<[number, Uint8Array | number]> => {
    const out: Array<[number, Uint8Array | number]> = []
    let i = 0
    const read = (): number => { let n = 0; let s = 1; for (;;) { const c = buf[i++] as number; n += (c & 0x7f) * s; if (c < 0x80) return n; s *= 128 } }
    while (i < buf.length) {
      const tag = read()
      if ((tag & 7) === 0) out.push([tag >> 3, read()])
      else { const len = read(); out.push([tag >> 3, buf.subarray(i, i + len)]); i += len }
    }
    return out
  }
  const top = fields(b)
  const peer = (v: Uint8Array): { id: Uint8Array, addrs: Uint8Array[] } => {
    const f = fields(v)
    return { id: f.find(([n]) => n === 1)?.[1] as Uint8Array, addrs: f.filter(([n]) => n === 2).map(([, x]) => x as Uint8Array) }
  }
  const record = top.find(([n]) => n === 3)?.[1] as Uint8Array | undefined
  return { providers: top.filter(([n]) => n === 9).length, closer: top.filter(([n]) => n === 8).map(([, v]) => peer(v as Uint8Array)), ...(record === undefined ? {} : { record }) }
}

export interface HostilePeer {
  node: Libp2p<{ dht: KadDHT, ping: Ping }>
  /** A public-looking address it claims for itself in provider records. */
  claimedAddress: string
  /** Send one request on its own stream; the answer, or undefined when the node answered nothing or reset the stream. */
  ask: (target: string, m: KadMessage) => Promise<Uint8Array | undefined>
  /** Why the last `ask` that got no answer got none (the error's name and message), for a failing assertion to say. */
  lastAskError: () => string | undefined
  /** `count` ADD_PROVIDER requests for random CIDs naming itself as provider, `concurrency` streams at a time. */
  floodProviders: (target: string, count: number, concurrency?: number) => Promise<CID[]>
  /** `count` PUT_VALUE requests, each a valid public-key record (`/pk/<multihash>`) of a fresh key. */
  floodValues: (target: string, count: number, concurrency?: number) => Promise<Uint8Array[]>
}

async function pool<T> (count: number, concurrency: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = []
  let next = 0
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) { const i = next++; out[i] = await job(i) }
  }))
  return out
}

export async function hostilePeer (t: TestContext): Promise<HostilePeer> {
  const node = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), ping: ping(), dht: kadDHT({ protocol: KAD_PROTOCOL, clientMode: true, allowQueryWithZeroPeers: true }) }
  })
  t.after(async () => { await node.stop() })
  const claimedAddress = '/ip4/203.0.113.7/tcp/4001'
  // undefined when no answer came: the request was refused, unanswered, or its stream reset (a node
  // over its inbound stream limit resets the stream as it opens, which a flood of 16 at a time can meet)
  let lastAskError: string | undefined
  const ask = async (target: string, m: KadMessage, again = true): Promise<Uint8Array | undefined> => {
    const started = Date.now()
    try {
      const stream = await node.dialProtocol(multiaddr(target), KAD_PROTOCOL, { signal: AbortSignal.timeout(10_000) })
      const lp = lpStream(stream, { maxDataLength: 4 << 20 })
      await lp.write(encodeKad(m), { signal: AbortSignal.timeout(10_000) })
      await stream.close({ signal: AbortSignal.timeout(10_000) })
      // a request with no answer (ADD_PROVIDER) ends with the node closing the stream once done
      return (await lp.read({ signal: AbortSignal.timeout(10_000) })).subarray()
    } catch (err) {
      lastAskError = `${(err as Error).name}: ${(err as Error).message} after ${Date.now() - started} ms`
      // the connection the dial reused had just closed (the node, or our own side, ended it after
      // a flood): nothing was asked on it, so ask once more on a fresh one, as any client would.
      // Hang up first: libp2p can still hand out a connection that is closing, and an ask retried
      // at once met the same one ("ConnectionClosedError … after 0 ms", a CI flake in session 48)
      if (again && (err as Error).name === 'ConnectionClosedError') {
        await node.hangUp(multiaddr(target)).catch(() => {})
        return ask(target, m, false)
      }
      return undefined
    }
  }
  const self = { id: node.peerId.toMultihash().bytes, addrs: [multiaddr(claimedAddress).bytes] }
  return {
    node,
    claimedAddress,
    ask,
    lastAskError: () => lastAskError,
    floodProviders: async (target, count, concurrency = 16) => pool(count, concurrency, async () => {
      const cid = CID.createV1(0x55, await sha256.digest(crypto.getRandomValues(new Uint8Array(32))))
      await ask(target, { type: KadType.ADD_PROVIDER, key: cid.bytes, providers: [self] })
      return cid
    }),
    floodValues: async (target, count, concurrency = 16) => pool(count, concurrency, async () => {
      const key = await generateKeyPair('Ed25519')
      const recordKey = new Uint8Array([...new TextEncoder().encode('/pk/'), ...key.publicKey.toMultihash().bytes])
      const record = new DhtRecord(recordKey, publicKeyToProtobuf(key.publicKey), new Date()).serialize()
      await ask(target, { type: KadType.PUT_VALUE, key: recordKey, record })
      return recordKey
    })
  }
}
