/**
 * Where a running mailbox node answers /healthz, and the probe that asks it (`cairn mailbox
 * --health`, the image's HEALTHCHECK). A probe cannot know the flags the node was started with
 * (`--metrics-port`), so the node records the endpoint it actually bound in its data dir; without
 * that record the probe falls back to the same config layers the node resolves (defaults <
 * config.json < CAIRN_* < flags). Every failure says why: disabled, refused, timed out, or 503 with
 * the failing checks.
 */
import { readFileSync, rmSync } from 'node:fs'
import { isIPv6 } from 'node:net'
import type { Clock } from '../shared/clock.js'
import type { CairnConfig } from '../shared/config.js'
import { paths, writeSecretFile } from '../shared/data-dir.js'
import { CairnError, describeError } from '../shared/errors.js'

/** What the node writes to DATA_DIR/health-endpoint.json once its /healthz answers. */
export interface HealthEndpointRecord {
  /** The URL a probe on this host asks, e.g. http://127.0.0.1:9464/healthz. */
  url: string
  /** false: metrics are off, and /healthz alone is served on a free loopback port. */
  metrics: boolean
  pid: number
}

/** The host a local probe dials for a server bound to `host`: a wildcard bind means loopback. */
export function probeHost (host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1'
  if (host === '::' || host === '[::]') return '[::1]'
  return isIPv6(host) ? `[${host}]` : host
}

export function writeHealthEndpoint (dataDir: string, record: HealthEndpointRecord): void {
  writeSecretFile(paths.healthEndpoint(dataDir), new TextEncoder().encode(JSON.stringify(record) + '\n'), { overwrite: true })
}

export function removeHealthEndpoint (dataDir: string): void {
  rmSync(paths.healthEndpoint(dataDir), { force: true })
}

export function readHealthEndpoint (dataDir: string): HealthEndpointRecord | undefined {
  const path = paths.healthEndpoint(dataDir)
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new CairnError('INTERNAL', `cannot read ${path}: ${describeError(err)}`)
  }
  const record = JSON.parse(text) as Partial<HealthEndpointRecord>
  if (typeof record.url !== 'string' || typeof record.metrics !== 'boolean') throw new CairnError('INTERNAL', `${path} is not a health endpoint record; delete it and restart the node`)
  return { url: record.url, metrics: record.metrics, pid: record.pid ?? 0 }
}

export interface HealthTarget {
  url: string
  /** How the probe found it, for the one line it prints. */
  how: string
}

/** The record the running node left, else the resolved config; undefined with metrics off and no record. */
export function healthTarget (dataDir: string, metrics: CairnConfig['metrics']): HealthTarget | undefined {
  const record = readHealthEndpoint(dataDir)
  if (record !== undefined) return { url: record.url, how: record.metrics ? `recorded by the node, pid ${record.pid}` : `metrics disabled: health served at ${record.url}, recorded by the node, pid ${record.pid}` }
  if (!metrics.enabled) return undefined
  return { url: `http://${probeHost(metrics.host)}:${metrics.port}/healthz`, how: 'from the configuration; no running node has recorded its endpoint' }
}

/** Ask /healthz once; resolves with the body when ready, throws a CairnError (exit 1) saying why not. */
export async function probeHealth (target: HealthTarget, clock: Clock, timeoutMs = 4000): Promise<unknown> {
  const where = new URL(target.url).host
  let res: Response
  try {
    res = await fetch(target.url, { signal: clock.timeout(timeoutMs) })
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code
    const why = cause === 'ECONNREFUSED'
      ? `connection refused at ${where}`
      : (err as Error).name === 'TimeoutError' ? `no answer from ${where} within ${timeoutMs} ms` : `cannot reach ${where}: ${cause ?? describeError(err)}`
    throw new CairnError('INTERNAL', `${why} (${target.how})`)
  }
  const text = await res.text()
  let body: unknown = text
  try { body = JSON.parse(text) } catch { /* not JSON: reported as text */ }
  if (res.status !== 200) {
    const checks = (body as { checks?: Record<string, unknown> } | undefined)?.checks
    const failing = checks === undefined ? text.trim() : Object.entries(checks).filter(([, v]) => v !== true).map(([k, v]) => `${k}: ${String(v)}`).join('; ')
    throw new CairnError('INTERNAL', `unhealthy at ${target.url}: ${res.status} ${failing} (${target.how})`)
  }
  return body
}
