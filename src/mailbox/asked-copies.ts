/**
 * The copies this replica has asked holders for in a reconciliation answer (`wanted`), for a short
 * while, so that holders reconciling with it at the same moment are not all asked for the same
 * copies. They do reconcile at the same moment: every replica's pass runs a second after a deposit
 * or an ack, and every replica's chunk pass once an upload goes quiet, so a replica the sender
 * missed was sent each envelope (or chunk) by every other holder (in the handover bench under
 * load, 2 to 4.5 times the copies it needed).
 *
 * A promise is not trusted for long, nor twice: only the first holder asked for a copy holds the
 * others back, and only for `holdMs`. After that, or once that holder or any other has been asked
 * again, every holder that offers the copy is asked for it. So a holder that promises and never
 * sends (failed, or hostile with as many PeerIds as it likes) delays that copy to this replica
 * until another holder's next pass, once; the copy stays at the other holders meanwhile.
 * Bounded: at most `maxEntries` promises are remembered, the oldest forgotten first (a forgotten
 * copy may be sent twice, or held back once more).
 */

import { BoundedMap } from '../shared/bounded-map.js'

interface Promised {
  /** The holder asked last, and until when its promise holds the others back. */
  holder: string
  until: number
  /** Only the first promise of a copy holds the others back. */
  exclusive: boolean
}

export class AskedCopies {
  private readonly promises: BoundedMap<string, Promised>

  constructor (private readonly o: { holdMs: number, maxEntries: number }) {
    this.promises = new BoundedMap(o.maxEntries)
  }

  /**
   * Whether `holder` is to be asked for the copy `key` now (recording the promise if so): no while
   * another holder's first promise of it is in time. A holder asking again is always asked (its
   * copy may have been refused, or its pass cut off).
   */
  ask (key: string, holder: string, now: number): boolean {
    const p = this.promises.get(key)
    if (p !== undefined && p.exclusive && p.until > now && p.holder !== holder) return false
    this.promises.set(key, { holder, until: now + this.o.holdMs, exclusive: p === undefined })
    return true
  }

  /** How many promises are remembered. */
  get size (): number {
    return this.promises.size
  }
}
