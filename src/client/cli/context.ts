/**
 * What every command starts from: the resolved config, a logger, and the ClientApi — the daemon's
 * when one runs for this data dir (it owns the store), otherwise a client opened for this command.
 */
import { loadConfig, type CairnConfig, type ConfigLayer } from '../../shared/config.js'
import { createLogger, type Logger } from '../../shared/logger.js'
import type { ClientApi } from '../api.js'
import type { CairnClient } from '../client.js'
import { connectDaemon, type Watch } from '../daemon/daemon-client.js'
import type { Parsed } from './args.js'
import { unlockDataDir } from './passphrase.js'
import { statusLine, type Progress } from './progress.js'

export interface CommandContext {
  parsed: Parsed
  config: CairnConfig
  log: Logger
}

/** `commandDefaults` sit between the built-in defaults and config.json (see loadConfig). */
export function makeContext (parsed: Parsed, commandDefaults: ConfigLayer = {}): CommandContext {
  const config = loadConfig(parsed.layer, process.env, commandDefaults)
  // at a terminal, log lines go above the status line (progress.ts) rather than onto it
  const destination = process.stderr.isTTY ? { write: (line: string) => { statusLine.writeAbove(line) } } : undefined
  return { parsed, config, log: createLogger(config.logLevel, { app: 'cairn' }, destination) }
}

export interface Session {
  api: ClientApi
  /** Set when talking to a daemon: subscribe to incoming messages and delivery-state changes. */
  watch?: Watch
  client?: CairnClient
  close: () => Promise<void>
}

export interface SessionOptions {
  network: boolean
  /** Shows "connecting…" while an in-process client starts its node and joins the DHT. */
  progress?: Progress
}

export async function openSession (ctx: CommandContext, options: SessionOptions): Promise<Session> {
  const daemon = await connectDaemon(ctx.config.dataDir)
  if (daemon !== undefined) return { api: daemon, watch: daemon.watch, close: async () => {} }
  if (options.network) options.progress?.show(`connecting to ${ctx.config.bootstrap.length} bootstrap peer${ctx.config.bootstrap.length === 1 ? '' : 's'}…`)
  // loaded here, not at the top: `cairn --help` and a command that finds a daemon never pay for libp2p
  const { CairnClient } = await import('../client.js')
  const cipher = await unlockDataDir(ctx.parsed, ctx.config.dataDir)
  const client = await CairnClient.open({ config: ctx.config, log: ctx.log, network: options.network, cipher })
  return { api: client, client, close: async () => { await client.stop() } }
}

/** Open a session for one command, run it, and close the session whatever happens. */
export async function withSession<T> (ctx: CommandContext, options: SessionOptions, run: (session: Session) => Promise<T>): Promise<T> {
  const session = await openSession(ctx, options)
  try {
    return await run(session)
  } finally {
    await session.close()
  }
}
