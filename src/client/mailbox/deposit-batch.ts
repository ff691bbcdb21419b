/**
 * Batched deposits at one mailbox node: many envelopes in one `deposit_batch` request (one fsync
 * at the replica), cut to fit the frame limit and the protocol's 256 a request. A node that
 * predates batches (it answers BAD_REQUEST with no per-envelope statuses), or whose frame limit
 * is smaller than ours (TOO_LARGE), gets the same envelopes as single deposits instead.
 */
import type { Libp2p, PeerId } from '@libp2p/interface'
import type { Clock } from '../../shared/clock.js'
import { Envelope, MailboxStatus, type MailboxResponse } from '../../../proto/cairn.js'
import { describeError } from '../../shared/errors.js'
import { inParallel } from '../../shared/in-parallel.js'
import type { CairnNode } from '../../shared/node/create-node.js'
import { mailboxAnswerBudget } from '../../shared/protocols/ids.js'
import { askMailbox, type MailboxRpcConfig } from './mailbox-rpc.js'

/** The most envelopes one batch request may carry (proto: DepositBatch.envelopes limit). */
export const DEPOSIT_BATCH_MAX = 256
/** Single deposits in flight at once to a node that takes no batches. */
const SINGLE_CONCURRENCY = 8
/** A repeated field's tag and length prefix, and the request's own fields, with room to spare. */
const PER_ENVELOPE_OVERHEAD = 8

/** Per envelope: true once the node holds it (stored or a duplicate), else why not. */
export type DepositAnswer = true | string

/** Cut `envelopes` into batches of at most `maxCount` whose encoded request fits `maxBytes`. */
export function cutBatches (envelopes: Envelope[], maxBytes: number, maxCount = DEPOSIT_BATCH_MAX): Envelope[][] {
  const out: Envelope[][] = []
  let current: Envelope[] = []
  let bytes = 0
  for (const env of envelopes) {
    const size = Envelope.encode(env).length + PER_ENVELOPE_OVERHEAD
    if (current.length > 0 && (current.length === maxCount || bytes + size > maxBytes)) {
      out.push(current)
      current = []
      bytes = 0
    }
    current.push(env)
    bytes += size
  }
  if (current.length > 0) out.push(current)
  return out
}

export type Ask = (req: Parameters<typeof askMailbox>[3]) => Promise<MailboxResponse>

/** Deposit `envelopes` (one batch, already cut to fit) at one node; one answer per envelope, in order. */
export async function depositBatchAt (ask: Ask, envelopes: Envelope[]): Promise<DepositAnswer[]> {
  let res: MailboxResponse
  try {
    res = await ask({ depositBatch: { envelopes } })
  } catch (err) {
    return envelopes.map(() => describeError(err))
  }
  if (res.status === MailboxStatus.MAILBOX_OK && res.deposited.length === envelopes.length) {
    return res.deposited.map(d => d.status === MailboxStatus.MAILBOX_OK || d.status === MailboxStatus.MAILBOX_DUPLICATE ? true : `${MailboxStatus[d.status] ?? d.status} ${d.detail}`)
  }
  const older = res.deposited.length === 0 && (res.status === MailboxStatus.MAILBOX_BAD_REQUEST || res.status === MailboxStatus.MAILBOX_TOO_LARGE)
  if (!older) return envelopes.map(() => `${MailboxStatus[res.status] ?? res.status} ${res.detail}`)
  return depositOneByOne(ask, envelopes)
}

/** The same envelopes as single deposits, a few in flight. */
async function depositOneByOne (ask: Ask, envelopes: Envelope[]): Promise<DepositAnswer[]> {
  const out: DepositAnswer[] = new Array(envelopes.length)
  await inParallel(envelopes, SINGLE_CONCURRENCY, async (envelope, i) => {
    try {
      const res = await ask({ deposit: { envelope } })
      out[i] = res.status === MailboxStatus.MAILBOX_OK || res.status === MailboxStatus.MAILBOX_DUPLICATE ? true : `${MailboxStatus[res.status] ?? res.status} ${res.detail}`
    } catch (err) {
      out[i] = describeError(err)
    }
  })
  return out
}

/** An Ask bound to one node and peer. */
export function askAt (node: CairnNode | Libp2p, config: MailboxRpcConfig, peer: PeerId, options: { clock: Clock, signal?: AbortSignal }): Ask {
  return async (req) => askMailbox(node, config, peer, req, options)
}

/** What one batch request may hold in bytes: the frame limit less a margin, as answers are cut. */
export const batchBudget = (config: MailboxRpcConfig): number => mailboxAnswerBudget(config.mailbox.frameBytes)
