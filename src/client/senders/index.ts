/**
 * Who may put a message in the inbox. The messenger asks once a message is opened and its sender
 * proven (sealed sender and identity certificate), before storing it: a blocked peer's message is
 * dropped; a stranger's (a sender who is not a contact) is admitted while today's caps allow
 * (`delivery.strangerMessagesPerDay`, per stranger and in total), then dropped; a contact's always
 * passes. A dropped message is still handled: the messenger records its id as seen and answers it
 * like a duplicate, so a mailbox is acknowledged and never serves it again, and the sender learns
 * nothing. Logs name the sender, the envelope id and the reason, never the content.
 */
import type { CairnConfig } from '../../shared/config.js'
import type { Logger } from '../../shared/logger.js'
import type { Store } from '../../shared/store.js'
import type { Contacts } from '../contacts.js'
import type { Kv } from '../crypto/kv.js'
import { countDrop, dayOf, pruneBefore, takeStrangerSlot, type DropReason, type StrangerLimits } from './stranger-quota.js'

/** What the messenger needs: one question per opened message. */
export interface SenderGate {
  /**
   * Whether the message `id` from `sender` may be stored. Counts go into `tx`, which commits with
   * the message (or with its id recorded as seen, when the answer is no).
   */
  admits: (tx: Kv, sender: string, id: string, now: number) => Promise<boolean>
  /** Whether `sender` is blocked (no caps counted: for senders that are not strangers to us). */
  blocks: (sender: string) => Promise<boolean>
}

export interface SenderPolicyInit {
  /** Caps on strangers' messages per UTC day (from config `delivery`). */
  limits: StrangerLimits
}

export interface SenderPolicyComponents {
  contacts: Pick<Contacts, 'byPeerId' | 'isBlocked'>
  /** Where the counters of past days are deleted from. */
  store: Store
  log: Logger
}

export class SenderPolicy implements SenderGate {
  private readonly log: Logger
  /** The day whose earlier counters were last deleted (once a day per process is enough). */
  private prunedFor = ''

  constructor (private readonly init: SenderPolicyInit, private readonly components: SenderPolicyComponents) {
    this.log = components.log.child({ component: 'senders' })
  }

  async blocks (sender: string): Promise<boolean> {
    const blocked = await this.components.contacts.isBlocked(sender)
    if (blocked) this.log.info({ peer: sender, reason: 'blocked' }, 'group content from a blocked peer dropped')
    return blocked
  }

  async admits (tx: Kv, sender: string, id: string, now: number): Promise<boolean> {
    const { contacts } = this.components
    if (await contacts.isBlocked(sender)) return this.drop(tx, 'blocked', sender, id, now)
    if (await contacts.byPeerId(sender) !== undefined) return true
    await this.pruneOnce(now)
    if (await takeStrangerSlot(tx, sender, now, this.init.limits)) return true
    return this.drop(tx, 'stranger-cap', sender, id, now)
  }

  private async drop (tx: Kv, reason: DropReason, sender: string, id: string, now: number): Promise<false> {
    const droppedToday = await countDrop(tx, reason, now)
    this.log.info({ peer: sender, id, reason, droppedToday }, reason === 'blocked' ? 'message from a blocked peer dropped' : 'message from a stranger dropped: daily cap reached')
    return false
  }

  private async pruneOnce (now: number): Promise<void> {
    const day = dayOf(now)
    if (this.prunedFor === day) return
    this.prunedFor = day
    await pruneBefore(this.components.store, now)
  }
}

export function senderPolicy (config: CairnConfig, components: SenderPolicyComponents): SenderPolicy {
  const d = config.delivery
  return new SenderPolicy({ limits: { perStranger: d.strangerMessagesPerDay, total: d.strangerMessagesPerDayTotal } }, components)
}
