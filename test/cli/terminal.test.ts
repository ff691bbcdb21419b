import assert from 'node:assert/strict'
import { test } from 'node:test'
import { cairn } from '../helpers/cli.js'
import { befriend, makeUser, tempRoot } from '../helpers/users.js'

interface InboxJson { id: string, from: string, fromName: string | null, contact: boolean, text: string }

/** A header that `cairn inbox` writes itself: time, short id, then a contact's name or a marked PeerId. */
const HEADER = /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] #[0-9a-f]{8} (?:[\p{L}\p{N}_.-]+|\[not a contact\] 12D3KooW\w+): /u

test('cairn inbox: a stranger\'s forged lines and escapes are shown inert, indented and marked; --json keeps the exact text', async (t) => {
  const root = await tempRoot(t)
  const bob = await makeUser(t, root, 'bob')
  const alice = await makeUser(t, root, 'alice')
  const mallory = await makeUser(t, root, 'mallory')
  await befriend(alice, bob)
  await mallory.client.contactAdd('bob', bob.address) // bob has never heard of mallory
  const forged = 'hi\n2026-12-01 09:00:00 alice: give me your key\x1b[2J\u202e\r[2026-12-01 09:00:01] #0123abcd alice: now'
  assert.equal((await mallory.client.send('bob', forged)).route, 'direct')
  assert.equal((await alice.client.send('bob', 'hello bob')).route, 'direct')
  await bob.stop()
  const B = ['--data-dir', bob.config.dataDir]

  const json = await cairn([...B, 'inbox', '--json'])
  assert.equal(json.code, 0, json.stderr)
  const list = JSON.parse(json.stdout) as InboxJson[]
  const fromMallory = list.find(m => m.from === mallory.peerId)
  assert.equal(fromMallory?.text, forged, 'the exact text, escapes and all')
  assert.equal(fromMallory?.contact, false)
  assert.equal(fromMallory?.fromName, null)
  const fromAlice = list.find(m => m.from === alice.peerId)
  assert.equal(fromAlice?.contact, true)
  assert.equal(fromAlice?.fromName, 'alice')

  const human = await cairn([...B, 'inbox'])
  assert.equal(human.code, 0, human.stderr)
  assert.doesNotMatch(human.stdout, /[\x1b\r\u202e]/, 'no escape, carriage return or bidi override reaches the terminal') // eslint-disable-line no-control-regex
  const lines = human.stdout.trimEnd().split('\n')
  for (const line of lines) assert.ok(HEADER.test(line) || line.startsWith('    '), `a line that is neither our header nor indented: ${JSON.stringify(line)}`)
  assert.equal(lines.filter(l => HEADER.test(l)).length, 2, 'one header per message, whatever the text holds')
  assert.ok(lines.some(l => l.endsWith(`[not a contact] ${mallory.peerId}: hi`)), human.stdout)
  assert.ok(lines.includes('    2026-12-01 09:00:00 alice: give me your key'), human.stdout)
  assert.ok(lines.includes('    [2026-12-01 09:00:01] #0123abcd alice: now'), human.stdout)
  assert.ok(lines.some(l => / alice: hello bob$/.test(l)), human.stdout)
})

test('cairn contact block / unblock: by PeerId or name, shown by list, kept across restarts, and the blocked peer\'s mail is not shown', async (t) => {
  const root = await tempRoot(t)
  const bob = await makeUser(t, root, 'bob')
  const alice = await makeUser(t, root, 'alice')
  const mallory = await makeUser(t, root, 'mallory')
  await befriend(alice, bob)
  await mallory.client.contactAdd('bob', bob.address)
  await bob.stop()
  const B = ['--data-dir', bob.config.dataDir]

  const blocked = await cairn([...B, 'contact', 'block', mallory.peerId, '--json'])
  assert.equal(blocked.code, 0, blocked.stderr)
  assert.deepEqual(JSON.parse(blocked.stdout), { peerId: mallory.peerId, name: null, blocked: true, changed: true })
  assert.match((await cairn([...B, 'contact', 'block', mallory.peerId])).stdout, /already blocked/)
  assert.equal((await cairn([...B, 'contact', 'block', 'alice'])).code, 0)
  const listed = JSON.parse((await cairn([...B, 'contact', 'list', '--json'])).stdout) as Array<{ name: string | null, peerId: string, blocked: boolean }>
  assert.deepEqual(listed.map(c => [c.name, c.peerId, c.blocked]), [['alice', alice.peerId, true], [null, mallory.peerId, true]])
  const human = (await cairn([...B, 'contact', 'list'])).stdout
  assert.match(human, new RegExp(`alice .*${alice.peerId} .*blocked`))
  assert.match(human, new RegExp(`not a contact.*${mallory.peerId}  blocked`))
  const unblocked = await cairn([...B, 'contact', 'unblock', 'alice', '--json'])
  assert.deepEqual(JSON.parse(unblocked.stdout), { peerId: alice.peerId, name: 'alice', blocked: false, changed: true })
  for (const args of [['block', 'nobody'], ['block', '12D3KooWthisIsNotAValidPeerIdAtAll'], ['unblock'], ['block', 'x\x1b]0;pwned\x07\x1b[2J\u202e']]) {
    const r = await cairn([...B, 'contact', ...args])
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`)
    assert.equal(r.stdout, '')
    assert.doesNotMatch(r.stderr, /[\x1b\x07\u202e]/, 'an error quoting its input is made inert too') // eslint-disable-line no-control-regex
  }

  await bob.restart()
  assert.equal((await mallory.client.send('bob', 'let me in')).route, 'direct', 'the sender is not told')
  assert.equal((await alice.client.send('bob', 'unblocked again')).route, 'direct')
  await bob.stop()
  const inbox = JSON.parse((await cairn([...B, 'inbox', '--json'])).stdout) as InboxJson[]
  assert.deepEqual(inbox.map(m => m.text), ['unblocked again'])
})
