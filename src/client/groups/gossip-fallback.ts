/**
 * Group messages sent to some members by gossip alone (group-service.ts picks them: connected to
 * us, subscribed to the topic, known to hold our chain, lacking no membership change) and what
 * follows: each such member's delivery receipt settles it; a member the publish did not reach gets
 * its 1:1 copy at once, one whose receipt has not come within `groups.gossipAckMs` gets it then.
 * What the copies need (the ciphertext, each member's distribution message) is written with the
 * send, so a crash or a restart loses none: pending ones are taken up again at start. A copy sent
 * although the member had it (its receipt was late) is a duplicate, dropped as any.
 *
 * Receipts (and direct deliveries) also say who holds which of our chains: the delivery log's
 * group records name the chain, and a member at `delivered` or beyond is marked as holding it —
 * our current chain only: a late receipt for a message on a rotated-out chain marks nothing (the
 * rotation pruned that chain's marks, group-send.ts).
 *
 * Deadlines announce what they did (`extended`, `copies`), for logs and tests.
 */
import { EventEmitter } from 'node:events'
import type { Clock, Timer } from '../../shared/clock.js'
import { describeError } from '../../shared/errors.js'
import type { Logger } from '../../shared/logger.js'
import { Mutex } from '../../shared/mutex.js'
import type { Store } from '../../shared/store.js'
import { DELIVERY_STATES, type DeliveryLog, type SentView } from '../messaging/delivery-log.js'
import { getGossipOnly, getSenderState, listGossipOnly, markHoldsChain, putGossipOnly, type GossipOnly } from './group-store.js'

export interface GossipFallbackComponents {
  store: Store
  deliveries: DeliveryLog
  clock: Clock
  log: Logger
  /** Send `members` their 1:1 copies of `g`, and write `rest` (what stays pending) in the same transaction. */
  resend: (g: GossipOnly, members: string[], rest: GossipOnly) => Promise<void>
}

/** How many times a deadline is extended for members whose acknowledgements are still arriving. */
const MAX_EXTENSIONS = 3

const acknowledged = (view: SentView | undefined, member: string): boolean => {
  const s = view?.recipients[member]?.state
  return s !== undefined && DELIVERY_STATES.indexOf(s) >= DELIVERY_STATES.indexOf('delivered')
}

export interface GossipFallbackEvents {
  /** Message `id`'s deadline came with members still acknowledging other messages: waited for again (the `n`th time). */
  extended: [id: string, n: number]
  /** Message `id`'s 1:1 copies went to `members` (not reached by the publish, or no receipt in time). */
  copies: [id: string, members: string[]]
}

export class GossipFallback extends EventEmitter<GossipFallbackEvents> {
  private readonly timers = new Map<string, Timer>()
  /** One settlement at a time: a publish's answer and a deadline may come together. */
  private readonly lock = new Mutex()
  /** Per group, our chain and the members marked as holding it since start: each mark is written once. */
  private readonly marked = new Map<string, { chain: string, members: Set<string> }>()
  /** When each member's last acknowledgement moved a record (clock ms): a member still acknowledging is behind, not gone. */
  private readonly lastAck = new Map<string, number>()
  /** Deadlines extended per record, at most MAX_EXTENSIONS. */
  private readonly extended = new Map<string, number>()
  private running = false

  constructor (private readonly c: GossipFallbackComponents, private readonly ackMs: number) { super() }

  async start (): Promise<void> {
    this.running = true
    this.c.deliveries.on('change', this.onChange)
    for (const g of await listGossipOnly(this.c.store)) this.arm(g)
  }

  stop (): void {
    this.running = false
    this.c.deliveries.off('change', this.onChange)
    for (const t of this.timers.values()) t.clear()
    this.timers.clear()
  }

  /** Whether sends may skip members' 1:1 copies (running, and not configured off). */
  get enabled (): boolean { return this.running && this.ackMs > 0 }

  /** When a record made now falls due. */
  dueFromNow (): number { return this.c.clock.now() + this.ackMs }

  /** `g` is on disk: settle it when it falls due. */
  arm (g: GossipOnly): void {
    if (!this.running || this.timers.has(g.id)) return
    const t = this.c.clock.setTimeout(() => { this.timers.delete(g.id); this.settleSoon(g.id, undefined) }, Math.max(0, g.due - this.c.clock.now())).unref()
    this.timers.set(g.id, t)
  }

  /** The publish of message `id` reached these PeerIds: the members it did not reach get their copies now. */
  published (id: string, reached: string[]): void {
    this.settleSoon(id, new Set(reached))
  }

  private settleSoon (id: string, reached: Set<string> | undefined): void {
    this.settle(id, reached).catch((err: unknown) => {
      this.c.log.warn({ id, err: describeError(err) }, 'could not send the 1:1 copies of a message sent by gossip; retried at the next start')
    })
  }

  /**
   * Members of `id` who acknowledged it are done; of the rest, those the publish did not reach
   * (`reached` given) or all (the deadline: `reached` undefined) get their 1:1 copies.
   */
  private async settle (id: string, reached: Set<string> | undefined): Promise<void> {
    await this.lock.run(async () => {
      const g = await getGossipOnly(this.c.store.transaction(), id)
      if (g === undefined) return
      const view = await this.c.deliveries.get(id)
      const waiting = Object.keys(g.members).filter(m => !acknowledged(view, m))
      // at the deadline, a member whose acknowledgements are still coming in (one within the
      // last gossipAckMs) is waited for once more, up to MAX_EXTENSIONS times: no copy storm
      // while a busy sender works through its receipts
      if (reached === undefined && (this.extended.get(id) ?? 0) < MAX_EXTENSIONS && waiting.some(m => this.c.clock.now() - (this.lastAck.get(m) ?? -Infinity) < this.ackMs)) {
        const n = (this.extended.get(id) ?? 0) + 1
        this.extended.set(id, n)
        this.arm({ ...g, due: this.dueFromNow() })
        this.emit('extended', id, n)
        return
      }
      this.extended.delete(id)
      const now = waiting.filter(m => reached === undefined || !reached.has(m))
      const left = waiting.filter(m => !now.includes(m))
      if (now.length > 0) this.c.log.info({ id, members: now.length, why: reached === undefined ? 'no receipt in time' : 'not reached by the publish' }, 'group message: 1:1 copies for members sent by gossip')
      const rest: GossipOnly = { ...g, members: Object.fromEntries(left.map(m => [m, g.members[m] as string])) }
      if (now.length > 0) {
        await this.c.resend(g, now, rest)
        this.emit('copies', id, now)
      } else if (left.length < Object.keys(g.members).length) {
        const tx = this.c.store.transaction()
        putGossipOnly(tx, rest)
        await tx.commit()
      }
      if (left.length === 0) {
        this.timers.get(id)?.clear()
        this.timers.delete(id)
      }
    })
  }

  /** A delivery-log record moved: mark who holds its chain; settle a gossip send everyone acknowledged. */
  private readonly onChange = (view: SentView): void => {
    if (view.group === undefined || view.chain === undefined) return
    const holders = Object.keys(view.recipients).filter(m => acknowledged(view, m))
    for (const m of holders) this.lastAck.set(m, this.c.clock.now())
    if (holders.length > 0) {
      this.markHolders(view.group.id, view.chain, holders).catch((err: unknown) => { this.c.log.info({ err: describeError(err) }, 'could not note who holds our chain') })
    }
    if (this.timers.has(view.id) && view.counts.delivered === view.counts.total) this.settleSoon(view.id, new Set())
  }

  /**
   * `members` hold our chain `chain` in group `gid`: noted, if it is still our chain there (a late
   * receipt for a message on a chain a rotation left behind marks nothing). A mark that races a
   * rotation is pruned by the next one.
   */
  private async markHolders (gid: string, chain: string, members: string[]): Promise<void> {
    const cached = this.marked.get(gid)
    if (cached?.chain === chain && members.every(m => cached.members.has(m))) return // nothing to write: no read
    if ((await getSenderState(this.c.store.transaction(), gid))?.distributionId !== chain) return
    let known = this.marked.get(gid)
    if (known?.chain !== chain) {
      known = { chain, members: new Set() }
      this.marked.set(gid, known)
    }
    const fresh = members.filter(m => !(known as { members: Set<string> }).members.has(m))
    if (fresh.length === 0) return
    const tx = this.c.store.transaction()
    for (const m of fresh) {
      markHoldsChain(tx, gid, chain, m)
      known.members.add(m)
    }
    await tx.commit()
  }
}
