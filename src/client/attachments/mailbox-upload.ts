/**
 * Offline recipient: store each encrypted chunk at several of the recipient's mailbox replicas
 * (attachments.replicas of the closest), chunk after chunk, in parallel across replicas. A chunk
 * counts as stored once one replica acknowledged it durably; a replica that refuses or fails is
 * dropped for the rest of the transfer. Progress is recorded after every chunk, so a killed send
 * continues from there. With a deposit host (anonymous deposits), the replicas are looked up and
 * the chunks uploaded from its ephemeral identity, as mail deposits are: neither a DHT server nor
 * a replica sees the sender's PeerId behind the attachment.
 */
import type { Libp2p, PeerId } from '@libp2p/interface'
import { MailboxStatus } from '../../../proto/cairn.js'
import type { CairnConfig } from '../../shared/config.js'
import { CairnError, describeError } from '../../shared/errors.js'
import type { Logger } from '../../shared/logger.js'
import type { CairnNode } from '../../shared/node/create-node.js'
import { peerIdBytes } from '../../shared/peer-id.js'
import { closestPeers, mailboxKey } from '../../shared/placement.js'
import { askMailbox, type MailboxRpcConfig } from '../mailbox/mailbox-rpc.js'
import type { DepositHost } from '../anonymous/ephemeral-hosts.js'
import type { FileChunks } from './file-chunks.js'
import { deadline, type Clock } from '../../shared/clock.js'

export interface UploadOptions {
  clock: Clock
  signal?: AbortSignal
  /** Chunks [0, from) are stored already (an earlier, interrupted upload). */
  from: number
  expiresAt: number
  /** Called (and awaited) after each chunk is stored somewhere: persist progress here. */
  onStored: (next: number, bytes: number) => Promise<void>
  /** Where the lookup and the uploads go out from (client/anonymous). @default `node`, under the user's PeerId */
  depositHost?: DepositHost
}

/** What an upload reads of the configuration: how many replicas, their subnet spread, the lookup's deadline, a request's limits. */
export interface UploadConfig extends MailboxRpcConfig {
  mailbox: MailboxRpcConfig['mailbox'] & Pick<CairnConfig['mailbox'], 'replicas' | 'replicasPerSubnet'>
  attachments: Pick<CairnConfig['attachments'], 'replicas'>
  delivery: Pick<CairnConfig['delivery'], 'mailboxTimeoutMs'>
}

export async function uploadChunks (node: CairnNode, config: UploadConfig, log: Logger, recipient: PeerId, chunks: FileChunks, cids: Array<Uint8Array<ArrayBuffer>>, options: UploadOptions): Promise<{ replicas: number }> {
  const want = Math.min(config.attachments.replicas, config.mailbox.replicas)
  const signal = deadline(options.clock, config.delivery.mailboxTimeoutMs, options.signal)
  const perSubnet = config.mailbox.replicasPerSubnet
  const anonymous = options.depositHost
  const found = anonymous === undefined
    ? await closestPeers(node, mailboxKey(recipient), want, { clock: options.clock, perSubnet, signal })
    : await anonymous.closestPeers(mailboxKey(recipient), want, { perSubnet, signal })
  const hostFor = async (peer: PeerId): Promise<CairnNode | Libp2p> => anonymous === undefined ? node : anonymous.hostFor(peer)
  let live = found
  if (live.length === 0) throw new CairnError('DELIVERY_FAILED', 'no mailbox nodes reachable for the attachment')
  const recipientBytes = peerIdBytes(recipient)
  for (let i = options.from; i < chunks.count; i++) {
    const data = await chunks.chunk(i)
    const cid = cids[i] as Uint8Array<ArrayBuffer>
    const ok = await Promise.all(live.map(async peer => {
      try {
        const res = await askMailbox(await hostFor(peer), config, peer, { putChunk: { recipient: recipientBytes, cid, data, expiresAt: options.expiresAt } }, options.signal === undefined ? { clock: options.clock } : { clock: options.clock, signal: options.signal })
        if (res.status === MailboxStatus.MAILBOX_OK || res.status === MailboxStatus.MAILBOX_DUPLICATE) return true
        log.info({ peer: peer.toString(), status: res.status, detail: res.detail }, 'replica refused a chunk; dropped for this transfer')
      } catch (err) {
        log.info({ peer: peer.toString(), err: describeError(err) }, 'chunk upload failed; replica dropped for this transfer')
      }
      return false
    }))
    live = live.filter((_, j) => ok[j] === true)
    if (live.length === 0) throw new CairnError('DELIVERY_FAILED', `no mailbox replica stored chunk ${i} of the attachment`)
    await options.onStored(i + 1, data.length)
  }
  return { replicas: live.length }
}
