/**
 * The attachments' baseline: a bare libp2p stream that carries N bytes one way over a connection
 * Cairn already uses (TCP + Noise + yamux), with drain backpressure, read to the end by the other
 * side, which answers with the count it read. Nothing of Cairn on either side.
 */
import { randomBytes } from 'node:crypto'
import type { Libp2p, PeerId } from '@libp2p/interface'
import { byteStream } from '@libp2p/utils'

export const BULK_PROTOCOL = '/cairn-bench/bulk/1.0.0'
const MiB = 1024 * 1024

/** Read each stream to its end, answer with the number of bytes read (a float64), close. */
export async function serveBulk (node: Libp2p): Promise<void> {
  await node.handle(BULK_PROTOCOL, async (stream) => {
    let n = 0
    try {
      for await (const c of stream) n += c.byteLength
      const out = new Uint8Array(8)
      new DataView(out.buffer).setFloat64(0, n)
      stream.send(out)
      await stream.close()
    } catch (err) { stream.abort(err as Error) }
  }, { maxInboundStreams: 4 })
}

/** Write `bytes` to `peer` in 1 MiB writes (a fresh buffer each, as a file read gives), then wait for its count. */
export async function bulkOnce (node: Libp2p, peer: PeerId, bytes: number): Promise<void> {
  const stream = await node.dialProtocol(peer, BULK_PROTOCOL)
  const bs = byteStream(stream)
  const piece = randomBytes(MiB)
  for (let off = 0; off < bytes; off += MiB) await bs.write(Buffer.from(piece))
  const back = bs.unwrap()
  await back.close()
  let reply = new Uint8Array(0)
  for await (const c of back) reply = new Uint8Array([...reply, ...c.subarray()])
  if (new DataView(reply.buffer).getFloat64(0) !== bytes) throw new Error('bare stream lost bytes')
}
