import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { cairn, cairnOnTty, startCairn } from '../helpers/cli.js'
import { tempRoot } from '../helpers/users.js'

test('three `cairn mailbox` processes; A sends while B has no process; B syncs and reads it', async (t) => {
  const root = await tempRoot(t)
  const loopback = ['--listen', '/ip4/127.0.0.1/tcp/0']
  // a network on loopback: the mailbox nodes must keep loopback addresses in their DHT
  const lan = { CAIRN_NETWORK_ALLOW_PRIVATE_ADDRESSES: 'true' }
  const first = await startCairn<{ peerId: string, addresses: string[] }>(t, ['--data-dir', join(root, 'm0'), 'mailbox', '--json', ...loopback], lan)
  assert.match(first.first.peerId, /^12D3KooW/)
  const boot = first.first.addresses[0] as string
  const others = await Promise.all([1, 2].map(async i => startCairn<{ peerId: string, addresses: string[] }>(t, ['--data-dir', join(root, `m${i}`), 'mailbox', '--json', ...loopback, '--bootstrap', boot], lan)))
  const env = { CAIRN_BOOTSTRAP: [boot, ...others.map(o => o.first.addresses[0] as string)].join(','), CAIRN_MAILBOX_REPLICAS: '3' }
  const A = ['--data-dir', join(root, 'alice'), ...loopback]
  const B = ['--data-dir', join(root, 'bob'), ...loopback]
  assert.equal((await cairn([...A, 'init'])).code, 0)
  const bob = JSON.parse((await cairn([...B, 'init', '--json'])).stdout) as { peerId: string }
  // bob comes online once, publishing his prekey bundle to his mailbox replicas, then leaves
  const first_ = await cairn([...B, 'sync', '--json'], { env })
  assert.equal(first_.code, 0, first_.stderr)

  assert.equal((await cairn([...A, 'contact', 'add', 'bob', bob.peerId], { env })).code, 0)
  const sent = await cairn([...A, 'send', 'bob', 'see you when you are back', '--json'], { env })
  assert.equal(sent.code, 0, sent.stderr)
  for (const stderr of [sent.stderr, first_.stderr]) {
    assert.ok(!stderr.includes('\u001b[2K') && !stderr.includes('finding your mailboxes'), `no progress line when stderr is not a terminal: ${stderr}`)
  }
  const r = JSON.parse(sent.stdout) as { route: string, replicas: number }
  assert.equal(r.route, 'mailbox')
  assert.equal(r.replicas, 3)

  // bob at a terminal: a progress line says what the sync is doing, then the result
  const tty = await cairnOnTty([...B, 'sync'], { env: { ...env, CAIRN_LOG_LEVEL: 'info' } })
  if (tty === undefined) t.diagnostic('skipped the terminal check: util-linux `script` is not installed')
  else {
    assert.equal(tty.code, 0, tty.output)
    assert.match(tty.output, /connecting to 3 bootstrap peers…/)
    assert.match(tty.output, /collecting from \d+ mailbox(es)?: 1 new message/)
    assert.match(tty.output, /received 1, sent 0/)
    // log records (info here) go above the status line, each on a line of its own
    const records = [...tty.output.matchAll(/\{"level":/g)].map(m => m.index)
    assert.ok(records.length > 0, 'info logs were written')
    for (const i of records) assert.ok(tty.output[i - 1] === '\n' || tty.output.slice(i - 4, i) === '\u001b[2K', `a log record starts mid-line: ${JSON.stringify(tty.output.slice(Math.max(0, i - 40), i + 20))}`)
  }
  const inbox = JSON.parse((await cairn([...B, 'inbox', '--json'])).stdout) as Array<{ text: string, route: string, fromName: string | null }>
  assert.deepEqual(inbox.map(m => [m.text, m.route]), [['see you when you are back', 'mailbox']])

  // operator nodes stop cleanly on SIGTERM
  for (const node of [first, ...others]) assert.equal(await node.stop('SIGTERM'), 0, node.stderr())
})
