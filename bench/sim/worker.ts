/**
 * A simulation worker process (forked by network.ts): hosts a share of the peers in a PeerHost and
 * answers the coordinator's RPC messages `{ id, method, args }` with `{ id, result }` or
 * `{ id, error }`; every message a user's messenger stores is sent up as `{ event: 'message' }`
 * (before the reply of the call that caused it, when that call ran here).
 */
import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { PeerHost, type HostOptions } from './host.js'
import { quietLiveness } from './quiet-monitor.js'
import { isShortcut, setShortcut } from './shortcuts.js'

export interface WorkerInit extends HostOptions { connectionMonitor: boolean }

interface Request { id: number, method: string, args: unknown[] }

let host: PeerHost | undefined
/** A CPU profile being taken of this worker (`profileStart`, `profileStop` FILE). */
let profiler: Session | undefined

function reply (msg: unknown): void {
  process.send?.(msg)
}

async function handle (req: Request): Promise<unknown> {
  if (req.method === 'init') {
    const init = req.args[0] as WorkerInit
    if (!init.connectionMonitor) await quietLiveness()
    host = new PeerHost(init)
    host.onMessage = (to, m) => { reply({ event: 'message', to, m }) }
    return host.memory()
  }
  if (req.method === 'shortcut') {
    if (!isShortcut(req.args[0])) throw new Error(`no shortcut ${String(req.args[0])}`)
    setShortcut(req.args[0], req.args[1] === true)
    return true
  }
  if (req.method === 'profileStart') {
    profiler = new Session()
    profiler.connect()
    await profiler.post('Profiler.enable')
    await profiler.post('Profiler.setSamplingInterval', { interval: 200 })
    await profiler.post('Profiler.start')
    return true
  }
  if (req.method === 'profileStop') {
    if (profiler === undefined) throw new Error('no profile running')
    const { profile } = await profiler.post('Profiler.stop')
    profiler.disconnect()
    profiler = undefined
    writeFileSync(req.args[0] as string, JSON.stringify(profile))
    return req.args[0]
  }
  if (host === undefined) throw new Error('worker not initialised')
  const fn = (host as unknown as Record<string, unknown>)[req.method]
  if (typeof fn !== 'function') throw new Error(`no such host method: ${req.method}`)
  return await (fn as (...a: unknown[]) => unknown).apply(host, req.args)
}

process.on('message', (req: Request) => {
  handle(req).then(
    result => { reply({ id: req.id, result }) },
    (err: unknown) => { reply({ id: req.id, error: err instanceof Error ? err.message : String(err) }) }
  )
})
process.on('disconnect', () => { process.exit(0) })
