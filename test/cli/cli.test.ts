import assert from 'node:assert/strict'
import { statSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { cairn, startCairn } from '../helpers/cli.js'
import { tempRoot } from '../helpers/users.js'

test('a new user: init, contact add, send, inbox, through the real binary (and a daemon)', async (t) => {
  const root = await tempRoot(t)
  const A = ['--data-dir', join(root, 'alice')]
  const B = ['--data-dir', join(root, 'bob')]

  const initA = await cairn([...A, 'init', '--json'])
  assert.equal(initA.code, 0, initA.stderr)
  const alice = JSON.parse(initA.stdout) as { peerId: string, dataDir: string }
  assert.match(alice.peerId, /^12D3KooW/)
  assert.equal(alice.dataDir, join(root, 'alice'))
  assert.equal(statSync(join(root, 'alice')).mode & 0o777, 0o700)
  assert.equal(statSync(join(root, 'alice', 'peer.key')).mode & 0o777, 0o600)
  assert.equal(statSync(join(root, 'alice', 'signal-identity.key')).mode & 0o777, 0o600)
  const again = await cairn([...A, 'init'])
  assert.equal(again.code, 1)
  assert.match(again.stderr, /already exists/)
  assert.equal((await cairn([...B, 'init'])).code, 0)

  const daemon = await startCairn<{ peerId: string, addresses: string[] }>(t, [...B, 'daemon', '--json', '--listen', '/ip4/127.0.0.1/tcp/0'])
  const bobAddr = daemon.first.addresses[0] as string
  assert.match(bobAddr, /\/p2p\/12D3KooW/)
  const id = JSON.parse((await cairn([...B, 'id', '--json'])).stdout) as { peerId: string, addresses: string[], fingerprint: string }
  assert.equal(id.peerId, daemon.first.peerId)
  assert.deepEqual(id.addresses, daemon.first.addresses, 'id goes through the daemon')

  assert.equal((await cairn([...A, 'contact', 'add', 'bob', bobAddr])).code, 0)
  assert.equal((await cairn([...B, 'contact', 'add', 'alice', alice.peerId])).code, 0)
  const listed = JSON.parse((await cairn([...A, 'contact', 'list', '--json'])).stdout) as Array<{ name: string, trust: string }>
  assert.deepEqual(listed.map(c => [c.name, c.trust]), [['bob', 'new']])

  const sent = await cairn([...A, 'send', 'bob', 'hello from the CLI', '--json', '--listen', '/ip4/127.0.0.1/tcp/0'])
  assert.equal(sent.code, 0, sent.stderr)
  const r = JSON.parse(sent.stdout) as { id: string, route: string, replicas: number }
  assert.equal(r.route, 'direct')
  const piped = await cairn([...A, 'send', 'bob', '--json', '--listen', '/ip4/127.0.0.1/tcp/0'], { input: 'second line, from stdin\n' })
  assert.equal(JSON.parse(piped.stdout).route, 'direct', piped.stderr)

  const inbox = JSON.parse((await cairn([...B, 'inbox', '--json'])).stdout) as Array<Record<string, unknown>>
  assert.deepEqual(inbox.map(m => [m.text, m.fromName, m.from, m.route]), [
    ['hello from the CLI', 'alice', alice.peerId, 'direct'],
    ['second line, from stdin', 'alice', alice.peerId, 'direct']
  ])
  assert.equal(inbox[0]?.id, r.id)
  for (const key of ['id', 'from', 'fromName', 'text', 'sentAt', 'receivedAt', 'route']) assert.ok(key in (inbox[0] ?? {}), key)

  // the daemon stops cleanly on SIGTERM; the store it owned is then usable directly
  assert.equal(await daemon.stop('SIGTERM'), 0, daemon.stderr())
  assert.equal(JSON.parse((await cairn([...B, 'inbox', '--json'])).stdout).length, 2)
  const v = await cairn([...B, 'contact', 'verify', 'alice'])
  assert.match(v.stdout, /(\d{5} ){11}\d{5}/)

  // alice is offline now (no process): bob's reply waits in bob's outbox
  const reply = await cairn([...B, 'send', 'alice', 'are you there?', '--json', '--listen', '/ip4/127.0.0.1/tcp/0'])
  const kept = JSON.parse(reply.stdout) as { id: string, route: string, waiting?: string }
  assert.equal(kept.route, 'outbox', reply.stderr)
  // and says why: bob has a session with alice, so it is sealed; no route took it
  assert.equal(kept.waiting, 'route')
  const bobSent = JSON.parse((await cairn([...B, 'inbox', '--sent', '--json'])).stdout) as Array<{ id: string, outgoing?: true, state?: string, waiting?: string | null }>
  assert.deepEqual(bobSent.filter(m => m.outgoing === true).map(m => [m.id === kept.id, m.state, m.waiting]), [[true, 'queued', 'route']])

  // a contact who never published a prekey bundle: nothing to start a session with, and it says so
  const carol = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
  assert.equal((await cairn([...A, 'contact', 'add', 'carol', carol])).code, 0)
  const toCarol = await cairn([...A, 'send', 'carol', 'hi carol', '--listen', '/ip4/127.0.0.1/tcp/0'])
  assert.equal(toCarol.code, 0, toCarol.stderr)
  assert.match(toCarol.stdout, /^no keys for carol yet: .*kept in the outbox/)
  assert.match((await cairn([...A, 'inbox', '--sent'])).stdout, /you → carol \(queued, waiting for their keys\): hi carol/)
  const status = JSON.parse((await cairn([...A, 'status', '--json'])).stdout) as { outbox: number, outboxWaiting: unknown }
  assert.deepEqual([status.outbox, status.outboxWaiting], [1, { keys: 1, identity: 0, route: 0 }])
})

test('bad usage and bad input exit 2 with one clear line', async (t) => {
  const root = await tempRoot(t)
  const A = ['--data-dir', join(root, 'alice')]
  assert.equal((await cairn([...A, 'init'])).code, 0)
  const cases: Array<[string[], RegExp]> = [
    [['send', 'nobody', 'hi'], /unknown contact "nobody"/],
    [['send', '12D3KooWthisIsNotAValidPeerIdAtAll', 'hi'], /malformed PeerId/],
    [['contact', 'add', 'carol', 'garbage'], /malformed PeerId/],
    [['contact', 'add', 'carol', '/ip4/1.2.3.4/tcp/1'], /no \/p2p\//],
    [['contact', 'frobnicate'], /unknown subcommand/],
    [['send'], /missing TO/],
    [['send', 'x', 'y', '--no-such-flag'], /Unknown option '--no-such-flag'/],
    [['--bootstrap', '/not/a/multiaddr', 'inbox'], /config bootstrap/],
    [['frobnicate'], /unknown command/]
  ]
  for (const [args, pattern] of cases) {
    const r = await cairn([...A, ...args])
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`)
    assert.match(r.stderr, pattern)
    assert.ok(!r.stderr.includes('    at '), 'no stack trace')
    assert.equal(r.stdout, '')
  }
  const noId = await cairn(['--data-dir', join(root, 'nobody'), 'inbox'])
  assert.equal(noId.code, 1)
  assert.match(noId.stderr, /cairn init/)
})

test('cairn demo exits 0 and shows the exchange', async () => {
  const r = await cairn(['demo'])
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, /alice -> bob .*"route":"direct"/)
  assert.match(r.stdout, /bob decrypted it .*Hi Bob/)
  // a group of three with one member offline: she collects both members' messages once each
  // a file sent while bob was away waits at his replicas; he saves it byte-exact when back
  assert.match(r.stdout, /alice -> bob a 600 KiB file while bob is offline.*"route":"mailbox"/)
  assert.match(r.stdout, /bob saved it: fetched from the replicas.*"size":614400,"sameBytes":true/)
  assert.match(r.stdout, /carol came back and synced .*"received":3.*"@hikers alice: Hike on Saturday\? \[mailbox\]","@hikers bob: I am in! \[mailbox\]","@hikers alice: \[trail-map\.png\] The trail map \[mailbox\]"\]/)
  // the group's file: carol's own copy, from her replicas, byte-exact
  assert.match(r.stdout, /carol saved the group file.*"size":204800,"sameBytes":true/)
  assert.match(r.stdout, /demo complete/)
})
