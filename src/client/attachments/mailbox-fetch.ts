/**
 * Collecting an attachment's chunks from our mailbox replicas, several requests in flight across
 * several replicas. Every chunk is checked against its address before it is written: a chunk that
 * fails is fetched from another replica, and the replica that served it is dropped for the rest of
 * this transfer (so is one that fails to answer). A replica that lacks a chunk is not asked for it
 * again; another one is.
 */
import type { PeerId } from '@libp2p/interface'
import { MailboxStatus } from '../../../proto/cairn.js'
import type { CairnConfig } from '../../shared/config.js'
import { describeError } from '../../shared/errors.js'
import type { Logger } from '../../shared/logger.js'
import type { CairnNode } from '../../shared/node/create-node.js'
import { closestPeers, mailboxKey } from '../../shared/placement.js'
import { askMailbox, type MailboxRpcConfig } from '../mailbox/mailbox-rpc.js'
import { CorruptChunkError } from './errors.js'
import type { IncomingFile } from './incoming-file.js'
import type { Clock } from '../../shared/clock.js'

export interface FetchResult {
  fetched: number
  /** Chunks no replica could serve. */
  missing: number[]
  /** Replicas dropped for this transfer: served a bad chunk, or failed. */
  dropped: string[]
}

export interface FetchOptions {
  clock: Clock
  signal?: AbortSignal
  onChunk?: (bytes: number) => void
  /** Replicas to ask (default: the 2k closest to our mailbox key). */
  replicas?: PeerId[]
}

/** What a fetch reads of the configuration: replicas, replicasPerSubnet, fetchConcurrency, and a request's limits. */
export interface FetchConfig extends MailboxRpcConfig {
  mailbox: MailboxRpcConfig['mailbox'] & Pick<CairnConfig['mailbox'], 'replicas' | 'replicasPerSubnet'>
  attachments: Pick<CairnConfig['attachments'], 'fetchConcurrency'>
}

export async function fetchChunks (node: CairnNode, config: FetchConfig, log: Logger, file: IncomingFile, options: FetchOptions): Promise<FetchResult> {
  const replicas = options.replicas ?? await closestPeers(node, mailboxKey(node.peerId), config.mailbox.replicas * 2, { clock: options.clock, perSubnet: config.mailbox.replicasPerSubnet, ...(options.signal === undefined ? {} : { signal: options.signal }) })
  const queue = file.missing()
  const tried = new Map<number, Set<string>>()
  const dropped = new Set<string>()
  let fetched = 0
  let inFlight = 0
  let wake: () => void = () => {}
  let changed = new Promise<void>(resolve => { wake = resolve })
  const settle = (): void => { const w = wake; changed = new Promise<void>(resolve => { wake = resolve }); w() }

  /** The next queued chunk this replica has not been asked for. */
  const take = (peer: string): number | undefined => {
    const at = queue.findIndex(i => !(tried.get(i)?.has(peer) ?? false))
    return at < 0 ? undefined : queue.splice(at, 1)[0]
  }

  const worker = async (peer: PeerId): Promise<void> => {
    const id = peer.toString()
    while (!dropped.has(id) && options.signal?.aborted !== true) {
      const index = take(id)
      if (index === undefined) {
        if (inFlight === 0) return
        await changed // another worker may put a chunk back that this replica has not tried
        continue
      }
      inFlight++
      try {
        const res = await askMailbox(node, config, peer, { getChunk: { cid: file.descriptor.chunks[index] as Uint8Array<ArrayBuffer> } }, options.signal === undefined ? { clock: options.clock } : { clock: options.clock, signal: options.signal })
        if (res.status !== MailboxStatus.MAILBOX_OK || res.chunk === undefined) {
          tried.set(index, (tried.get(index) ?? new Set()).add(id))
          queue.push(index)
          continue
        }
        // the record says so with the chunk: once saved, the replicas are asked to drop the chunks
        await file.accept(index, res.chunk, { fromMailbox: true })
        fetched++
        options.onChunk?.(res.chunk.length)
      } catch (err) {
        tried.set(index, (tried.get(index) ?? new Set()).add(id))
        queue.push(index)
        dropped.add(id)
        if (err instanceof CorruptChunkError) log.warn({ peer: id, chunk: index }, 'replica served a chunk that fails its check; dropped for this transfer')
        else log.info({ peer: id, err: describeError(err) }, 'chunk fetch failed; replica dropped for this transfer')
      } finally {
        inFlight--
        settle()
      }
    }
  }

  // fetchConcurrency requests in flight in all, spread evenly, and every replica asked at least once:
  // cutting the list to the concurrency left the last replicas unasked, however good their copies
  const n = Math.max(1, replicas.length)
  const total = config.attachments.fetchConcurrency
  const slots = replicas.flatMap((p, i) => Array.from({ length: Math.max(1, Math.floor(total / n) + (i < total % n ? 1 : 0)) }, () => p))
  await Promise.all(slots.map(worker))
  return { fetched, missing: file.missing(), dropped: [...dropped] }
}
