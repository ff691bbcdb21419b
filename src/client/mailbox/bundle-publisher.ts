/**
 * Prekey bundle publishing: each of the k replicas of our mailbox gets a signed bundle with its own
 * share of one-time prekeys (no two replicas hold the same one), topped up when its status shows
 * the share running low. Senders who find us offline start sessions from these.
 */
import type { PeerId } from '@libp2p/interface'
import type { CairnConfig } from '../../shared/config.js'
import { describeError } from '../../shared/errors.js'
import type { Logger } from '../../shared/logger.js'
import type { Messenger } from '../messenger.js'
import { askMailboxOk } from './mailbox-rpc.js'
import type { OwnReplicas } from './own-replicas.js'

export interface PublishResult {
  /** Replicas found (k, or fewer on a thin network). */
  replicas: number
  /** Replicas given a new bundle now (those whose bundle was current are in neither count). */
  published: number
  /** Why each replica that was not published to was not: `<peer>: <error>`. */
  failures: string[]
}

/**
 * The replicas are the first k of our collect's 2k: the set a sync just looked up or checked
 * (own-replicas.ts), looked up here only when none is remembered or it is no longer plausible, or
 * when asked (`lookUpAgain`: a retry after a publish that fell short, whose set may be the cause).
 */
export async function publishBundles (own: OwnReplicas, messenger: Messenger, config: CairnConfig, log: Logger, options: { force?: boolean, lookUpAgain?: boolean, signal?: AbortSignal }): Promise<PublishResult> {
  const { node, clock } = own.components
  const k = config.mailbox.replicas
  const share = {
    preKeys: Math.max(1, Math.floor(config.delivery.oneTimePreKeys / k)),
    kyberPreKeys: Math.max(1, Math.floor(config.delivery.oneTimeKyberPreKeys / k))
  }
  const replicas = (await own.find({ reuse: options.lookUpAgain !== true, ...(options.signal === undefined ? {} : { signal: options.signal }) })).peers.slice(0, k)
  const failures: string[] = []
  const published = await Promise.all(replicas.map(async (peer: PeerId) => {
    try {
      const status = await askMailboxOk(node, config, peer, { status: {} }, { ...options, clock })
      const info = status.info
      const low = info === undefined || !info.hasBundle || info.oneTimePreKeys < share.preKeys / 2 || info.oneTimeKyberPreKeys < share.kyberPreKeys / 2
      if (!low && options.force !== true) return false
      const bundle = await messenger.bundleShare(share)
      await askMailboxOk(node, config, peer, { putBundle: { bundle } }, { ...options, clock })
      return true
    } catch (err) {
      log.info({ peer: peer.toString(), err: describeError(err) }, 'bundle not published to this replica')
      failures.push(`${peer.toString()}: ${describeError(err)}`)
      return false
    }
  }))
  return { replicas: replicas.length, published: published.filter(Boolean).length, failures }
}
