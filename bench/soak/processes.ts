/**
 * The soak's processes: real `cairn mailbox` nodes and real `cairn daemon`s, each a child process
 * on its own data dir and fixed address (loopback, or its own network namespace: links.ts), that
 * can be killed (SIGKILL), paused (SIGSTOP / SIGCONT) and started again on the same data dir and
 * address.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { reapOnExit } from '../lib/reap.js'

export const CAIRN = fileURLToPath(new URL('../../cli/main.js', import.meta.url))

/** Every process is on 127.0.0.1 or one private /24: private addresses allowed, no per-subnet replica limit. */
export const LOOPBACK_ENV = {
  CAIRN_LOG_LEVEL: 'warn',
  CAIRN_MAILBOX_REPLICAS_PER_SUBNET: '0',
  CAIRN_NETWORK_ALLOW_PRIVATE_ADDRESSES: 'true'
}

export interface Proc {
  name: string
  kind: 'mailbox' | 'daemon'
  dataDir: string
  port: number
  peerId: string
  /** The address it listens on: 127.0.0.1, or its namespace's (links.ts). */
  ip: string
  /** Runs a command where this process lives (its network namespace); absent: here. */
  wrap?: (cmd: string, args: readonly string[]) => { cmd: string, args: string[] }
  child?: ChildProcess
  paused: boolean
  /** Its link is cut (links.ts). */
  cut: boolean
}

/** Run `cairn ARGS` to completion; its stdout, or an error naming its stderr. */
export async function cairnOnce (args: string[], env: Record<string, string>): Promise<string> {
  const child = reapOnExit(spawn(process.execPath, [CAIRN, ...args], { env: { ...process.env, ...LOOPBACK_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }))
  let out = ''
  let err = ''
  child.stdout.on('data', (c: Buffer) => { out += c.toString() })
  child.stderr.on('data', (c: Buffer) => { err += c.toString() })
  const code = await new Promise<number | null>(resolve => child.on('close', resolve))
  if (code !== 0) throw new Error(`cairn ${args.join(' ')} exited ${code}: ${err.slice(-400)}`)
  return out
}

/** A process that exited when nothing here stopped it: how, and the end of what it wrote on stderr. */
export interface Crash { code: number | null, signal: string | null, stderr: string }

/**
 * Start `p` (again): resolves once it printed its --json start line. Everything it writes on stderr
 * is appended to `stderrFile` when given; should it exit later without killProc or stopProc having
 * stopped it, `onCrash` is told (and `p.child` is cleared: nothing waits for an exit already past).
 */
export async function startProc (p: Proc, env: Record<string, string>, timeoutMs = 60_000, watch: { stderrFile?: string, onCrash?: (p: Proc, crash: Crash) => void } = {}): Promise<void> {
  const args = p.kind === 'mailbox' ? ['mailbox', '--json'] : ['daemon', '--json']
  const run = p.wrap?.(process.execPath, [CAIRN, ...args]) ?? { cmd: process.execPath, args: [CAIRN, ...args] }
  const child = reapOnExit(spawn(run.cmd, run.args, {
    env: { ...process.env, ...LOOPBACK_ENV, CAIRN_DATA_DIR: p.dataDir, CAIRN_LISTEN: `/ip4/${p.ip}/tcp/${p.port}`, ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  }))
  let stderr = ''
  const file = watch.stderrFile === undefined ? undefined : createWriteStream(watch.stderrFile, { flags: 'a', mode: 0o600 })
  child.stderr?.on('data', (c: Buffer) => { stderr = (stderr + c.toString()).slice(-2000); file?.write(c) })
  child.once('close', () => { file?.end() })
  const lines = createInterface({ input: child.stdout as NonNullable<typeof child.stdout> })
  const started = await new Promise<{ peerId: string }>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${p.name} did not start within ${timeoutMs} ms: ${stderr}`)) }, timeoutMs)
    lines.once('line', line => { clearTimeout(timer); try { resolve(JSON.parse(line) as { peerId: string }) } catch (err) { reject(err) } })
    child.once('exit', code => { clearTimeout(timer); reject(new Error(`${p.name} exited ${code} at start: ${stderr}`)) })
  })
  child.removeAllListeners('exit')
  lines.on('line', () => {}) // keep draining stdout
  p.peerId = started.peerId
  p.child = child
  p.paused = false
  child.once('exit', (code, signal) => {
    if (p.child !== child) return // killProc or stopProc cleared it first: an exit asked for
    p.child = undefined
    p.paused = false
    // the last of stderr may still be in the pipe: told once it closed
    child.once('close', () => { watch.onCrash?.(p, { code, signal, stderr }) })
  })
}

/** SIGKILL: no clean shutdown, whatever was in flight is cut. */
export async function killProc (p: Proc): Promise<void> {
  const child = p.child
  if (child === undefined) return
  p.child = undefined
  if (p.paused) child.kill('SIGCONT')
  p.paused = false
  if (child.exitCode !== null || child.signalCode !== null) return // gone already (a crash)
  const exited = new Promise(resolve => child.once('exit', resolve))
  child.kill('SIGKILL')
  await exited
}

/** SIGTERM and wait (the node stops cleanly). */
export async function stopProc (p: Proc): Promise<void> {
  const child = p.child
  if (child === undefined) return
  p.child = undefined
  if (child.exitCode !== null || child.signalCode !== null) return
  if (p.paused) child.kill('SIGCONT')
  const exited = new Promise(resolve => child.once('exit', resolve))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
  await exited
  clearTimeout(timer)
}

export function pauseProc (p: Proc, paused: boolean): void {
  if (p.child === undefined || p.paused === paused) return
  p.child.kill(paused ? 'SIGSTOP' : 'SIGCONT')
  p.paused = paused
}

export const addressOf = (p: Proc): string => `/ip4/${p.ip}/tcp/${p.port}/p2p/${p.peerId}`
