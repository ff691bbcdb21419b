/**
 * Operator configuration through the real binary with the image's environment: --print-config
 * shows the layers resolved (defaults < config.json < CAIRN_* < flags), and every kind of bad
 * configuration stops the node before it starts, with exit code 2 and the offending key named.
 */
import assert from 'node:assert/strict'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { cairn } from '../helpers/cli.js'
import { tempRoot } from '../helpers/users.js'
import { containerLaunch } from './container.js'

test('--print-config prints the resolved configuration as JSON and exits 0', async (t) => {
  const dataDir = await tempRoot(t, 'cairn-op-config-')
  await writeFile(join(dataDir, 'config.json'), JSON.stringify({ mailbox: { replicas: 3, ttlMs: 1000 }, announce: ['/dns4/mbx.example.org/tcp/4001'] }))
  const launch = containerLaunch()
  const env = { ...launch.env, CAIRN_DATA_DIR: dataDir, CAIRN_MAILBOX_TTL_MS: '2000', CAIRN_MAILBOX_DEPOSIT_BURST: '7' }
  const run = await cairn([...launch.args, '--print-config', '--listen', '/ip4/127.0.0.1/tcp/5001'], { env })
  assert.equal(run.code, 0, run.stderr)
  const config = JSON.parse(run.stdout) as Record<string, any>
  assert.equal(config.dataDir, dataDir)
  assert.equal(config.mailbox.enabled, true, 'a mailbox node serves the mailbox')
  assert.equal(config.mailbox.replicas, 3, 'from config.json')
  assert.equal(config.mailbox.ttlMs, 2000, 'the environment beats config.json')
  assert.equal(config.mailbox.depositBurst, 7)
  assert.deepEqual(config.listen, ['/ip4/127.0.0.1/tcp/5001'], 'flags beat the environment')
  assert.deepEqual(config.announce, ['/dns4/mbx.example.org/tcp/4001'])
  assert.deepEqual(config.metrics, { enabled: true, host: '0.0.0.0', port: 9464 }, 'the image\'s metrics endpoint')
  assert.equal(config.relay.enabled, true, 'the image runs a relay')
  const flagged = await cairn(['mailbox', '--print-config', '--metrics-port', '9100'], { env: { CAIRN_DATA_DIR: dataDir } })
  assert.equal(flagged.code, 0, flagged.stderr)
  const bare = JSON.parse(flagged.stdout) as Record<string, any>
  assert.deepEqual(bare.metrics, { enabled: true, host: '127.0.0.1', port: 9100 }, '--metrics-port turns metrics on, on loopback')
  assert.equal(bare.relay.enabled, true, 'a mailbox node relays by default, without the image\'s environment')
  assert.equal(bare.network.allowPrivateAddresses, false, 'a mailbox node hands out no private or loopback addresses by default')
  const noRelay = await cairn(['mailbox', '--print-config'], { env: { CAIRN_DATA_DIR: dataDir, CAIRN_RELAY_ENABLED: 'false' } })
  assert.equal(noRelay.code, 0, noRelay.stderr)
  assert.equal((JSON.parse(noRelay.stdout) as Record<string, any>).relay.enabled, false, 'CAIRN_RELAY_ENABLED=false turns the relay off')
})

test('bad configuration fails at start with exit code 2 and names the key', async (t) => {
  const root = await tempRoot(t, 'cairn-op-config-')
  const launch = containerLaunch()
  const cases: Array<{ what: string, key: string, file?: unknown, env?: Record<string, string>, args?: string[] }> = [
    { what: 'unknown key in config.json', key: 'mailbox.maxEnvelopes', file: { mailbox: { maxEnvelopes: 10 } } },
    { what: 'unknown top-level key in config.json', key: 'mailboxes', file: { mailboxes: {} } },
    { what: 'negative quota in config.json', key: 'mailbox.maxBytesPerRecipient', file: { mailbox: { maxBytesPerRecipient: -1 } } },
    { what: 'negative quota in the environment', key: 'mailbox.maxEnvelopesPerRecipient', env: { CAIRN_MAILBOX_MAX_ENVELOPES_PER_RECIPIENT: '-5' } },
    { what: 'wrong type in config.json', key: 'mailbox.replicas', file: { mailbox: { replicas: 'five' } } },
    { what: 'bad listen multiaddr', key: 'listen', env: { CAIRN_LISTEN: '/ip4/0.0.0.0/tcp/4001,/ip4/not-an-ip/tcp/4002' } },
    { what: 'bad announce multiaddr', key: 'announce', env: { CAIRN_ANNOUNCE: 'mbx.example.org:4001' } },
    { what: 'bootstrap peer without a peer id', key: 'bootstrap', env: { CAIRN_BOOTSTRAP: '/dns4/mbx1/tcp/4001' } },
    { what: 'a typo in a CAIRN_ variable', key: 'CAIRN_MAILBOX_TTL', env: { CAIRN_MAILBOX_TTL: '1000' } },
    { what: 'not a number', key: 'CAIRN_MAILBOX_DRAIN_TIMEOUT_MS', env: { CAIRN_MAILBOX_DRAIN_TIMEOUT_MS: 'soon' } },
    { what: 'metrics port out of range', key: 'metrics.port', env: { CAIRN_METRICS_PORT: '70000' } },
    { what: 'bad --metrics-port', key: 'metrics.port', args: ['--metrics-port', 'http'] },
    { what: 'unknown log level', key: 'logLevel', env: { CAIRN_LOG_LEVEL: 'loud' } },
    { what: 'config.json that is not JSON', key: 'config.json', file: '{ "mailbox": ' }
  ]
  await Promise.all(cases.map(async (c, i) => {
    const dataDir = join(root, String(i))
    await mkdir(dataDir)
    if (c.file !== undefined) await writeFile(join(dataDir, 'config.json'), typeof c.file === 'string' ? c.file : JSON.stringify(c.file))
    const run = await cairn([...launch.args, ...(c.args ?? [])], { env: { ...launch.env, CAIRN_DATA_DIR: dataDir, CAIRN_LISTEN: '/ip4/127.0.0.1/tcp/0', ...c.env } })
    assert.equal(run.code, 2, `${c.what}: exit 2, got ${run.code}; stderr: ${run.stderr}`)
    assert.ok(run.stderr.includes(c.key), `${c.what}: the message names ${c.key}: ${run.stderr}`)
    assert.equal(run.stdout, '', `${c.what}: nothing on stdout`)
    assert.equal(run.stderr.trim().split('\n').length, 1, `${c.what}: one line, no stack trace: ${run.stderr}`)
  }))
})
