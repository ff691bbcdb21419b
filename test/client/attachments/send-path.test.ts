/**
 * The sender's side without copies or a second hash (session 12): a chunk frame written from the
 * cipher's pieces is byte for byte the protobuf frame older recipients read, and a chunk produced
 * again is checked by the tag kept from the describe pass, so a changed file is still never sealed
 * again under the same nonces.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { open, writeFile } from 'node:fs/promises'
import { test } from 'node:test'
import { ChunkData } from '../../../proto/cairn.js'
import { sealChunk, TAG_BYTES } from '../../../src/client/attachments/chunk-cipher.js'
import { chunkDataFrame } from '../../../src/client/attachments/chunk-frame.js'
import { FileChangedError } from '../../../src/client/attachments/errors.js'
import { checkFiles } from '../../../src/client/attachments/file-check.js'
import { describeFileWithTags, FileChunks } from '../../../src/client/attachments/file-chunks.js'
import { lengthPrefixed } from '../../../src/client/attachments/frame-reader.js'
import { receivedFileSetup } from '../../helpers/received-file.js'

const CHUNK = 4096

test('a chunk frame built from its pieces is the protobuf frame an older recipient decodes', () => {
  for (const index of [0, 1, 127, 128, 300, 70_000]) {
    for (const sizes of [[0, 16], [5, 16], [127, 16], [983_040, 16], [700, 300, 16]]) {
      const parts = sizes.map(n => randomBytes(n))
      const data = Buffer.concat(parts)
      const frame = chunkDataFrame(index, parts).subarray()
      assert.deepEqual(Buffer.from(frame), Buffer.from(lengthPrefixed(ChunkData.encode({ index, data }))), `index ${index}, pieces ${sizes.join('+')}`)
    }
  }
})

test('a chunk produced again from the kept tags is the described chunk; one byte changed in the file and it is refused, nothing sealed for sending', async (t) => {
  const { path, data } = await receivedFileSetup(t, CHUNK * 3 + 10, CHUNK, 'clip.mp4')
  const [file] = await checkFiles([path], 1 << 30, 1 << 30)
  assert.ok(file !== undefined)
  const { descriptor: d, tags } = await describeFileWithTags(file, CHUNK)
  assert.equal(tags.length, d.chunks.length * TAG_BYTES)
  const chunks = new FileChunks(path, d, tags)
  t.after(async () => { await chunks.close() })
  for (let i = 0; i < d.chunks.length; i++) {
    const expected = sealChunk(d.key, { fileId: d.fileId, index: i, count: d.chunks.length }, data.subarray(i * CHUNK, (i + 1) * CHUNK))
    assert.deepEqual(await chunks.chunk(i), expected)
  }
  // one byte of chunk 2 changes in place, the size unchanged: its tag no longer matches
  const fh = await open(path, 'r+')
  await fh.write(Buffer.from([data[2 * CHUNK + 7]! ^ 0x01]), 0, 1, 2 * CHUNK + 7)
  await fh.close()
  await assert.rejects(chunks.chunkParts(2), FileChangedError)
  assert.deepEqual(Buffer.concat(await chunks.chunkParts(1)), sealChunk(d.key, { fileId: d.fileId, index: 1, count: d.chunks.length }, data.subarray(CHUNK, 2 * CHUNK)), 'an unchanged chunk still goes')
  // the file cut short: its last chunk is refused too
  await writeFile(path, data.subarray(0, CHUNK * 3 + 4))
  await assert.rejects(chunks.chunkParts(3), FileChangedError)
})
