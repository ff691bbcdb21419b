import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { cairn, startCairn } from '../helpers/cli.js'
import { randomFile } from '../helpers/random-file.js'
import { tempRoot } from '../helpers/users.js'
import { waitFor } from '../helpers/wait.js'

test('cairn group: create, info, send @NAME, inbox shows the group; errors exit 2 naming what is wrong', async (t) => {
  const root = await tempRoot(t)
  const A = ['--data-dir', join(root, 'alice')]
  const B = ['--data-dir', join(root, 'bob')]
  const LISTEN = ['--listen', '/ip4/127.0.0.1/tcp/0']
  const alice = JSON.parse((await cairn([...A, 'init', '--json'])).stdout) as { peerId: string }
  assert.equal((await cairn([...B, 'init'])).code, 0)
  const daemon = await startCairn<{ peerId: string, addresses: string[] }>(t, [...B, 'daemon', '--json', ...LISTEN])
  assert.equal((await cairn([...A, 'contact', 'add', 'bob', daemon.first.addresses[0] as string])).code, 0)
  assert.equal((await cairn([...B, 'contact', 'add', 'alice', alice.peerId])).code, 0)

  const created = await cairn([...A, 'group', 'create', 'pals', 'bob', '--json', ...LISTEN])
  assert.equal(created.code, 0, created.stderr)
  const g = JSON.parse(created.stdout) as { id: string, name: string, members: Array<{ peerId: string, admin: boolean }> }
  assert.equal(g.name, 'pals')
  assert.equal(g.members.length, 2)
  const sent = await cairn([...A, 'send', '@pals', 'hello pals', '--json', ...LISTEN])
  assert.equal(sent.code, 0, sent.stderr)
  assert.equal(JSON.parse(sent.stdout).route, 'direct')

  const info = JSON.parse((await cairn([...B, 'group', 'info', 'pals', '--json'])).stdout) as { id: string, me: { member: boolean, admin: boolean } }
  assert.deepEqual([info.id, info.me], [g.id, { member: true, admin: false }])
  const inbox = JSON.parse((await cairn([...B, 'inbox', '--json'])).stdout) as Array<Record<string, unknown>>
  assert.deepEqual(inbox.map(m => [m.text, m.fromName, m.group]), [['hello pals', 'alice', { id: g.id, name: 'pals' }]])
  const human = await cairn([...B, 'inbox'])
  assert.match(human.stdout, /@pals alice: hello pals/)
  assert.match((await cairn([...B, 'group', 'list'])).stdout, /pals\s+[0-9a-f]{32}\s+2 members/)

  const cases: Array<[string[], RegExp]> = [
    [[...A, 'send', '@nope', 'x', ...LISTEN], /unknown group "nope".*added you to appears once their update reaches you: run `cairn sync`/],
    [[...A, 'group', 'add', 'pals', 'zed', ...LISTEN], /unknown contact "zed"/],
    [[...B, 'group', 'add', 'pals', 'alice'], /not an admin of group "pals"/],
    [[...A, 'group', 'info', 'nope'], /unknown group "nope"/],
    [[...A, 'group', 'frobnicate'], /unknown subcommand/]
  ]
  for (const [args, message] of cases) {
    const r = await cairn(args)
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`)
    assert.match(r.stderr, message)
  }

  // chat @NAME: each line shows how many members hold it
  const chat = await cairn([...A, 'chat', '@pals', ...LISTEN], { input: 'said in chat\n' })
  assert.equal(chat.code, 0, chat.stderr)
  assert.match(chat.stdout, /^ {2}\[#[0-9a-f]{8} delivered to 1\/1, read by 0\/1\] said in chat$/m, chat.stdout)
  assert.deepEqual((JSON.parse((await cairn([...B, 'inbox', '--json'])).stdout) as Array<{ text: string }>).map(m => m.text), ['hello pals', 'said in chat'])

  // a file to the group: each member's copy, a line saying how they went; bob sees it in the group
  const { path: map } = await randomFile(root, 'map.png', 3000)
  const fileSent = await cairn([...A, 'send', '@pals', '--file', map, 'the map', ...LISTEN])
  assert.equal(fileSent.code, 0, fileSent.stderr)
  const fileId = /^map\.png sent to @pals: 1 directly, 0 in mailboxes, 0 in the outbox \(([0-9a-f]{32})\)$/m.exec(fileSent.stdout)?.[1]
  assert.ok(fileId !== undefined, fileSent.stdout)
  const withFile = JSON.parse((await cairn([...B, 'inbox', '--json'])).stdout) as Array<{ id: string, text: string, group: unknown, attachment?: { name: string, state: string } }>
  assert.deepEqual(withFile.filter(m => m.attachment !== undefined).map(m => [m.text, m.group, m.attachment?.name, m.attachment?.state]), [['the map', { id: g.id, name: 'pals' }, 'map.png', 'complete']])
  // alice's one record for it, under the id her line showed, with bob's state
  const sentList = JSON.parse((await cairn([...A, 'inbox', '--sent', '--json'])).stdout) as Array<{ id: string, group: unknown, members?: { total: number } }>
  assert.deepEqual(sentList.filter(m => m.id === fileId).map(m => [m.group, m.members?.total]), [[{ id: g.id, name: 'pals' }, 1]])
  assert.match((await cairn([...B, 'inbox'])).stdout, /@pals alice: \[file map\.png, 3000 bytes, complete; cairn save [0-9a-f]{32}\] the map/)

  // bob leaves a second group: he is no longer a member and cannot send there
  assert.equal((await cairn([...A, 'group', 'create', 'club', 'bob', ...LISTEN])).code, 0)
  await waitFor('bob learnt of club', async () => (await cairn([...B, 'group', 'list'])).stdout.includes('club'))
  const left = await cairn([...B, 'group', 'leave', 'club', '--json'])
  assert.equal(left.code, 0, left.stderr)
  const afterLeave = JSON.parse((await cairn([...B, 'group', 'info', 'club', '--json'])).stdout) as { me: { member: boolean } }
  assert.equal(afterLeave.me.member, false)
  const sendLeft = await cairn([...B, 'send', '@club', 'still here?'])
  assert.deepEqual([sendLeft.code, /you are not a member of group "club"/.test(sendLeft.stderr)], [2, true], sendLeft.stderr)

  // alice removes bob from pals: his daemon applies it, and his sends are refused by name
  const removed = await cairn([...A, 'group', 'remove', 'pals', 'bob', '--json', ...LISTEN])
  assert.equal(removed.code, 0, removed.stderr)
  assert.deepEqual((JSON.parse(removed.stdout) as { members: Array<{ peerId: string }> }).members.map(m => m.peerId), [alice.peerId])
  await waitFor('bob was told', async () => (JSON.parse((await cairn([...B, 'group', 'info', 'pals', '--json'])).stdout) as { me: { member: boolean } }).me.member === false)
  const sendRemoved = await cairn([...B, 'send', '@pals', 'let me in'])
  assert.deepEqual([sendRemoved.code, /you are not a member of group "pals"/.test(sendRemoved.stderr)], [2, true], sendRemoved.stderr)
  assert.equal(await daemon.stop('SIGTERM'), 0, daemon.stderr())
})
