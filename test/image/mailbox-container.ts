/**
 * One mailbox container as the image test runs it: host networking on loopback ports (CI has no
 * CNI bridge, and the clients run on the host), a named volume as /data, the image's own command
 * unless a test gives flags. Started means its first stdout line arrived ({"peerId", "addresses",
 * "metrics"}) and, with metrics on, /healthz answers 200.
 */
import { stablePort } from '../helpers/ports.js'
import { podman, podmanRun } from './podman.js'

export interface Mailbox {
  name: string
  peerId: string
  /** Its TCP multiaddr with /p2p/, for bootstrap lists. */
  address: string
  /** http://127.0.0.1:PORT, or '' with metrics off. */
  metrics: string
  healthy: () => Promise<void>
  remove: () => Promise<void>
}

export interface MailboxOptions {
  ports?: { tcp: number, ws: number, metrics: number }
  env?: Record<string, string>
  /** Replaces the image's CMD (["--json"]). */
  args?: string[]
  /** Written to /data/config.json (0600) before the first start. */
  config?: unknown
  /** Wait for /healthz 200 (default true). */
  waitHealthy?: boolean
}

const created = new Set<string>()
/** Containers started by this process, for the final clean-up. */
export const containerNames = (): string[] => [...created]

/** Poll `ok` every 500 ms until it is true or `ms` pass. */
export async function waitFor (ok: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  for (;;) {
    if (await ok().catch(() => false)) return true
    if (Date.now() > deadline) return false
    await new Promise(resolve => setTimeout(resolve, 500))
  }
}

export async function runMailbox (image: string, suffix: string, options: MailboxOptions = {}): Promise<Mailbox> {
  const name = `cairn-image-test-${process.pid}-${suffix}`
  const ports = options.ports ?? { tcp: await stablePort(), ws: await stablePort(), metrics: await stablePort() }
  created.add(name)
  await podman(['volume', 'create', '--label', 'cairn-image-test', name])
  if (options.config !== undefined) {
    const json = JSON.stringify(options.config)
    if (json.includes("'")) throw new Error('config.json with a quote')
    await podman(['run', '--rm', '--network', 'host', '-v', `${name}:/data`, '--entrypoint', 'sh', image, '-c', `umask 077; printf '%s' '${json}' > /data/config.json`])
  }
  const env = {
    // host networking on 127.0.0.1: a LAN-like network for the DHT (cairn mailbox keeps loopback
    // addresses out of it by default, so two nodes here would never enter each other's routing
    // tables) and one subnet for every replica
    CAIRN_NETWORK_ALLOW_PRIVATE_ADDRESSES: 'true',
    CAIRN_MAILBOX_REPLICAS_PER_SUBNET: '0',
    CAIRN_LISTEN: `/ip4/127.0.0.1/tcp/${ports.tcp},/ip4/127.0.0.1/tcp/${ports.ws}/ws`,
    CAIRN_METRICS_HOST: '127.0.0.1',
    CAIRN_METRICS_PORT: String(ports.metrics),
    ...options.env
  }
  await podman(['run', '-d', '--name', name, '--network', 'host', '--stop-timeout', '30', '-v', `${name}:/data`,
    ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]), image, ...(options.args ?? [])])

  let first: { peerId: string, addresses: string[], metrics?: string } | undefined
  const started = await waitFor(async () => {
    const line = (await podmanRun(['logs', name])).stdout.split('\n').find(l => l.startsWith('{"peerId"'))
    if (line !== undefined) first = JSON.parse(line) as typeof first
    return first !== undefined
  }, 60_000)
  if (!started || first === undefined) {
    const logs = await podmanRun(['logs', name])
    throw new Error(`container ${name} did not start: ${logs.stdout}${logs.stderr.slice(-3000)}`)
  }
  const metrics = (first.metrics ?? '').replace('0.0.0.0', '127.0.0.1')
  const mailbox: Mailbox = {
    name,
    peerId: first.peerId,
    address: first.addresses.find(a => !a.includes('/ws')) ?? '',
    metrics,
    healthy: async () => {
      const ok = await waitFor(async () => (await fetch(`${metrics}/healthz`, { signal: AbortSignal.timeout(2000) })).status === 200, 60_000)
      if (!ok) throw new Error(`${name}: /healthz at ${metrics} not 200 within 60 s: ${(await podmanRun(['logs', name])).stderr.slice(-3000)}`)
    },
    remove: async () => {
      await podman(['rm', '-f', '-t', '10', name])
      await podman(['volume', 'rm', '-f', name])
      created.delete(name)
    }
  }
  if (options.waitHealthy !== false && metrics !== '') await mailbox.healthy()
  return mailbox
}
