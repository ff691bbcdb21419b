/**
 * One request, one response, on a fresh libp2p stream: length-prefixed protobuf with a size limit
 * on every frame and a stall deadline (reset by progress, and by the peer answering a ping after a
 * silence) with a hard cap on the whole exchange. Both Cairn protocols are built from this.
 */
import { pbStream } from '@libp2p/utils'
import type { Connection, Libp2p, PeerId, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Clock } from '../clock.js'
import { FrameError } from '../errors.js'
import type { Logger } from '../logger.js'
import { IdleDeadline, withSignal } from './idle-deadline.js'
import { connectionProbe } from './liveness.js'

export interface Codec<T> {
  encode: (value: Partial<T>) => Uint8Array
  decode: (bytes: Uint8Array | import('uint8arraylist').Uint8ArrayList) => T
}

export interface RequestOptions {
  maxBytes: number
  timeoutMs: number
  /** Whose time the deadlines are measured in. */
  clock: Clock
  signal?: AbortSignal
  /** Allow the exchange over a relayed (limited) connection. */
  runOnLimitedConnection?: boolean
}

/**
 * Send `req` to `peer` and read its answer. Throws on dial, stream, size or timeout failure.
 * `peer` may be an open Connection: the stream is opened on it, with no dial.
 *
 * `timeoutMs` is a stall deadline: it starts again whenever the dial completes, the request's
 * bytes drain or answer bytes arrive, and once it has passed in silence the peer is pinged
 * (liveness.ts): a peer still working on the answer (a slow disk, a small CPU) answers the ping and
 * is waited for; one that stalled answers neither within another `timeoutMs` and is cut off. The
 * whole exchange is capped at HARD_CAP_FACTOR × `timeoutMs`.
 */
export async function request<Req, Res> (node: Libp2p, peer: PeerId | Multiaddr | Multiaddr[] | Connection, protocol: string, req: Partial<Req>, codecs: { req: Codec<Req>, res: Codec<Res> }, options: RequestOptions): Promise<Res> {
  const idle = new IdleDeadline(options.clock, options.timeoutMs, { maxMs: options.timeoutMs * HARD_CAP_FACTOR, what: protocol })
  const signal = withSignal(options.signal, idle.signal)
  const streamOptions = { signal, runOnLimitedConnection: options.runOnLimitedConnection ?? false }
  try {
    idle.stage(isConnection(peer) ? 'opening a stream' : 'dialling')
    // dial first, as dialProtocol does, to know the connection whose peer a silence is asked about
    const connection = isConnection(peer) ? peer : await node.dial(peer, streamOptions)
    idle.probeWith(connectionProbe(connection))
    idle.touch()
    idle.stage('opening a stream')
    const stream = await connection.newStream(protocol, streamOptions)
    idle.touch()
    try {
      const res = await roundTrip(stream, pbStream(stream, { maxDataLength: options.maxBytes }), req, codecs, idle, signal)
      await stream.close({ signal }).catch(() => {})
      return res
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)))
      throw err
    }
  } finally {
    idle.clear()
  }
}

/**
 * One request and its answer on a stream that stays open (a channel, channel.ts), with request()'s
 * idle deadline and cap. Throws as request() does; the caller decides what becomes of the stream.
 */
export async function exchange<Req, Res> (connection: Connection, stream: Stream, pb: ReturnType<typeof pbStream>, req: Partial<Req>, codecs: { req: Codec<Req>, res: Codec<Res> }, options: RequestOptions): Promise<Res> {
  const probe = connectionProbe(connection)
  const idle = new IdleDeadline(options.clock, options.timeoutMs, { maxMs: options.timeoutMs * HARD_CAP_FACTOR, what: stream.protocol ?? 'request', ...(probe === undefined ? {} : { probe }) })
  try {
    return await roundTrip(stream, pb, req, codecs, idle, withSignal(options.signal, idle.signal))
  } finally {
    idle.clear()
  }
}

/** Write `req`, read the answer; every byte moving resets `idle`. `pb` must be made before this adds its listeners. */
async function roundTrip<Req, Res> (stream: Stream, pb: ReturnType<typeof pbStream>, req: Partial<Req>, codecs: { req: Codec<Req>, res: Codec<Res> }, idle: IdleDeadline, signal: AbortSignal): Promise<Res> {
  // after pbStream: its own 'message' listener must be there first, or buffered bytes would go to ours alone
  const progress = (): void => { idle.touch() }
  stream.addEventListener('message', progress)
  stream.addEventListener('drain', progress)
  try {
    idle.stage('writing the request')
    await pb.write(req, codecs.req, { signal })
    idle.touch()
    idle.stage('waiting for the answer')
    return decodeFrame(codecs.res, await readFrame(pb, signal), 'answer')
  } finally {
    stream.removeEventListener('message', progress)
    stream.removeEventListener('drain', progress)
  }
}

/**
 * An exchange that keeps making progress may take at most this many idle deadlines in all: a
 * peer that drips a byte now and then cannot hold a stream (or a caller) forever.
 */
export const HARD_CAP_FACTOR = 20
/** The same cap for a request being served: answering one never needs long. */
const SERVE_CAP_FACTOR = 4

export interface ServeOptions<Req, Res> {
  protocol: string
  maxBytes: number
  timeoutMs: number
  clock: Clock
  codecs: { req: Codec<Req>, res: Codec<Res> }
  /** The request versions this node speaks, and where a request carries its own. */
  version?: { supported: readonly number[], of: (req: Req) => number }
  handle: (req: Req, connection: Connection, signal: AbortSignal) => Promise<Partial<Res>>
  /** The answer for a request that could not be read or handled; undefined resets the stream. */
  answerError: (err: unknown) => Partial<Res> | undefined
  log: Logger
}

/** A stream handler that reads one request, answers it, and never lets an error escape. */
export function serve<Req, Res> (options: ServeOptions<Req, Res>): (stream: Stream, connection: Connection) => Promise<void> {
  return async (stream, connection) => {
    await answerOne(options, pbStream(stream, { maxDataLength: options.maxBytes }), stream, connection)
  }
}

/**
 * A stream handler that answers requests one after another on one stream (a sender's kept-open
 * channel, channel.ts), each as serve() answers one, with the same limits and deadlines. It stops
 * when the peer closes its side, or sends nothing for `timeoutMs` between requests (the stream is
 * then reset: the sender opens another), and after a request that could not be read (an error
 * answer is sent, then the stream is closed: what follows a bad frame cannot be trusted).
 */
export function serveMany<Req, Res> (options: ServeOptions<Req, Res>): (stream: Stream, connection: Connection) => Promise<void> {
  return async (stream, connection) => {
    const pb = pbStream(stream, { maxDataLength: options.maxBytes })
    while (stream.status === 'open') {
      if (!await answerOne(options, pb, stream, connection, true)) return
    }
  }
}

/**
 * Read one request from `pb` and write its answer (or reset the stream when there is none), then
 * close the stream, unless `more` (serveMany) and the request was read: returns whether the stream
 * is still good for another request. A peer that closed its side between requests gets a close.
 */
async function answerOne<Req, Res> (options: ServeOptions<Req, Res>, pb: ReturnType<typeof pbStream>, stream: Stream, connection: Connection, more = false): Promise<boolean> {
  // a stall deadline, like request(): the request's bytes arriving (or the answer's draining) is
  // progress, and a silent peer is pinged before it is given up. A channel waiting for its next
  // request is idle, not stalled: its peer is pinged only once that request has begun to arrive
  const probe = connectionProbe(connection)
  const idle = new IdleDeadline(options.clock, options.timeoutMs, { maxMs: options.timeoutMs * SERVE_CAP_FACTOR, what: options.protocol, ...(probe === undefined || more ? {} : { probe }) })
  const signal = idle.signal
  const progress = (): void => { idle.probeWith(probe); idle.touch() }
  stream.addEventListener('message', progress)
  stream.addEventListener('drain', progress)
  let answer: Partial<Res> | undefined
  let readable = true
  let ended = false
  try {
    let req: Req
    try {
      idle.stage('reading the request')
      req = decodeFrame(options.codecs.req, await readFrame(pb, signal), 'request')
    } catch (err) {
      readable = false
      ended = more && (err as Error | undefined)?.name === 'UnexpectedEOFError'
      throw err
    }
    const version = options.version
    if (version !== undefined && !version.supported.includes(version.of(req))) throw new FrameError('unsupported-version', `unsupported ${options.protocol} request version ${version.of(req)}; this node speaks ${version.supported.join(', ')}`)
    idle.stage('answering')
    idle.pause() // the handler's own work (a slow disk, a small CPU) is not the peer's silence
    answer = await options.handle(req, connection, signal)
  } catch (err) {
    // the stream's own protocol: one set of options may serve a protocol and its channel
    const at = { protocol: stream.protocol ?? options.protocol, peer: connection.remotePeer.toString() }
    if (ended) {
      // how a kept-open channel ends: its sender, or this node, closed it (a node stopping, a
      // connection closed) before another request was complete. Not a failed request: closed below
      options.log.debug(at, 'channel closed before another request')
    } else {
      options.log.debug({ err: errorSummary(err), ...at }, 'request failed')
      answer = options.answerError(err)
    }
  }
  idle.touch()
  idle.stage('writing the answer')
  try {
    if (ended) {
      await stream.close({ signal })
      return false
    }
    if (answer === undefined) {
      stream.abort(new Error('request refused'))
      return false
    }
    await pb.write(answer, options.codecs.res, { signal })
    if (more && readable) return true
    await stream.close({ signal })
    return false
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)))
    return false
  } finally {
    idle.clear()
    stream.removeEventListener('message', progress)
    stream.removeEventListener('drain', progress)
  }
}

const raw: Codec<Uint8Array> = { encode: b => b as Uint8Array, decode: b => b.subarray() }

/** One length-prefixed frame's bytes; a length over the limit is a FrameError('too-large'). */
async function readFrame (pb: ReturnType<typeof pbStream>, signal: AbortSignal): Promise<Uint8Array> {
  try {
    return await pb.read(raw, { signal })
  } catch (err) {
    if (isFrameTooLarge(err)) throw new FrameError('too-large', 'frame too large', { cause: err })
    throw err
  }
}

/** Decode one frame; bytes that are not a valid message are a FrameError('malformed'). */
function decodeFrame<T> (codec: Codec<T>, bytes: Uint8Array, what: 'request' | 'answer'): T {
  try {
    return codec.decode(bytes)
  } catch (err) {
    throw new FrameError('malformed', `malformed ${what}`, { cause: err })
  }
}

function isConnection (peer: PeerId | Multiaddr | Multiaddr[] | Connection): peer is Connection {
  return typeof (peer as Partial<Connection>).newStream === 'function'
}

/**
 * The request's length prefix said more than the frame limit, or was itself longer than any
 * allowed length could be (a stranger's 5-byte prefix, found by fuzzing): the answer is "too large".
 */
export function isFrameTooLarge (err: unknown): boolean {
  const name = (err as Error | undefined)?.name
  return name === 'InvalidDataLengthError' || name === 'InvalidDataLengthLengthError' || name === 'InvalidMessageLengthError'
}

/** Name and message only: errors from peers must not flood logs with stacks. */
export function errorSummary (err: unknown): { name: string, message: string } {
  if (err instanceof Error) return { name: err.name, message: err.message }
  return { name: 'Error', message: String(err) }
}
