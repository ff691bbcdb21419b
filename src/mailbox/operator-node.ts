/**
 * An operator's mailbox node: a DHT server, a mailbox, and a bootstrap peer for others. It holds a
 * libp2p key but no Signal identity. Stops cleanly: new streams refused, in-flight requests
 * finished (bounded), the node stopped, LevelDB closed.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { systemClock, type Clock } from '../shared/clock.js'
import type { CairnConfig } from '../shared/config.js'
import { ensureDataDir, paths } from '../shared/data-dir.js'
import { describeError } from '../shared/errors.js'
import type { Logger } from '../shared/logger.js'
import { createNode, type CairnNode } from '../shared/node/create-node.js'
import { loadOrCreatePeerKey } from '../shared/peer-key.js'
import { joinDht } from '../shared/placement.js'
import { Store } from '../shared/store.js'
import { Mailbox } from './index.js'

export class OperatorNode {
  private constructor (readonly node: CairnNode, readonly mailbox: Mailbox, readonly store: Store, private readonly log: Logger) {}

  static async start (config: CairnConfig, log: Logger, clock: Clock = systemClock): Promise<OperatorNode> {
    ensureDataDir(config.dataDir)
    const privateKey = await loadOrCreatePeerKey(config.dataDir)
    const store = await Store.open(paths.store(config.dataDir))
    try {
      const node = await createNode({ privateKey, datastore: store.datastore, config, dhtServer: true })
      const mailbox = new Mailbox({ node, store, config, clock, log })
      await mailbox.start()
      const op = new OperatorNode(node, mailbox, store, log)
      await op.joinNetwork(config)
      return op
    } catch (err) {
      await store.close()
      throw err
    }
  }

  private async joinNetwork (config: CairnConfig): Promise<void> {
    await Promise.all(config.bootstrap.map(async addr => this.node.dial(multiaddr(addr), { signal: AbortSignal.timeout(config.network.dialTimeoutMs) })
      .catch((err: unknown) => { this.log.warn({ addr, err: describeError(err) }, 'bootstrap peer unreachable') })))
    if (config.bootstrap.length > 0) await joinDht(this.node, AbortSignal.timeout(config.limits.requestTimeoutMs)).catch(() => 0)
  }

  addresses (): string[] {
    return this.node.getMultiaddrs().map(String)
  }

  async stop (): Promise<void> {
    await this.mailbox.stop()
    await this.node.stop()
    await this.store.close()
  }
}
