/**
 * Files sent to a group that came before the membership their sender named (GroupPayload-like
 * heads in the descriptor): the group's creation, or the change that adds us or the sender,
 * travels in an envelope of its own, which may be opened after the file's, in the same batch or a
 * later one. Such a file is shown as its sender's own message, with a claim on the group
 * (inbox.ts groupClaim), and looked at again at the end of a receive batch in which its group
 * gained a change: once the heads are here it moves into the group if its sender is a member,
 * else it stays its sender's message for good; a claim still waiting after CLAIM_KEPT_MS stays so
 * too. As for group messages (parking.ts), nobody who was not a member when it sent puts a file
 * in the group, and the work is per change of a group with claims waiting, never per message.
 */
import type { Store } from '../../shared/store.js'
import type { Kv } from '../crypto/kv.js'
import { claimedMessages, settleClaim, type InboxMessage } from '../inbox.js'
import type { ContentHandler } from './receiver.js'

/** How long a claim is looked at again: the mail TTL (14 days), and a day for a change's last copies. */
export const CLAIM_KEPT_MS = 15 * 24 * 3600_000

/**
 * Settle in `tx` what can be of the claims of `batch` (messages recorded in `tx`, changed in
 * place, so that what the batch shows carries its group) and of the earlier ones of groups that
 * gained a change. Returns the earlier batches' messages now in a group: a delivery receipt goes
 * for them, as a fellow member's (a stranger's 1:1 message had none).
 */
export async function settleGroupClaims (tx: Kv, store: Store, batch: InboxMessage[], groups: Pick<ContentHandler, 'fileGroup' | 'takeChanged'>, now: number): Promise<InboxMessage[]> {
  const changed = groups.takeChanged()
  const mine = batch.filter(m => m.groupClaim !== undefined)
  if (changed.length === 0 && mine.length === 0) return []
  const earlier: InboxMessage[] = []
  for (const gid of changed) earlier.push(...(await claimedMessages(store, tx, gid)).filter(e => !mine.some(m => m.from === e.from && m.id === e.id)))
  const moved: InboxMessage[] = []
  for (const m of [...mine, ...earlier]) {
    const claim = m.groupClaim as NonNullable<InboxMessage['groupClaim']>
    const verdict = await groups.fileGroup(m.from, claim.id, claim.heads)
    if (verdict === 'wait') {
      if (m.receivedAt < now - CLAIM_KEPT_MS) settleClaim(tx, m, undefined)
      continue
    }
    settleClaim(tx, m, verdict)
    if (verdict !== undefined && earlier.includes(m)) moved.push(m)
  }
  return moved
}
