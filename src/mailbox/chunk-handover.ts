/**
 * Chunk handover to one replica (issue 14): the attachment chunks held here for a recipient reach
 * a replica that lacks them, so a file outlives the replicas it was first stored at, as its
 * descriptor message does. Which chunks differ is found by the same range walk as mail
 * (reconcile-offer.ts), over chunk ids (the first 16 bytes of an address's digest): replicas in
 * sync settle in one round. Each wanted chunk then goes as a put_chunk, one at a time (one chunk
 * in memory), at its original expiry, so a copy never outlives the first; the replica checks the
 * address, its quota and its byte cap as for any put. A refusal for space or budget ends the
 * exchange until the next pass; a chunk refused on its own (expired, not what its address names)
 * is skipped.
 */
import { MailboxStatus, type MailboxRequest, type MailboxResponse } from '../../proto/cairn.js'
import { ProtocolError } from '../shared/errors.js'
import { namesBytes } from '../shared/chunk-address.js'
import type { Logger } from '../shared/logger.js'
import { MAILBOX_VERSION } from '../shared/protocols/ids.js'
import type { ChunkStore } from './chunk-store.js'
import type { MailboxMetrics } from './metrics.js'
import type { SortedIds } from './id-ranges.js'
import { walkRanges } from './reconcile-offer.js'

export interface ChunkHandoverInit {
  chunks: ChunkStore
  recipient: string
  recipientBytes: Uint8Array<ArrayBuffer>
  /** The replica peer this exchange is with (for logs). */
  peer: string
  now: () => number
  ask: (req: Partial<MailboxRequest>) => Promise<MailboxResponse>
  log: Logger
  metrics?: MailboxMetrics
}

export interface ChunkHandoverOutcome {
  /** Chunks the replica stored. */
  sent: number
  rounds: number
  /** Why the exchange ended before every wanted chunk was offered (a status), if it did. */
  stoppedBy?: string
}

/** Statuses that refuse any further chunk for now: the replica is full or wants us to slow down. */
const ENDS_EXCHANGE = new Set([MailboxStatus.MAILBOX_QUOTA_EXCEEDED, MailboxStatus.MAILBOX_NODE_FULL, MailboxStatus.MAILBOX_RATE_LIMITED, MailboxStatus.MAILBOX_NOT_RESPONSIBLE, MailboxStatus.MAILBOX_INTERNAL])

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
/** Ids one OfferChunks names (the proto's limit). */
const OFFER_IDS = 1024

/**
 * Hand the recipient's chunks over to one replica; 'unsupported' when it predates chunk
 * reconciliation. A replica that counts this holder outside the recipient's replica set refuses
 * reconciliation (MAILBOX_NOT_RESPONSIBLE): the ids are then offered by list (OfferChunks), which
 * it takes on a deposit's terms, so chunks held only by a node that now ranks further out than the
 * replicas still reach them, as the mail does (handover.ts).
 */
export async function handChunksOver (o: ChunkHandoverInit): Promise<ChunkHandoverOutcome | 'unsupported'> {
  const held = await o.chunks.heldIds(o.recipient)
  if (held.ids.count === 0) return { sent: 0, rounds: 0 }
  // ids (16 bytes each) of what the replica lacks, not the chunks: those are read one at a time below
  const wanted = new Set<string>()
  const take = (ids: Uint8Array[]): void => {
    // only what is held here can be wanted
    for (const id of ids) if (id.length === 16 && held.ids.has(id)) wanted.add(hex(id))
  }
  const rounds = await walkRanges(held, async (ranges, round) => {
    const res = await o.ask({ version: MAILBOX_VERSION, reconcileChunks: { recipient: o.recipientBytes, ranges } })
    if (res.reconcile === undefined) {
      if (round === 0 && (res.status === MailboxStatus.MAILBOX_BAD_REQUEST || res.status === MailboxStatus.MAILBOX_OK)) return 'unsupported'
      if (round === 0 && res.status === MailboxStatus.MAILBOX_NOT_RESPONSIBLE) return 'outside'
      throw new ProtocolError(`chunk reconcile refused: ${MailboxStatus[res.status]} ${res.detail}`)
    }
    take(res.wanted)
    return res.reconcile.differ
  })
  if (rounds === 'unsupported') return rounds
  const out: ChunkHandoverOutcome = { sent: 0, rounds: 0 }
  if (rounds === 'outside') {
    const offered = await offerByList(o, held.ids, take)
    if (offered !== undefined) return { ...out, stoppedBy: offered }
  } else {
    out.rounds = rounds
    if (o.metrics !== undefined) o.metrics.chunkReconcileRounds += rounds
  }
  for (const id of wanted) {
    const chunk = await o.chunks.byId(o.recipient, Buffer.from(id, 'hex'))
    if (chunk === undefined || chunk.expiresAt <= o.now()) continue // swept, or expiring: not worth a copy
    if (!namesBytes(chunk.cid, chunk.data)) {
      // damaged on this node's disk: the replica would refuse it, at every pass until it expires
      o.log.warn({ recipient: o.recipient, chunk: id }, 'chunk handover: a held chunk no longer matches its address; not sent')
      continue
    }
    const res = await o.ask({ version: MAILBOX_VERSION, putChunk: { recipient: o.recipientBytes, cid: chunk.cid, data: chunk.data, expiresAt: chunk.expiresAt } })
    if (res.status === MailboxStatus.MAILBOX_OK) {
      out.sent++
      o.metrics?.chunkHandedOver(chunk.data.length)
      continue
    }
    if (res.status === MailboxStatus.MAILBOX_DUPLICATE) continue
    if (ENDS_EXCHANGE.has(res.status)) {
      out.stoppedBy = MailboxStatus[res.status]
      // the replica's disk, its budget: not an error, and retried only at the next pass
      o.log.info({ recipient: o.recipient, peer: o.peer, status: out.stoppedBy, detail: res.detail, sent: out.sent, left: wanted.size - out.sent }, 'chunk handover: replica refused more chunks for now')
      break
    }
    o.log.debug({ recipient: o.recipient, peer: o.peer, status: MailboxStatus[res.status], detail: res.detail }, 'chunk handover: one chunk refused')
  }
  return out
}

/**
 * Offer every held id by list, OFFER_IDS at a time, handing each answer's `wanted` to `take`.
 * Returns the status that ended it early (a node that predates OfferChunks, or one that is out of
 * budget for us), or undefined once every id was offered.
 */
async function offerByList (o: ChunkHandoverInit, held: SortedIds, take: (ids: Uint8Array[]) => void): Promise<string | undefined> {
  for (let from = 0; from < held.count; from += OFFER_IDS) {
    const ids: Array<Uint8Array<ArrayBuffer>> = []
    for (let i = from; i < Math.min(held.count, from + OFFER_IDS); i++) ids.push(held.at(i))
    const res = await o.ask({ version: MAILBOX_VERSION, offerChunks: { recipient: o.recipientBytes, ids } })
    if (res.status !== MailboxStatus.MAILBOX_OK) {
      o.log.debug({ recipient: o.recipient, peer: o.peer, status: MailboxStatus[res.status], detail: res.detail }, 'chunk handover: offer by list refused')
      return MailboxStatus[res.status]
    }
    take(res.wanted)
  }
  return undefined
}
