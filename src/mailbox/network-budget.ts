/**
 * Budgets per network for requests from strangers' identities. Deposits, attachment chunk uploads
 * (put_chunk) and bundle requests come
 * from ephemeral PeerIds (client/anonymous), and a PeerId was never a cost anyway (a flooder makes
 * a new one per request in ~50 µs), so the per-PeerId buckets bound only one connection's burst.
 * What a flooder cannot make for free is addresses: every deposit, chunk and bundle request is also
 * charged to the network it arrives from (an IPv4 address, an IPv6 /64), with
 * `mailbox.networkBudgetFactor` times a peer's budget, so a household or a carrier NAT behind
 * one address is not cut off by one busy member. A relayed connection is charged to its PeerId
 * (the relay's address is shared by everyone it relays; relays cap each circuit themselves), and
 * so is a loopback one (this host: tests, a local client).
 */
import type { Connection } from '@libp2p/interface'
import type { CairnConfig } from '../shared/config.js'
import { RateLimiter } from './rate-limiter.js'

/** The key a connection's network is charged under. */
export function networkOf (connection: Pick<Connection, 'remoteAddr' | 'remotePeer'>): string {
  const addr = connection.remoteAddr
  const components = addr.getComponents()
  if (components.some(c => c.name === 'p2p-circuit')) return `peer/${connection.remotePeer.toString()}`
  const ip = components.find(c => c.name === 'ip4' || c.name === 'ip6')
  if (ip?.value === undefined) return `peer/${connection.remotePeer.toString()}`
  if (ip.name === 'ip4') return ip.value.startsWith('127.') ? `peer/${connection.remotePeer.toString()}` : `ip4/${ip.value}`
  const groups = expand(ip.value)
  if (groups.every((g, i) => i === 7 ? g === '1' : g === '0')) return `peer/${connection.remotePeer.toString()}`
  return `ip6/${groups.slice(0, 4).join(':')}`
}

function expand (text: string): string[] {
  const [head = '', tail] = text.toLowerCase().split('::')
  const h = head === '' ? [] : head.split(':')
  const t = tail === undefined || tail === '' ? [] : tail.split(':')
  return [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t].map(g => g.replace(/^0+(?=.)/, ''))
}

export class NetworkBudget {
  private readonly deposits: RateLimiter
  private readonly depositBytes: RateLimiter
  private readonly bundleTakes: RateLimiter
  private readonly chunkBytes: RateLimiter

  constructor (m: CairnConfig['mailbox']) {
    const f = m.networkBudgetFactor
    this.deposits = new RateLimiter(m.depositsPerMinute * f, m.depositBurst * f)
    this.depositBytes = new RateLimiter(m.depositBytesPerMinute * f, m.depositBytesPerMinute * f)
    this.bundleTakes = new RateLimiter(m.bundleTakesPerMinute * f, m.bundleTakesPerMinute * f)
    this.chunkBytes = new RateLimiter(m.chunkBytesPerMinute * f, m.chunkBytesPerMinute * f)
  }

  /** Charge a deposit of `bytes`; false when the connection's network has spent its budget. */
  deposit (connection: Pick<Connection, 'remoteAddr' | 'remotePeer'>, now: number, bytes: number): boolean {
    const key = networkOf(connection)
    return this.deposits.take(key, now) && this.depositBytes.take(key, now, bytes)
  }

  /** Charge a chunk upload of `bytes`; false when the connection's network has spent its budget. */
  putChunk (connection: Pick<Connection, 'remoteAddr' | 'remotePeer'>, now: number, bytes: number): boolean {
    return this.chunkBytes.take(networkOf(connection), now, bytes)
  }

  takeBundle (connection: Pick<Connection, 'remoteAddr' | 'remotePeer'>, now: number): boolean {
    return this.bundleTakes.take(networkOf(connection), now)
  }
}
