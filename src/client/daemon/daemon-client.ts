/** Talks to a running daemon for this data dir; the same ClientApi the CLI uses in-process. */
import { existsSync, readFileSync } from 'node:fs'
import { request, type IncomingMessage } from 'node:http'
import { paths } from '../../shared/data-dir.js'
import { CairnError, type ErrorCode } from '../../shared/errors.js'
import { API_METHODS, PROGRESS_METHODS, type ClientApi, type InboxView, type RpcAnswer } from '../api.js'
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
  // the answer is one JSON line; with `progress`, NDJSON: progress lines, then the answer
  const call = async (method: string, params: unknown[], onProgress?: (p: unknown) => void): Promise<unknown> => new Promise((resolve, reject) => {
    let settled = false
    const settle = (fn: () => void): void => { if (!settled) { settled = true; fn() } }
    const fail = (err: unknown): void => { settle(() => { reject(err) }); req.destroy() }
    const req = request({ socketPath, path: '/rpc', method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }, res => {
      let answer: RpcAnswer | undefined
      const take = (line: string): void => {
        const parsed = JSON.parse(line) as RpcAnswer | { progress: unknown }
        if (!('progress' in parsed)) { answer = parsed; return }
        // the status line is for the eyes: its failure must not fail a call the daemon carries out
        try { onProgress?.(parsed.progress) } catch { /* drawn or not, the call goes on */ }
      }
      readLines(res, (line) => { try { take(line) } catch (err) { fail(err) } }, (rest) => {
        try { if (rest.trim() !== '') take(rest) } catch (err) { fail(err); return }
        const a = answer
        if (a === undefined) fail(new DaemonError('DAEMON', 'the daemon ended the request without an answer', 1))
        else if (a.ok) settle(() => { resolve(a.result) })
        else settle(() => { reject(new DaemonError(a.error?.code ?? 'DAEMON', a.error?.message ?? 'daemon error', a.error?.exitCode ?? 1)) })
      })
      // a daemon stopped or killed mid-answer cuts the response off: 'error' (aborted) and 'close', no 'end'
      const cutOff = (): void => { if (!res.complete) fail(new DaemonError('DAEMON', `the daemon closed the connection before answering (was it stopped?); the ${method} may or may not have been done`, 1)) }
      res.on('error', cutOff)
      res.on('close', cutOff)
    })
    req.on('error', fail)
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
      readLines(res, (line) => {
        let event: InboxView | { delivery: SentView }
        try { event = JSON.parse(line) as InboxView | { delivery: SentView } } catch { return } // a line that does not parse is skipped, never thrown from the socket's handler
        if ('delivery' in event) onDelivery?.(event.delivery)
        else onMessage(event)
      })
    })
    req.on('error', () => {})
    req.end()
    return () => { req.destroy() }
  }
  return { ...api, watch }
}

/**
 * Hand each line of `res` to `onLine` as it arrives, decoded as UTF-8 across chunk boundaries (a
 * character split between two reads stays whole); `onEnd` gets what followed the last line break.
 */
function readLines (res: IncomingMessage, onLine: (line: string) => void, onEnd?: (rest: string) => void): void {
  res.setEncoding('utf8')
  let buf = ''
  res.on('data', (chunk: string) => {
    buf += chunk
    let i
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i)
      buf = buf.slice(i + 1)
      if (line.trim() !== '') onLine(line)
    }
  })
  res.on('end', () => { onEnd?.(buf) })
}
