/**
 * A NAT test bed in Linux network namespaces (needs root; see natSupport()).
 *
 *   pub[i] 7.7.7.(10+i) ─┐
 *                        ├─ br0 (namespace "sw", no address)
 *   rA wan0 7.7.7.1 ─────┤            rB wan0 7.7.7.2 ─┘
 *   rA lan0 192.168.1.1               rB lan0 192.168.2.1
 *   a  eth0 192.168.1.10              b  eth0 192.168.2.10   (default route via their router)
 *
 * The public segment 7.7.7.0/24 is deliberately outside libp2p's private ranges: DCUtR and AutoNAT
 * skip private addresses, so a bed numbered from 10/8 or the documentation ranges would silently
 * test nothing. These addresses exist only inside the bed; no namespace has a route out of it.
 *
 * Variants (see /work/shared/nat-example/NOTES.md for the measured behaviour):
 *  - 'a': endpoint-independent MASQUERADE (keeps the source port) + a firewall that drops
 *         unsolicited inbound packets, like most home routers. TCP hole punching works.
 *  - 'b': the same MASQUERADE, no filter: the router's own stack answers unsolicited SYNs with RST,
 *         which kills the first punch SYN. Hole punching fails.
 *  - 'c': symmetric NAT (MASQUERADE --random-fully: new source port per destination) + drop.
 *         The port the relay observed is useless for the punch. Hole punching fails.
 *
 * Every namespace name carries a per-testbed prefix, so parallel test files never collide.
 * destroy() is idempotent; beds that were not destroyed are removed on process exit, SIGINT
 * and SIGTERM, and beds of SIGKILLed processes by the next createTestbed() (sweepStaleNamespaces).
 */
import { spawn as spawnChild, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { once } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import { killAndDeleteSync, nextPrefix, run, sweepStaleNamespaces } from './netns.js'

export { natSupport, sweepStaleNamespaces, type NatSupport } from './netns.js'

export type Variant = 'a' | 'b' | 'c'

export const VARIANTS: Readonly<Record<Variant, { masquerade: 'plain' | 'random', firewall: 'drop' | 'rst', description: string }>> = {
  a: { masquerade: 'plain', firewall: 'drop', description: 'endpoint-independent NAT + dropping firewall' },
  b: { masquerade: 'plain', firewall: 'rst', description: 'endpoint-independent NAT, no filter (router RSTs unsolicited SYNs)' },
  c: { masquerade: 'random', firewall: 'drop', description: 'symmetric NAT (--random-fully) + dropping firewall' }
}

export interface TestbedOptions {
  variant: Variant
  /** Hosts directly on the public segment (relays, mailboxes, bootstrap nodes). Default 1. */
  publicHosts?: number
  /** How long destroy() waits after SIGTERM before it SIGKILLs spawned processes. Default 2000 ms. */
  killGraceMs?: number
}

export interface NsHost { readonly ns: string, readonly ip: string }
export interface NatRouter { readonly ns: string, readonly wanIp: string, readonly lanIp: string }

export interface Testbed {
  /** The namespace-name prefix of this bed, e.g. "cn-1k2-0-". */
  readonly id: string
  readonly variant: Variant
  readonly hosts: { readonly pub: readonly NsHost[], readonly a: NsHost, readonly b: NsHost }
  /** The routers, for conntrack dumps or extra rules; a router's wanIp is its host's public IP. */
  readonly routers: { readonly a: NatRouter, readonly b: NatRouter }
  readonly namespaces: readonly string[]
  /** Starts `cmd args` inside `ns` (via `ip netns exec`); destroy() kills it. stdio defaults to 'pipe'. */
  spawn: (ns: string, cmd: string, args?: readonly string[], opts?: SpawnOptions) => ChildProcess
  /** Runs a command inside `ns` and returns stdout; a string runs through `sh -c`. Rejects on non-zero exit. */
  exec: (ns: string, cmd: string | readonly string[], timeoutMs?: number) => Promise<string>
  /** Empties both routers' conntrack tables (needs the `conntrack` tool). */
  flushConntrack: () => Promise<void>
  /** Kills all spawned processes (SIGTERM, then SIGKILL) and deletes the namespaces. Idempotent. */
  destroy: () => Promise<void>
}

const PUBLIC_NET = '7.7.7'
const MAX_PUBLIC_HOSTS = 200

/** Beds not yet destroyed, for the exit/signal hooks. */
const live = new Set<{ destroySync: () => void }>()
let hooksInstalled = false

function installExitHooks (): void {
  if (hooksInstalled) return
  hooksInstalled = true
  // 'exit' allows only synchronous work, hence the *Sync cleanup
  process.on('exit', () => { for (const bed of live) bed.destroySync() })
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const onSignal = (): void => {
      for (const bed of live) bed.destroySync()
      process.off(signal, onSignal)
      // A listener suppresses the default "die on signal"; restore it unless someone else handles it
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
    }
    process.on(signal, onSignal)
  }
}

export async function createTestbed (options: TestbedOptions): Promise<Testbed> {
  const variant = options.variant
  const spec = VARIANTS[variant]
  if (spec == null) throw new Error(`unknown NAT variant ${String(variant)}`)
  const nPub = options.publicHosts ?? 1
  if (!Number.isInteger(nPub) || nPub < 0 || nPub > MAX_PUBLIC_HOSTS) throw new Error(`publicHosts must be 0..${MAX_PUBLIC_HOSTS}`)
  const graceMs = options.killGraceMs ?? 2000

  installExitHooks()
  sweepStaleNamespaces()

  const id = nextPrefix()
  const sw = `${id}sw`
  const pub = Array.from({ length: nPub }, (_, i): NsHost => ({ ns: `${id}p${i}`, ip: `${PUBLIC_NET}.${10 + i}` }))
  const routers = {
    a: { ns: `${id}rA`, wanIp: `${PUBLIC_NET}.1`, lanIp: '192.168.1.1' },
    b: { ns: `${id}rB`, wanIp: `${PUBLIC_NET}.2`, lanIp: '192.168.2.1' }
  }
  const hosts = { pub, a: { ns: `${id}hA`, ip: '192.168.1.10' }, b: { ns: `${id}hB`, ip: '192.168.2.10' } }
  const wanted = [sw, routers.a.ns, routers.b.ns, hosts.a.ns, hosts.b.ns, ...pub.map(h => h.ns)]

  const created: string[] = []
  const children = new Set<ChildProcess>()
  let destroying: Promise<void> | undefined

  const handle = {
    destroySync: (): void => {
      for (const child of children) child.kill('SIGKILL')
      for (const ns of created) killAndDeleteSync(ns)
      created.length = 0
      live.delete(handle)
    }
  }
  const destroySync = handle.destroySync
  live.add(handle)

  const ip = async (...args: string[]): Promise<void> => { await run('ip', args) }
  const inNs = async (ns: string, ...args: string[]): Promise<void> => { await run('ip', ['netns', 'exec', ns, ...args]) }

  const teardown = async (): Promise<void> => {
    const running = [...children].filter(c => c.exitCode == null && c.signalCode == null)
    for (const child of running) child.kill('SIGTERM')
    const exited = Promise.all(running.map(async c => { if (c.exitCode == null && c.signalCode == null) await once(c, 'exit') }))
    await Promise.race([exited, sleep(graceMs)])
    // SIGKILL stragglers and anything they forked; then the namespaces can go
    destroySync()
  }

  const bed: Testbed = {
    id,
    variant,
    hosts,
    routers,
    namespaces: wanted,
    spawn (ns, cmd, args = [], opts = {}) {
      if (destroying != null) throw new Error('testbed destroyed')
      if (!created.includes(ns)) throw new Error(`namespace ${ns} is not part of this testbed`)
      const child = spawnChild('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: 'pipe', ...opts })
      children.add(child)
      child.once('exit', () => children.delete(child))
      // without a listener, a spawn failure (e.g. ENOENT) would throw as an uncaught 'error' event
      child.on('error', () => children.delete(child))
      return child
    },
    async exec (ns, cmd, timeoutMs = 30_000) {
      const argv = typeof cmd === 'string' ? ['sh', '-c', cmd] : [...cmd]
      return await run('ip', ['netns', 'exec', ns, ...argv], timeoutMs)
    },
    async flushConntrack () {
      for (const r of [routers.a, routers.b]) await run('ip', ['netns', 'exec', r.ns, 'conntrack', '-F']).catch(() => {})
    },
    async destroy () {
      destroying ??= teardown()
      await destroying
    }
  }

  try {
    for (const ns of wanted) {
      await ip('netns', 'add', ns)
      created.push(ns)
      await ip('-n', ns, 'link', 'set', 'lo', 'up')
    }
    // The public "switch": a bridge with no address of its own, so every public host is a peer on it
    await ip('-n', sw, 'link', 'add', 'br0', 'type', 'bridge')
    await ip('-n', sw, 'link', 'set', 'br0', 'up')
    for (const [i, h] of pub.entries()) {
      await ip('-n', sw, 'link', 'add', `p${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', h.ns)
      await ip('-n', sw, 'link', 'set', `p${i}`, 'master', 'br0', 'up')
      await ip('-n', h.ns, 'addr', 'add', `${h.ip}/24`, 'dev', 'eth0')
      await ip('-n', h.ns, 'link', 'set', 'eth0', 'up')
    }
    for (const side of ['a', 'b'] as const) {
      const r = routers[side]
      const h = hosts[side]
      const port = `r${side.toUpperCase()}`
      await ip('-n', sw, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'wan0', 'netns', r.ns)
      await ip('-n', sw, 'link', 'set', port, 'master', 'br0', 'up')
      await ip('-n', r.ns, 'addr', 'add', `${r.wanIp}/24`, 'dev', 'wan0')
      await ip('-n', r.ns, 'link', 'set', 'wan0', 'up')
      await ip('-n', r.ns, 'link', 'add', 'lan0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', h.ns)
      await ip('-n', r.ns, 'addr', 'add', `${r.lanIp}/24`, 'dev', 'lan0')
      await ip('-n', r.ns, 'link', 'set', 'lan0', 'up')
      await ip('-n', h.ns, 'addr', 'add', `${h.ip}/24`, 'dev', 'eth0')
      await ip('-n', h.ns, 'link', 'set', 'eth0', 'up')
      await ip('-n', h.ns, 'route', 'add', 'default', 'via', r.lanIp)
      await inNs(r.ns, 'sysctl', '-qw', 'net.ipv4.ip_forward=1')
      const masq = ['iptables', '-w', '-t', 'nat', '-A', 'POSTROUTING', '-o', 'wan0', '-j', 'MASQUERADE']
      await inNs(r.ns, ...masq, ...(spec.masquerade === 'random' ? ['--random-fully'] : []))
      if (spec.firewall === 'drop') {
        // a home-router firewall: answers to our own traffic pass, unsolicited inbound is dropped
        // silently (no RST), which is what lets a TCP simultaneous open succeed
        for (const chain of ['INPUT', 'FORWARD']) {
          await inNs(r.ns, 'iptables', '-w', '-A', chain, '-i', 'wan0', '-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT')
          await inNs(r.ns, 'iptables', '-w', '-A', chain, '-i', 'wan0', '-j', 'DROP')
        }
      }
    }
  } catch (err) {
    await bed.destroy()
    throw err
  }
  return bed
}
