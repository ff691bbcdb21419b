/**
 * Which connected peers serve the DHT, as they said in identify: the mailbox gives a recipient's
 * replica peers the handover budget and answers their offers only if they do. The peer store's
 * protocol list is no guide (libp2p adds a protocol there as soon as a peer opens a stream), so
 * only identify answers count, and a peer is forgotten when its last connection closes.
 *
 * Connections opened before the mailbox started were identified with nobody listening here: a
 * client starts its mailbox after its network, and the peers whose reconnect queue kept dialling a
 * node that restarted are back before its mailbox is. Without their answers every offer from them
 * was refused as not a replica peer's, for the connection's life (the bench's handover under churn
 * copied nothing on a slow machine, issue 16). They are asked again at start.
 */
import type { AbortOptions, Connection, IdentifyResult, PeerId } from '@libp2p/interface'
import type { Clock } from '../shared/clock.js'
import type { CairnNode } from '../shared/node/create-node.js'
import { KAD_PROTOCOL } from '../shared/protocols/ids.js'

/** The part of libp2p's identify service used here (CairnServices leaves its type open). */
interface IdentifyService { identify: (connection: Connection, options?: AbortOptions) => Promise<IdentifyResult> }

export class DhtServers {
  private readonly servers = new Set<string>()

  constructor (private readonly components: { node: CairnNode, clock: Clock }, private readonly init: { identifyTimeoutMs: number }) {}

  start (): void {
    const { node, clock } = this.components
    node.addEventListener('peer:identify', this.onIdentify)
    node.addEventListener('peer:disconnect', this.onDisconnect)
    const identify = node.services.identify as Partial<IdentifyService> | undefined
    if (typeof identify?.identify !== 'function') return
    // the answer comes back through peer:identify (libp2p raises it for every identify)
    for (const connection of node.getConnections()) {
      void identify.identify(connection, { signal: clock.timeout(this.init.identifyTimeoutMs) }).catch(() => {})
    }
  }

  stop (): void {
    this.components.node.removeEventListener('peer:identify', this.onIdentify)
    this.components.node.removeEventListener('peer:disconnect', this.onDisconnect)
  }

  has (peer: PeerId): boolean {
    return this.servers.has(peer.toString())
  }

  private readonly onIdentify = (evt: CustomEvent<IdentifyResult>): void => {
    const peer = evt.detail.peerId.toString()
    if (evt.detail.protocols.includes(KAD_PROTOCOL)) this.servers.add(peer)
    else this.servers.delete(peer)
  }

  private readonly onDisconnect = (evt: CustomEvent<PeerId>): void => {
    this.servers.delete(evt.detail.toString())
  }
}
