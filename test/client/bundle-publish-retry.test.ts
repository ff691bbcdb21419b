import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { cairn, startCairn } from '../helpers/cli.js'
import { mailboxNetwork } from '../helpers/network.js'
import { makeUser, tempRoot } from '../helpers/users.js'
import { waitFor } from '../helpers/wait.js'

test('a daemon whose first bundle publish found no replica publishes again soon, so a stranger can write while it is away', async (t) => {
  const root = await tempRoot(t)
  const overrides = { mailbox: { replicas: 3 } }
  const net = await mailboxNetwork(t, root, 4, { overrides })
  // bob's only way in is a mailbox node that is down while his daemon starts: its first sync
  // (and the bundle publish after it) finds no replica
  const late = net.nodes[3]
  assert.ok(late !== undefined)
  const lateAddr = late.addresses()[0] as string
  await net.stopNode(late)

  const B = ['--data-dir', join(root, 'bob')]
  const init = await cairn([...B, 'init', '--json'])
  assert.equal(init.code, 0, init.stderr)
  const bobId = (JSON.parse(init.stdout) as { peerId: string }).peerId
  // the periodic sync (which also publishes) is an hour away: only the short publish's retry can publish in time
  const env = { CAIRN_BOOTSTRAP: lateAddr, CAIRN_MAILBOX_REPLICAS: '3', CAIRN_DELIVERY_RETRY_INTERVAL_MS: '300', CAIRN_DELIVERY_SYNC_INTERVAL_MS: String(3600_000) }
  const daemon = await startCairn(t, [...B, 'daemon', '--json', '--listen', '/ip4/127.0.0.1/tcp/0'], env)
  await new Promise(resolve => setTimeout(resolve, 1000)) // its start-up sync has failed by now
  await net.restart(late) // the network comes back

  const holders = async (): Promise<number> => (await Promise.all(net.nodes.map(async n => n.mailbox.store.getBundle(bobId)))).filter(b => b !== undefined).length
  await waitFor('bob\'s bundle at 3 replicas', async () => (await holders()) >= 3, 30_000).catch((err: Error) => { throw new Error(`${err.message}; the daemon's log: ${daemon.stderr().slice(-3000)}`) })
  assert.equal(await daemon.stop(), 0)

  // alice has never spoken to bob: her first message needs his bundle, and he is away
  const alice = await makeUser(t, root, 'alice', { overrides: { bootstrap: net.bootstrap, ...overrides } })
  await alice.client.contactAdd('bob', bobId)
  const sent = await alice.client.send('bob', 'first words, while you were away')
  assert.equal(sent.route, 'mailbox')
  assert.ok(net.held(bobId).reduce((a, b) => a + b, 0) > 0, 'the message waits at bob\'s replicas')
})
