/**
 * Cairn on the NAT test bed: the real `cairn` binary in network namespaces (testbed.ts).
 *
 *   pub[0] 7.7.7.10   `cairn mailbox`: relay server + mailbox + bootstrap/DHT server
 *   hA 192.168.1.10   alice, behind router rA (WAN 7.7.7.1)   `cairn daemon`, natTraversal on
 *   hB 192.168.2.10   bob,   behind router rB (WAN 7.7.7.2)   `cairn daemon`, natTraversal on
 *
 * Every process is configured only through CAIRN_* variables, as an operator or user would. The
 * daemons listen on an ephemeral port (never on network.dialPort, see NOTES in docs/NAT.md) and
 * dial everything from the fixed dialPort. While a daemon runs, the other commands for its data
 * dir go through it (unix socket in the data dir); without one, they open their own node in the
 * user's namespace.
 *
 * Used by test/nat/nat.test.ts and bench/nat/nat-bench.ts. destroy() kills every process and
 * deletes the namespaces and data dirs; the test bed's exit hooks cover crashes.
 */
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import type { ClientApi, ConnectionInfo, StatusInfo } from '../../src/client/api.js'
import { connectDaemon } from '../../src/client/daemon/daemon-client.js'
import { createTestbed, type NsHost, type Testbed, type Variant } from './testbed.js'

/** The built CLI next to this file (dist/test/nat -> dist/cli/main.js, the bundle). */
export const CAIRN_MAIN = fileURLToPath(new URL('../../cli/main.js', import.meta.url))

export const RELAY_PORT = 4001
/** Cairn's default network.dialPort: the NAT mapping the relay observes, and the punch reuses. */
export const DIAL_PORT = 4011

export interface Run { code: number | null, stdout: string, stderr: string, ms: number }

export interface UserInfo { peerId: string, addresses: string[] }

export interface CairnUser {
  readonly name: 'alice' | 'bob'
  readonly host: NsHost
  /** The WAN address of this user's NAT router: what the relay and a punched peer see. */
  readonly wanIp: string
  readonly dataDir: string
  readonly peerId: string
  /** `cairn daemon --json` in the user's namespace; resolves with its first line. */
  startDaemon: (env?: Record<string, string>) => Promise<UserInfo>
  /** SIGTERM the daemon and wait for it to exit (it closes its connections on the way out). */
  stopDaemon: () => Promise<void>
  readonly daemonRunning: boolean
  /** Run `cairn ARGS` in the user's namespace (through the daemon when one runs). */
  cli: (args: readonly string[], options?: { env?: Record<string, string>, timeoutMs?: number }) => Promise<Run>
  /** `cairn ARGS --json`, parsed; throws with stderr on a non-zero exit. */
  json: <T = unknown>(args: readonly string[], options?: { env?: Record<string, string>, timeoutMs?: number }) => Promise<T>
  /** The daemon's API over its socket, for fast polling (the socket is a file: no namespace needed). */
  api: () => Promise<ClientApi>
  /** The daemon's stderr so far (all runs). */
  log: () => string
  /** When the running daemon printed its first line (Date.now()), or undefined. */
  readonly daemonReadyAt: number | undefined
}

export interface CairnRelay {
  readonly host: NsHost
  readonly peerId: string
  /** The bootstrap multiaddr: /ip4/<pub>/tcp/4001/p2p/<id>. */
  readonly addr: string
  /** The addresses the mailbox node printed at start (what it announces). */
  readonly addresses: string[]
  log: () => string
}

export interface CairnNat {
  readonly bed: Testbed
  readonly variant: Variant
  readonly relay: CairnRelay
  readonly alice: CairnUser
  readonly bob: CairnUser
  /** Every process's log, for a failure report. */
  logs: () => string
  destroy: () => Promise<void>
}

export interface CairnNatOptions {
  variant: Variant
  /** Extra CAIRN_* for the mailbox/relay node, e.g. { CAIRN_RELAY_DATA_LIMIT_BYTES: '8192' }. */
  relayEnv?: Record<string, string>
  /** Extra CAIRN_* for both users (daemons and commands). */
  userEnv?: Record<string, string>
  /** Log level of the long-running processes (default info; commands log at warn). */
  logLevel?: string
  /** DEBUG=... for the daemons (libp2p's own logs), e.g. 'libp2p:dcutr*'. */
  debug?: string
}

/** The environment of this process without CAIRN_* (an unknown CAIRN_* variable is a config error) or DEBUG. */
function baseEnv (): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k.startsWith('CAIRN_') || k === 'DEBUG') continue
    out[k] = v
  }
  return out
}

function tail (text: string, lines = 60): string {
  return text.split('\n').slice(-lines).join('\n')
}

interface LongRunning { child: ChildProcess, first: Promise<string>, stderr: () => string, exited: Promise<void> }

/** Start `cairn ARGS` in `ns`; `first` resolves with its first stdout line (the JSON the command prints when ready). */
function startLong (bed: Testbed, ns: string, args: readonly string[], env: Record<string, string>, sink: { text: string }): LongRunning {
  const child = bed.spawn(ns, process.execPath, [CAIRN_MAIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stderr?.on('data', (c: Buffer) => { sink.text += c.toString() })
  const exited = new Promise<void>(resolve => { child.once('exit', () => { resolve() }); child.once('error', () => { resolve() }) })
  const first = new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream })
    rl.once('line', resolve)
    void exited.then(() => { reject(new Error(`cairn ${args.join(' ')} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${tail(sink.text)}`)) })
  })
  first.catch(() => {}) // the caller awaits it; a late rejection after success is not an error
  return { child, first, stderr: () => sink.text, exited }
}

async function withTimeout<T> (p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    return await Promise.race([p, new Promise<never>((_resolve, reject) => { timer = setTimeout(() => { reject(new Error(`${what}: no answer in ${ms} ms`)) }, ms) })])
  } finally {
    clearTimeout(timer)
  }
}

export async function startCairnNat (options: CairnNatOptions): Promise<CairnNat> {
  const bed = await createTestbed({ variant: options.variant, publicHosts: 1 })
  const dirs: string[] = []
  const mkdir = (tag: string): string => {
    const d = mkdtempSync(join(tmpdir(), `cairn-nat-${tag}-`))
    dirs.push(d)
    return d
  }
  const logLevel = options.logLevel ?? 'info'
  const base = baseEnv()
  const logSinks: Array<[string, { text: string }]> = []
  let destroyed = false
  const destroy = async (): Promise<void> => {
    if (destroyed) return
    destroyed = true
    await bed.destroy()
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  }
  const logs = (): string => logSinks.map(([name, s]) => `---- ${name}\n${tail(s.text, 80)}`).join('\n')

  try {
    const pub = bed.hosts.pub[0] as NsHost
    const relaySink = { text: '' }
    logSinks.push(['relay', relaySink])
    const relayDir = mkdir('relay')
    const relayProc = startLong(bed, pub.ns, ['mailbox', '--json'], {
      ...base,
      CAIRN_LOG_LEVEL: logLevel,
      CAIRN_DATA_DIR: relayDir,
      CAIRN_RELAY_ENABLED: 'true',
      CAIRN_LISTEN: `/ip4/0.0.0.0/tcp/${RELAY_PORT}`,
      CAIRN_ANNOUNCE: `/ip4/${pub.ip}/tcp/${RELAY_PORT}`,
      CAIRN_MAILBOX_REPLICAS: '1',
      ...options.relayEnv
    }, relaySink)
    const relayInfo = JSON.parse(await withTimeout(relayProc.first, 30_000, 'cairn mailbox')) as UserInfo
    const relay: CairnRelay = {
      host: pub,
      peerId: relayInfo.peerId,
      addr: `/ip4/${pub.ip}/tcp/${RELAY_PORT}/p2p/${relayInfo.peerId}`,
      addresses: relayInfo.addresses,
      log: () => relaySink.text
    }

    const userEnv = (dataDir: string, level: string): Record<string, string> => ({
      ...base,
      CAIRN_LOG_LEVEL: level,
      CAIRN_DATA_DIR: dataDir,
      CAIRN_NETWORK_NAT_TRAVERSAL: 'true',
      CAIRN_BOOTSTRAP: relay.addr,
      CAIRN_LISTEN: '/ip4/0.0.0.0/tcp/0',
      CAIRN_MAILBOX_REPLICAS: '1',
      ...options.userEnv
    })

    const makeUser = async (name: 'alice' | 'bob', host: NsHost, wanIp: string): Promise<CairnUser> => {
      const dataDir = mkdir(name)
      const sink = { text: '' }
      logSinks.push([name, sink])
      let daemon: LongRunning | undefined
      let readyAt: number | undefined
      const cli = async (args: readonly string[], opts: { env?: Record<string, string>, timeoutMs?: number } = {}): Promise<Run> => {
        const t0 = Date.now()
        const child = bed.spawn(host.ns, process.execPath, [CAIRN_MAIN, ...args], { env: { ...userEnv(dataDir, 'warn'), ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] })
        let stdout = ''
        let stderr = ''
        child.stdout?.on('data', (c: Buffer) => { stdout += c.toString() })
        child.stderr?.on('data', (c: Buffer) => { stderr += c.toString() })
        const timer = setTimeout(() => { child.kill('SIGKILL') }, opts.timeoutMs ?? 60_000)
        const code = await new Promise<number | null>(resolve => { child.once('close', resolve); child.once('error', () => { resolve(null) }) })
        clearTimeout(timer)
        return { code, stdout, stderr, ms: Date.now() - t0 }
      }
      const json = async <T>(args: readonly string[], opts: { env?: Record<string, string>, timeoutMs?: number } = {}): Promise<T> => {
        const r = await cli([...args, '--json'], opts)
        if (r.code !== 0) throw new Error(`${name}: cairn ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`)
        return JSON.parse(r.stdout) as T
      }
      const init = await json<{ peerId: string }>(['init'])
      const user: CairnUser = {
        name,
        host,
        wanIp,
        dataDir,
        peerId: init.peerId,
        get daemonRunning () { return daemon !== undefined && daemon.child.exitCode === null && daemon.child.signalCode === null },
        async startDaemon (env = {}) {
          if (user.daemonRunning) throw new Error(`${name}: daemon already running`)
          sink.text += `==== daemon start ${new Date().toISOString()}\n`
          readyAt = undefined
          daemon = startLong(bed, host.ns, ['daemon', '--json'], { ...userEnv(dataDir, logLevel), ...(options.debug === undefined ? {} : { DEBUG: options.debug }), ...env }, sink)
          const info = JSON.parse(await withTimeout(daemon.first, 30_000, `${name}: cairn daemon`)) as UserInfo
          readyAt = Date.now()
          return info
        },
        async stopDaemon () {
          const d = daemon
          if (d === undefined || !user.daemonRunning) return
          d.child.kill('SIGTERM')
          const ok = await Promise.race([d.exited.then(() => true), sleep(10_000).then(() => false)])
          if (!ok) d.child.kill('SIGKILL')
          await d.exited
        },
        cli,
        json,
        async api () {
          const api = await connectDaemon(dataDir)
          if (api === undefined) throw new Error(`${name}: no daemon answers on its socket`)
          return api
        },
        log: () => sink.text,
        get daemonReadyAt () { return user.daemonRunning ? readyAt : undefined }
      }
      return user
    }
    const [alice, bob] = await Promise.all([
      makeUser('alice', bed.hosts.a, bed.routers.a.wanIp),
      makeUser('bob', bed.hosts.b, bed.routers.b.wanIp)
    ])
    await Promise.all([alice.json(['contact', 'add', 'bob', bob.peerId]), bob.json(['contact', 'add', 'alice', alice.peerId])])
    return { bed, variant: options.variant, relay, alice, bob, logs, destroy }
  } catch (err) {
    const text = logs()
    await destroy()
    if (err instanceof Error && text !== '') err.message += `\n${text}`
    throw err
  }
}

/** libp2p's identify-push debounce (@libp2p/identify PUSH_DEBOUNCE_MS): how long after a new address our peers hear of it. */
export const IDENTIFY_PUSH_DEBOUNCE_MS = 1000

/**
 * Waits until the running daemons can be reached the way a sender finds them: each holds a
 * reservation and advertises its relay address; its prekey bundles are at the mailbox (a sync,
 * which the daemon also starts on its own); and the relay has heard the relay address, which
 * identify-push sends at most IDENTIFY_PUSH_DEBOUNCE_MS after the reservation. A sender that
 * looks a peer up earlier than that finds only its private addresses and uses the mailbox.
 */
export async function settle (nat: CairnNat, timeoutMs = 20_000): Promise<void> {
  const users = [nat.alice, nat.bob].filter(u => u.daemonRunning)
  await Promise.all(users.map(async u => {
    const api = await u.api()
    const reserved = await waitFor(async () => {
      const s = await api.status()
      return s.relays.includes(nat.relay.peerId) && s.addresses.some(a => a.includes('/p2p-circuit')) ? true : undefined
    }, timeoutMs, 50)
    if (reserved === undefined) throw new Error(`${u.name}: no relay reservation after ${timeoutMs} ms`)
    await api.sync()
  }))
  const last = Math.max(...users.map(u => u.daemonReadyAt ?? 0))
  const wait = last + IDENTIFY_PUSH_DEBOUNCE_MS + 300 - Date.now()
  if (wait > 0) await sleep(wait)
}

/** Connections of `status` to `peerId`. */
export function connectionsTo (status: StatusInfo, peerId: string): ConnectionInfo[] {
  return status.connectionList.filter(c => c.peerId === peerId)
}

/** A direct (hole-punched) connection: not relayed, no limits, to the peer's NAT router. */
export function directConnection (status: StatusInfo, peer: CairnUser): ConnectionInfo | undefined {
  return connectionsTo(status, peer.peerId).find(c => !c.relayed && !c.limited && c.remoteAddr.startsWith(`/ip4/${peer.wanIp}/tcp/`))
}

/** Polls `probe` every `intervalMs` until it returns a value (not undefined) or `ms` pass. */
export async function waitFor<T> (probe: () => Promise<T | undefined>, ms: number, intervalMs = 50): Promise<T | undefined> {
  const end = Date.now() + ms
  for (;;) {
    const v = await probe().catch(() => undefined)
    if (v !== undefined) return v
    if (Date.now() >= end) return undefined
    await sleep(intervalMs)
  }
}
