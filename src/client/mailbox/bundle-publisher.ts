/**
 * Prekey bundle publishing: each of the k replicas of our mailbox gets a signed bundle with its own
 * share of one-time prekeys (no two replicas hold the same one), topped up when its status shows
 * the share running low. Senders who find us offline start sessions from these.
 */
import type { PeerId } from '@libp2p/interface'
import type { Clock } from '../../shared/clock.js'
import type { CairnConfig } from '../../shared/config.js'
import { describeError } from '../../shared/errors.js'
import type { Logger } from '../../shared/logger.js'
import type { CairnNode } from '../../shared/node/create-node.js'
import { closestPeers, mailboxKey } from '../../shared/placement.js'
import type { Messenger } from '../messenger.js'
import { askMailboxOk } from './mailbox-rpc.js'

export interface PublishResult {
  replicas: number
  published: number
}

export async function publishBundles (node: CairnNode, messenger: Messenger, config: CairnConfig, log: Logger, options: { clock: Clock, force?: boolean, signal?: AbortSignal }): Promise<PublishResult> {
  const k = config.mailbox.replicas
  const share = {
    preKeys: Math.max(1, Math.floor(config.delivery.oneTimePreKeys / k)),
    kyberPreKeys: Math.max(1, Math.floor(config.delivery.oneTimeKyberPreKeys / k))
  }
  const replicas = await closestPeers(node, mailboxKey(node.peerId), k, { clock: options.clock, perSubnet: config.mailbox.replicasPerSubnet, ...(options.signal === undefined ? {} : { signal: options.signal }) })
  const published = await Promise.all(replicas.map(async (peer: PeerId) => {
    try {
      const status = await askMailboxOk(node, config, peer, { status: {} }, options)
      const info = status.info
      const low = info === undefined || !info.hasBundle || info.oneTimePreKeys < share.preKeys / 2 || info.oneTimeKyberPreKeys < share.kyberPreKeys / 2
      if (!low && options.force !== true) return false
      const bundle = await messenger.bundleShare(share)
      await askMailboxOk(node, config, peer, { putBundle: { bundle } }, options)
      return true
    } catch (err) {
      log.info({ peer: peer.toString(), err: describeError(err) }, 'bundle not published to this replica')
      return false
    }
  }))
  return { replicas: replicas.length, published: published.filter(Boolean).length }
}
