/**
 * The operator entrypoint, started as the image starts it (the Dockerfile's ENTRYPOINT, CMD and
 * ENV, as a child process on a temp data dir): /healthz and the HEALTHCHECK command, /metrics as
 * strict Prometheus text with libp2p's and Cairn's metrics, and the cairn_* counters following a
 * real client's bundle publication, mailbox deposits, fetch and ack. Then clean exit on SIGTERM.
 */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { createServer, type AddressInfo, type Server } from 'node:net'
import { join } from 'node:path'
import { test } from 'node:test'
import { generateKeyPair, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { ensureDataDir, paths, writeSecretFile } from '../../src/shared/data-dir.js'
import { cairn } from '../helpers/cli.js'
import { makeUser, tempRoot } from '../helpers/users.js'
import { containerLaunch, parsePrometheus, REPO, runHealthcheck, startOperator } from './container.js'

async function scrape (base: string): Promise<Map<string, number>> {
  const res = await fetch(`${base}/metrics`)
  assert.equal(res.status, 200)
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/)
  return parsePrometheus(await res.text())
}


test('the container entrypoint serves /healthz and Prometheus /metrics, and cairn_* counters follow deposits and fetches', async (t) => {
  const root = await tempRoot(t, 'cairn-op-')
  const started = Date.now()
  const op = await startOperator(t, join(root, 'node'))
  t.diagnostic(`operator up in ${Date.now() - started} ms`)
  assert.match(op.metrics, /^http:\/\/127\.0\.0\.1:\d+$/, 'the start line names the metrics endpoint')

  const health = await fetch(`${op.metrics}/healthz`)
  assert.equal(health.status, 200)
  assert.deepEqual(await health.json(), { ready: true, checks: { running: true, store: true, listening: true } })
  const hc = await runHealthcheck(op.env)
  assert.equal(hc.code, 0, `the HEALTHCHECK command passes: ${hc.stderr}`)
  assert.equal((await fetch(`${op.metrics}/nope`)).status, 404)
  assert.equal((await fetch(`${op.metrics}/metrics`, { method: 'POST' })).status, 405)

  const before = await scrape(op.metrics)
  for (const name of ['libp2p_kad_dht_routing_table_size', 'libp2p_transport_manager_listeners', 'nodejs_memory_usage_bytes{memory="rss"}', 'process_cpu_user_seconds_total']) {
    assert.ok(before.has(name), `libp2p and process metrics are there: ${name}`)
  }
  // every series the Grafana dashboard plots is one the node really exports
  const dashboard = readFileSync(`${REPO}deploy/grafana/dashboards/cairn-mailbox.json`, 'utf8')
  const exported = new Set([...before.keys()].map(k => k.split('{')[0]))
  for (const name of new Set(dashboard.match(/\b(?:cairn|libp2p|nodejs|process)_[a-z0-9_]+/g))) assert.ok(exported.has(name), `the dashboard's ${name} is exported`)
  assert.equal(before.get('cairn_ready'), 1)
  assert.equal(before.get('cairn_deposits_total{result="stored"}'), 0)
  assert.equal(before.get('cairn_rejections_total{reason="quota-exceeded"}'), 0, 'every rejection reason exists at 0')
  assert.equal(before.get('cairn_relay_reservations'), 0)
  assert.ok([...before.keys()].some(k => k.startsWith(`cairn_info{peer_id="${op.peerId}"`)))

  // bob publishes his bundle, goes offline; alice starts a session from it and writes to the mailbox
  const overrides = { bootstrap: [op.address] }
  const bob = await makeUser(t, root, 'bob', { overrides })
  assert.equal((await bob.client.publishBundles()).published, 1)
  await bob.stop()
  const alice = await makeUser(t, root, 'alice', { overrides })
  await alice.client.contactAdd('bob', bob.peerId)
  const N = 3
  for (let i = 0; i < N; i++) assert.equal((await alice.client.send('bob', `waiting ${i}`)).route, 'mailbox')
  const stored = await scrape(op.metrics)
  assert.equal(stored.get('cairn_deposits_total{result="stored"}'), N)
  assert.equal(stored.get('cairn_envelopes_stored'), N)
  assert.equal(stored.get('cairn_recipients'), 1)
  assert.ok((stored.get('cairn_envelope_bytes_stored') ?? 0) > 0)
  assert.equal(stored.get('cairn_deposit_bytes_total'), stored.get('cairn_envelope_bytes_stored'))
  assert.ok((stored.get('cairn_bundles_stored_total') ?? 0) >= 1, 'bob published his bundle')
  assert.equal(stored.get('cairn_bundles_held'), 1)
  assert.ok((stored.get('cairn_bundles_taken_total') ?? 0) >= 1, 'alice took bob\'s bundle')
  assert.ok((stored.get('cairn_one_time_prekeys_handed_out_total') ?? 0) >= 1)

  // bob comes back and collects: a fetch, then an ack that deletes what he got
  await bob.restart(overrides)
  assert.equal((await bob.client.sync()).received, N)
  await bob.client.syncSettled() // the acks are answered in the sync's tail
  const fetched = await scrape(op.metrics)
  assert.ok((fetched.get('cairn_fetches_total{result="ok"}') ?? 0) >= 1)
  assert.equal(fetched.get('cairn_envelopes_fetched_total'), N)
  assert.ok((fetched.get('cairn_acks_total{result="ok"}') ?? 0) >= 1)
  assert.equal(fetched.get('cairn_envelopes_acked_total'), N)
  assert.equal(fetched.get('cairn_envelopes_stored'), 0)
  assert.equal(fetched.get('cairn_envelope_bytes_stored'), 0)

  // deploy/README.md: every dir in the data dir 0700, every file 0600 (LevelDB's too: umask 077)
  const dataDir = op.env.CAIRN_DATA_DIR as string
  for (const entry of ['', ...readdirSync(dataDir, { recursive: true }).map(String)]) {
    const st = statSync(join(dataDir, entry))
    assert.equal(st.mode & 0o777, st.isDirectory() ? 0o700 : 0o600, `${entry === '' ? 'the data dir' : entry}: mode ${(st.mode & 0o777).toString(8)}`)
  }
  assert.equal(await op.stop('SIGTERM'), 0, `clean exit on SIGTERM; stderr: ${op.stderr()}`)
  await assert.rejects(fetch(`${op.metrics}/healthz`), 'the endpoint is gone with the process')
})

test('the metrics endpoint is on loopback unless configured otherwise, off when disabled, and a taken port stops the start', async (t) => {
  const root = await tempRoot(t, 'cairn-op-')
  const launch = containerLaunch()
  assert.equal(launch.env.CAIRN_METRICS_HOST, '0.0.0.0', 'the image serves it on its own network interface')
  const local = await startOperator(t, join(root, 'a'), { CAIRN_METRICS_HOST: '' })
  assert.match(local.metrics, /^http:\/\/127\.0\.0\.1:/, 'an empty CAIRN_METRICS_HOST falls back to the loopback default')
  const off = await startOperator(t, join(root, 'b'), { CAIRN_METRICS_ENABLED: 'false' })
  assert.equal(off.metrics, '', 'no endpoint when metrics are off')
  assert.equal(await local.stop(), 0)
  assert.equal(await off.stop(), 0)
  // a port someone else holds: the node does not start half-watched (exit 1, the port named)
  const taken = await new Promise<Server>(resolve => { const s = createServer().listen(0, '127.0.0.1', () => { resolve(s) }) })
  t.after(() => { taken.close() })
  const port = String((taken.address() as AddressInfo).port)
  const busy = await cairn(launch.args, { env: { ...launch.env, CAIRN_DATA_DIR: join(root, 'c'), CAIRN_LISTEN: '/ip4/127.0.0.1/tcp/0', CAIRN_METRICS_HOST: '127.0.0.1', CAIRN_METRICS_PORT: port } })
  assert.equal(busy.code, 1, busy.stderr)
  assert.match(busy.stderr, new RegExp(`metrics endpoint 127\\.0\\.0\\.1:${port}: the port is in use`))
})

test('nodes join by DNS name from one shared bootstrap list that names themselves too (the compose and k8s set-ups)', async (t) => {
  const root = await tempRoot(t, 'cairn-op-')
  const first = await startOperator(t, join(root, 'a'))
  // a fixed key seeded before the first start, as compose/seed-peer-key.sh does
  const key = await generateKeyPair('Ed25519')
  const dataDir = join(root, 'b')
  ensureDataDir(dataDir)
  writeSecretFile(paths.peerKey(dataDir), privateKeyToProtobuf(key))
  const byName = (addr: string, peerId: string): string => `/dns4/localhost/tcp/${addr.split('/tcp/')[1]?.split('/')[0]}/p2p/${peerId}`
  const selfAddr = `/dns4/localhost/tcp/1/p2p/${peerIdFromPrivateKey(key).toString()}`
  const second = await startOperator(t, dataDir, { CAIRN_BOOTSTRAP: [byName(first.address, first.peerId), selfAddr].join(',') })
  assert.equal(second.peerId, peerIdFromPrivateKey(key).toString(), 'the seeded key is the node\'s identity')
  const metrics = await scrape(second.metrics)
  assert.ok((metrics.get('libp2p_kad_dht_routing_table_size') ?? 0) >= 1, 'joined the DHT through the DNS address')
  assert.doesNotMatch(second.stderr(), /bootstrap peer unreachable/, 'its own entry is skipped, not dialled')
  assert.equal(await second.stop(), 0)
  assert.equal(await first.stop(), 0)
})
