/**
 * The daemon's local API: HTTP over a unix socket in the (0700) data dir, each request carrying the
 * token from a 0600 file. POST /rpc {method, params} calls a ClientApi method and answers
 * {ok, result | error} (RpcAnswer); with `progress: true`, a method that reports progress
 * (PROGRESS_METHODS) answers NDJSON instead: `{"progress": …}` lines (TransferProgress,
 * SyncProgress) as the work goes, then the answer as the last line. GET /events streams received
 * messages, and `{"delivery": SentView}` for each change in a sent message's delivery state, as
 * NDJSON (for `cairn chat`).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { chmodSync, existsSync, unlinkSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { paths, writeSecretFile } from '../../shared/data-dir.js'
import { CairnError, describeError, loggableError } from '../../shared/errors.js'
import type { Logger } from '../../shared/logger.js'
import { API_METHODS, PROGRESS_METHODS, type ClientApi, type InboxView, type RpcAnswer } from '../api.js'
import type { InboxMessage } from '../inbox.js'
import type { Messenger } from '../messenger.js'
import type { SentView } from '../messaging/delivery-log.js'

const MAX_BODY = 256 * 1024

export interface DaemonServerInit {
  dataDir: string
  api: ClientApi
  messenger: Messenger
  names: (peerId: string) => Promise<string | null>
  log: Logger
}

export class DaemonServer {
  private server?: Server
  private token = ''

  constructor (private readonly init: DaemonServerInit) {}

  async start (): Promise<void> {
    const socket = paths.socket(this.init.dataDir)
    if (existsSync(socket)) unlinkSync(socket) // stale: we hold the store lock, so no daemon owns it
    this.token = randomBytes(32).toString('hex')
    writeSecretFile(paths.token(this.init.dataDir), new TextEncoder().encode(this.token), { overwrite: true })
    this.server = createServer((req, res) => { void this.handle(req, res) })
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject)
      this.server?.listen(socket, () => { resolve() })
    })
    chmodSync(socket, 0o600)
  }

  async stop (): Promise<void> {
    const server = this.server
    if (server === undefined) return
    server.closeAllConnections()
    await new Promise<void>(resolve => { server.close(() => { resolve() }) })
    for (const f of [paths.socket(this.init.dataDir), paths.token(this.init.dataDir)]) if (existsSync(f)) unlinkSync(f)
  }

  private authorised (req: IncomingMessage): boolean {
    const given = Buffer.from(String(req.headers.authorization ?? '').replace(/^Bearer /, ''))
    const want = Buffer.from(this.token)
    return given.length === want.length && timingSafeEqual(given, want)
  }

  private async handle (req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.authorised(req)) { reply(res, 401, { ok: false, error: { code: 'DAEMON', message: 'bad daemon token', exitCode: 1 } }); return }
    if (req.method === 'GET' && req.url === '/events') { this.events(req, res); return }
    if (req.method !== 'POST' || req.url !== '/rpc') { reply(res, 404, { ok: false, error: { code: 'DAEMON', message: 'not found', exitCode: 1 } }); return }
    let body = ''
    req.setEncoding('utf8') // a character split between two reads stays whole
    for await (const chunk of req) {
      body += chunk as string
      if (body.length > MAX_BODY) { reply(res, 413, { ok: false, error: { code: 'INVALID_INPUT', message: 'request too large', exitCode: 2 } }); return }
    }
    let answer: (body: RpcAnswer) => void = (b) => { reply(res, 200, b) }
    try {
      const { method, params, progress } = JSON.parse(body) as { method: string, params: unknown[], progress?: boolean }
      if (!(API_METHODS as readonly string[]).includes(method) || !Array.isArray(params)) throw new CairnError('DAEMON', `unknown method ${method}`)
      const fn = this.init.api[method as keyof ClientApi] as (...a: unknown[]) => Promise<unknown>
      // the options' place is always ours: a caller cannot put anything but our own callback there
      const at = PROGRESS_METHODS[method as keyof typeof PROGRESS_METHODS] as number | undefined
      const args = at === undefined ? params : params.slice(0, at)
      if (at !== undefined && progress === true) {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' })
        const line = (b: unknown): void => { if (!res.writableEnded && !res.destroyed) res.write(JSON.stringify(b) + '\n') }
        args[at] = { onProgress: (p: unknown) => { line({ progress: p }) } }
        answer = (b) => { line(b); res.end() }
      }
      const result = await fn.apply(this.init.api, args)
      answer({ ok: true, result: result ?? null })
    } catch (err) {
      const e: RpcAnswer['error'] = CairnError.is(err) ? { code: err.code, message: err.message, exitCode: err.exitCode } : { code: 'INTERNAL', message: describeError(err), exitCode: 1 }
      // by its code: a system error's message quotes the path it failed on (a file's name)
      if (!CairnError.is(err)) this.init.log.warn({ err: loggableError(err) }, 'daemon request failed')
      answer({ ok: false, error: e })
    }
  }

  private events (req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' })
    const onMessage = (m: InboxMessage): void => {
      void this.init.names(m.from).then(fromName => { res.write(JSON.stringify({ ...m, fromName, contact: fromName !== null } satisfies InboxView) + '\n') })
    }
    const onDelivery = (v: SentView): void => { res.write(JSON.stringify({ delivery: v }) + '\n') }
    this.init.messenger.on('message', onMessage)
    this.init.messenger.deliveries.on('change', onDelivery)
    req.on('close', () => {
      this.init.messenger.off('message', onMessage)
      this.init.messenger.deliveries.off('change', onDelivery)
    })
  }
}

function reply (res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}
