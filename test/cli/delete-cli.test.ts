import assert from 'node:assert/strict'
import { test } from 'node:test'
import { cairn, cairnOnTty, cliPair, json } from '../helpers/cli.js'
import { tempRoot } from '../helpers/users.js'

interface Deleted { deleted: Array<{ id: string, outgoing: boolean }>, count: number }

test('cairn delete through the real binary: by id and by conversation, through the daemon and without it; bad ids exit 2 and delete nothing; a terminal is asked first', async (t) => {
  const root = await tempRoot(t)
  const { A, B, alice, bobDaemon } = await cliPair(t, root)
  assert.equal((await cairn([...B, 'contact', 'add', 'alice', alice.peerId])).code, 0)
  const listen = ['--listen', '/ip4/127.0.0.1/tcp/0']
  const one = await json<{ id: string }>([...A, 'send', 'bob', 'one', ...listen])
  const two = await json<{ id: string }>([...A, 'send', 'bob', 'two', ...listen])
  const texts = async (): Promise<string[]> => (await json<Array<{ text: string }>>([...B, 'inbox'])).map(m => m.text)

  // bob's daemon owns his store: the command goes through it, with the short id his inbox shows
  const shown = (await cairn([...B, 'inbox'])).stdout
  const short = /^\[[^\]]+\] #([0-9a-f]{8}) alice: one$/m.exec(shown)?.[1]
  assert.equal(short, one.id.slice(0, 8), shown)
  assert.deepEqual(await json<Deleted>([...B, 'delete', short as string]), { deleted: [{ id: one.id, outgoing: false }], count: 1 })
  assert.deepEqual(await texts(), ['two'])

  const unknown = await cairn([...B, 'delete', two.id, 'ffffffff'])
  assert.equal(unknown.code, 2)
  assert.match(unknown.stderr, /unknown message ffffffff: .*; nothing was deleted/)
  const tooShort = await cairn([...B, 'delete', two.id.slice(0, 7)])
  assert.equal(tooShort.code, 2)
  assert.match(tooShort.stderr, /is too short: give at least the first 8 hex digits of a message id/)
  assert.equal((await cairn([...B, 'delete'])).code, 2)
  assert.equal((await cairn([...B, 'delete', two.id, '--conversation', 'alice'])).code, 2)
  const nobody = await cairn([...B, 'delete', '--conversation', 'dave'])
  assert.equal(nobody.code, 2)
  assert.match(nobody.stderr, /unknown contact "dave"/)

  // at a terminal, a whole conversation is asked for first; anything but yes deletes nothing
  const asked = await cairnOnTty([...B, 'delete', '--conversation', 'alice'], { input: 'n\n', timeoutMs: 20_000 })
  if (asked !== undefined) {
    assert.match(asked.output, /delete 1 message with alice\? \[y\/N\]/)
    assert.match(asked.output, /not confirmed; nothing was deleted/)
    assert.notEqual(asked.code, 0)
  }
  assert.deepEqual(await texts(), ['two'], 'nothing deleted')

  // alice has no daemon: the command opens her store; her sent records go, not a script's question
  const hers = await json<Deleted>([...A, 'delete', '--conversation', 'bob'])
  assert.deepEqual(hers.deleted.map(d => [d.id, d.outgoing]).sort(), [[one.id, true], [two.id, true]].sort())
  assert.deepEqual(await json([...A, 'inbox', '--sent']), [])

  assert.equal(await bobDaemon.stop('SIGTERM'), 0)
  const human = await cairn([...B, 'delete', '--conversation', 'alice', '--yes'])
  assert.equal(human.code, 0, human.stderr)
  assert.equal(human.stdout, 'deleted 1 message\n')
  assert.deepEqual(await texts(), [])
})
