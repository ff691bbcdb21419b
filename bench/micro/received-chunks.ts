/**
 * What keeping a received file as chunk ciphertext costs (issue 15): the whole-file check of a
 * received file, as `finish` does it, over the old layout (plaintext, read and hashed) and the new
 * one (each chunk read, decrypted with AES-256-GCM, hashed), alternated on the same data.
 *   node dist/bench/micro/received-chunks.js [--mib 94] [--runs 5]
 * CPU time (every thread) is the robust figure on a busy machine; RSS shows the memory stays flat.
 */
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { Attachment } from '../../proto/cairn.js'
import { chunkCid, chunkCount, sealChunk } from '../../src/client/attachments/chunk-cipher.js'
import { plaintextChunks, slotOffset } from '../../src/client/attachments/received-chunks.js'

const { values } = parseArgs({ options: { mib: { type: 'string', default: '94' }, runs: { type: 'string', default: '5' } } })
const CHUNK = 960 * 1024
const size = Math.round(Number(values.mib) * 1024 * 1024)
const runs = Number(values.runs)
const dir = await mkdtemp(join(tmpdir(), 'cairn-received-'))
try {
  const data = randomBytes(size)
  const count = chunkCount(size, CHUNK)
  const d: Attachment = { fileId: randomBytes(16), key: randomBytes(32), name: 'f', size, mediaType: '', chunkBytes: CHUNK, chunks: [], sha256: new Uint8Array(), caption: '', groupHeads: [] }
  const fh = await open(join(dir, 'f.chunks'), 'w')
  for (let i = 0; i < count; i++) {
    const sealed = sealChunk(d.key, { fileId: d.fileId, index: i, count }, data.subarray(i * CHUNK, (i + 1) * CHUNK))
    d.chunks.push(chunkCid(sealed))
    await fh.write(sealed, 0, sealed.length, slotOffset(d, i))
  }
  await fh.close()
  await writeFile(join(dir, 'f.part'), data)

  const measure = async (f: () => Promise<void>): Promise<{ cpuMs: number, wallMs: number }> => {
    const c0 = process.cpuUsage()
    const t0 = performance.now()
    await f()
    const c = process.cpuUsage(c0)
    return { cpuMs: (c.user + c.system) / 1000, wallMs: performance.now() - t0 }
  }
  const plain = async (): Promise<void> => {
    const h = createHash('sha256')
    for await (const b of createReadStream(join(dir, 'f.part'), { highWaterMark: 1024 * 1024 })) h.update(b as Buffer)
    h.digest()
  }
  const sealed = async (): Promise<void> => {
    const h = createHash('sha256')
    for await (const b of plaintextChunks(join(dir, 'f.chunks'), d)) h.update(b)
    h.digest()
  }
  const rows: Array<{ run: number, plainCpuMs: number, sealedCpuMs: number, plainWallMs: number, sealedWallMs: number }> = []
  for (let r = 0; r < runs; r++) {
    const p = await measure(plain)
    const s = await measure(sealed)
    rows.push({ run: r, plainCpuMs: Math.round(p.cpuMs), sealedCpuMs: Math.round(s.cpuMs), plainWallMs: Math.round(p.wallMs), sealedWallMs: Math.round(s.wallMs) })
  }
  console.log(JSON.stringify({ mib: Number(values.mib), chunks: count, rows, rssMiB: Math.round(process.memoryUsage().rss / 1048576) }, null, 1))
} finally {
  await rm(dir, { recursive: true, force: true })
}
