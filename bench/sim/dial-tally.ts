/**
 * Diagnostics (CAIRN_SIM_DIAG): who opens connections while a host's peers publish their bundles.
 * Counts each node's new connections by direction; attributes each dial of a peer not connected at
 * that moment to the code that asked for it (the nearest kad-dht or Cairn function on the caller's
 * stack) and counts those that failed, by error; and counts kad-dht's liveness pings by whether the
 * pinged peer was connected. Wraps methods on the node's own instances and puts them back on
 * `detach`; nothing here runs outside DIAG.
 */
import type { CairnNode } from '../../src/shared/node/create-node.js'

interface Tally { inbound: number, outbound: number, by: Map<string, number>, failed: Map<string, number>, pingConnected: number, pingDialled: number }

type OpenConnection = (peer: unknown, options?: unknown) => Promise<unknown>
type Ping = (peer: unknown, options?: unknown) => Promise<number>

/**
 * Who asked for a dial: the first kad-dht file on the caller's stack (`kad-dht:routing-table/index`),
 * else the first Cairn file (`cairn:client/mailbox/deposit`), else the first package.
 */
function caller (): string {
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 40
  const frames = (new Error().stack ?? '').split('\n').slice(2)
  Error.stackTraceLimit = limit
  const kad = frames.map(f => /at (?:async )?(\S+) \(.*@libp2p\/kad-dht\/dist\/src\/([\w/-]+)\.js/.exec(f)).filter(m => m !== null)
  if (kad.length > 0) return `kad-dht:${kad[0][2]}:${kad.slice(0, 3).map(m => m[1]).join('<')}`
  const own = frames.filter(f => !f.includes('node_modules')).map(f => /dist\/(src|bench)\/([\w/-]+)\.js/.exec(f)).find(m => m !== null && !m[2].endsWith('dial-tally'))
  if (own != null) return `cairn:${own[2]}`
  const pkg = frames.map(f => /node_modules\/((@[\w-]+\/)?[\w-]+)\//.exec(f)).find(m => m !== null && m[1] !== 'libp2p')
  return pkg != null ? pkg[1] : 'libp2p'
}

/** Whether `node` has a connection to `peer`; undefined when `peer` is not a PeerId (a multiaddr dial). */
function connected (node: CairnNode, peer: unknown): boolean | undefined {
  if (typeof peer !== 'object' || peer === null || !('toMultihash' in peer)) return undefined
  return node.getConnections(peer as Parameters<CairnNode['getConnections']>[0]).length > 0
}

export class DialTally {
  private readonly t: Tally = { inbound: 0, outbound: 0, by: new Map(), failed: new Map(), pingConnected: 0, pingDialled: 0 }
  private readonly undo: Array<() => void> = []

  /** Count `node`'s connections and pings until `detach`. */
  attach (node: CairnNode): void {
    const onOpen = (e: CustomEvent<{ direction: string }>): void => {
      if (e.detail.direction === 'inbound') this.t.inbound++
      else this.t.outbound++
    }
    node.addEventListener('connection:open', onOpen)
    this.undo.push(() => { node.removeEventListener('connection:open', onOpen) })

    const manager = (node as unknown as { components: { connectionManager: { openConnection: OpenConnection } } }).components.connectionManager
    const open = manager.openConnection
    manager.openConnection = async (peer, options) => {
      if (connected(node, peer) !== false) return open.call(manager, peer, options)
      const who = caller()
      this.t.by.set(who, (this.t.by.get(who) ?? 0) + 1)
      try {
        return await open.call(manager, peer, options)
      } catch (err) {
        const e = err as Error
        const why = `${e.name}: ${String(e.message).replace(/12D3Koo\w+/g, 'PEER').replace(/\/ip4\S+/g, 'ADDR').replace(/\d+/g, 'N').slice(0, 60)}`
        this.t.failed.set(why, (this.t.failed.get(why) ?? 0) + 1)
        throw err
      }
    }
    this.undo.push(() => { manager.openConnection = open })

    const pinger = node.services.ping as unknown as { ping: Ping }
    const ping = pinger.ping
    pinger.ping = async (peer, options) => {
      if (connected(node, peer) === true) this.t.pingConnected++
      else this.t.pingDialled++
      return ping.call(pinger, peer, options)
    }
    this.undo.push(() => { pinger.ping = ping })
  }

  detach (): void {
    for (const u of this.undo.splice(0)) u()
  }

  /** The counts so far, as plain data for a JSON line. */
  summary (): Record<string, unknown> {
    const by = Object.fromEntries([...this.t.by].sort((a, b) => b[1] - a[1]))
    return { connIn: this.t.inbound, connOut: this.t.outbound, freshDialsBy: by, freshDialsFailed: Object.fromEntries(this.t.failed), kadPingConnected: this.t.pingConnected, kadPingDialled: this.t.pingDialled }
  }
}
