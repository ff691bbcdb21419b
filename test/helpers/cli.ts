/** Runs the real `cairn` binary (the built CLI) as a child process, as a user or script would. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { TestContext } from 'node:test'
import { reapOnExit } from '../../bench/lib/reap.js'

/** Every process a test starts is on 127.0.0.1: replica diversity by subnet would leave one replica per set. */
const LOOPBACK_ENV = { CAIRN_LOG_LEVEL: 'warn', CAIRN_MAILBOX_REPLICAS_PER_SUBNET: '0' }

export const CAIRN = fileURLToPath(new URL('../../cli/main.js', import.meta.url))

export interface Run { code: number | null, stdout: string, stderr: string }

/** `{ env: { CAIRN_PASSPHRASE: p } }`: a command's passphrase, as a script gives it. */
export const pw = (p: string): { env: Record<string, string> } => ({ env: { CAIRN_PASSPHRASE: p } })

/** `cairn ARGS --json`, asserted to exit 0, its stdout parsed. */
export async function json<T> (args: string[], options: { env?: Record<string, string> } = {}): Promise<T> {
  const run = await cairn([...args, '--json'], options)
  if (run.code !== 0) throw new Error(`cairn ${args.join(' ')} exited ${String(run.code)}: ${run.stderr}`)
  return JSON.parse(run.stdout) as T
}

/** An inbox message as `cairn inbox --json` prints it, reduced to what the tests compare. */
export interface Shown { id: string, from: string, text: string }
export const shown = (inbox: Shown[]): string[] => inbox.map(m => `${m.id} ${m.from} ${m.text}`)

export async function cairn (args: string[], options: { input?: string, env?: Record<string, string>, timeoutMs?: number } = {}): Promise<Run> {
  const child = spawn(process.execPath, [CAIRN, ...args], { env: { ...process.env, ...LOOPBACK_ENV, ...options.env }, stdio: 'pipe' })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => { stdout += c.toString() })
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
  child.stdin.end(options.input ?? '')
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000)
  const code = await new Promise<number | null>(resolve => child.on('close', resolve))
  clearTimeout(timer)
  return { code, stdout, stderr }
}

/**
 * Run `cairn` with a pseudo-terminal for its stdin, stdout and stderr (util-linux `script`), as a
 * person at a terminal would; the output is both streams as the terminal showed them. Undefined
 * when `script` is not installed.
 */
export async function cairnOnTty (args: string[], options: { env?: Record<string, string>, timeoutMs?: number, input?: string } = {}): Promise<{ code: number | null, output: string } | undefined> {
  if (!existsSync('/usr/bin/script')) return undefined
  const quote = (s: string): string => `'${s.replace(/'/g, "'\\''")}'`
  const command = [process.execPath, CAIRN, ...args].map(quote).join(' ')
  const child = spawn('/usr/bin/script', ['-q', '-e', '-c', command, '/dev/null'], { env: { ...process.env, ...LOOPBACK_ENV, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (c: Buffer) => { output += c.toString() })
  child.stderr.on('data', (c: Buffer) => { output += c.toString() })
  // what is typed at the terminal (script forwards it; the end of its input is not passed on)
  child.stdin.end(options.input ?? '')
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000)
  const code = await new Promise<number | null>(resolve => child.on('close', resolve))
  clearTimeout(timer)
  return { code, output }
}

/** Start a long-running command (daemon, mailbox) and wait for its first stdout line (JSON). */
export async function startCairn<T = unknown> (t: TestContext, args: string[], env: Record<string, string> = {}): Promise<{ child: ChildProcessWithoutNullStreams, first: T, stderr: () => string, stop: (signal?: NodeJS.Signals) => Promise<number | null> }> {
  // killed with this process too: a test file stopped by a signal skips its t.after
  const child = reapOnExit(spawn(process.execPath, [CAIRN, ...args], { env: { ...process.env, ...LOOPBACK_ENV, ...env }, stdio: 'pipe' }))
  let stderr = ''
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
  const closed = new Promise<number | null>(resolve => child.on('close', resolve))
  const lines = createInterface({ input: child.stdout })
  const first = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error(`no output from cairn ${args.join(' ')}; stderr: ${stderr}`)) }, 30_000)
    lines.once('line', l => { clearTimeout(timer); resolve(l) })
    void closed.then(code => { clearTimeout(timer); reject(new Error(`cairn ${args.join(' ')} exited ${code}: ${stderr}`)) })
  })
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal)
    return closed
  }
  t.after(async () => { await stop('SIGKILL') })
  return { child, first: JSON.parse(first) as T, stderr: () => stderr, stop }
}

/**
 * Two users made through the real binary under `root`: alice and bob `init`ed, bob's daemon
 * listening on loopback, and bob in alice's contacts by that address. `A` and `B` are their
 * `--data-dir` arguments.
 */
export async function cliPair (t: TestContext, root: string, options: { bobEnv?: Record<string, string> } = {}): Promise<{ A: string[], B: string[], alice: { peerId: string }, bobDaemon: Awaited<ReturnType<typeof startCairn<{ addresses: string[] }>>> }> {
  const A = ['--data-dir', join(root, 'alice')]
  const B = ['--data-dir', join(root, 'bob')]
  const init = await cairn([...A, 'init', '--json'])
  if (init.code !== 0) throw new Error(`cairn init: ${init.stderr}`)
  const alice = JSON.parse(init.stdout) as { peerId: string }
  const bobInit = await cairn([...B, 'init'])
  if (bobInit.code !== 0) throw new Error(`cairn init: ${bobInit.stderr}`)
  const bobDaemon = await startCairn<{ addresses: string[] }>(t, [...B, 'daemon', '--json', '--listen', '/ip4/127.0.0.1/tcp/0'], options.bobEnv)
  const added = await cairn([...A, 'contact', 'add', 'bob', bobDaemon.first.addresses[0] as string])
  if (added.code !== 0) throw new Error(`cairn contact add: ${added.stderr}`)
  return { A, B, alice, bobDaemon }
}
