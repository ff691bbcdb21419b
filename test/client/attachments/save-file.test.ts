/**
 * `save`'s atomic write with the background syncs of session 20 (save-file.ts): a file larger than
 * the sync interval arrives byte-exact under its name, and a copy that breaks after a background
 * sync has run leaves no temporary file and no partial file behind; a save that stops dead (its
 * process killed) is continued by the next from what its syncs put on disk.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { link, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { progressPath, saveAtomically, temporaryPath, type ResumableSource } from '../../../src/client/attachments/save-file.js'
import { tempRoot } from '../../helpers/users.js'
import { waitFor } from '../../helpers/wait.js'

const PIECE = 16 * 1024
const pieces = Array.from({ length: 20 }, () => randomBytes(PIECE))

async function * source (breakAfter?: number): AsyncGenerator<Buffer> {
  for (const [i, p] of pieces.entries()) {
    if (i === breakAfter) throw new Error('the received copy stopped opening')
    yield Buffer.from(p)
  }
}

test('a file several sync intervals long is saved byte-exact under its name, nothing else left', async (t) => {
  const dir = await tempRoot(t)
  const path = await saveAtomically(source(), dir, 'film.mkv', 'a1b2c3d4e5f60718', undefined, { syncEveryBytes: 3 * PIECE })
  assert.deepEqual(await readFile(path), Buffer.concat(pieces))
  assert.deepEqual(await readdir(dir), ['film.mkv'])
})

test('a copy that breaks after background syncs ran: the error surfaces, no temporary or partial file is left', async (t) => {
  const dir = await tempRoot(t)
  await assert.rejects(saveAtomically(source(12), dir, 'film.mkv', 'a1b2c3d4e5f60718', undefined, { syncEveryBytes: 3 * PIECE }), /stopped opening/)
  assert.deepEqual(await readdir(dir), [])
})

/**
 * Resumable: chunk k of `pieces` from `from(k)`, recording where each save started; with `stallAt`,
 * the source never gives that chunk: the save stops dead there, as a killed process's does (what
 * is on disk is all that is left of it; its open handles change nothing on disk).
 */
function resumable (starts: number[], stallAt?: number): ResumableSource {
  return {
    chunkBytes: PIECE,
    from: (start) => (async function * () {
      starts.push(start)
      for (let i = start; i < pieces.length; i++) {
        if (i === stallAt) await new Promise(() => {})
        yield Buffer.from(pieces[i] as Buffer)
      }
    })()
  }
}

/** Until the save's progress record says `bytes` are on disk (the record exists, empty, from the save's start). */
async function untilRecorded (tmp: string, bytes: number): Promise<void> {
  await waitFor(`a progress record of ${bytes} bytes`, async () => {
    const r = await readFile(progressPath(tmp)).catch(() => Buffer.alloc(0))
    return r.length === 24 && r.readBigUInt64BE(8) >= BigInt(bytes)
  })
}

test('a save that stops dead after background syncs is continued by the next save from what those syncs put on disk, byte-exact', async (t) => {
  const dir = await tempRoot(t)
  const key = 'a1b2c3d4e5f60718'
  const starts: number[] = []
  void saveAtomically(resumable(starts, 14), dir, 'film.mkv', key, undefined, { syncEveryBytes: 3 * PIECE })
  const tmp = temporaryPath(dir, 'film.mkv', key)
  // syncs start at 3, 6, 9, 12 pieces written; the one started at 12 covers 12
  await untilRecorded(tmp, 12 * PIECE)
  assert.deepEqual((await readdir(dir)).sort(), ['.film.mkv.cairn-a1b2c3d4e5f60718.tmp', '.film.mkv.cairn-a1b2c3d4e5f60718.tmp.progress'])

  let told = 0
  const path = await saveAtomically(resumable(starts), dir, 'film.mkv', key, (n) => { told += n }, { syncEveryBytes: 3 * PIECE })
  assert.deepEqual(starts, [0, 12], 'the second save read back only the chunks after the synced part')
  assert.equal(told, pieces.length * PIECE, 'progress counts the kept part too')
  assert.deepEqual(await readFile(path), Buffer.concat(pieces))
  assert.deepEqual(await readdir(dir), ['film.mkv'], 'neither the temporary file nor its record is left')
})

test('a progress record that does not fit its temporary file is not trusted: the save starts over', async (t) => {
  const key = 'a1b2c3d4e5f60718'
  const cases: Array<[string, (dir: string, tmp: string) => Promise<void>]> = [
    // the temporary file made again since (another inode), e.g. by a save ahead
    ['another file under the name', async (_dir, tmp) => { await rm(tmp); await writeFile(tmp, Buffer.alloc(20 * PIECE)) }],
    // shorter than the record says
    ['cut short', async (_dir, tmp) => { await writeFile(tmp, Buffer.alloc(PIECE)) }],
    // a second name for the file: writing through it would change another file
    ['a hard link', async (dir, tmp) => { await link(tmp, join(dir, 'elsewhere')) }],
    // a link put where the temporary file was: never followed (the file it names stays as it is)
    ['a symbolic link', async (dir, tmp) => { await writeFile(join(dir, 'victim'), Buffer.alloc(20 * PIECE, 7)); await rm(tmp); await symlink(join(dir, 'victim'), tmp) }],
    // a record of another chunk size
    ['another chunk size', async (_dir, tmp) => { const r = await readFile(progressPath(tmp)); r.writeBigUInt64BE(BigInt(PIECE * 2), 0); await writeFile(progressPath(tmp), r) }],
    // no record at all
    ['no record', async (_dir, tmp) => { await rm(progressPath(tmp)) }]
  ]
  for (const [what, spoil] of cases) {
    const dir = await tempRoot(t)
    const starts: number[] = []
    void saveAtomically(resumable(starts, 14), dir, 'film.mkv', key, undefined, { syncEveryBytes: 3 * PIECE })
    const tmp = temporaryPath(dir, 'film.mkv', key)
    await untilRecorded(tmp, 12 * PIECE)
    await spoil(dir, tmp)
    const path = await saveAtomically(resumable(starts), dir, 'film.mkv', key, undefined, { syncEveryBytes: 3 * PIECE })
    assert.deepEqual(starts, [0, 0], what)
    assert.deepEqual(await readFile(path), Buffer.concat(pieces), what)
    assert.ok(!(await readdir(dir)).some(f => f.startsWith('.film.mkv')), what)
    if (what === 'a symbolic link') assert.deepEqual(await readFile(join(dir, 'victim')), Buffer.alloc(20 * PIECE, 7), 'the file the link named is untouched')
  }
})
