import { existsSync } from 'node:fs'
import { healthTarget, probeHealth } from '../../../mailbox/health-endpoint.js'
import type { MetricsEndpoint } from '../../../mailbox/operator-node.js'
import { systemClock } from '../../../shared/clock.js'
import type { CairnConfig } from '../../../shared/config.js'
import { paths } from '../../../shared/data-dir.js'
import { CairnError, ConfigError, InvalidInputError } from '../../../shared/errors.js'
import type { Parsed } from '../args.js'
import { printJson, printLine } from '../output.js'
import { operatorCipher, settledIsEncrypted, unlockDataDir } from '../passphrase.js'
import { onShutdown } from '../signals.js'
import type { Command } from './command.js'

type MetricsConfig = CairnConfig['metrics']

/** config.metrics < --metrics-port/--metrics-host; a port given on the command line turns them on. */
function metricsConfig (parsed: Parsed, config: CairnConfig): MetricsConfig {
  const out = { ...config.metrics }
  const port = parsed.flags['metrics-port']
  if (typeof port === 'string') {
    if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) throw new ConfigError('metrics.port (--metrics-port)', `must be a TCP port 0-65535, got ${JSON.stringify(port)}`)
    out.enabled = true
    out.port = Number(port)
  }
  const host = parsed.flags['metrics-host']
  if (typeof host === 'string') {
    if (host.trim() === '') throw new ConfigError('metrics.host (--metrics-host)', 'must name an interface, e.g. 127.0.0.1 or 0.0.0.0')
    out.host = host
  }
  return out
}

/** Verify a stopped node's store; exit 1 (after the report) when something is wrong. */
async function check (parsed: Parsed, config: CairnConfig, json: boolean): Promise<void> {
  const dir = paths.store(config.dataDir)
  // a re-sealing a killed run had committed is finished first: its store may be half moved
  settledIsEncrypted(config.dataDir)
  // Store.open would create an empty store: a mistyped data dir must not pass as healthy
  if (!existsSync(dir)) throw new InvalidInputError(`no store at ${dir}; is --data-dir (CAIRN_DATA_DIR) this node's data dir?`)
  const [{ Store }, { checkStore, formatReport }] = await Promise.all([import('../../../shared/store.js'), import('../../../mailbox/store-check.js')])
  const store = await Store.open(dir, { cipher: await unlockDataDir(parsed, config.dataDir) })
  const report = await checkStore(store, systemClock.now()).finally(async () => { await store.close() })
  if (json) printJson({ dataDir: config.dataDir, ...report })
  else for (const line of formatReport(report)) printLine(line)
  if (!report.healthy) throw new CairnError('INTERNAL', `the store at ${dir} has problems (listed above); restore a backup, or ask for help with the report`)
}

/**
 * Ask the running node's /healthz: where the node recorded it serves health, else where the
 * config layers (and any --metrics-* flags given here) say. Exit 0 healthy, 1 with the reason.
 */
async function health (parsed: Parsed, config: CairnConfig): Promise<void> {
  const metrics = metricsConfig(parsed, config)
  const target = healthTarget(config.dataDir, metrics)
  if (target === undefined) throw new CairnError('INTERNAL', `metrics disabled and no running node has recorded a health endpoint in ${config.dataDir} (is the node running with this data dir?)`)
  const body = await probeHealth(target, systemClock)
  if (parsed.json) printJson({ healthy: true, url: target.url, health: body })
  else printLine(`healthy: ${target.url} (${target.how})`)
}

export const mailbox: Command = {
  name: 'mailbox',
  usage: 'cairn mailbox [--metrics-port PORT] [--metrics-host HOST] [--print-config] [--check] [--health]',
  summary: 'run an operator node: DHT server, mailbox, circuit relay, bootstrap peer (--check verifies a stopped node\'s store, --health asks a running one)',
  flags: { 'metrics-port': { type: 'string' }, 'metrics-host': { type: 'string' }, 'print-config': { type: 'boolean' }, check: { type: 'boolean' }, health: { type: 'boolean' } },
  // an operator node is the relay that peers behind NAT reserve slots on (and punch holes through);
  // CAIRN_RELAY_ENABLED=false or config.json turns it off. Its disk is for holding mail, so its
  // node-wide cap is far above an ordinary peer's (CAIRN_MAILBOX_MAX_TOTAL_BYTES sets the operator's
  // own). It runs on the internet, so the DHT it serves hands out no private or loopback addresses
  // (CAIRN_NETWORK_ALLOW_PRIVATE_ADDRESSES=true for a LAN or a test network)
  defaults: { relay: { enabled: true }, network: { allowPrivateAddresses: false }, mailbox: { maxTotalBytes: 8 * 1024 * 1024 * 1024 } },
  async run ({ parsed, config, log }) {
    const metrics = metricsConfig(parsed, config)
    const effective = { ...config, mailbox: { ...config.mailbox, enabled: true }, metrics }
    if (parsed.flags['print-config'] === true) { printLine(JSON.stringify(effective, null, 2)); return }
    if (parsed.flags.check === true) { await check(parsed, config, parsed.json); return }
    if (parsed.flags.health === true) { await health(parsed, config); return }

    // the data dir holds secrets: LevelDB's dirs and files too (0700/0600, as deploy/README.md says)
    process.umask(0o077)
    // metrics off: /healthz alone on a free loopback port, so a health check still has an answer
    const endpoint: MetricsEndpoint = metrics.enabled ? { host: metrics.host, port: metrics.port } : { host: '127.0.0.1', port: 0, healthOnly: true }
    // loaded here: `--health` (the container's HEALTHCHECK, every 30 s) and `--help` need none of it
    const { OperatorNode } = await import('../../../mailbox/operator-node.js')
    const cipher = await operatorCipher(parsed, config)
    const starting = OperatorNode.start(effective, log, systemClock, { metrics: endpoint, cipher })
    // a signal during start-up (a fast redeploy) waits for start to finish, then stops cleanly
    onShutdown(async () => {
      const op = await starting.catch(() => undefined)
      log.info('stopping: draining in-flight requests')
      await op?.stop()
      log.info('stopped')
    }, log)
    const op = await starting
    const peerId = op.node.peerId.toString()
    const url = op.metricsUrl
    if (parsed.json) printJson({ peerId, addresses: op.addresses(), ...(url === undefined ? {} : { metrics: url }) })
    else {
      printLine(`cairn mailbox node ${peerId}`)
      for (const a of op.addresses()) printLine(`  ${a}`)
      if (url !== undefined) printLine(`metrics: ${url}/metrics  health: ${url}/healthz`)
      else printLine(`metrics disabled; health: ${op.healthUrl ?? 'not served'}`)
    }
    log.info({ peerId, addresses: op.addresses(), metrics: url, storeVersion: op.storeVersion }, 'mailbox node started')
    await new Promise(() => {}) // until a signal
  }
}
