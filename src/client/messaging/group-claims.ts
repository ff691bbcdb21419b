/**
 * Files sent to a group that came before we knew their sender as a fellow member there: the change
 * that adds us, or it, travels in an envelope of its own, which may be opened after the file's, in
 * the same batch or a later one. Every receive batch ends by looking at them again, in its own
 * transaction: one whose sender is now a fellow member of the group it named is shown in that
 * group; one older than CLAIM_KEPT_MS stays its sender's own message for good (whatever could
 * have made it a member's has come by then). A file that names a group its sender is not in stays
 * its sender's message: no peer puts anything into the view of a group it is not a member of.
 */
import type { Store } from '../../shared/store.js'
import type { Kv } from '../crypto/kv.js'
import { claimedMessages, settleClaim, type InboxMessage } from '../inbox.js'

/** How long a claim is looked at again: the mail TTL (14 days), and a day for a change's last copies. */
export const CLAIM_KEPT_MS = 15 * 24 * 3600_000

/** Whether we and `sender` are fellow members of group `gid` now (ContentHandler.fellowGroup). */
export type FellowGroup = (sender: string, gid: string) => Promise<{ id: string, name: string } | undefined>

/**
 * Settle in `tx` what can be of the claims of `batch` (messages recorded in `tx`) and, given
 * `store`, of those recorded before. The batch's messages are changed in place, so that what the
 * batch shows carries its group. Returns how many claims are left waiting, and the messages of
 * earlier batches now in a group (a delivery receipt goes for them: a fellow member's, where a
 * stranger's 1:1 message had none).
 */
export async function settleGroupClaims (tx: Kv, store: Store | undefined, batch: InboxMessage[], fellowGroup: FellowGroup, now: number): Promise<{ left: number, moved: InboxMessage[] }> {
  const earlier = store === undefined ? [] : await claimedMessages(store)
  let left = 0
  const moved: InboxMessage[] = []
  for (const m of [...batch.filter(m => m.groupClaim !== undefined), ...earlier]) {
    const group = await fellowGroup(m.from, m.groupClaim as string)
    if (group !== undefined) {
      settleClaim(tx, m, group)
      if (!batch.includes(m)) moved.push(m)
    } else if (m.receivedAt < now - CLAIM_KEPT_MS) settleClaim(tx, m, undefined)
    else left++
  }
  return { left, moved }
}
