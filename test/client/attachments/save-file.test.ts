/**
 * `save`'s atomic write with the background syncs of session 20 (save-file.ts): a file larger than
 * the sync interval arrives byte-exact under its name, and a copy that breaks after a background
 * sync has run leaves no temporary file and no partial file behind.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { test } from 'node:test'
import { saveAtomically } from '../../../src/client/attachments/save-file.js'
import { tempRoot } from '../../helpers/users.js'

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
