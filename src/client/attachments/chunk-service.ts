/**
 * Serves /cairn/chunks/1.0.0 at the recipient: a sender streams the chunks of an attachment it
 * announced to us. We answer which chunks we still lack (so a broken transfer resumes), then take
 * exactly those, each checked and written; a batch's sync runs while the next batch is written, and
 * the chunks are recorded held (and the transfer acknowledged) only after their sync. A file
 * announced streamed ends with ChunkEnd, the digest of its chunks' tags, which completes it. Frames wait in a bounded
 * buffer; above it the stream is paused, so yamux stops granting window and the sender's writes
 * wait (FrameReader): memory stays at a few MiB and one window whatever the file's size.
 */
import type { Connection, Libp2p, Stream } from '@libp2p/interface'
import { ChunkDone, ChunkEnd, ChunkOffer, ChunkStatus, ChunkWant } from '../../../proto/cairn.js'
import { readChunkData } from './chunk-frame.js'
import type { CairnConfig } from '../../shared/config.js'
import { describeError } from '../../shared/errors.js'
import type { Logger } from '../../shared/logger.js'
import { CHUNKS_PROTOCOL, CHUNKS_STREAMED_PROTOCOL, CHUNKS_VERSION } from '../../shared/protocols/ids.js'
import { MAX_CHUNK_BYTES } from './descriptor.js'
import { AttachmentDigestError, CorruptChunkError } from './errors.js'
import { FrameReader, lengthPrefixed } from './frame-reader.js'
import type { Inbound } from './inbound.js'
import type { IncomingFile } from './incoming-file.js'
import type { Clock } from '../../shared/clock.js'

/** A chunk frame: the chunk, its tag, the index and protobuf framing. */
export const MAX_CHUNK_FRAME = MAX_CHUNK_BYTES + 1024
/** Above yamux's largest stream window (16 MiB): what may arrive while the stream is paused. */
const READ_BUFFER = 24 * 1024 * 1024
/** Frames buffered before the stream is paused, and the level at which it resumes. */
const HIGH_WATER = 4 * 1024 * 1024
const LOW_WATER = 1024 * 1024
/** Chunks written between syncs (one datasync and one store write per batch, at most one batch syncing). */
const SYNC_EVERY = 8
const MAX_STREAMS = 4

export interface ChunkServiceComponents {
  node: Libp2p
  /** The attachments being received, and where their chunks are written. */
  inbound: Inbound
  clock: Clock
  log: Logger
  /** Whether this sender may push this file here (strangers only small ones: they cost disk). @default everyone */
  admits?: (from: string, file: IncomingFile) => Promise<boolean>
}

/** The service's slice of the configuration (defaults applied in config.ts). */
export interface ChunkServiceInit {
  /** requestTimeoutMs (@default 15,000): the deadline for each frame (not the transfer: a 1 GiB file takes minutes). */
  limits: Pick<CairnConfig['limits'], 'requestTimeoutMs'>
}

export class ChunkService {
  private readonly node: Libp2p
  private readonly inbound: Inbound
  private readonly clock: Clock
  private readonly log: Logger
  private readonly admits: (from: string, file: IncomingFile) => Promise<boolean>

  constructor (components: ChunkServiceComponents, private readonly init: ChunkServiceInit) {
    this.node = components.node
    this.inbound = components.inbound
    this.clock = components.clock
    this.log = components.log
    this.admits = components.admits ?? (async () => true)
  }

  async start (): Promise<void> {
    // not on relayed connections: their data limits (a few MiB) would cut every transfer
    // 1.1.0 says (through identify) that streamed files are taken here; both carry the same frames
    for (const id of [CHUNKS_PROTOCOL, CHUNKS_STREAMED_PROTOCOL]) await this.node.handle(id, async (stream, connection) => { await this.serve(stream, connection) }, { maxInboundStreams: MAX_STREAMS })
  }

  async stop (): Promise<void> {
    await this.node.unhandle(CHUNKS_PROTOCOL)
    await this.node.unhandle(CHUNKS_STREAMED_PROTOCOL)
  }

  /** The file a push's offer is for, or why none of it is taken (answered before any chunk is sent). */
  private async judge (from: string, offer: ChunkOffer): Promise<{ file: IncomingFile } | { refusal: { status: ChunkStatus, detail: string } }> {
    if (offer.version !== CHUNKS_VERSION || offer.fileId.length !== 16) return { refusal: { status: ChunkStatus.CHUNK_BAD_REQUEST, detail: `unsupported offer (version ${offer.version})` } }
    const file = await this.inbound.get(from, Buffer.from(offer.fileId).toString('hex'))
    if (file === undefined) return { refusal: { status: ChunkStatus.CHUNK_UNKNOWN_FILE, detail: 'no such attachment from you' } }
    // its chunks made another file than its sender described, once already: the same chunks
    // would again (incoming-file.ts finish), so none is taken
    if (file.record.refused === true) return { refusal: { status: ChunkStatus.CHUNK_CORRUPT, detail: 'refused: this file\'s chunks did not make the file you described; send it again as a new file' } }
    if (!await this.admits(from, file)) return { refusal: { status: ChunkStatus.CHUNK_BAD_REQUEST, detail: 'too large to take directly from a sender who is not a contact; store it at mailboxes' } }
    return { file }
  }

  private async serve (stream: Stream, connection: Connection): Promise<void> {
    stream.maxReadBufferLength = READ_BUFFER
    const frames = new FrameReader(stream, MAX_CHUNK_FRAME, HIGH_WATER, LOW_WATER, READ_BUFFER)
    const pb = {
      read: async <T>(codec: { decode: (b: Uint8Array | import('uint8arraylist').Uint8ArrayList) => T }, o: { signal: AbortSignal }): Promise<T> => codec.decode(await frames.next(o.signal)),
      // answers are a few bytes: no backpressure needed
      write: async <T>(value: T, codec: { encode: (v: T) => Uint8Array }, _o: { signal: AbortSignal }): Promise<void> => { stream.send(lengthPrefixed(codec.encode(value))) }
    }
    // a deadline per frame, not per transfer: a 1 GiB file takes minutes, a stalled sender does not
    const signal = (): AbortSignal => this.clock.timeout(this.init.limits.requestTimeoutMs)
    const from = connection.remotePeer.toString()
    let stored = 0
    let file: IncomingFile | undefined
    let syncing: Promise<void> = Promise.resolve()
    let pushed = (): void => {}
    try {
      const offer = await pb.read(ChunkOffer, { signal: signal() })
      const judged = await this.judge(from, offer)
      if ('refusal' in judged) {
        await pb.write({ ...judged.refusal, missing: [] }, ChunkWant, { signal: signal() })
        await stream.close({ signal: signal() })
        return
      }
      file = judged.file
      const fileIdHex = Buffer.from(offer.fileId).toString('hex')
      const missing = file.missing()
      pushed = this.inbound.pushing(from, fileIdHex)
      await pb.write({ status: ChunkStatus.CHUNK_OK, detail: '', missing }, ChunkWant, { signal: signal() })
      for (const want of missing) {
        const frame = readChunkData(await frames.next(signal()))
        if (frame.index !== want) throw new CorruptChunkError(frame.index, 'index', `chunk ${frame.index} sent where ${want} was asked for`)
        await file.accept(frame.index, frame.data, { defer: true, fromSender: true })
        if (++stored % SYNC_EVERY === 0) {
          // a batch's sync overlaps the next batch's frames (one in flight; a failure surfaces here)
          await syncing
          syncing = file.flush()
          syncing.catch(() => {}) // awaited at the next batch or the end
        }
      }
      await syncing
      await file.flush()
      if (file.announcedStreamed) {
        const end = await pb.read(ChunkEnd, { signal: signal() })
        await file.finishStreamed(end.tagsSha256)
      } else if (missing.length > 0) await file.finish()
      await pb.write({ status: ChunkStatus.CHUNK_OK, detail: '', stored }, ChunkDone, { signal: signal() })
      await stream.close({ signal: signal() })
    } catch (err) {
      this.log.info({ peer: from, stored, err: describeError(err) }, 'chunk stream ended early')
      await syncing.catch(() => {})
      await file?.flush().catch(() => {}) // what was written before the break is kept
      if (err instanceof CorruptChunkError || err instanceof AttachmentDigestError) {
        await pb.write({ status: ChunkStatus.CHUNK_CORRUPT, detail: err.message, stored }, ChunkDone, { signal: signal() }).catch(() => {})
        await stream.close({ signal: signal() }).catch(() => {})
        return
      }
      stream.abort(err instanceof Error ? err : new Error(String(err)))
    } finally {
      pushed()
      frames.dispose()
    }
  }
}
