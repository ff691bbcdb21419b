/**
 * Group messages parked until the membership changes they name (their heads) arrive
 * (group-receive.ts), within bounds a hostile member cannot turn against the others, and for at
 * most the time those changes could still come by mail.
 * - A sender holds at most MAX_PARKED_PER_SENDER per group: its further messages are dropped.
 * - A group holds at most MAX_PARKED_PER_GROUP: a message that finds it full takes the place of
 *   the oldest of the sender holding the most, when that one holds more than its own sender would
 *   (otherwise it is dropped). Senders who flood are thus the ones who lose: every sender can hold
 *   about an equal share (within one message of the largest holder).
 * - A message parked longer than the mail TTL and a day (what it waits for travels in envelopes
 *   that expire at the TTL) is dropped by the periodic pass (group-service.ts prune).
 * A message dropped unshown leaves its number as lost (group-store.ts markLost), so the reader's
 * gap count shows it missing before its sender's next message (gaps.ts) instead of nothing; that
 * record is pruned once it can tell the reader nothing more (lost-seqs.ts).
 * docs/DECISIONS.md, "Parked group messages expire".
 */
import type { Logger } from '../../shared/logger.js'
import type { Store } from '../../shared/store.js'
import type { CommittingKv } from '../crypto/kv.js'
import { listParked, markLost, park, unpark, type ParkedMessage } from './group-store.js'

/** Messages held per group until the membership they name arrives. */
export const MAX_PARKED_PER_GROUP = 1000
/** Of those, per sender. */
export const MAX_PARKED_PER_SENDER = 100

const sameMessage = (a: ParkedMessage, b: ParkedMessage): boolean => a.sender === b.sender && a.id === b.id

export class Parking {
  /** Per group, what is parked (the store's list, read once). */
  private readonly byGroup = new Map<string, ParkedMessage[]>()

  constructor (private readonly c: { store: Store, log: Logger }) {}

  /** What is parked in `gid` now. */
  async of (gid: string): Promise<readonly ParkedMessage[]> {
    let list = this.byGroup.get(gid)
    if (list === undefined) {
      list = await listParked(this.c.store, gid)
      list = this.byGroup.get(gid) ?? list
      this.byGroup.set(gid, list)
    }
    return list
  }

  /** Take every message of `gid` out (in `tx`): the caller shows them or parks them again. */
  async takeAll (tx: CommittingKv, gid: string): Promise<ParkedMessage[]> {
    const all = [...await this.of(gid)]
    for (const m of all) unpark(tx, gid, m)
    this.set(tx, gid, [])
    return all
  }

  /** Park `m` (in `tx`, first parked `now` unless it was before), or drop it or another to stay within the bounds. */
  async park (tx: CommittingKv, gid: string, m: ParkedMessage, now: number): Promise<void> {
    const parked = { ...m, parkedAt: m.parkedAt ?? now }
    const others = (await this.of(gid)).filter(p => !sameMessage(p, parked))
    const own = others.filter(p => p.sender === m.sender).length
    let kept = others
    if (own >= MAX_PARKED_PER_SENDER) {
      await this.drop(tx, gid, now, [parked], 'too many of this sender\'s group messages waiting for changes: dropped')
      return
    }
    if (others.length >= MAX_PARKED_PER_GROUP) {
      const victim = this.oldestOfLargest(others)
      if (victim === undefined || others.filter(p => p.sender === victim.sender).length <= own + 1) {
        await this.drop(tx, gid, now, [parked], 'too many group messages waiting for their group\'s changes: dropped')
        return
      }
      unpark(tx, gid, victim)
      kept = others.filter(p => !sameMessage(p, victim))
      await this.drop(tx, gid, now, [victim], 'group message waiting for changes dropped for another sender\'s (its sender holds the most)')
    }
    park(tx, gid, parked)
    this.set(tx, gid, [...kept, parked])
  }

  /**
   * The pass: messages of `gid` parked before `cutoff` are dropped, in `tx`; one parked before
   * parking had a time is given `now` (it waits a whole horizon from there). Returns those dropped.
   */
  async expire (tx: CommittingKv, gid: string, cutoff: number, now: number): Promise<ParkedMessage[]> {
    const list = await this.of(gid)
    const expired: ParkedMessage[] = []
    const kept: ParkedMessage[] = []
    for (const m of list) {
      if (m.parkedAt === undefined) {
        const stamped = { ...m, parkedAt: now }
        park(tx, gid, stamped)
        kept.push(stamped)
      } else if (m.parkedAt < cutoff) {
        unpark(tx, gid, m)
        expired.push(m)
      } else kept.push(m)
    }
    if (expired.length === 0 && kept.every((m, i) => m === list[i])) return []
    this.set(tx, gid, kept)
    await this.drop(tx, gid, now, expired, 'group messages waited past the mail TTL for changes that never came: dropped')
    return expired
  }

  /**
   * `gid`'s list is `list` from now on, for the rest of `tx` too, and put back as it was if `tx`
   * does not commit this (a rollback of the envelope, a failed commit): the list is only changed
   * under the receive lock, one transaction at a time, so what it was is what it is again.
   */
  private set (tx: CommittingKv, gid: string, list: ParkedMessage[]): void {
    const before = this.byGroup.get(gid)
    this.byGroup.set(gid, list)
    tx.onUndo(() => { if (before === undefined) this.byGroup.delete(gid); else this.byGroup.set(gid, before) })
  }

  /** Log (no text: who, which numbers) and note each dropped number as lost for the reader's gap count. */
  private async drop (tx: CommittingKv, gid: string, now: number, dropped: ParkedMessage[], why: string): Promise<void> {
    if (dropped.length === 0) return
    for (const m of dropped) await markLost(tx, gid, m.sender, m.seq, now)
    const senders = [...new Set(dropped.map(m => m.sender))]
    this.c.log.warn({ group: gid, senders, dropped: dropped.length, seqs: dropped.map(m => m.seq).slice(0, 20) }, why)
  }

  /** The oldest parked message of the sender holding the most (ties: the smallest PeerId). */
  private oldestOfLargest (list: readonly ParkedMessage[]): ParkedMessage | undefined {
    const count = new Map<string, number>()
    for (const p of list) count.set(p.sender, (count.get(p.sender) ?? 0) + 1)
    const [sender] = [...count].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0] ?? []
    const own = list.filter(p => p.sender === sender)
    return own.sort((a, b) => (a.parkedAt ?? 0) - (b.parkedAt ?? 0) || a.seq - b.seq)[0]
  }
}
