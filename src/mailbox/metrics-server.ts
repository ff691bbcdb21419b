/**
 * The operator's HTTP endpoint: GET /metrics (Prometheus text: libp2p's metrics and cairn_*) and
 * GET /healthz (200 when the node can serve, 503 otherwise, with the failing checks in the body).
 * It binds to the configured interface only, loopback by default: metrics name peers and load,
 * which is nobody else's business unless the operator chooses to expose them. With metrics off
 * (no registry) it serves /healthz alone, so the image's HEALTHCHECK still has something to ask.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Registry } from 'prom-client'
import { CairnError, describeError } from '../shared/errors.js'
import type { Logger } from '../shared/logger.js'

export interface Health {
  ready: boolean
  /** Each check by name: true when it passes, else why it does not. */
  checks: Record<string, true | string>
}

export interface MetricsServerInit {
  /** Interface to bind, e.g. 127.0.0.1 (default in config) or 0.0.0.0 in a container. */
  host: string
  /** TCP port; 0 picks a free one. */
  port: number
  /** Undefined: metrics are off, /metrics answers 404 and only /healthz is served. */
  registry?: Registry
  health: () => Promise<Health>
  log: Logger
}

export class MetricsServer {
  private server?: Server
  private bound?: AddressInfo

  constructor (private readonly init: MetricsServerInit) {}

  /** The base URL it answers on, once started. */
  get url (): string {
    if (this.bound === undefined) throw new Error('metrics server not started')
    const host = this.bound.family === 'IPv6' ? `[${this.bound.address}]` : this.bound.address
    return `http://${host}:${this.bound.port}`
  }

  async start (): Promise<void> {
    const server = createServer((req, res) => { void this.answer(req, res) })
    // scrapes are small and quick; a client that holds a socket open must not hold the process
    server.keepAliveTimeout = 5000
    server.headersTimeout = 10_000
    server.requestTimeout = 10_000
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        const what = `metrics endpoint ${this.init.host}:${this.init.port}`
        reject(err.code === 'EADDRINUSE' ? new CairnError('INTERNAL', `${what}: the port is in use; choose another with --metrics-port`) : new CairnError('INTERNAL', `${what}: ${describeError(err)}`))
      })
      server.listen(this.init.port, this.init.host, () => { resolve() })
    })
    server.on('error', (err) => { this.init.log.warn({ err: describeError(err) }, 'metrics endpoint error') })
    this.server = server
    this.bound = server.address() as AddressInfo
  }

  async stop (): Promise<void> {
    const server = this.server
    if (server === undefined) return
    this.server = undefined
    server.closeAllConnections()
    await new Promise<void>(resolve => { server.close(() => { resolve() }) })
  }

  private async answer (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') return this.send(res, 405, 'text/plain', 'only GET and HEAD\n', { allow: 'GET, HEAD' })
      const registry = this.init.registry
      if (path === '/metrics' && registry === undefined) return this.send(res, 404, 'text/plain', 'metrics are disabled on this node (metrics.enabled); /healthz answers\n')
      if (path === '/metrics' && registry !== undefined) return this.send(res, 200, registry.contentType, await registry.metrics())
      if (path === '/healthz') {
        const health = await this.init.health()
        return this.send(res, health.ready ? 200 : 503, 'application/json', JSON.stringify(health) + '\n')
      }
      return this.send(res, 404, 'text/plain', 'not found: try /metrics or /healthz\n')
    } catch (err) {
      this.init.log.warn({ path, err: describeError(err) }, 'metrics request failed')
      return this.send(res, 500, 'text/plain', 'internal error\n')
    }
  }

  private send (res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...headers })
    res.end(res.req.method === 'HEAD' ? undefined : body)
  }
}
