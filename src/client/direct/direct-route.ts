/** The direct route: hand the envelope to the recipient itself over /cairn/direct/1.0.0. */
import type { PeerId } from '@libp2p/interface'
import { DirectRequest, DirectResponse, DirectStatus, type Envelope, type PreKeyBundle } from '../../../proto/cairn.js'
import { BoundedMap } from '../../shared/bounded-map.js'
import type { Clock } from '../../shared/clock.js'
import type { CairnConfig } from '../../shared/config.js'
import { describeError } from '../../shared/errors.js'
import type { CairnNode } from '../../shared/node/create-node.js'
import { LOOKUP_MAX_MS } from '../../shared/placement.js'
import { ChannelBrokenError, RequestChannels } from '../../shared/protocols/channel.js'
import { IdleDeadline, withSignal } from '../../shared/protocols/idle-deadline.js'
import { DIRECT_CHANNEL_PROTOCOL, DIRECT_PROTOCOL, DIRECT_VERSION } from '../../shared/protocols/ids.js'
import { request, type RequestOptions } from '../../shared/protocols/rpc.js'
import type { DeliveryResult, DeliveryRoute } from '../delivery.js'
import type { PeerFinder } from '../anonymous/ephemeral-hosts.js'
import { knowsAddress, lookUpAddresses } from './address-lookup.js'

/** After a failed attempt, how long a peer counts as unreachable (so a burst of sends to an
 * offline peer goes straight to the mailbox instead of waiting out a dial each time). */
const UNREACHABLE_MS = 30_000

export interface DirectRouteComponents {
  node: CairnNode
  clock: Clock
  /**
   * Where a recipient's addresses are looked up when the node has no connection to it
   * (client/anonymous: from an ephemeral identity). @default the node's own peer routing (kad-dht's
   * findPeer, under the user's PeerId)
   */
  finder?: PeerFinder
}

/** The direct route's slice of the configuration (defaults applied in config.ts). */
export interface DirectRouteInit {
  /** directTimeoutMs (@default 5,000): one attempt's idle deadline, dial and hole punch included. */
  delivery: Pick<CairnConfig['delivery'], 'directTimeoutMs'>
  /** natTraversal (@default false): wait for a hole punch over a relayed connection before giving up. */
  network: Pick<CairnConfig['network'], 'natTraversal'>
  /**
   * directFrameBytes (@default 98,304): the largest request or answer on the direct protocol;
   * requestTimeoutMs (@default 15,000): the address lookup's idle deadline (its requests' own).
   */
  limits: Pick<CairnConfig['limits'], 'directFrameBytes' | 'requestTimeoutMs'>
}

export class DirectRoute implements DeliveryRoute {
  readonly name = 'direct' as const
  readonly asksRecipient = true as const
  private readonly unreachable = new BoundedMap<string, number>(10_000)
  /** Deliveries go on one kept-open stream per connection where the peer serves it (channel.ts). */
  private readonly channels = new RequestChannels(DIRECT_CHANNEL_PROTOCOL, { req: DirectRequest, res: DirectResponse })

  private readonly node: CairnNode
  private readonly clock: Clock
  private readonly finder?: PeerFinder

  constructor (components: DirectRouteComponents, private readonly init: DirectRouteInit) {
    this.node = components.node
    this.clock = components.clock
    if (components.finder !== undefined) this.finder = components.finder
  }

  async deliver (envelope: Envelope, recipient: PeerId, options: { signal?: AbortSignal }): Promise<DeliveryResult> {
    if (this.node.getConnections().length === 0 && !await this.knowsAddress(recipient)) return { ok: false, code: 'offline', error: 'no connections and no known address' }
    const until = this.unreachable.get(recipient.toString()) ?? 0
    if (until > this.clock.now() && this.node.getConnections(recipient).length === 0) return { ok: false, code: 'recently-unreachable', error: 'recently unreachable' }
    const result = await this.tryDeliver(envelope, recipient, options)
    if (result.ok) this.unreachable.delete(recipient.toString())
    else {
      this.unreachable.set(recipient.toString(), this.clock.now() + UNREACHABLE_MS)
    }
    return result
  }

  private async tryDeliver (envelope: Envelope, recipient: PeerId, options: { signal?: AbortSignal }): Promise<DeliveryResult> {
    try {
      const res = await this.ask(recipient, { version: DIRECT_VERSION, deliver: envelope }, options)
      if (res.status === DirectStatus.DIRECT_OK || res.status === DirectStatus.DIRECT_DUPLICATE) {
        if (!Buffer.from(res.id).equals(Buffer.from(envelope.id))) return { ok: false, code: 'bad-receipt', error: 'receipt names another envelope' }
        return { ok: true }
      }
      return { ok: false, code: 'refused', error: `${res.status} ${res.detail}` }
    } catch (err) {
      return { ok: false, code: 'unreachable', error: describeError(err) }
    }
  }

  /** Whether we have an address to dial (without one, a dial would ask the DHT). */
  private async knowsAddress (peer: PeerId): Promise<boolean> {
    return knowsAddress(this.node, peer)
  }

  async takeBundle (recipient: PeerId, options: { signal?: AbortSignal }): Promise<PreKeyBundle | undefined> {
    if (this.node.getConnections().length === 0 && !await this.knowsAddress(recipient)) return undefined
    if ((this.unreachable.get(recipient.toString()) ?? 0) > this.clock.now() && this.node.getConnections(recipient).length === 0) return undefined
    const res = await this.ask(recipient, { version: DIRECT_VERSION, takeBundle: {} }, options).catch((err: unknown) => {
      this.unreachable.set(recipient.toString(), this.clock.now() + UNREACHABLE_MS)
      throw err
    })
    if (res.status !== DirectStatus.DIRECT_OK) return undefined
    return res.bundle
  }

  private async ask (recipient: PeerId, req: DirectRequest, options: { signal?: AbortSignal }): Promise<DirectResponse> {
    const timeout = this.init.delivery.directTimeoutMs
    if (this.node.getConnections(recipient).length === 0) {
      // an idle deadline, as long as the walk's own requests wait: a walk whose servers answer
      // slowly (a busy machine) is not cut off at `timeout` in all. A fresh ephemeral host's first
      // answer needs a dial and a handshake first: at a fifth of a core that took more than the 5 s
      // of `timeout`, and a reply to a stranger found "no address" and went to the mailbox
      const idle = new IdleDeadline(this.clock, this.init.limits.requestTimeoutMs, { maxMs: LOOKUP_MAX_MS, what: 'address lookup' })
      await lookUpAddresses(this.node, recipient, { finder: this.finder, natTraversal: this.init.network.natTraversal, signal: withSignal(options.signal, idle.signal), onProgress: () => { idle.touch() } })
        .finally(() => { idle.clear() })
    }
    // An open connection is used as it is, a direct one first. Dialling by peer id instead would
    // ignore a relayed (limited) connection and dial again: libp2p reuses only unlimited ones, and
    // a dial joins any dial in flight to the same peer, such as DCUtR's hole punch, whose failure
    // (RST, timeout) then fails this request too.
    const open = this.node.getConnections(recipient).filter(c => c.status === 'open')
    const target = open.find(c => c.limits === undefined) ?? open[0] ?? recipient
    const opts: RequestOptions = {
      maxBytes: this.init.limits.directFrameBytes,
      timeoutMs: timeout,
      clock: this.clock,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      runOnLimitedConnection: true
    }
    const send = async (to: typeof target): Promise<DirectResponse> => {
      // a delivery goes on the connection's channel when it has one free: a repeat after a stale
      // channel's failure is harmless (answered DUPLICATE); a bundle request is never repeated
      if (req.deliver !== undefined && 'newStream' in to) {
        try {
          const res = await this.channels.ask(to, req, opts)
          if (res !== undefined) return res
        } catch (err) {
          if (!(err instanceof ChannelBrokenError) || !err.stale) throw err
        }
      }
      return request(this.node, to, DIRECT_PROTOCOL, req, { req: DirectRequest, res: DirectResponse }, opts)
    }
    try {
      return await send(target)
    } catch (err) {
      // DCUtR closes the relayed connection the moment its hole punch succeeds, which cuts a
      // request in flight on it: repeat it once on the new direct connection. (A repeated
      // delivery is answered DIRECT_DUPLICATE; a repeated takeBundle costs one one-time prekey.)
      const direct = this.node.getConnections(recipient).find(c => c.status === 'open' && c.limits === undefined)
      if (direct === undefined || direct === target || options.signal?.aborted === true) throw err
      return send(direct)
    }
  }
}
