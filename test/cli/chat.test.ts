import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { cairn, startCairn } from '../helpers/cli.js'
import { tempRoot } from '../helpers/users.js'

test('cairn chat: each line typed is sent, and messages from the other side are shown', async (t) => {
  const root = await tempRoot(t)
  const A = ['--data-dir', join(root, 'alice')]
  const B = ['--data-dir', join(root, 'bob')]
  const alice = JSON.parse((await cairn([...A, 'init', '--json'])).stdout) as { peerId: string }
  assert.equal((await cairn([...B, 'init'])).code, 0)
  const bobDaemon = await startCairn<{ addresses: string[] }>(t, [...B, 'daemon', '--json', '--listen', '/ip4/127.0.0.1/tcp/0'])
  const aliceDaemon = await startCairn<{ addresses: string[] }>(t, [...A, 'daemon', '--json', '--listen', '/ip4/127.0.0.1/tcp/0'])
  assert.equal((await cairn([...A, 'contact', 'add', 'bob', bobDaemon.first.addresses[0] as string])).code, 0)
  assert.equal((await cairn([...B, 'contact', 'add', 'alice', aliceDaemon.first.addresses[0] as string])).code, 0)
  assert.equal(JSON.parse((await cairn([...B, 'send', 'alice', 'earlier, from bob', '--json'])).stdout).route, 'direct')

  const chat = await cairn([...A, 'chat', 'bob'], { input: 'first line\n\nsecond line\n' })
  assert.equal(chat.code, 0, chat.stderr)
  assert.match(chat.stdout, /chatting with bob/)
  assert.match(chat.stdout, /bob: earlier, from bob/, 'recent history is shown')
  const inbox = JSON.parse((await cairn([...B, 'inbox', '--json'])).stdout) as Array<{ text: string, from: string }>
  assert.deepEqual(inbox.map(m => m.text), ['first line', 'second line'], 'blank lines are not sent')
  assert.ok(inbox.every(m => m.from === alice.peerId))
})
