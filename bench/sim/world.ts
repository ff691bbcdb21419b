/**
 * The simulated network: N ordinary Cairn peers on loopback (each a CairnClient serving as mailbox
 * and DHT server), one ManualClock for all, peers that leave (stop) and come back (start on the
 * same data dir and port, then sync). Mailbox counters are summed across restarts, and every
 * message shown to a user is seen here as it is stored (the final count still reads the inboxes).
 */
import type { InboxMessage } from '../../src/client/inbox.js'
import type { SendResult } from '../../src/client/delivery.js'
import { CairnClient } from '../../src/client/client.js'
import { ManualClock } from '../../src/shared/clock.js'
import { silentLogger } from '../../src/shared/logger.js'
import { Cluster, peerConfig, type Peer } from '../lib/cluster.js'

export interface Traffic { handoverCopies: number, handoverBytes: number, handoverReceived: number, handoverRuns: number, deposits: number, pushes: number, fetched: number }

export interface WorldOptions { root: string, nodes: number, replicas: number, start: number, /** Kademlia's K (network.dhtK); the config's default when absent. */ dhtK?: number }

export class World {
  readonly clock: ManualClock
  readonly cluster: Cluster
  readonly traffic: Traffic = { handoverCopies: 0, handoverBytes: 0, handoverReceived: 0, handoverRuns: 0, deposits: 0, pushes: 0, fetched: 0 }
  /** Called for every message a user's messenger stores (first time only: the messenger de-duplicates). */
  onMessage: (to: number, m: InboxMessage) => void = () => {}
  private readonly overrides

  constructor (private readonly o: WorldOptions) {
    this.clock = new ManualClock(o.start)
    this.overrides = { mailbox: { replicas: o.replicas }, ...(o.dhtK === undefined ? {} : { network: { dhtK: o.dhtK } }) }
    this.cluster = new Cluster({ root: o.root, clock: this.clock, mailbox: true, overrides: this.overrides })
  }

  get peers (): Peer[] { return this.cluster.peers }

  isOnline (i: number): boolean { return this.peers[i]?.client !== undefined }

  online (): number[] { return this.peers.flatMap((p, i) => p.client === undefined ? [] : [i]) }

  client (i: number): CairnClient {
    const c = this.peers[i]?.client
    if (c === undefined) throw new Error(`peer ${i} is offline`)
    return c
  }

  /** Start every peer, warm the routing tables, publish every bundle. */
  async setup (): Promise<void> {
    await this.cluster.addMany('peer', this.o.nodes)
    await this.cluster.warm()
    this.peers.forEach((_, i) => { this.listen(i) })
    await Promise.all(this.peers.map(async p => p.client?.publishBundles()))
  }

  async leave (i: number): Promise<void> {
    const p = this.peers[i] as Peer
    this.settle(p)
    await this.cluster.stop(p)
  }

  /** Come back on the same data dir and port, then do what a client does on start: sync. */
  async join (i: number): Promise<void> {
    const p = this.peers[i] as Peer
    await this.cluster.start(p)
    this.listen(i)
    await this.sync(i)
  }

  async sync (i: number): Promise<void> {
    await this.client(i).sync().catch(() => {})
  }

  async send (from: number, to: number, text: string): Promise<SendResult> {
    return this.client(from).send((this.peers[to] as Peer).peerId, text)
  }

  /** The inbox of peer i, read from its store even while it is offline. */
  async inbox (i: number): Promise<InboxMessage[]> {
    const p = this.peers[i] as Peer
    if (p.client !== undefined) return p.client.inbox()
    const c = await CairnClient.open({ config: peerConfig(p.dataDir, p.port, { mailbox: true, overrides: this.overrides }), log: silentLogger(), clock: this.clock, network: false })
    try { return await c.inbox() } finally { await c.stop() }
  }

  async stopAll (): Promise<void> {
    for (const p of this.peers) this.settle(p)
    await this.cluster.stopAll()
  }

  /** Add a peer's mailbox counters to the totals (they start from zero on every start). */
  private settle (p: Peer): void {
    const m = p.client?.mailbox?.metrics
    if (m === undefined) return
    const t = this.traffic
    t.handoverCopies += m.handoverEnvelopesSent
    t.handoverBytes += m.handoverBytesSent
    t.handoverReceived += m.handoverEnvelopesReceived
    t.handoverRuns += m.handoverRuns
    t.deposits += m.deposits.stored
    t.pushes += m.pushes
    t.fetched += m.envelopesFetched
  }

  private listen (i: number): void {
    this.client(i).messenger.on('message', (m) => { this.onMessage(i, m) })
  }
}
