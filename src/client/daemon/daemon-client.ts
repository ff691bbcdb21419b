/** Talks to a running daemon for this data dir; the same ClientApi the CLI uses in-process. */
import { existsSync, readFileSync } from 'node:fs'
import { request } from 'node:http'
import { paths } from '../../shared/data-dir.js'
import { CairnError, type ErrorCode } from '../../shared/errors.js'
import { API_METHODS, PROGRESS_METHODS, type ClientApi, type InboxView } from '../api.js'
import type { SentView } from '../messaging/delivery-log.js'

/** Subscribe to received messages (and, optionally, delivery-state changes of sent ones); returns the unsubscribe. */
export type Watch = (onMessage: (m: InboxView) => void, onDelivery?: (v: SentView) => void) => () => void

interface Answer { ok: boolean, result?: unknown, error?: { code: ErrorCode, message: string, exitCode: 1 | 2 } }

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
  // the answer is one JSON line; with `progress`, NDJSON: progress lines, then the answer
  const call = async (method: string, params: unknown[], onProgress?: (p: unknown) => void): Promise<unknown> => new Promise((resolve, reject) => {
    const req = request({ socketPath, path: '/rpc', method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }, res => {
      let buf = ''
      let answer: Answer | undefined
      const take = (line: string): void => {
        if (line.trim() === '') return
        const parsed = JSON.parse(line) as Answer | { progress: unknown }
        if ('progress' in parsed) onProgress?.(parsed.progress)
        else answer = parsed
      }
      res.on('data', (c: Buffer) => {
        buf += c.toString()
        let i
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i)
          buf = buf.slice(i + 1)
          try { take(line) } catch (err) { reject(err) }
        }
      })
      res.on('end', () => {
        try {
          take(buf)
          if (answer === undefined) reject(new DaemonError('DAEMON', 'the daemon closed the request without an answer', 1))
          else if (answer.ok) resolve(answer.result)
          else reject(new DaemonError(answer.error?.code ?? 'DAEMON', answer.error?.message ?? 'daemon error', answer.error?.exitCode ?? 1))
        } catch (err) { reject(err) }
      })
    })
    req.on('error', reject)
    req.end(JSON.stringify({ method, params, ...(onProgress === undefined ? {} : { progress: true }) }))
  })
  try {
    await call('id', [])
  } catch (err) {
    if (err instanceof DaemonError) throw err
    return undefined // socket left behind by a daemon that died
  }
  const api = Object.fromEntries(API_METHODS.map(m => {
    const at = PROGRESS_METHODS[m as keyof typeof PROGRESS_METHODS] as number | undefined
    if (at === undefined) return [m, async (...params: unknown[]) => call(m, params)]
    // a callback cannot cross the socket: ask the daemon for progress lines and hand each to it
    return [m, async (...params: unknown[]) => call(m, params.slice(0, at), (params[at] as { onProgress?: (p: unknown) => void } | undefined)?.onProgress)]
  })) as unknown as ClientApi
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
