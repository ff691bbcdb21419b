/**
 * The sender's ChunkData frame, written from the sealed chunk's pieces: the length prefix and the
 * protobuf header (index, the data field's tag and length) in one small buffer, then the pieces as
 * the cipher gave them. The bytes are exactly what pbStream would write for
 * `ChunkData.encode({ index, data })`, without joining the chunk into one buffer and copying it
 * again into the encoder's (two 1 MiB copies per chunk before session 12).
 */
import type { Stream } from '@libp2p/interface'
import { Uint8ArrayList } from 'uint8arraylist'
import { varint } from './frame-reader.js'

/** Field 1 (index, varint) and field 2 (data, length-delimited) of ChunkData. */
const INDEX_TAG = 0x08
const DATA_TAG = 0x12

export function chunkDataFrame (index: number, parts: Uint8Array[]): Uint8ArrayList {
  const dataLength = parts.reduce((n, p) => n + p.length, 0)
  // proto3 leaves a zero index out, as protons does
  const header = [...(index === 0 ? [] : [INDEX_TAG, ...varint(index)]), DATA_TAG, ...varint(dataLength)]
  return new Uint8ArrayList(Uint8Array.from([...varint(header.length + dataLength), ...header]), ...parts)
}

/** Send `frame`; when the stream's buffer is full, wait for its 'drain' event (as pbStream's write does). */
export async function sendFrame (stream: Stream, frame: Uint8ArrayList, signal: AbortSignal): Promise<void> {
  if (stream.send(frame)) return
  signal.throwIfAborted()
  await new Promise<void>((resolve, reject) => {
    const settle = (err?: Error): void => {
      stream.removeEventListener('drain', onDrain)
      stream.removeEventListener('close', onClose)
      signal.removeEventListener('abort', onAbort)
      if (err === undefined) resolve()
      else reject(err)
    }
    const onDrain = (): void => { settle() }
    const onClose = (evt: Event): void => { settle((evt as Event & { error?: Error }).error ?? new Error('the stream closed while a chunk was being sent')) }
    const onAbort = (): void => { settle(signal.reason as Error) }
    stream.addEventListener('drain', onDrain)
    stream.addEventListener('close', onClose)
    signal.addEventListener('abort', onAbort)
  })
}
