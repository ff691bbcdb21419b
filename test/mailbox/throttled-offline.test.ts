/**
 * The offline flow with the recipient on half a core (issue 12: "no deadline cuts off progress").
 * Alice sends a burst to Bob while he is away; Bob's `cairn sync` then runs as a child process in a
 * cgroup with a CPU quota of 50 ms every 100 ms, and must collect every message in that one sync.
 * Needs root for the cgroup; skipped, with the reason, otherwise.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { test } from 'node:test'
import { CAIRN } from '../helpers/cli.js'
import { halfCore } from '../helpers/cpu-throttle.js'
import { mailboxNetwork } from '../helpers/network.js'
import { makeUser, tempRoot } from '../helpers/users.js'

const N = 400

test(`offline flow with the recipient throttled to half a core: one sync collects all ${N}`, async (t) => {
  const throttle = halfCore()
  if (typeof throttle === 'string') { t.skip(`not throttled: ${throttle}`); return }
  t.after(() => { throttle.remove() })
  t.diagnostic(`recipient throttled by ${throttle.kind} at ${throttle.dir}`)

  const root = await tempRoot(t)
  const overrides = { mailbox: { replicas: 3 } }
  // a burst of N from one sender is over the per-sender deposit budget (200): raised, as in the bench
  const net = await mailboxNetwork(t, root, 5, { overrides: { mailbox: { replicas: 3, depositBurst: 10_000, depositsPerMinute: 10_000 } } })
  const bob = await makeUser(t, root, 'bob', { overrides: { bootstrap: net.bootstrap, ...overrides } })
  await bob.client.publishBundles()
  const alice = await makeUser(t, root, 'alice', { overrides: { bootstrap: net.bootstrap, ...overrides } })
  await bob.client.contactAdd('alice', alice.peerId) // a stranger's burst would meet the daily cap
  await bob.stop()
  await alice.client.contactAdd('bob', bob.peerId)
  const sent = await alice.client.messenger.sendMany('bob', Array.from({ length: N }, (_, i) => `slow device ${i}`))
  assert.ok(sent.every(r => r.route === 'mailbox'), `every message deposited: ${sent.filter(r => r.route !== 'mailbox').length} not: ${(await alice.client.messenger.pending())[0]?.lastError}`)

  const args = [process.execPath, CAIRN, '--data-dir', bob.config.dataDir, '--listen', '/ip4/127.0.0.1/tcp/0', '--json', 'sync']
  const [cmd, argv] = throttle.wrap(args)
  const child = spawn(cmd, argv, { env: { ...process.env, CAIRN_LOG_LEVEL: 'info', CAIRN_BOOTSTRAP: net.bootstrap.join(','), CAIRN_MAILBOX_REPLICAS: '3', CAIRN_MAILBOX_REPLICAS_PER_SUBNET: '0', CAIRN_NETWORK_ALLOW_PRIVATE_ADDRESSES: 'true' }, stdio: 'pipe' })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => { stdout += c.toString() })
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
  child.stdin.end()
  const timer = setTimeout(() => child.kill('SIGKILL'), 240_000)
  const started = Date.now()
  const code = await new Promise<number | null>(resolve => child.on('close', resolve))
  clearTimeout(timer)
  t.diagnostic(`throttled sync took ${Date.now() - started} ms`)
  assert.equal(code, 0, `cairn sync exited ${code}: ${stderr}`)
  const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { received?: number }
  assert.equal(result.received, N, `one sync collects all ${N} (stdout: ${stdout}; stderr: ${stderr.split('\n').slice(-30).join('\n')})`)

  await bob.restart({ bootstrap: net.bootstrap, ...overrides })
  const inbox = await bob.client.inbox()
  assert.deepEqual(inbox.map(m => m.text), Array.from({ length: N }, (_, i) => `slow device ${i}`))
})
