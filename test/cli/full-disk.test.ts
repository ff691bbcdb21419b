/**
 * A disk that fills during `cairn save` (issue 14): exit 1 naming the cause, no partial or
 * temporary file left where it was saving, and the attachment still saves later elsewhere. The
 * full disk is a real one: a 1 MiB tmpfs, so the test needs root (CI runs as root); without it
 * it is skipped with the reason.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdir, readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { cairn, cliPair } from '../helpers/cli.js'
import { tempRoot } from '../helpers/users.js'
import { randomFile } from '../helpers/random-file.js'

function tmpfsSupport (): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to mount a small tmpfs (CI runs as root)'
  try { execFileSync('mount', ['--version'], { stdio: 'ignore' }) } catch { return 'no mount(8) on this machine' }
  return undefined
}

test('a disk that fills during cairn save: exit 1, nothing left behind, and the file saves later', async (t) => {
  const why = tmpfsSupport()
  if (why !== undefined) { t.skip(why); return }
  const root = await tempRoot(t)
  const { A, B, alice, bobDaemon: daemon } = await cliPair(t, root)
  assert.equal((await cairn([...B, 'contact', 'add', 'alice', alice.peerId])).code, 0)

  const { path: file, data } = await randomFile(root, 'video.bin', 3 * 1024 * 1024)
  const sent = await cairn([...A, 'send', 'bob', '--file', file, '--json', '--listen', '/ip4/127.0.0.1/tcp/0'])
  assert.equal(sent.code, 0, sent.stderr)
  const [r] = JSON.parse(sent.stdout) as Array<{ id: string, route: string }>
  assert.equal(r?.route, 'direct')
  await daemon.stop() // save opens bob's store itself

  const small = join(root, 'small')
  await mkdir(small)
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', small])
  try { // unmounted here: the temp root's own clean-up runs before a t.after registered later
    const full = await cairn([...B, 'save', r?.id as string, '--out', small])
    assert.equal(full.code, 1, `exit 1 on a full disk: ${full.stderr}`)
    assert.match(full.stderr, /ENOSPC|no space left/i)
    assert.deepEqual(await readdir(small), [], 'no partial or temporary file is left')
  } finally {
    execFileSync('umount', ['-l', small])
  }

  const big = join(root, 'big')
  await mkdir(big)
  const saved = await cairn([...B, 'save', r?.id as string, '--out', big, '--json'])
  assert.equal(saved.code, 0, saved.stderr)
  assert.deepEqual(await readFile(join(big, 'video.bin')), data, 'the attachment was still there to save, byte-exact')
})
