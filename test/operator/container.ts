/**
 * The container, without a container engine: reads the Dockerfile's final stage (ENV, ENTRYPOINT,
 * CMD, HEALTHCHECK) and starts the operator entrypoint as a child process exactly as the image
 * would, on this checkout's dist/ and a temp data dir. Also a strict check of Prometheus text.
 */
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import type { TestContext } from 'node:test'
import { cairn, startCairn, type Run } from '../helpers/cli.js'

/** The repository root (this file runs from dist/test/operator/). */
export const REPO = fileURLToPath(new URL('../../../', import.meta.url))

export interface Instruction { cmd: string, args: string, line: number }

/** Instructions in order, with line continuations joined and comments dropped. */
export function parseDockerfile (text: string): Instruction[] {
  const out: Instruction[] = []
  let buf = ''
  let start = 0
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim()
    if (buf === '' && (line === '' || line.startsWith('#'))) return
    if (buf !== '' && line.startsWith('#')) return // comments inside a continued instruction
    if (buf === '') start = i + 1
    if (line.endsWith('\\')) { buf += line.slice(0, -1) + ' '; return }
    buf += line
    const m = /^(\S+)\s+([\s\S]*)$/.exec(buf)
    if (m !== null) out.push({ cmd: (m[1] as string).toUpperCase(), args: (m[2] as string).trim(), line: start })
    buf = ''
  })
  return out
}

/** The instructions of the last stage (the image that runs). */
export function finalStage (all: Instruction[]): Instruction[] {
  const from = all.map(i => i.cmd).lastIndexOf('FROM')
  return all.slice(from)
}

/** ENV KEY=VALUE [KEY=VALUE ...] (values may be double-quoted). */
export function envOf (stage: Instruction[]): Record<string, string> {
  const env: Record<string, string> = {}
  for (const i of stage.filter(i => i.cmd === 'ENV')) {
    for (const m of i.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
      const v = m[2] as string
      env[m[1] as string] = v.startsWith('"') ? JSON.parse(v) as string : v
    }
  }
  return env
}

/** An exec-form (JSON array) instruction's argv. */
export function execForm (stage: Instruction[], cmd: string): string[] {
  const i = stage.filter(s => s.cmd === cmd).at(-1)
  if (i === undefined) return []
  return JSON.parse(i.args) as string[]
}

export interface Launch {
  /** The image's argv: ENTRYPOINT then CMD. */
  argv: string[]
  /** The script node runs, as a path inside the image. */
  script: string
  /** Arguments after the script. */
  args: string[]
  env: Record<string, string>
  workdir: string
  /** The HEALTHCHECK command's argv. */
  healthcheck: string[]
}

export function containerLaunch (dockerfile = readFileSync(`${REPO}Dockerfile`, 'utf8')): Launch {
  const stage = finalStage(parseDockerfile(dockerfile))
  const argv = [...execForm(stage, 'ENTRYPOINT'), ...execForm(stage, 'CMD')]
  const at = argv.findIndex(a => a.endsWith('.js'))
  if (at < 0) throw new Error(`no script in the entrypoint: ${JSON.stringify(argv)}`)
  const workdir = stage.filter(s => s.cmd === 'WORKDIR').at(-1)?.args ?? '/'
  const hc = stage.find(s => s.cmd === 'HEALTHCHECK')
  const healthcheck = hc === undefined ? [] : JSON.parse(hc.args.slice(hc.args.indexOf('CMD') + 3).trim()) as string[]
  return { argv, script: argv[at] as string, args: argv.slice(at + 1), env: envOf(stage), workdir, healthcheck }
}

/** A path inside the image (under WORKDIR) as a path in this checkout. */
export function inRepo (imagePath: string, workdir: string): string {
  const rel = imagePath.startsWith(workdir + '/') ? imagePath.slice(workdir.length + 1) : imagePath
  return REPO + rel
}

/** A free loopback port (bind 0, read, close): for the metrics port the healthcheck must know. */
export async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise(resolve => server.close(resolve))
  return port
}

export interface RunningOperator {
  peerId: string
  address: string
  metrics: string
  env: Record<string, string>
  /** Signal the process and wait for it to exit; its exit code (null when killed by the signal). */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>
  /** Send a signal without waiting. */
  kill: (signal: NodeJS.Signals) => void
  stderr: () => string
}

/**
 * Start the operator entrypoint with the image's command and environment. Only what must differ
 * on a shared test machine is changed: the data dir, loopback listen ports, a free metrics port.
 */
export async function startOperator (t: TestContext, dataDir: string, extraEnv: Record<string, string> = {}, extraArgs: string[] = []): Promise<RunningOperator> {
  const launch = containerLaunch()
  const port = extraEnv.CAIRN_METRICS_PORT ?? String(await freePort())
  // loopback addresses are all a test network has: the node must keep them in the DHT
  const env = { ...launch.env, CAIRN_DATA_DIR: dataDir, CAIRN_LISTEN: '/ip4/127.0.0.1/tcp/0,/ip4/127.0.0.1/tcp/0/ws', CAIRN_METRICS_PORT: port, CAIRN_NETWORK_ALLOW_PRIVATE_ADDRESSES: 'true', ...extraEnv }
  // startCairn runs this checkout's main.js, which is the image's script (dockerfile.test checks)
  const { child, first, stop, stderr } = await startCairn<{ peerId: string, addresses: string[], metrics?: string }>(t, [...launch.args, ...extraArgs], env)
  const address = first.addresses.find(a => !a.includes('/ws')) ?? ''
  return { peerId: first.peerId, address, metrics: (first.metrics ?? '').replace('0.0.0.0', '127.0.0.1'), env, stop, kill: (signal) => { child.kill(signal) }, stderr }
}

/**
 * Run the image's HEALTHCHECK command as the engine would: the container's environment, none of
 * the flags the node was started with. Its script is this checkout's main.js (dockerfile.test).
 */
export async function runHealthcheck (env: Record<string, string>): Promise<Run> {
  const launch = containerLaunch()
  const [cmd, script, ...args] = launch.healthcheck
  if (cmd !== 'node' || script !== launch.script) throw new Error(`the HEALTHCHECK does not run the entrypoint's script: ${JSON.stringify(launch.healthcheck)}`)
  return cairn(args, { env })
}

/**
 * Prometheus text exposition, strictly: every sample line is `name{labels} value [timestamp]`,
 * every HELP/TYPE comment well formed, each family's TYPE before its samples. Returns the samples.
 */
export function parsePrometheus (text: string): Map<string, number> {
  const samples = new Map<string, number>()
  const typed = new Set<string>()
  const name = '[a-zA-Z_:][a-zA-Z0-9_:]*'
  const labels = '\\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"(?:,(?=[a-zA-Z_]))?)*,?\\}'
  // NaN and Inf in any case, as Prometheus reads them (Go's ParseFloat): prom-client writes an
  // empty summary's mean as "Nan" (nodejs_eventloop_lag_mean_seconds before its first sample)
  const value = '(?:[-+]?(?:\\d+\\.?\\d*(?:[eE][-+]?\\d+)?|\\.\\d+(?:[eE][-+]?\\d+)?)|[Nn][Aa][Nn]|[-+]?[Ii][Nn][Ff])'
  const sample = new RegExp(`^(${name})(${labels})? (${value})(?: -?\\d+)?$`)
  for (const line of text.split('\n')) {
    if (line === '') continue
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) ?(.*)$/.exec(line)
      if (m === null) { if (/^# (HELP|TYPE)/.test(line)) throw new Error(`malformed comment: ${line}`); continue }
      if (m[1] === 'TYPE') {
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(m[3] as string)) throw new Error(`bad TYPE: ${line}`)
        typed.add(m[2] as string)
      }
      continue
    }
    const m = sample.exec(line)
    if (m === null) throw new Error(`not a Prometheus sample line: ${JSON.stringify(line)}`)
    const family = (m[1] as string).replace(/_(bucket|sum|count|total|created)$/, '')
    if (!typed.has(m[1] as string) && !typed.has(family)) throw new Error(`sample before its TYPE: ${line}`)
    samples.set((m[1] as string) + (m[2] ?? ''), Number(m[3]))
  }
  return samples
}
