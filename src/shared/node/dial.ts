/**
 * A dial with a stall deadline instead of a total one: libp2p reports each step of a dial (queued,
 * addresses resolved, TCP open, encryption, multiplexing) as a progress event, and each step
 * starts the deadline again. On a small or loaded device the steps of one dial can together take
 * longer than `network.dialTimeoutMs` while none of them stalls (twenty clients starting at once on
 * a fifth of a core missed their bootstrap peers' 5-s deadline, 57 times in one test run); a peer
 * that stops answering mid-handshake is still cut off after `stallMs`, and the whole is capped at
 * DIAL_CAP_FACTOR × `stallMs` (libp2p's per-address dial timeout is set to the same in create-node.ts).
 */
import type { Connection, Libp2p } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Clock } from '../clock.js'
import { IdleDeadline, withSignal } from '../protocols/idle-deadline.js'

/** A dial that keeps making progress may take at most this many stall deadlines in all. */
export const DIAL_CAP_FACTOR = 4

export async function dialProgressing (node: Pick<Libp2p, 'dial'>, addr: Multiaddr, options: { clock: Clock, stallMs: number, signal?: AbortSignal }): Promise<Connection> {
  const idle = new IdleDeadline(options.clock, options.stallMs, { maxMs: options.stallMs * DIAL_CAP_FACTOR, what: `dial ${addr.toString()}` })
  try {
    return await node.dial(addr, { signal: withSignal(options.signal, idle.signal), onProgress: () => { idle.touch() } })
  } finally {
    idle.clear()
  }
}
