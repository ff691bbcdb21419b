/**
 * The soak's network when it runs as root: every process in its own network namespace, each
 * joined by a veth pair to one bridge in a "switch" namespace, so a fault can cut a process's
 * link (the switch-side end set down: packets in flight are dropped, TCP connections stall rather
 * than reset, as when a cable is pulled or a Wi-Fi drops) and heal it later.
 *
 *   sw: br0 ── v0 ··· eth0 host 0 (10.77.0.10)
 *           ── v1 ··· eth0 host 1 (10.77.0.11) …
 *
 * The harness itself stays in the root namespace: it talks to each daemon over its unix socket,
 * a file in the data dir, which no network namespace separates. Namespace names use the NAT test
 * bed's prefix (test/nat/netns.ts), so a SIGKILLed soak's namespaces are swept by the next run.
 */
import { natSupport, sweepStaleNamespaces } from '../../test/nat/testbed.js'
import { killAndDeleteSync, nextPrefix, run } from '../../test/nat/netns.js'

export interface SoakHost { readonly ns: string, readonly ip: string }

const live = new Set<SoakNet>()
process.on('exit', () => { for (const n of live) n.destroySync() })

export class SoakNet {
  private readonly switchNs: string
  private destroyed = false

  private constructor (private readonly prefix: string, readonly hosts: SoakHost[]) {
    this.switchNs = `${prefix}sw`
  }

  /**
   * A network of `count` hosts, or why there can be none (not root, no `ip`): the soak then runs
   * on loopback without link cuts and says so.
   */
  static async create (count: number): Promise<SoakNet | { unavailable: string }> {
    const support = natSupport()
    if (!support.ok) return { unavailable: support.reason.replace('NAT test bed', 'network namespaces') }
    if (count > 240) throw new Error(`at most 240 soak hosts, asked for ${count}`)
    sweepStaleNamespaces()
    const prefix = nextPrefix()
    const hosts = Array.from({ length: count }, (_, i) => ({ ns: `${prefix}h${i}`, ip: `10.77.0.${10 + i}` }))
    const net = new SoakNet(prefix, hosts)
    live.add(net)
    try {
      const sw = net.switchNs
      await run('ip', ['netns', 'add', sw])
      await run('ip', ['-n', sw, 'link', 'add', 'br0', 'type', 'bridge'])
      await run('ip', ['-n', sw, 'link', 'set', 'br0', 'up'])
      for (const [i, h] of hosts.entries()) {
        await run('ip', ['netns', 'add', h.ns])
        await run('ip', ['-n', sw, 'link', 'add', `v${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', h.ns])
        await run('ip', ['-n', sw, 'link', 'set', `v${i}`, 'master', 'br0', 'up'])
        await run('ip', ['-n', h.ns, 'addr', 'add', `${h.ip}/24`, 'dev', 'eth0'])
        await run('ip', ['-n', h.ns, 'link', 'set', 'eth0', 'up'])
        await run('ip', ['-n', h.ns, 'link', 'set', 'lo', 'up'])
      }
    } catch (err) {
      net.destroySync()
      throw err
    }
    return net
  }

  /** `cmd args` to run inside host i's namespace (`ip netns exec` execs in place: same pid, signals reach it). */
  wrap (i: number, cmd: string, args: readonly string[]): { cmd: string, args: string[] } {
    return { cmd: 'ip', args: ['netns', 'exec', (this.hosts[i] as SoakHost).ns, cmd, ...args] }
  }

  /** Cut (down) or heal (up) host i's link at the switch. */
  async link (i: number, up: boolean): Promise<void> {
    await run('ip', ['-n', this.switchNs, 'link', 'set', `v${i}`, up ? 'up' : 'down'])
  }

  /** Kills whatever still runs in the namespaces and deletes them. Idempotent; safe in exit hooks. */
  destroySync (): void {
    if (this.destroyed) return
    this.destroyed = true
    live.delete(this)
    for (const h of this.hosts) killAndDeleteSync(h.ns)
    killAndDeleteSync(this.switchNs)
  }

  get id (): string { return this.prefix }
}
