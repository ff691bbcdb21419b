/** Unit: configuration layering (defaults < command < file < env < flags) and its validation. */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import test from 'node:test'
import { defaultConfig, envLayer, envName, loadConfig, resolveConfig } from '../../src/shared/config.js'
import { ConfigError } from '../../src/shared/errors.js'

test('every config key has an environment variable named after its path', () => {
  assert.equal(envName('mailbox.ttlMs'), 'CAIRN_MAILBOX_TTL_MS')
  assert.equal(envName('network.dhtK'), 'CAIRN_NETWORK_DHT_K')
  const layer = envLayer({ CAIRN_MAILBOX_REPLICAS: '5', CAIRN_NETWORK_NAT_TRAVERSAL: 'false', CAIRN_BOOTSTRAP: ' /ip4/1.2.3.4/tcp/1/p2p/x , ', PATH: '/bin' })
  assert.deepEqual(layer, { mailbox: { replicas: 5 }, network: { natTraversal: false }, bootstrap: ['/ip4/1.2.3.4/tcp/1/p2p/x'] })
})

test('a typo or a wrong type in the environment is an error naming the variable', () => {
  assert.throws(() => envLayer({ CAIRN_MAILBOX_REPLICA: '5' }), (e: unknown) => e instanceof ConfigError && e.key === 'CAIRN_MAILBOX_REPLICA')
  assert.throws(() => envLayer({ CAIRN_MAILBOX_REPLICAS: 'five' }), /must be a number/)
  assert.throws(() => envLayer({ CAIRN_NETWORK_NAT_TRAVERSAL: 'yes' }), /true or false/)
})

test('the test suite\'s, bench\'s and simulation\'s own CAIRN_* switches are not config: a `cairn` they start ignores them', () => {
  assert.deepEqual(envLayer({ CAIRN_TEST_LOG_DIR: '/tmp/logs', CAIRN_TEST_RSS_LIMIT_MB: '3072', CAIRN_BENCH_LOG_DIR: '/tmp/b', CAIRN_SIM_DIAG: '1', CAIRN_MAILBOX_REPLICAS: '3' }), { mailbox: { replicas: 3 } })
})

test('later layers win over earlier ones, key by key', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-config-'))
  t.after(() => { rmSync(dir, { recursive: true, force: true }) })
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ mailbox: { replicas: 4, pageSize: 7 }, logLevel: 'warn' }))
  const c = loadConfig({ dataDir: dir, mailbox: { replicas: 6 } }, { CAIRN_MAILBOX_PAGE_SIZE: '9' }, { mailbox: { enabled: true } })
  assert.equal(c.mailbox.replicas, 6, 'flags over file')
  assert.equal(c.mailbox.pageSize, 9, 'env over file')
  assert.equal(c.logLevel, 'warn', 'file over defaults')
  assert.equal(c.mailbox.enabled, true, 'command defaults over defaults')
  assert.equal(c.mailbox.ttlMs, defaultConfig(dir).mailbox.ttlMs, 'untouched keys keep their defaults')
})

test('resolution refuses unknown keys, wrong types, negative numbers and inconsistent limits', () => {
  const bad: Array<[object, RegExp]> = [
    [{ mailbox: { replica: 3 } }, /mailbox\.replica: unknown key/],
    [{ mailbox: { replicas: '3' } }, /must be a number/],
    [{ delivery: { retryIntervalMs: -1 } }, /must be a number >= 0/],
    [{ network: { dhtK: 2 }, mailbox: { replicas: 3 } }, /network\.dhtK/],
    [{ network: { dhtRefreshMs: 500 } }, /network\.dhtRefreshMs: must be a whole number of ms >= 1000/],
    [{ network: { dhtPathK: 0 } }, /network\.dhtPathK: must be a whole number >= 1/],
    [{ network: { maxConnections: 0 } }, /network\.maxConnections/],
    [{ listen: ['not a multiaddr'] }, /not a multiaddr/],
    [{ limits: { textBytes: 1 << 20, envelopeBytes: 1024 } }, /limits\.textBytes/],
    [{ groups: { pruneEveryMs: 1.5 } }, /groups\.pruneEveryMs/],
    [{ groups: { checkpointEvery: -1 } }, /groups\.checkpointEvery/],
    [{ delivery: { receivedPerConversation: 2.5 } }, /delivery\.receivedPerConversation: must be a whole number >= 0/],
    [{ delivery: { receivedPerConversation: -1 } }, /delivery\.receivedPerConversation/],
    [{ attachments: { downloadDir: 'Downloads' } }, /attachments\.downloadDir: must be an absolute path \(or empty: no downloads\), got "Downloads"/]
  ]
  for (const [layer, message] of bad) assert.throws(() => resolveConfig([{ dataDir: '/tmp/x' }, layer as never]), message)
})
