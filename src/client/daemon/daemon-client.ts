/** Talks to a running daemon for this data dir; the same ClientApi the CLI uses in-process. */
import { existsSync, readFileSync } from 'node:fs'
import { request } from 'node:http'
import { paths } from '../../shared/data-dir.js'
import { CairnError, type ErrorCode } from '../../shared/errors.js'
import { API_METHODS, type ClientApi, type InboxView } from '../api.js'
import type { SentView } from '../messaging/delivery-log.js'

/** Subscribe to received messages (and, optionally, delivery-state changes of sent ones); returns the unsubscribe. */
export type Watch = (onMessage: (m: InboxView) => void, onDelivery?: (v: SentView) => void) => () => void

export class DaemonError extends CairnError {
  constructor (code: ErrorCode, message: string, exitCode: 1 | 2) {
    super(code, message, { exitCode })
    this.name = 'DaemonError'
  }
}

/** A ClientApi whose every call goes to the daemon; undefined when no daemon answers. */
export async function connectDaemon (dataDir: string): Promise<(ClientApi & { watch: Watch }) | undefined> {
  const socketPath = paths.socket(dataDir)
  if (!existsSync(socketPath) || !existsSync(paths.token(dataDir))) return undefined
  const token = readFileSync(paths.token(dataDir), 'utf8').trim()
  const call = async (method: string, params: unknown[]): Promise<unknown> => new Promise((resolve, reject) => {
    const req = request({ socketPath, path: '/rpc', method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }, res => {
      let body = ''
      res.on('data', (c: Buffer) => { body += c.toString() })
      res.on('end', () => {
        try {
          const parsed = JSON.parse(body) as { ok: boolean, result?: unknown, error?: { code: ErrorCode, message: string, exitCode: 1 | 2 } }
          if (parsed.ok) resolve(parsed.result)
          else reject(new DaemonError(parsed.error?.code ?? 'DAEMON', parsed.error?.message ?? 'daemon error', parsed.error?.exitCode ?? 1))
        } catch (err) { reject(err) }
      })
    })
    req.on('error', reject)
    req.end(JSON.stringify({ method, params }))
  })
  try {
    await call('id', [])
  } catch (err) {
    if (err instanceof DaemonError) throw err
    return undefined // socket left behind by a daemon that died
  }
  const api = Object.fromEntries(API_METHODS.map(m => [m, async (...params: unknown[]) => call(m, params)])) as unknown as ClientApi
  const watch: Watch = (onMessage, onDelivery) => {
    const req = request({ socketPath, path: '/events', method: 'GET', headers: { authorization: `Bearer ${token}` } }, res => {
      let buf = ''
      res.on('data', (c: Buffer) => {
        buf += c.toString()
        let i
        while ((i = buf.indexOf('\n')) >= 0) {
          const event = JSON.parse(buf.slice(0, i)) as InboxView | { delivery: SentView }
          buf = buf.slice(i + 1)
          if ('delivery' in event) onDelivery?.(event.delivery)
          else onMessage(event)
        }
      })
    })
    req.on('error', () => {})
    req.end()
    return () => { req.destroy() }
  }
  return { ...api, watch }
}
