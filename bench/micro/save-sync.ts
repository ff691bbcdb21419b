/**
 * `save`'s write of a file, with the disk writing it back while the copy goes on (a datasync every
 * 64 MiB, one at a time; `--every-mib` to try another interval) against the one fsync at the end it had before session 20, alternated on
 * the same data: the wall time from the first byte to the file synced, linked and its directory
 * synced (saveAtomically), the plaintext coming from memory so the disk is all that differs.
 *   node dist/bench/micro/save-sync.js [--mib 100] [--runs 5] [--every-mib 16]
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { saveAtomically } from '../../src/client/attachments/save-file.js'

const { values } = parseArgs({ options: { mib: { type: 'string', default: '100' }, runs: { type: 'string', default: '5' }, 'every-mib': { type: 'string' } } })
const CHUNK = 960 * 1024
const size = Math.round(Number(values.mib) * 1024 * 1024)
const runs = Number(values.runs)
const dir = await mkdtemp(join(tmpdir(), 'cairn-save-sync-'))
const piece = randomBytes(CHUNK)

async function * plaintext (): AsyncGenerator<Buffer> {
  for (let off = 0; off < size; off += CHUNK) yield Buffer.from(piece.subarray(0, Math.min(CHUNK, size - off)))
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number
try {
  const wall: Record<'endOnly' | 'background', number[]> = { endOnly: [], background: [] }
  for (let r = 0; r < runs; r++) {
    // alternated, the order swapped every run
    const order: Array<keyof typeof wall> = r % 2 === 0 ? ['endOnly', 'background'] : ['background', 'endOnly']
    for (const arm of order) {
      const t0 = performance.now()
      const path = await saveAtomically(plaintext(), dir, `${arm}-${r}.bin`, (r * 2 + (arm === 'endOnly' ? 0 : 1)).toString(16).padStart(16, '0'), undefined, arm === 'endOnly' ? { syncEveryBytes: Infinity } : values['every-mib'] === undefined ? {} : { syncEveryBytes: Number(values['every-mib']) * 1024 * 1024 })
      wall[arm].push(Math.round(performance.now() - t0))
      await rm(path)
    }
  }
  console.log(JSON.stringify({ mib: Number(values.mib), runs, wallMs: wall, medianMs: { endOnly: median(wall.endOnly), background: median(wall.background) } }, null, 1))
} finally {
  await rm(dir, { recursive: true, force: true })
}
