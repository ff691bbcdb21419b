/**
 * Whether this node — or another peer — is plausibly one of a recipient's replicas, judged from
 * this node's own routing table (the DHT servers it knows near the recipient's mailbox key), with
 * `mailbox.placementSlack` places beyond k for the differences churn makes between its view and a
 * sender's lookup, and with the subnet diversity senders apply. A node stores mail and bundles
 * only for recipients it is responsible for (nobody can fill its disk with mail for made-up
 * recipients far from it), and gives the handover budget and answers offers only to a
 * recipient's replica peers. A routing table that knows fewer peers than the window makes every
 * node responsible: small networks work as before.
 */
import type { PeerId } from '@libp2p/interface'
import { createHash } from 'node:crypto'
import { BoundedMap } from '../shared/bounded-map.js'
import type { CairnConfig } from '../shared/config.js'
import type { CairnNode } from '../shared/node/create-node.js'
import { mailboxKey, pickDiverse, rankByDistance } from '../shared/placement.js'

/** How long a judgement about one recipient is reused (deposits come in bursts). */
const CACHE_MS = 30_000
const CACHE_ENTRIES = 4096

/** The slice of the configuration responsibility is judged by (defaults applied in config.ts). */
export interface ResponsibilityInit {
  /** replicas (@default 5) plus placementSlack (@default 5): how wide the window of nodes that may hold a recipient is; replicasPerSubnet (@default 2). */
  mailbox: Pick<CairnConfig['mailbox'], 'replicas' | 'placementSlack' | 'replicasPerSubnet'>
}

export class Responsibility {
  private readonly cache = new BoundedMap<string, { until: number, window: Set<string> }>(CACHE_ENTRIES)

  private readonly node: CairnNode
  private readonly now: () => number

  constructor (components: { node: CairnNode, now: () => number }, private readonly init: ResponsibilityInit) {
    this.node = components.node
    this.now = components.now
  }

  /** Whether this node should hold `recipient`'s mail and bundle. */
  async holds (recipient: PeerId): Promise<boolean> {
    return this.isReplica(recipient, this.node.peerId)
  }

  /**
   * Whether `peer` is plausibly in `recipient`'s replica set (this node's view, with slack), or,
   * with `widen`, within that many times the window: a holder that came back after others joined
   * closer may rank a little further out and still holds copies worth handing over.
   */
  async isReplica (recipient: PeerId, peer: PeerId, widen = 1): Promise<boolean> {
    const window = await this.window(recipient, peer, widen)
    return window.has(peer.toString())
  }

  private async window (recipient: PeerId, peer: PeerId, widen = 1): Promise<Set<string>> {
    const key = `${widen}/${recipient.toString()}`
    const now = this.now()
    const cached = this.cache.get(key)
    if (cached !== undefined && cached.until > now && (cached.window.has(peer.toString()) || peer.equals(this.node.peerId))) return cached.window
    const m = this.init.mailbox
    const size = (m.replicas + m.placementSlack) * widen
    const target = mailboxKey(recipient)
    // extra candidates, so that peers skipped for crowding a subnet still leave a full window
    const near = routingTable(this.node)?.closestPeers(createHash('sha256').update(target).digest(), { count: size * 4 }) ?? []
    const ranked = rankByDistance(target, [...near, this.node.peerId, peer])
    const window = new Set((await pickDiverse(this.node, ranked, m.replicasPerSubnet, size)).map(p => p.toString()))
    this.cache.set(key, { until: now + CACHE_MS, window })
    return window
  }
}

/**
 * kad-dht's routing table, which its public types reduce to `size`; `closestPeers` is what its
 * own queries start from. Without it (a future kad-dht) every node is responsible, as in a small
 * network; the hostile-peer tests would show that.
 */
interface NearPeers { closestPeers?: (kadId: Uint8Array, options: { count: number }) => PeerId[] }

function routingTable (node: CairnNode): Required<NearPeers> | undefined {
  const table = (node.services.dht as unknown as { routingTable?: NearPeers }).routingTable
  return typeof table?.closestPeers === 'function' ? table as Required<NearPeers> : undefined
}
