/**
 * The answering side of one chunk reconciliation round (proto ReconcileChunks): as for mail
 * (reconcile-answer.ts), stateless and bounded per round, over a recipient's chunk ids with no
 * tombstones. Chunks the owner released here are never wanted. The answer names the unlisted ranges that differ and, for listed ranges, the chunk
 * ids this node lacks (`wanted`, but not those another holder was just asked for: asked-copies.ts);
 * the chunks themselves then arrive as put_chunk, checked there.
 */
import { MailboxStatus, type MailboxResponse, type ReconcileChunks, type SyncRange } from '../../proto/cairn.js'
import type { ChunkStore } from './chunk-store.js'
import { MailboxRefusal } from './errors.js'
import { bounds, checkedRanges, same } from './reconcile-answer.js'
import type { IdRange } from './id-ranges.js'

/** The most ids one answer's `wanted` carries (the proto's limit). */
const MAX_ANSWER_IDS = 1024

export async function answerChunkReconcile (chunks: ChunkStore, r: string, req: ReconcileChunks, mayAsk: (id: Uint8Array) => boolean = () => true): Promise<Partial<MailboxResponse>> {
  const ranges = checkedRanges(req.ranges)
  if (req.ranges.some(s => s.tombstoneIds.length > 0 || s.tombstonesCount > 0)) throw new MailboxRefusal('bad-request', 'chunks have no tombstones')
  const held = await chunks.heldIds(r)
  const differ: SyncRange[] = []
  const wanted: Array<Uint8Array<ArrayBuffer>> = []
  for (const [i, s] of req.ranges.entries()) {
    const range = ranges[i] as IdRange
    if (!s.listed) {
      if (!same(held.ids, range, s.idsCount, s.idsFingerprint)) differ.push(bounds(s))
      continue
    }
    for (const id of s.ids) {
      // a chunk its owner released here is not wanted back from a replica that missed the release
      if (!held.ids.has(id) && wanted.length < MAX_ANSWER_IDS && !await chunks.releasedId(r, id) && mayAsk(id)) wanted.push(id)
    }
  }
  return { status: MailboxStatus.MAILBOX_OK, wanted, reconcile: { differ, wantTombstones: [], wantBundle: false } }
}
