/**
 * The recipient reads a ChunkData frame without joining it (chunk-frame.ts readChunkData): the
 * chunk's bytes stay views of the pieces the stream delivered, and what it reads is what protons'
 * decode reads, odd frames included.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { Uint8ArrayList } from 'uint8arraylist'
import { ChunkData } from '../../../proto/cairn.js'
import { chunkDataFrame, readChunkData } from '../../../src/client/attachments/chunk-frame.js'

/** A frame's body (no length prefix) as a stream delivers it: in pieces of `piece` bytes. */
function delivered (frame: Uint8ArrayList, piece: number): Uint8ArrayList {
  const whole = frame.subarray()
  let i = 0
  while ((whole[i] ?? 0) & 0x80) i++ // the length prefix
  const out = new Uint8ArrayList()
  for (let off = i + 1; off < whole.length; off += piece) out.append(Uint8Array.from(whole.subarray(off, Math.min(off + piece, whole.length))))
  return out
}

test('a chunk frame in 64 KiB pieces: index and bytes as protons reads them, the bytes views of the pieces (not copied)', () => {
  const chunk = randomBytes(1024 * 1024 + 16)
  for (const index of [0, 1, 300, 70_000]) {
    const body = delivered(chunkDataFrame(index, [chunk.subarray(0, 5000), chunk.subarray(5000)]), 65_519)
    const read = readChunkData(body)
    assert.equal(read.index, index)
    assert.deepEqual(Buffer.from(read.data instanceof Uint8Array ? read.data : read.data.subarray()), chunk)
    assert.equal(read.index, ChunkData.decode(body).index)
    assert.ok(!(read.data instanceof Uint8Array), 'the data is a list of the pieces')
    const pieces = new Set([...body].map(b => b.buffer))
    assert.ok([...read.data].every(p => pieces.has(p.buffer)), 'every piece of the data is a view of a piece delivered')
  }
})

test('odd frames read as protons reads them: an unknown field skipped, a repeated field\'s last value, a truncated frame refused', () => {
  const data = randomBytes(300)
  const unknown = new Uint8ArrayList(Uint8Array.from([0x08, 0x05, 0x18, 0x07, 0x12, 0xac, 0x02]), data, Uint8Array.from([0x25, 1, 2, 3, 4]))
  const repeated = new Uint8ArrayList(Uint8Array.from([0x08, 0x05, 0x12, 0x01, 0xff, 0x08, 0x09, 0x12, 0xac, 0x02]), data)
  for (const frame of [unknown, repeated]) {
    const read = readChunkData(frame)
    const decoded = ChunkData.decode(frame)
    assert.equal(read.index, decoded.index)
    assert.deepEqual(Buffer.from(read.data instanceof Uint8Array ? read.data : read.data.subarray()), Buffer.from(decoded.data))
  }
  const truncated = new Uint8ArrayList(Uint8Array.from([0x08, 0x05, 0x12, 0xac, 0x02]), data.subarray(0, 100))
  assert.throws(() => ChunkData.decode(truncated))
  assert.throws(() => readChunkData(truncated))
})
