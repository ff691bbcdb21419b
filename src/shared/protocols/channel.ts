/**
 * Request channels: one kept-open stream per connection for a protocol served by serveMany()
 * (rpc.ts), on which requests go one at a time, each as request() sends one (same frame limit,
 * same idle deadline and cap). Opening a stream costs a protocol negotiation and, in libp2p, a
 * peer-store read and write at both ends; a channel pays that once per connection.
 *
 * A channel is only a faster way to the same answer: `ask` returns undefined, and the caller sends
 * on a fresh stream instead, when the connection's channel is busy with another request, or the
 * peer does not speak the protocol (remembered per connection). A failure on a channel that
 * is thrown as ChannelBrokenError: the request may or may not have been handled. `stale` says the
 * channel had answered before and failed other than by a deadline or the caller's abort (most
 * likely the peer reset it after its idle deadline): worth repeating on a fresh stream, where a
 * repeat is harmless (a delivery is answered DUPLICATE).
 */
import { pbStream } from '@libp2p/utils'
import type { Connection, Stream } from '@libp2p/interface'
import { CairnError } from '../errors.js'
import type { Codec, RequestOptions } from './rpc.js'
import { exchange } from './rpc.js'

interface Channel {
  stream: Stream
  pb: ReturnType<typeof pbStream>
  busy: boolean
  /** Requests answered on it so far. */
  answered: number
}

/** The channel failed under a request; whether the peer handled it is unknown. */
export class ChannelBrokenError extends CairnError {
  constructor (message: string, readonly stale: boolean, options?: { cause?: unknown }) {
    super('DELIVERY_FAILED', message, options)
    this.name = 'ChannelBrokenError'
  }
}

export class RequestChannels<Req, Res> {
  private readonly open = new WeakMap<Connection, Channel>()
  /** Connections whose peer does not speak the channel protocol. */
  private readonly unsupported = new WeakSet<Connection>()

  constructor (private readonly protocol: string, private readonly codecs: { req: Codec<Req>, res: Codec<Res> }) {}

  /** The answer to `req` over `connection`'s channel; undefined when the caller should use a fresh stream. */
  async ask (connection: Connection, req: Partial<Req>, options: RequestOptions): Promise<Res | undefined> {
    if (this.unsupported.has(connection)) return undefined
    let channel = this.open.get(connection)
    if (channel?.busy === true) return undefined
    if (channel === undefined) {
      channel = await this.openOn(connection, options)
      if (channel === undefined) return undefined
    }
    channel.busy = true
    try {
      const res = await exchange(connection, channel.stream, channel.pb, req, this.codecs, options)
      channel.answered++
      return res
    } catch (err) {
      this.drop(connection, channel, err)
      const stale = channel.answered > 0 && options.signal?.aborted !== true && (err as Error | undefined)?.name !== 'TimeoutError'
      throw new ChannelBrokenError(`${this.protocol} channel failed`, stale, { cause: err })
    } finally {
      channel.busy = false
    }
  }

  private async openOn (connection: Connection, options: RequestOptions): Promise<Channel | undefined> {
    let stream: Stream
    try {
      stream = await connection.newStream(this.protocol, { ...(options.signal === undefined ? {} : { signal: options.signal }), runOnLimitedConnection: options.runOnLimitedConnection ?? false })
    } catch (err) {
      // an older peer: its one-request protocol it is, on this connection
      if ((err as Error | undefined)?.name === 'UnsupportedProtocolError') this.unsupported.add(connection)
      return undefined
    }
    const channel: Channel = { stream, pb: pbStream(stream, { maxDataLength: options.maxBytes }), busy: false, answered: 0 }
    this.open.set(connection, channel)
    stream.addEventListener('close', () => { if (this.open.get(connection) === channel) this.open.delete(connection) })
    return channel
  }

  private drop (connection: Connection, channel: Channel, err: unknown): void {
    if (this.open.get(connection) === channel) this.open.delete(connection)
    channel.stream.abort(err instanceof Error ? err : new Error(String(err)))
  }
}
