import assert from 'node:assert/strict'
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { pbStream } from '@libp2p/utils'
import { ChunkOffer, ChunkStatus, ChunkWant } from '../../proto/cairn.js'
import type { CairnNode } from '../../src/shared/node/create-node.js'
import { CHUNKS_PROTOCOL, CHUNKS_STREAMED_PROTOCOL } from '../../src/shared/protocols/ids.js'
import { cairn, cairnOnTty, cliPair } from '../helpers/cli.js'
import { makeUser, tempRoot } from '../helpers/users.js'
import { randomFile } from '../helpers/random-file.js'

test('cairn send --file and cairn save through the real binary: bad files exit 2 naming them and send nothing', async (t) => {
  const root = await tempRoot(t)
  const { A, B, alice } = await cliPair(t, root)
  assert.equal((await cairn([...B, 'contact', 'add', 'alice', alice.peerId])).code, 0)
  const listen = ['--listen', '/ip4/127.0.0.1/tcp/0']

  const { path: good, data } = await randomFile(root, 'photo.png', 700 * 1024)
  const missing = await cairn([...A, 'send', 'bob', '--file', good, '--file', join(root, 'nope.png'), 'hi', ...listen])
  assert.equal(missing.code, 2)
  assert.match(missing.stderr, /nope\.png: no such file/)
  const dir = await cairn([...A, 'send', 'bob', '--file', root, ...listen])
  assert.equal(dir.code, 2)
  assert.match(dir.stderr, /is a directory/)
  const big = await cairn([...A, 'send', 'bob', '--file', good, ...listen], { env: { CAIRN_ATTACHMENTS_MAX_FILE_BYTES: '1000' } })
  assert.equal(big.code, 2)
  assert.match(big.stderr, /photo\.png: is 716800 bytes; the limit is 1000/)
  const toGroup = await cairn([...A, 'send', '@pals', '--file', good, ...listen])
  assert.equal(toGroup.code, 2)
  assert.match(toGroup.stderr, /unknown group "pals"/)
  assert.deepEqual(JSON.parse((await cairn([...B, 'inbox', '--json'])).stdout), [], 'nothing was sent')

  const sent = await cairn([...A, 'send', 'bob', '--file', good, 'look', '--json', ...listen])
  assert.equal(sent.code, 0, sent.stderr)
  const [r] = JSON.parse(sent.stdout) as Array<{ id: string, route: string, name: string }>
  assert.deepEqual([r?.route, r?.name], ['direct', 'photo.png'])
  assert.equal(sent.stderr, '', 'no progress line when stderr is not a terminal')

  const inbox = JSON.parse((await cairn([...B, 'inbox', '--json'])).stdout) as Array<{ id: string, text: string, attachment: unknown }>
  assert.deepEqual(inbox.map(m => [m.id, m.text, m.attachment]), [[r?.id, 'look', { name: 'photo.png', size: data.length, mediaType: 'image/png', state: 'complete' }]])
  const human = await cairn([...B, 'inbox'])
  const shown = /^\[[^\]]+\] #([0-9a-f]{8}) alice: \[file photo\.png, 716800 bytes, complete; cairn save ([0-9a-f]{32})\] look$/m.exec(human.stdout)
  assert.deepEqual(shown?.slice(1), [r?.id.slice(0, 8), r?.id], human.stdout)

  // the short id the header shows will do, in any case; bob's daemon runs, so the save goes through it
  const out = join(root, 'saved')
  await mkdir(out)
  const id8 = (shown?.[1] as string).toUpperCase()
  const tty = await cairnOnTty([...B, 'save', id8, '--out', out])
  if (tty === undefined) t.diagnostic('skipped the terminal checks: util-linux `script` is not installed')
  else {
    // at a terminal the daemon streams its progress back: the status line shows bytes of the total and the rate
    assert.equal(tty.code, 0, tty.output)
    assert.doesNotMatch(tty.output, /connecting to/, 'through the daemon: no node of its own started')
    assert.match(tty.output, /saving photo\.png: 700\.0 KiB \/ 700\.0 KiB, [\d.]+ (?:B|KiB|MiB)\/s/)
    assert.ok(tty.output.includes(`saved ${join(out, 'photo.png')} (700.0 KiB)`), tty.output)
    const synced = await cairnOnTty([...B, 'sync'])
    assert.equal(synced?.code, 0, synced?.output)
    assert.match(synced?.output ?? '', /finding your mailboxes…/, 'the daemon\'s sync shows its stages too')
  }
  const saved = await cairn([...B, 'save', id8, '--out', out, '--json'])
  assert.equal(saved.code, 0, saved.stderr)
  assert.equal(JSON.parse(saved.stdout).id, r?.id)
  assert.deepEqual(await readFile(join(out, 'photo.png')), data)
  // once saved, the inbox says where, in place of the save hint
  const listed = (await cairn([...B, 'inbox'])).stdout
  assert.ok(listed.includes(`[file photo.png, 716800 bytes, saved to ${join(out, 'photo.png')}] look\n`), listed)
  const unknown = await cairn([...B, 'save', 'ffffffff', '--out', out])
  assert.equal(unknown.code, 2)
  assert.match(unknown.stderr, /unknown message ffffffff: no received message with a file has an id that starts so; nothing was saved/)
  const short = await cairn([...B, 'save', 'ffff', '--out', out])
  assert.equal(short.code, 2)
  assert.match(short.stderr, /"ffff" is too short/)
})

test('cairn send with two files to someone who has not added you: the large one does not go (exit 1, saying why and that it is tried again), the one after it still does', async (t) => {
  const root = await tempRoot(t)
  const { A, B } = await cliPair(t, root) // bob never adds alice: a stranger's file over his auto-fetch size waits for mailboxes, and there are none
  const { path: large } = await randomFile(root, 'large.bin', 17 * 1024 * 1024)
  const { path: small } = await randomFile(root, 'small.txt', 10 * 1024)
  const sent = await cairn([...A, 'send', 'bob', '--file', large, '--file', small, '--listen', '/ip4/127.0.0.1/tcp/0'])
  assert.equal(sent.code, 1, sent.stderr)
  assert.match(sent.stdout, /^large\.bin: announced to bob, but the file did not go: .*too large to take directly from a sender who is not a contact.*; the file is tried again at the next sync \([0-9a-f]{32}\)$/m)
  assert.match(sent.stdout, /^small\.txt delivered to bob directly \([0-9a-f]{32}\)$/m)
  assert.match(sent.stderr, /cairn send: 1 of 2 files did not go: large\.bin$/m)
  const inbox = JSON.parse((await cairn([...B, 'inbox', '--json'])).stdout) as Array<{ attachment?: { name: string, state: string } }>
  assert.deepEqual(Object.fromEntries(inbox.map(m => [m.attachment?.name, m.attachment?.state])), { 'large.bin': 'waiting', 'small.txt': 'complete' })
})

test('a recipient who refuses a file with escape codes and a forged line in its reason: the sender\'s terminal shows the reason inert', async (t) => {
  const root = await tempRoot(t)
  const bob = await makeUser(t, root, 'bob')
  const node = bob.client.node as CairnNode
  const forged = 'small.txt delivered to bob directly'
  const reason = `\x1b[2J\x1b]0;owned\x07\r\n${forged}\n\x9b31m`
  await node.unhandle([CHUNKS_PROTOCOL, CHUNKS_STREAMED_PROTOCOL])
  for (const id of [CHUNKS_PROTOCOL, CHUNKS_STREAMED_PROTOCOL]) {
    await node.handle(id, async (stream) => {
      const pb = pbStream(stream)
      await pb.read(ChunkOffer)
      await pb.write({ status: ChunkStatus.CHUNK_BAD_REQUEST, detail: reason, missing: [] }, ChunkWant)
      await stream.close()
    })
  }
  const A = ['--data-dir', join(root, 'alice')]
  assert.equal((await cairn([...A, 'init'])).code, 0)
  assert.equal((await cairn([...A, 'contact', 'add', 'bob', bob.address])).code, 0)
  const { path } = await randomFile(root, 'small.txt', 10 * 1024)
  const sent = await cairn([...A, 'send', 'bob', '--file', path, '--listen', '/ip4/127.0.0.1/tcp/0'])
  assert.equal(sent.code, 1, sent.stderr)
  // the reason is shown, on the sender's own line, with nothing a terminal would act on
  assert.match(sent.stdout, /^small\.txt: announced to bob, but the file did not go: .*recipient refused the chunks: CHUNK_BAD_REQUEST /m)
  assert.ok(sent.stdout.includes(` ${forged} ; the file is tried again`), sent.stdout)
  assert.ok(!sent.stdout.includes('owned'), 'the window title sequence went whole, its text too')
  const out = sent.stdout + sent.stderr
  // eslint-disable-next-line no-control-regex -- no control character may reach the terminal
  assert.doesNotMatch(out.replace(/\n/g, ''), /[\x00-\x1f\x7f-\x9f]/, 'no escape, bell or carriage return reached the terminal')
  assert.doesNotMatch(out, new RegExp(`^${forged}`, 'm'), 'no line the recipient wrote starts as if cairn printed it')
  assert.match(sent.stderr, /cairn send: 1 of 1 files did not go: small\.txt$/m)
})

test('cairn daemon with CAIRN_ATTACHMENTS_DOWNLOAD_DIR makes the directory and saves a contact\'s file there by itself; a relative one exits 2', async (t) => {
  const root = await tempRoot(t)
  const downloads = join(root, 'Downloads')
  const { A, B, alice } = await cliPair(t, root, { bobEnv: { CAIRN_ATTACHMENTS_DOWNLOAD_DIR: downloads } })
  assert.equal((await cairn([...B, 'contact', 'add', 'alice', alice.peerId])).code, 0)
  const { path, data } = await randomFile(root, 'photo.png', 300 * 1024)
  const sent = await cairn([...A, 'send', 'bob', '--file', path, '--listen', '/ip4/127.0.0.1/tcp/0'])
  assert.equal(sent.code, 0, sent.stderr)
  let listed = ''
  for (let i = 0; i < 100 && !listed.includes('saved to'); i++) {
    listed = (await cairn([...B, 'inbox'])).stdout
    if (!listed.includes('saved to')) await new Promise(resolve => setTimeout(resolve, 100))
  }
  assert.ok(listed.includes(`[file photo.png, 307200 bytes, saved to ${join(downloads, 'photo.png')}]`), listed)
  assert.deepEqual(await readFile(join(downloads, 'photo.png')), data)
  const status = await cairn([...B, 'status', '--json'])
  assert.deepEqual(JSON.parse(status.stdout).downloads, { dir: downloads, waiting: 0 }, status.stderr)

  const relative = await cairn([...B, 'daemon'], { env: { CAIRN_ATTACHMENTS_DOWNLOAD_DIR: 'Downloads' } })
  assert.equal(relative.code, 2)
  assert.match(relative.stderr, /attachments\.downloadDir: must be an absolute path/)
  // one that cannot be made (under a file): exit 2 before the daemon starts (its store stays bob's daemon's)
  const underFile = await cairn([...B, 'daemon'], { env: { CAIRN_ATTACHMENTS_DOWNLOAD_DIR: join(path, 'Downloads') } })
  assert.equal(underFile.code, 2, underFile.stderr)
  assert.match(underFile.stderr, /attachments\.downloadDir: cannot make .*: ENOTDIR/)
})
