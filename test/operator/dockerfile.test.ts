/**
 * The image and deploy/ without a container engine: every path the Dockerfile, compose, the
 * systemd unit and Kubernetes refer to exists in this checkout or its build output, ports agree
 * with the listen addresses, every CAIRN_* variable they set is a real setting with a valid value,
 * the YAML and JSON parse, and deploy/README.md documents every setting and every cairn_* metric.
 */
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { test } from 'node:test'
import { privateKeyFromProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { Registry } from 'prom-client'
import { parseAllDocuments, parse as parseYaml } from 'yaml'
import { MailboxMetrics } from '../../src/mailbox/metrics.js'
import { registerCairnMetrics } from '../../src/mailbox/prometheus.js'
import { defaultConfig, envLayer, envName, resolveConfig } from '../../src/shared/config.js'
import { containerLaunch, finalStage, inRepo, parseDockerfile, REPO, type Instruction } from './container.js'

const read = (path: string): string => readFileSync(REPO + path, 'utf8')
const dockerfile = parseDockerfile(read('Dockerfile'))
const stages = dockerfile.reduce<Instruction[][]>((acc, i) => { if (i.cmd === 'FROM') acc.push([]); acc.at(-1)?.push(i); return acc }, [])
const final = finalStage(dockerfile)
const launch = containerLaunch()

/** CAIRN_* settings are valid names with valid values (envLayer and resolveConfig throw otherwise). */
function assertSettings (env: Record<string, string>, where: string): void {
  const cairnOnly = Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('CAIRN_')))
  assert.doesNotThrow(() => resolveConfig([envLayer(cairnOnly)]), `${where}: ${JSON.stringify(cairnOnly)}`)
}

const portOf = (addr: string): number => Number(multiaddr(addr).getComponents().find(c => c.name === 'tcp')?.value)

test('Dockerfile: two Debian-slim Node 24 stages, the base a build argument; every COPY source is in the build context', () => {
  assert.equal(stages.length, 2)
  // a `# syntax=` directive makes BuildKit pull a frontend image: no registry, no build
  assert.doesNotMatch(read('Dockerfile'), /^#\s*syntax\s*=/im, 'no parser directive that needs a registry')
  assert.ok(stages.every(s => /^\$\{NODE_IMAGE\}/.test((s[0] as Instruction).args)), 'both stages FROM ${NODE_IMAGE}, so a local base can stand in')
  const args = Object.fromEntries(dockerfile.filter(i => i.cmd === 'ARG').map(i => i.args.split('=') as [string, string]))
  for (const stage of stages) {
    const image = (stage[0] as Instruction).args.split(/\s+/)[0]?.replace(/^\$\{(\w+)\}$/, (_, a: string) => args[a] ?? '')
    assert.match(image ?? '', /^node:24-bookworm-slim$/, 'glibc (libsignal has no musl build), Node 24')
  }
  const allowed = read('.dockerignore').split('\n').filter(l => l.startsWith('!')).map(l => l.slice(1).replace(/\/$/, ''))
  for (const copy of dockerfile.filter(i => i.cmd === 'COPY' && !i.args.startsWith('--from'))) {
    const sources = copy.args.split(/\s+/).slice(0, -1)
    for (const src of sources) {
      const path = src.replace(/\/$/, '')
      assert.ok(existsSync(REPO + path), `COPY ${src} (line ${copy.line}) exists`)
      assert.ok(allowed.includes(path), `.dockerignore lets ${src} into the context`)
    }
  }
})

test('Dockerfile: the builder runs npm ci after its inputs are copied; the final stage installs runtime deps and applies the patches', () => {
  const build = stages[0] as Instruction[]
  const ci = build.findIndex(i => i.cmd === 'RUN' && /\bnpm ci\b/.test(i.args))
  assert.ok(ci > 0, 'the builder runs npm ci')
  const copied = build.slice(0, ci).filter(i => i.cmd === 'COPY').flatMap(i => i.args.split(/\s+/).slice(0, -1))
  for (const needed of ['package.json', 'package-lock.json', 'tsconfig.json', 'patches/', 'src/', 'proto/', 'scripts/']) assert.ok(copied.includes(needed), `${needed} is there before npm ci (postinstall patches, prepare builds and bundles)`)
  const run = final.filter(i => i.cmd === 'RUN').map(i => i.args).join('\n')
  assert.match(run, /npm ci --omit=dev/)
  assert.match(run, /patch-package\/index\.js --error-on-fail/, 'the libp2p patches are applied in the image')
  assert.match(run, /npm cache clean/)
  for (const dir of readdirSync(REPO + 'patches').filter(f => f.endsWith('.patch'))) assert.ok(statSync(REPO + 'patches/' + dir).size > 0)
  assert.ok(final.some(i => i.cmd === 'COPY' && /^patches\/ patches\/$/.test(i.args)), 'patches/ is copied into the final stage too')
})

test('Dockerfile: the entrypoint runs the built CLI under tini as a non-root user, with /data as a volume', () => {
  assert.deepEqual(launch.argv.slice(0, 3), ['/usr/bin/tini', '--', 'node'], 'tini is PID 1 and forwards signals')
  assert.match(final.filter(i => i.cmd === 'RUN').map(i => i.args).join('\n'), /apt-get install -y --no-install-recommends tini/)
  assert.deepEqual(launch.args, ['mailbox', '--json'])
  const script = inRepo(launch.script, launch.workdir)
  assert.ok(existsSync(script), `${launch.script} is in the build output (${script})`)
  assert.ok(readFileSync(script, 'utf8').startsWith('#!/usr/bin/env node'), 'runnable as `cairn` through the symlink')
  const pkg = JSON.parse(read('package.json')) as { type: string, bin: { cairn: string } }
  assert.equal(pkg.type, 'module', 'dist/ is ESM: package.json must sit beside it in the image')
  assert.equal(`${launch.workdir}/${pkg.bin.cairn}`, launch.script, 'the entrypoint is the package\'s cairn binary')
  for (const copy of final.filter(i => i.cmd === 'COPY' && i.args.startsWith('--from=build'))) {
    const [, src] = copy.args.split(/\s+/) as [string, string]
    assert.ok(existsSync(inRepo(src, '/app')), `COPY --from=build ${src}: the build produces it`)
  }
  assert.ok(final.some(i => i.cmd === 'RUN' && i.args.includes(`ln -s ${launch.script} /usr/local/bin/cairn`)))
  assert.equal(final.filter(i => i.cmd === 'USER').at(-1)?.args, 'node')
  assert.equal(final.find(i => i.cmd === 'VOLUME')?.args, '["/data"]')
  assert.equal(launch.env.CAIRN_DATA_DIR, '/data')
})

test('Dockerfile: EXPOSEd ports are the listen and metrics ports; HEALTHCHECK asks /healthz; every ENV setting is valid', () => {
  const exposed = final.filter(i => i.cmd === 'EXPOSE').flatMap(i => i.args.split(/\s+/)).map(p => Number(p.replace('/tcp', ''))).sort()
  const listen = (launch.env.CAIRN_LISTEN ?? '').split(',')
  assert.ok(listen.some(a => a.endsWith('/ws')) && listen.some(a => !a.endsWith('/ws')), 'TCP and WebSockets')
  assert.deepEqual(exposed, [...listen.map(portOf), Number(launch.env.CAIRN_METRICS_PORT)].sort())
  assert.equal(launch.env.CAIRN_METRICS_HOST, '0.0.0.0', 'reachable from outside the container (publish it with care)')
  assert.deepEqual(launch.healthcheck, ['node', launch.script, 'mailbox', '--health'], 'no curl in the slim image: the CLI asks where the node serves /healthz (health-check.test)')
  assertSettings(launch.env, 'Dockerfile ENV')
})

test('deploy/docker-compose.yml: parses; three mailbox nodes bootstrap off each other by their demo keys; users; Prometheus and Grafana', () => {
  const compose = parseYaml(read('deploy/docker-compose.yml'), { merge: true }) as { services: Record<string, any> }
  const s = compose.services
  for (const name of ['mbx1', 'mbx2', 'mbx3', 'alice', 'bob', 'prometheus', 'grafana']) assert.ok(s[name] !== undefined, name)
  const peerIds = new Map(['mbx1', 'mbx2', 'mbx3'].map(n => [n, peerIdFromPrivateKey(privateKeyFromProtobuf(Buffer.from(read(`deploy/compose/keys/${n}.key.b64`).trim(), 'base64'))).toString()]))
  for (const name of peerIds.keys()) {
    const svc = s[name]
    assert.equal(svc.build.context, '..')
    assert.match(svc.build.args.NODE_IMAGE, /^\$\{NODE_IMAGE:-node:24-bookworm-slim\}$/, 'NODE_IMAGE reaches the build (a local base where no registry is)')
    assert.ok(svc.entrypoint.includes('/seed/seed-peer-key.sh') && svc.entrypoint.at(-1) === name, `${name} seeds its own key`)
    const bootstrap = (svc.environment.CAIRN_BOOTSTRAP as string).split(',')
    assert.deepEqual(bootstrap.map(a => a.split('/')[2]).sort(), [...peerIds.keys()].filter(n => n !== name), `${name} bootstraps off the other two`)
    for (const addr of bootstrap) assert.equal(addr.split('/p2p/')[1], peerIds.get(addr.split('/')[2] as string), `${addr} names the PeerId of its key`)
    assert.ok(svc.volumes.includes(`${name}:/data`))
    assertSettings({ ...launch.env, ...svc.environment }, `compose ${name}`)
  }
  for (const user of ['alice', 'bob']) {
    assert.match(s[user].entrypoint.join(' '), /cairn init; exec cairn daemon/)
    assert.equal(s[user].healthcheck.disable, true)
    assertSettings({ ...launch.env, ...s[user].environment }, `compose ${user}`)
  }
  const seed = read('deploy/compose/seed-peer-key.sh')
  assert.ok(seed.includes(`exec node ${launch.script} mailbox "$@"`), 'the seed script runs the image\'s entrypoint')
  const prometheus = parseYaml(read('deploy/prometheus.yml')) as { scrape_configs: Array<{ static_configs: Array<{ targets: string[] }> }> }
  assert.deepEqual(prometheus.scrape_configs[0]?.static_configs[0]?.targets, [...peerIds.keys()].map(n => `${n}:${launch.env.CAIRN_METRICS_PORT}`))
  for (const file of ['datasources/prometheus.yml', 'dashboards/cairn.yml']) parseYaml(read(`deploy/grafana/provisioning/${file}`))
})

test('deploy/systemd and deploy/k8s: paths and settings are real; the StatefulSet keeps a volume per node', () => {
  const unit = read('deploy/systemd/cairn-mailbox.service')
  const exec = /^ExecStart=(\S+) (\S+) (.*)$/m.exec(unit)
  assert.ok(exec !== null)
  assert.ok(existsSync(inRepo(exec[2] as string, '/opt/cairn')), `${exec[2]} is in the build output`)
  assert.equal(exec[3], 'mailbox --json')
  const unitEnv = Object.fromEntries([...unit.matchAll(/^Environment=(\w+)=(.*)$/gm)].map(m => [m[1] as string, m[2] as string]))
  const envFile = Object.fromEntries(read('deploy/systemd/mailbox.env').split('\n').filter(l => /^\w+=/.test(l)).map(l => l.split(/=(.*)/s).slice(0, 2) as [string, string]))
  assertSettings({ ...unitEnv, ...envFile }, 'systemd')

  const docs = parseAllDocuments(read('deploy/k8s/mailbox.yaml')).map(d => { assert.deepEqual(d.errors, []); return d.toJS() as Record<string, any> })
  const sts = docs.find(d => d.kind === 'StatefulSet')
  const container = sts?.spec.template.spec.containers[0]
  assert.equal(sts?.spec.volumeClaimTemplates[0].metadata.name, container.volumeMounts[0].name)
  assert.equal(container.volumeMounts[0].mountPath, '/data')
  assert.equal(sts?.spec.template.spec.securityContext.runAsUser, 1000, 'the image\'s node user')
  const exposed = final.filter(i => i.cmd === 'EXPOSE').flatMap(i => i.args.split(/\s+/)).map(p => Number(p.replace('/tcp', ''))).sort()
  assert.deepEqual(container.ports.map((p: { containerPort: number }) => p.containerPort).sort(), exposed)
  assert.equal(container.readinessProbe.httpGet.path, '/healthz')
  const configMap = docs.find(d => d.kind === 'ConfigMap')?.data as Record<string, string>
  const podEnv = Object.fromEntries(container.env.filter((e: { value?: string }) => e.value !== undefined).map((e: { name: string, value: string }) => [e.name, e.value.replaceAll('$(POD_NAME)', 'cairn-mailbox-0')]))
  assertSettings({ ...launch.env, ...configMap, ...podEnv }, 'k8s')
})

test('deploy/README.md documents every setting (its CAIRN_* name) and every cairn_* metric, and the dashboard uses only real ones', () => {
  const readme = read('deploy/README.md')
  const missing: string[] = []
  const walk = (obj: Record<string, unknown>, path: string[]): void => {
    for (const [k, v] of Object.entries(obj)) {
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) walk(v as Record<string, unknown>, [...path, k])
      else if (!readme.includes(envName([...path, k].join('.')))) missing.push(envName([...path, k].join('.')))
    }
  }
  walk(defaultConfig('/') as unknown as Record<string, unknown>, [])
  assert.deepEqual(missing, [], 'settings missing from deploy/README.md')
  const registry = new Registry()
  registerCairnMetrics(registry, { metrics: new MailboxMetrics(), totals: async () => ({ count: 0, bytes: 0, recipients: 0 }), bundles: async () => 0, relayReservations: () => 0, ready: async () => true, info: { peerId: 'x', version: 'x', storeVersion: 1 } })
  const names = registry.getMetricsAsArray().map(m => m.name)
  assert.deepEqual(names.filter(n => !readme.includes(n)), [], 'metrics missing from deploy/README.md')
  const dashboard = read('deploy/grafana/dashboards/cairn-mailbox.json')
  JSON.parse(dashboard)
  const used = new Set(dashboard.match(/\bcairn_[a-z0-9_]+/g) ?? [])
  assert.deepEqual([...used].filter(n => !names.includes(n)), [], 'the dashboard asks only for metrics that exist')
})
