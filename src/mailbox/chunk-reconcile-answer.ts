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
import type { IdRange, SortedIds } from './id-ranges.js'

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
    wanted.push(...await lackedChunkIds(chunks, r, held.ids, s.ids, MAX_ANSWER_IDS - wanted.length, mayAsk))
  }
  return { status: MailboxStatus.MAILBOX_OK, wanted, reconcile: { differ, wantTombstones: [], wantBundle: false } }
}

/**
 * The answer to a chunk offer by list (proto OfferChunks): of the offered ids, those this node
 * lacks, as a listed range of a reconciliation round would name them.
 */
export async function answerChunkOffer (chunks: ChunkStore, r: string, ids: Array<Uint8Array<ArrayBuffer>>, mayAsk: (id: Uint8Array) => boolean = () => true): Promise<Partial<MailboxResponse>> {
  if (ids.some(id => id.length !== 16)) throw new MailboxRefusal('bad-request', 'chunk ids must be 16 bytes')
  const held = await chunks.heldIds(r)
  return { status: MailboxStatus.MAILBOX_OK, wanted: await lackedChunkIds(chunks, r, held.ids, ids, MAX_ANSWER_IDS, mayAsk) }
}

/**
 * Of `ids`, up to `room` that are not `held` here and may be asked for: a chunk its owner released
 * here is not wanted back from a holder that missed the release, nor one another holder was just
 * asked for (asked-copies.ts).
 */
async function lackedChunkIds (chunks: ChunkStore, r: string, held: SortedIds, ids: Array<Uint8Array<ArrayBuffer>>, room: number, mayAsk: (id: Uint8Array) => boolean): Promise<Array<Uint8Array<ArrayBuffer>>> {
  const out: Array<Uint8Array<ArrayBuffer>> = []
  for (const id of ids) {
    if (out.length >= room) break
    if (!held.has(id) && !await chunks.releasedId(r, id) && mayAsk(id)) out.push(id)
  }
  return out
}
