/**
 * The sender's side of /cairn/chunks/1.0.0: offer the file, learn which chunks the recipient lacks,
 * and stream exactly those. Each write waits for the stream to drain (the 'drain' event, as
 * pbStream's write; `onDrain()` gives no backpressure after its first use), and one chunk is read
 * and encrypted ahead, while the one before is written. A chunk goes out in the pieces the cipher
 * gave (chunk-frame.ts): never joined, never copied into an encoder's buffer.
 */
import type { Connection, PeerId } from '@libp2p/interface'
import { pbStream } from '@libp2p/utils'
import { ChunkDone, ChunkEnd, ChunkOffer, ChunkStatus, ChunkWant } from '../../../proto/cairn.js'
import type { CairnConfig } from '../../shared/config.js'
import { ProtocolError } from '../../shared/errors.js'
import type { CairnNode } from '../../shared/node/create-node.js'
import { CHUNKS_PROTOCOL, CHUNKS_VERSION } from '../../shared/protocols/ids.js'
import { MAX_CHUNK_FRAME } from './chunk-service.js'
import { chunkDataFrame, sendFrame } from './chunk-frame.js'
import { deadline, type Clock } from '../../shared/clock.js'

export interface PushResult { sent: number, stored: number, alreadyHeld: number }

/** What a push reads its chunks from: a described file (FileChunks) or one sealed as it goes (SealingChunks). */
export interface ChunkSource {
  readonly count: number
  chunkParts: (index: number) => Promise<Buffer[]>
}

export interface PushOptions {
  clock: Clock
  signal?: AbortSignal
  /** After each chunk sent: chunks the recipient holds now (or is about to), and the total. */
  onChunk?: (held: number, total: number, bytes: number) => void
  /** A file announced streamed: ChunkEnd's tags digest, asked for once the last chunk was sealed. */
  end?: () => Uint8Array<ArrayBuffer>
}

export async function pushChunks (node: CairnNode, peer: PeerId, fileId: Uint8Array<ArrayBuffer>, chunks: ChunkSource, config: { limits: Pick<CairnConfig['limits'], 'requestTimeoutMs'> }, options: PushOptions): Promise<PushResult> {
  const step = (): AbortSignal => {
    return deadline(options.clock, config.limits.requestTimeoutMs, options.signal)
  }
  const open = node.getConnections(peer).find((c: Connection) => c.status === 'open' && c.limits === undefined)
  const stream = open === undefined ? await node.dialProtocol(peer, CHUNKS_PROTOCOL, { signal: step() }) : await open.newStream(CHUNKS_PROTOCOL, { signal: step() })
  try {
    const pb = pbStream(stream, { maxDataLength: MAX_CHUNK_FRAME })
    await pb.write({ version: CHUNKS_VERSION, fileId }, ChunkOffer, { signal: step() })
    const want = await pb.read(ChunkWant, { signal: step() })
    if (want.status !== ChunkStatus.CHUNK_OK) throw new ProtocolError(`recipient refused the chunks: ${ChunkStatus[want.status] ?? want.status} ${want.detail}`)
    let last = -1
    for (const i of want.missing) {
      if (i <= last || i >= chunks.count) throw new ProtocolError('recipient asked for chunks out of order or out of range')
      last = i
    }
    const alreadyHeld = chunks.count - want.missing.length
    let sent = 0
    // the next chunk is read and encrypted while this one is written: disk and crypto overlap the
    // network, and at most two chunks are held (one in the stream, one ready)
    const read = (k: number): Promise<Buffer[]> | undefined => {
      const index = want.missing[k]
      if (index === undefined) return undefined
      const p = chunks.chunkParts(index)
      p.catch(() => {}) // awaited below; a failure of the one read ahead surfaces there
      return p
    }
    let ahead = read(0)
    for (let k = 0; ahead !== undefined; k++) {
      const parts = await ahead
      ahead = read(k + 1)
      const frame = chunkDataFrame(want.missing[k] as number, parts)
      await sendFrame(stream, frame, step())
      sent++
      options.onChunk?.(alreadyHeld + sent, chunks.count, parts.reduce((n, p) => n + p.length, 0))
    }
    if (options.end !== undefined) await pb.write({ tagsSha256: options.end() }, ChunkEnd, { signal: step() })
    const done = await pb.read(ChunkDone, { signal: step() })
    await stream.close({ signal: step() }).catch(() => {})
    if (done.status !== ChunkStatus.CHUNK_OK) throw new ProtocolError(`recipient stopped the transfer: ${ChunkStatus[done.status] ?? done.status} ${done.detail}`)
    return { sent, stored: done.stored, alreadyHeld }
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)))
    throw err
  }
}
