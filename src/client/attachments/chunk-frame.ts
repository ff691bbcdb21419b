/**
 * The sender's ChunkData frame, written from the sealed chunk's pieces: the length prefix and the
 * protobuf header (index, the data field's tag and length) in one small buffer, then the pieces as
 * the cipher gave them. The bytes are exactly what pbStream would write for
 * `ChunkData.encode({ index, data })`, without joining the chunk into one buffer and copying it
 * again into the encoder's (two 1 MiB copies per chunk before session 12). The recipient reads it
 * back the same way (readChunkData): the chunk stays in the pieces the stream delivered.
 */
import type { Stream } from '@libp2p/interface'
import { Uint8ArrayList } from 'uint8arraylist'
import { ChunkData } from '../../../proto/cairn.js'
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

/**
 * A ChunkData frame read without joining it: its index, and its data as a view of the frame's own
 * pieces (protons' decode first copies the whole frame into one buffer, ~1 MiB per chunk, which
 * was the recipient's largest copy). Fields 1 and 2 as protobuf reads them (the last one wins),
 * other fields skipped; a frame this does not follow to its end is decoded by protons, which
 * refuses it as it always did.
 */
export function readChunkData (frame: Uint8ArrayList): { index: number, data: Uint8Array | Uint8ArrayList } {
  const end = frame.byteLength
  let pos = 0
  const readVarint = (): number | undefined => {
    let v = 0
    let shift = 1
    for (let i = 0; i < 5 && pos < end; i++) {
      const b = frame.get(pos++)
      v += (b & 0x7f) * shift
      shift *= 128
      if ((b & 0x80) === 0) return v
    }
    return undefined
  }
  let index = 0
  let data: Uint8ArrayList | undefined
  while (pos < end) {
    const tag = readVarint()
    if (tag === undefined) return ChunkData.decode(frame)
    const wire = tag & 7
    const field = (tag - wire) / 8
    if (wire === 0) {
      const v = readVarint()
      if (v === undefined) return ChunkData.decode(frame)
      if (field === 1) index = v >>> 0
    } else if (wire === 2) {
      const length = readVarint()
      if (length === undefined || pos + length > end) return ChunkData.decode(frame)
      if (field === 2) data = frame.sublist(pos, pos + length)
      pos += length
    } else {
      return ChunkData.decode(frame)
    }
  }
  return { index, data: data ?? new Uint8Array(0) }
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
