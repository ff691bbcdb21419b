/**
 * Confirms the public TCP address that trusted peers (our relays / bootstrap nodes) observe us at,
 * so DCUtR can hole-punch to it.
 *
 * Why this is needed (measured in /work/shared/nat-example/NOTES.md):
 *  - DCUtR sends only `addressManager.getAddresses()` in its CONNECT message, and that returns
 *    only *verified* addresses. Without a verified public address the other side logs
 *    "had no dialable multiaddrs" and no punch happens (0/2 with this service off).
 *  - @libp2p/identify never adds TCP observed addresses (their ports are usually ephemeral,
 *    js-libp2p#2620), and AutoNAT can never verify an address behind a NAT.
 *  - Cairn binds every outbound TCP dial to one fixed local port, so behind an endpoint-independent
 *    NAT the address a relay observes *is* the mapping the punch will use. We trust that
 *    observation from peers we chose (trustedPeers) instead of from anyone, so a random peer
 *    cannot make us advertise an address it picked.
 *
 * Lifetime: a confirmation expires after libp2p's addressVerificationTTL (10 min). Identify runs
 * only when a connection opens or a peer pushes an update, so besides re-confirming on every
 * identify we re-confirm on a timer while the trusted peer stays connected. When the last trusted
 * peer that reported an address disconnects or reports a different one, the address is removed:
 * the NAT mapping is held open by that connection and may be gone.
 *
 * Behind a symmetric NAT the observed port differs per destination, so the confirmed address is
 * wrong and the punch fails (as it would anyway); traffic then stays on the relay.
 */
import { serviceDependencies } from '@libp2p/interface'
import { isPrivate } from '@libp2p/utils'
import { CODE_IP4, CODE_IP6, CODE_P2P_CIRCUIT, CODE_TCP } from '@multiformats/multiaddr'
import type { ComponentLogger, IdentifyResult, Libp2pEvents, Logger, PeerId, Startable } from '@libp2p/interface'
import type { AddressManager } from '@libp2p/interface-internal'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { TypedEventTarget } from 'main-event'
import type { Clock, Timer } from '../clock.js'

export interface ConfirmObservedAddressesInit {
  /** Peer ids (string form) whose observations we believe: relays, bootstrap and mailbox nodes. */
  trustedPeers: () => Set<string>
  clock: Clock
  /** How often confirmed addresses are re-confirmed while their reporter stays connected. Default 5 min. */
  refreshIntervalMs?: number
}

export interface ConfirmObservedAddressesComponents {
  addressManager: AddressManager
  events: TypedEventTarget<Libp2pEvents>
  logger: ComponentLogger
}

const DEFAULT_REFRESH_MS = 5 * 60_000

/** True for `/ip4|ip6/<public ip>/tcp/<port>...` that is not a relay address. */
export function isPublicTcpAddress (ma: Multiaddr): boolean {
  const [ipPart, tcpPart] = ma.getComponents()
  if (ipPart == null || tcpPart == null) return false
  if (ipPart.code !== CODE_IP4 && ipPart.code !== CODE_IP6) return false
  if (tcpPart.code !== CODE_TCP) return false
  if (ma.getComponents().some(c => c.code === CODE_P2P_CIRCUIT)) return false
  return !isPrivate(ma)
}

export class ConfirmObservedAddresses implements Startable {
  readonly [Symbol.toStringTag] = '@cairn/confirm-observed-addresses'
  // the observed address comes from identify; fail at startup if it is not configured
  readonly [serviceDependencies]: string[] = ['@libp2p/identify']

  private readonly components: ConfirmObservedAddressesComponents
  private readonly init: ConfirmObservedAddressesInit
  private readonly log: Logger
  /** trusted peer id -> the address it last observed us at */
  private readonly observed = new Map<string, Multiaddr>()
  private timer: Timer | undefined

  constructor (components: ConfirmObservedAddressesComponents, init: ConfirmObservedAddressesInit) {
    this.components = components
    this.init = init
    this.log = components.logger.forComponent('cairn:observed-address')
  }

  start (): void {
    this.components.events.addEventListener('peer:identify', this.onIdentify)
    this.components.events.addEventListener('peer:disconnect', this.onDisconnect)
    this.timer = this.init.clock.setInterval(this.refresh, this.init.refreshIntervalMs ?? DEFAULT_REFRESH_MS).unref()
  }

  stop (): void {
    this.components.events.removeEventListener('peer:identify', this.onIdentify)
    this.components.events.removeEventListener('peer:disconnect', this.onDisconnect)
    this.timer?.clear()
    this.timer = undefined
    this.observed.clear()
  }

  /** The addresses currently held confirmed, for diagnostics. */
  confirmedAddresses (): Multiaddr[] {
    return this.unique([...this.observed.values()])
  }

  private readonly onIdentify = (evt: CustomEvent<IdentifyResult>): void => {
    const { peerId, observedAddr } = evt.detail
    if (observedAddr == null) return
    const key = peerId.toString()
    if (!this.init.trustedPeers().has(key)) return
    if (!isPublicTcpAddress(observedAddr)) {
      // e.g. a relay on our LAN sees our private address: nothing a remote peer could punch to
      this.log('ignoring non-public observed address %a from %p', observedAddr, peerId)
      return
    }
    const previous = this.observed.get(key)
    this.observed.set(key, observedAddr)
    if (previous != null && !previous.equals(observedAddr)) this.dropIfUnreported(previous)
    this.log('%p observed us at %a, confirming it', peerId, observedAddr)
    this.components.addressManager.confirmObservedAddr(observedAddr, { type: 'observed' })
  }

  private readonly onDisconnect = (evt: CustomEvent<PeerId>): void => {
    const key = evt.detail.toString()
    const previous = this.observed.get(key)
    if (previous == null) return
    this.observed.delete(key)
    this.dropIfUnreported(previous)
  }

  private readonly refresh = (): void => {
    for (const addr of this.confirmedAddresses()) {
      this.components.addressManager.confirmObservedAddr(addr, { type: 'observed' })
    }
  }

  private dropIfUnreported (addr: Multiaddr): void {
    if ([...this.observed.values()].some(a => a.equals(addr))) return
    this.log('no trusted peer reports %a any more, removing it', addr)
    this.components.addressManager.removeObservedAddr(addr)
  }

  private unique (addrs: Multiaddr[]): Multiaddr[] {
    return [...new Map(addrs.map(a => [a.toString(), a])).values()]
  }
}

/**
 * libp2p service factory: `services: { observedAddress: confirmObservedAddresses({ trustedPeers }) }`.
 * Useful only together with a fixed local dial port (`tcp({ dialOpts: { localPort } })`).
 */
export function confirmObservedAddresses (init: ConfirmObservedAddressesInit): (components: ConfirmObservedAddressesComponents) => ConfirmObservedAddresses {
  return (components) => new ConfirmObservedAddresses(components, init)
}
