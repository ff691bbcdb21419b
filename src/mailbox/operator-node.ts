/**
 * An operator's mailbox node: a DHT server, a mailbox, and a bootstrap peer for others. It holds a
 * libp2p key but no Signal identity. It migrates the store to the current format before anything
 * reads it, and can serve Prometheus /metrics and /healthz. Stops cleanly: /healthz turns 503, new
 * mailbox requests are refused, in-flight ones finish (bounded by mailbox.drainTimeoutMs), the
 * node stops, and LevelDB closes after its last durable write.
 */
import { readFileSync } from 'node:fs'
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { multiaddr } from '@multiformats/multiaddr'
import { Registry } from 'prom-client'
import { systemClock, type Clock } from '../shared/clock.js'
import type { CairnConfig } from '../shared/config.js'
import { ensureDataDir, paths } from '../shared/data-dir.js'
import { describeError } from '../shared/errors.js'
import { forComponent, libp2pLoggerFor, type Logger } from '../shared/logger.js'
import { Lifecycle } from '../shared/startable.js'
import { createNode, type CairnNode } from '../shared/node/create-node.js'
import { libp2pDatastore } from '../shared/node/peer-datastore.js'
import { loadOrCreatePeerKey } from '../shared/peer-key.js'
import { joinDht } from '../shared/placement.js'
import { Store } from '../shared/store.js'
import type { ValueCipher } from '../shared/at-rest/value-cipher.js'
import { Mailbox } from './index.js'
import { probeHost, removeHealthEndpoint, writeHealthEndpoint } from './health-endpoint.js'
import { MetricsServer, type Health } from './metrics-server.js'
import { registerCairnMetrics } from './prometheus.js'
import { ensureStoreVersion, STORE_VERSION_KEY } from './store-check.js'
import { NAMESPACES } from '../shared/namespaces.js'

/**
 * Where /metrics and /healthz are served; no port: not served. `healthOnly`: metrics are off but
 * /healthz is served (the mailbox command then binds a free loopback port). Whatever is served is
 * recorded in DATA_DIR/health-endpoint.json for `cairn mailbox --health`.
 */
export interface MetricsEndpoint { port?: number, host: string, healthOnly?: boolean }

export interface OperatorOptions {
  metrics?: MetricsEndpoint
  /** The data dir is encrypted at rest: its unlocked data key (shared/at-rest). */
  cipher?: ValueCipher
}

type State = 'running' | 'stopping' | 'stopped'

const BUNDLE_PREFIX = NAMESPACES.mailboxBundle

export class OperatorNode {
  private state: State = 'running'
  private metricsServer?: MetricsServer
  private servesMetrics = false

  private constructor (readonly node: CairnNode, readonly mailbox: Mailbox, readonly store: Store, private readonly log: Logger, readonly storeVersion: number, private readonly dataDir: string, private readonly life: Lifecycle) {}

  static async start (config: CairnConfig, log: Logger, clock: Clock = systemClock, options: OperatorOptions = {}): Promise<OperatorNode> {
    ensureDataDir(config.dataDir)
    const privateKey = await loadOrCreatePeerKey(config.dataDir, options.cipher)
    const store = await Store.open(paths.store(config.dataDir), { cipher: options.cipher })
    // store, libp2p and the mailbox start in order and stop in reverse, each stop attempted
    const life = new Lifecycle(log)
    await life.start('store', { start: () => {}, stop: async () => store.close() })
    let op: OperatorNode | undefined
    try {
      const { to: storeVersion } = await ensureStoreVersion(store, { log })
      // one registry per node rather than prom-client's global one, so nothing else in the process
      // leaks into the scrape; preserveExistingMetrics, or libp2p clears the global registry
      const endpoint = options.metrics?.port === undefined ? undefined : { host: options.metrics.host, port: options.metrics.port }
      const registry = endpoint === undefined || options.metrics?.healthOnly === true ? undefined : new Registry()
      // libp2p's own metrics land in the same registry, through NodeInit.metrics (create-node.ts)
      const nodeInit = {
        privateKey,
        datastore: libp2pDatastore(store, config),
        config,
        clock,
        dhtServer: true,
        logger: libp2pLoggerFor(log),
        ...(registry === undefined ? {} : { metrics: prometheusMetrics({ registry, preserveExistingMetrics: true, statfsLocation: config.dataDir }) })
      }
      const node = await createNode(nodeInit)
      await life.start('libp2p', { start: () => {}, stop: async () => node.stop() })
      const mailbox = new Mailbox({ node, store, config, clock, log: forComponent(log, 'mailbox') })
      await life.start('mailbox', mailbox)
      op = new OperatorNode(node, mailbox, store, log, storeVersion, config.dataDir, life)
      if (endpoint !== undefined) await op.serveMetrics(registry, endpoint)
      await op.joinNetwork(config, clock)
      return op
    } catch (err) {
      if (op !== undefined) await op.stop().catch(() => {})
      else await life.stop().catch(() => {})
      throw err
    }
  }

  private async serveMetrics (registry: Registry | undefined, endpoint: { host: string, port: number }): Promise<void> {
    if (registry !== undefined) this.registerMetrics(registry)
    this.metricsServer = new MetricsServer({ ...endpoint, ...(registry === undefined ? {} : { registry }), health: async () => this.health(), log: this.log })
    await this.metricsServer.start()
    this.servesMetrics = registry !== undefined
    const bound = new URL(this.metricsServer.url)
    writeHealthEndpoint(this.dataDir, { url: `http://${probeHost(bound.hostname)}:${bound.port}/healthz`, metrics: this.servesMetrics, pid: process.pid })
  }

  private registerMetrics (registry: Registry): void {
    registerCairnMetrics(registry, {
      metrics: this.mailbox.metrics,
      totals: async () => this.mailbox.store.totals(),
      bundles: async () => this.countBundles(),
      relayReservations: () => this.relayReservations(),
      ready: async () => (await this.health()).ready,
      info: { peerId: this.node.peerId.toString(), version: cairnVersion(), storeVersion: this.storeVersion }
    })
  }

  private async joinNetwork (config: CairnConfig, clock: Clock): Promise<void> {
    // one bootstrap list for every node of a deployment (a ConfigMap) names each node too
    const self = `/p2p/${this.node.peerId.toString()}`
    const others = config.bootstrap.filter(addr => !addr.endsWith(self))
    await Promise.all(others.map(async addr => this.node.dial(multiaddr(addr), { signal: clock.timeout(config.network.dialTimeoutMs) })
      .catch((err: unknown) => { this.log.warn({ addr, err: describeError(err) }, 'bootstrap peer unreachable') })))
    // an idle deadline of a request's: a start on a busy machine that is being answered is not cut short
    if (others.length > 0) await joinDht(this.node, clock, undefined, config.limits.requestTimeoutMs).catch(() => 0)
  }

  addresses (): string[] {
    return this.node.getMultiaddrs().map(String)
  }

  /** The /metrics and /healthz base URL, when metrics are served. */
  get metricsUrl (): string | undefined {
    return this.servesMetrics ? this.metricsServer?.url : undefined
  }

  /** The /healthz URL, when it is served (with metrics or alone). */
  get healthUrl (): string | undefined {
    return this.metricsServer === undefined ? undefined : `${this.metricsServer.url}/healthz`
  }

  /** Ready when not shutting down, LevelDB answers a read, and libp2p runs with addresses. */
  async health (): Promise<Health> {
    const checks: Health['checks'] = {}
    checks.running = this.state === 'running' ? true : `node is ${this.state}`
    try {
      await this.store.get(STORE_VERSION_KEY)
      checks.store = true
    } catch (err) {
      checks.store = `store unreadable: ${describeError(err)}`
    }
    checks.listening = this.node.status === 'started' && this.node.getMultiaddrs().length > 0 ? true : `libp2p is ${this.node.status} with ${this.node.getMultiaddrs().length} addresses`
    return { ready: Object.values(checks).every(c => c === true), checks }
  }

  async stop (): Promise<void> {
    if (this.state !== 'running') return
    this.state = 'stopping' // /healthz says 503 from here on, so a load balancer stops sending peers
    // mailbox, libp2p, store: each stop runs even if one before it failed (a StopError names them all)
    let failure: unknown
    try { await this.life.stop() } catch (err) { failure = err }
    this.state = 'stopped'
    await this.metricsServer?.stop()
    if (this.metricsServer !== undefined) removeHealthEndpoint(this.dataDir)
    if (failure !== undefined) throw failure
  }

  private async countBundles (): Promise<number> {
    let n = 0
    for await (const _ of this.store.listKeys(BUNDLE_PREFIX)) n++
    return n
  }

  /** The relay server's reservations, if this node runs one (a service with a `reservations` map). */
  private relayReservations (): number {
    for (const service of Object.values(this.node.services as Record<string, unknown>)) {
      const size = (service as { reservations?: { size?: unknown } } | undefined)?.reservations?.size
      if (typeof size === 'number') return size
    }
    return 0
  }
}

let version: string | undefined
/**
 * package.json's version: the image and `npm ci` both keep package.json above dist/. Found by
 * walking up from this file, which is dist/src/mailbox/ in tsc's output and dist/cli/ in the CLI's
 * bundle (scripts/bundle-cli.mjs).
 */
function cairnVersion (): string {
  if (version !== undefined) return version
  version = 'unknown'
  for (let dir = new URL('.', import.meta.url); ; dir = new URL('..', dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string, version?: string }
      if (pkg.name === 'cairn') { version = pkg.version ?? 'unknown'; break }
    } catch { /* none here, or unreadable: look further up */ }
    if (dir.pathname === '/') break
  }
  return version
}
