/**
 * Keeps a node's connections at `maxConnections`, which libp2p's own pruning does not do for a
 * Cairn node:
 * - libp2p closes a connection only if every stream on it is of a few protocols it knows to be
 *   housekeeping (identify, AutoNAT, DCUtR). Gossipsub opens a stream that stays open on every
 *   connection to a peer that speaks it, and every Cairn peer does: no connection was ever closed.
 * - With `network.allowPrivateAddresses` the connection manager's `allow` list holds loopback
 *   (every test and simulated peer shares one IP, and the inbound rate and pending limits would
 *   refuse them), and libp2p exempts allow-listed connections from pruning altogether.
 * So a node kept every connection a lookup or publish ever opened: 200 simulated peers held ~130
 * sockets each within minutes, and 1,000 ran out of open files (docs/BENCHMARKS.md).
 *
 * This service prunes as libp2p's pruner orders it (lowest tag value first, so gossipsub's mesh
 * peers and kad-dht's closest stay; inbound before outbound) but closes only an idle connection:
 * no stream open other than housekeeping and gossipsub's standing ones, and out of its first few
 * seconds (a connection that just opened is about to carry the request it was dialled for). Oldest
 * first. It never refuses an inbound connection: a node at its cap still answers, then trims.
 */
import type { Connection, Libp2pEvents, Logger, ComponentLogger, PeerStore, Startable } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'
import type { TypedEventTarget } from 'main-event'
import type { Clock, Timer } from '../clock.js'

/** A connection younger than this is never closed: its first stream may not be open yet. */
const GRACE_MS = 5_000
/**
 * Streams that do not make a connection busy: libp2p's own closable ones (identify, identify push,
 * AutoNAT under Cairn's prefix, DCUtR), ping, and gossipsub's, which stay open for the
 * connection's life.
 */
const STANDING_PROTOCOLS = new Set([
  '/ipfs/id/1.0.0', '/ipfs/id/push/1.0.0', '/libp2p/autonat/1.0.0', '/cairn/autonat/1.0.0', '/libp2p/dcutr', '/ipfs/ping/1.0.0',
  '/meshsub/1.2.0', '/meshsub/1.1.0', '/meshsub/1.0.0', '/floodsub/1.0.0'
])
/** How long a close may take before the connection is aborted. */
const CLOSE_MS = 1_000

export interface ConnectionTrimmerInit {
  /** Connections kept at most; above it idle ones are closed. */
  maxConnections: number
  /** The grace and close timers (in the simulation, its clock's timers keep real time). */
  clock: Clock
}

export interface ConnectionTrimmerComponents {
  connectionManager: ConnectionManager
  peerStore: PeerStore
  events: TypedEventTarget<Libp2pEvents>
  logger: ComponentLogger
}

export class ConnectionTrimmer implements Startable {
  readonly [Symbol.toStringTag] = '@cairn/connection-trimmer'
  private readonly components: ConnectionTrimmerComponents
  private readonly max: number
  private readonly clock: Clock
  private readonly log: Logger
  /** Connections still in their grace, each with the timer that ends it. */
  private readonly young = new Map<Connection, Timer>()
  private running = false
  private again = false
  /** Connections this trimmer closed (diagnostics: which side ended a connection, see `closedByTrim`). */
  private readonly closed = new WeakSet<Connection>()

  constructor (components: ConnectionTrimmerComponents, init: ConnectionTrimmerInit) {
    if (!Number.isInteger(init.maxConnections) || init.maxConnections < 1) throw new RangeError(`maxConnections must be a whole number >= 1, got ${init.maxConnections}`)
    this.components = components
    this.max = init.maxConnections
    this.clock = init.clock
    this.log = components.logger.forComponent('cairn:connection-trimmer')
  }

  start (): void {
    this.components.events.addEventListener('connection:open', this.onOpen)
  }

  stop (): void {
    this.components.events.removeEventListener('connection:open', this.onOpen)
    for (const timer of this.young.values()) timer.clear()
    this.young.clear()
  }

  /** Whether this trimmer closed `connection` (rather than the remote peer, a stop or an error). */
  closedByTrim (connection: Connection): boolean {
    return this.closed.has(connection)
  }

  private readonly onOpen = (event: CustomEvent<Connection>): void => {
    const connection = event.detail
    // when its grace ends the connection may be the one to close: look again then
    const timer = this.clock.setTimeout(() => { this.young.delete(connection); this.check() }, GRACE_MS)
    timer.unref()
    this.young.set(connection, timer)
    this.check()
  }

  private check (): void {
    if (this.components.connectionManager.getConnections().length <= this.max) return
    // one trim at a time; connections opened meanwhile are looked at when it ends
    if (this.running) { this.again = true; return }
    this.running = true
    void this.trimUntilDone()
  }

  private async trimUntilDone (): Promise<void> {
    try {
      do {
        this.again = false
        await this.trim()
      } while (this.again)
    } catch (err) {
      this.log.error('trimming connections failed - %e', err)
    } finally {
      this.running = false
    }
  }

  /** Closes idle connections, least valued first, until at most `max` remain (or none idle is left). */
  async trim (): Promise<number> {
    const connections = this.components.connectionManager.getConnections()
    const excess = connections.length - this.max
    if (excess <= 0) return 0
    const idle = connections.filter(c => c.status === 'open' && !busy(c) && !this.young.has(c))
    if (idle.length === 0) return 0
    const values = await this.peerValues(idle)
    const victims = idle.sort((a, b) => compare(a, b, values)).slice(0, excess)
    this.log('%d connections, cap %d: closing %d idle', connections.length, this.max, victims.length)
    await Promise.all(victims.map(async c => {
      // a stream may have opened while the values were read: leave that connection be
      if (busy(c)) return
      this.closed.add(c)
      try { await c.close({ signal: this.clock.timeout(CLOSE_MS) }) } catch (err: any) { c.abort(err) }
    }))
    return victims.length
  }

  /** The sum of each remote peer's tags (kad-dht's closeness, relays' keep-alive), as libp2p's pruner reads them. */
  private async peerValues (connections: Connection[]): Promise<Map<string, number>> {
    const values = new Map<string, number>()
    for (const c of connections) {
      const key = c.remotePeer.toString()
      if (values.has(key)) continue
      let value = 0
      try {
        const peer = await this.components.peerStore.get(c.remotePeer)
        for (const tag of peer.tags.values()) value += tag.value
      } catch {
        // not in the peer store: no tags, value 0
      }
      values.set(key, value)
    }
    return values
  }
}

/** A stream open that is not a standing one (a stream still negotiating its protocol counts). */
function busy (c: Connection): boolean {
  return c.streams.some(s => s.protocol === undefined || s.protocol === '' || !STANDING_PROTOCOLS.has(s.protocol))
}

/** Least worth keeping first: lower tag value, then inbound before outbound, then older. */
function compare (a: Connection, b: Connection, values: Map<string, number>): number {
  const byValue = (values.get(a.remotePeer.toString()) ?? 0) - (values.get(b.remotePeer.toString()) ?? 0)
  if (byValue !== 0) return byValue
  if (a.direction !== b.direction) return a.direction === 'inbound' ? -1 : 1
  return a.timeline.open - b.timeline.open
}

export function connectionTrimmer (init: ConnectionTrimmerInit): (components: ConnectionTrimmerComponents) => ConnectionTrimmer {
  return (components) => new ConnectionTrimmer(components, init)
}
