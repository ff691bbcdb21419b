/**
 * Length-prefixed frames read from a stream with flow control that reaches the sender. yamux grants
 * the sender more window as soon as data arrives, whether or not anyone reads it, so a slow reader
 * (one that writes and syncs each chunk) must pause the stream: frames are buffered here up to
 * `high` bytes, the stream is paused above it and resumed once the reader has taken the buffer
 * below `low`. A byteStream reader cannot do this (it buffers all that arrives, up to an overflow).
 */
import type { Stream } from '@libp2p/interface'
import { Uint8ArrayList } from 'uint8arraylist'

export class FrameTooLargeError extends Error {
  constructor (length: number, max: number) {
    super(`frame of ${length} bytes; the limit is ${max}`)
    this.name = 'InvalidDataLengthError' // what rpc.ts's isFrameTooLarge and the servers recognise
  }
}

/** An unsigned varint's bytes (a frame's length prefix, a protobuf field's tag or length). */
export function varint (value: number): number[] {
  const out: number[] = []
  let n = value
  while (n >= 0x80) { out.push((n & 0x7f) | 0x80); n = Math.floor(n / 128) }
  out.push(n)
  return out
}

/** A frame's length prefix: an unsigned varint. */
export function lengthPrefixed (bytes: Uint8Array): Uint8Array {
  const prefix = varint(bytes.length)
  const out = new Uint8Array(prefix.length + bytes.length)
  out.set(prefix, 0)
  out.set(bytes, prefix.length)
  return out
}

export class FrameReader {
  private readonly buf = new Uint8ArrayList()
  private wake?: () => void
  private ended = false
  private failure?: Error
  private paused = false

  /** `cap`: what may be buffered at all (high water plus one window arriving after a pause); past it the stream is aborted. */
  constructor (private readonly stream: Stream, private readonly maxFrame: number, private readonly high: number, private readonly low: number, private readonly cap: number) {
    stream.addEventListener('message', this.onMessage)
    stream.addEventListener('remoteCloseWrite', this.onEnd)
    stream.addEventListener('close', this.onClose)
  }

  /** The next frame; throws on a frame over the limit, on the end of the stream mid-frame, or on `signal`. */
  async next (signal: AbortSignal): Promise<Uint8ArrayList> {
    for (;;) {
      const frame = this.take()
      if (frame !== undefined) return frame
      if (this.failure !== undefined) throw this.failure
      if (this.ended) throw Object.assign(new Error('stream ended before a whole frame'), { name: 'UnexpectedEOFError' })
      signal.throwIfAborted()
      this.resumeIf(0) // nothing left to read: never wait on a paused stream
      await new Promise<void>((resolve, reject) => {
        const abort = (): void => { reject(signal.reason as Error) }
        signal.addEventListener('abort', abort, { once: true })
        this.wake = () => { signal.removeEventListener('abort', abort); resolve() }
      })
    }
  }

  dispose (): void {
    this.stream.removeEventListener('message', this.onMessage)
    this.stream.removeEventListener('remoteCloseWrite', this.onEnd)
    this.stream.removeEventListener('close', this.onClose)
  }

  private take (): Uint8ArrayList | undefined {
    let length = 0
    let shift = 1
    let i = 0
    for (;; i++) {
      if (i >= this.buf.byteLength) return undefined
      if (i >= 8) throw new FrameTooLargeError(Infinity, this.maxFrame)
      const b = this.buf.get(i)
      length += (b & 0x7f) * shift
      shift *= 128
      if ((b & 0x80) === 0) break
    }
    if (length > this.maxFrame) throw new FrameTooLargeError(length, this.maxFrame)
    if (this.buf.byteLength < i + 1 + length) return undefined
    const frame = this.buf.sublist(i + 1, i + 1 + length)
    this.buf.consume(i + 1 + length)
    this.resumeIf(this.low)
    return frame
  }

  private resumeIf (below: number): void {
    if (!this.paused || this.buf.byteLength > below || this.stream.readStatus !== 'paused') return
    this.paused = false
    this.stream.resume()
  }

  private readonly onMessage = (evt: { data: Uint8Array | Uint8ArrayList }): void => {
    this.buf.append(evt.data)
    if (this.buf.byteLength > this.cap) {
      this.failure = Object.assign(new Error(`read buffer overflow: ${this.buf.byteLength} > ${this.cap}`), { name: 'StreamBufferError' })
      this.buf.consume(this.buf.byteLength)
      this.notify()
      this.stream.abort(this.failure)
      return
    }
    if (!this.paused && this.buf.byteLength > this.high) {
      this.paused = true
      // not synchronously: this message may be dispatched from inside stream.resume(), which
      // re-opens yamux's window right after the dispatch and would undo a pause made here
      queueMicrotask(() => {
        if (this.paused && this.stream.readStatus === 'readable') this.stream.pause()
      })
    }
    this.notify()
  }

  private readonly onEnd = (): void => { this.ended = true; this.notify() }

  private readonly onClose = (evt: Event): void => {
    const err = (evt as Event & { error?: Error }).error
    if (err !== undefined) this.failure = err
    this.ended = true
    this.notify()
  }

  private notify (): void {
    const w = this.wake
    this.wake = undefined
    w?.()
  }
}
