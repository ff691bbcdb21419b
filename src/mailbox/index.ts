/**
 * The mailbox: every DHT-server node runs one. It holds sealed envelopes and prekey bundles for
 * recipients whose mailbox key it is close to, and never anything else: no sessions, no plaintext,
 * no sender identities (those are inside sealed sender). Compose with `new Mailbox(init)`, then
 * start()/stop() with the node.
 */
import type { Clock, Timer } from '../shared/clock.js'
import type { CairnConfig } from '../shared/config.js'
import { describeError } from '../shared/errors.js'
import { forComponent, type Logger } from '../shared/logger.js'
import { Lifecycle } from '../shared/startable.js'
import type { CairnNode } from '../shared/node/create-node.js'
import type { Store } from '../shared/store.js'
import { ChunkStore } from './chunk-store.js'
import { Handover } from './handover.js'
import { MailboxService } from './mailbox-service.js'
import { MailboxStore } from './mailbox-store.js'
import { MailboxMetrics } from './metrics.js'

export { MailboxStore } from './mailbox-store.js'
export { MailboxMetrics } from './metrics.js'
export { MailboxRefusal } from './errors.js'

export interface MailboxInit {
  node: CairnNode
  store: Store
  config: CairnConfig
  clock: Clock
  log: Logger
}

/** Delay before the start-up handover: let the routing table fill first. */
export const STARTUP_HANDOVER_MS = 5000

export class Mailbox {
  readonly store: MailboxStore
  readonly chunks: ChunkStore
  readonly metrics = new MailboxMetrics()
  readonly handover: Handover
  private readonly service: MailboxService
  private sweeper?: Timer
  private startup?: Timer

  private readonly life: Lifecycle

  constructor (private readonly init: MailboxInit) {
    this.life = new Lifecycle(init.log)
    const { node, config, clock, log } = init
    this.store = new MailboxStore({ store: init.store }, config)
    this.chunks = new ChunkStore({ store: init.store, mail: this.store }, config)
    const parts = { node, store: this.store, chunks: this.chunks, clock, metrics: this.metrics }
    this.handover = new Handover({ ...parts, log: forComponent(log, 'handover') }, config)
    this.service = new MailboxService({ ...parts, log: forComponent(log, 'mailbox service'), onStored: r => { this.handover.soon(r) }, onAcked: r => { this.handover.soon(r) }, onChunkStored: r => { this.handover.afterUpload(r) } }, config)
  }

  async start (): Promise<void> {
    // stopped last: the store saves its filter of ids held once nothing else here writes
    await this.life.start('mailbox store', { start: async () => this.store.open(), stop: async () => this.store.close() })
    await this.chunks.open()
    await this.life.start('mailbox service', this.service)
    await this.life.start('handover', this.handover)
    await this.life.start('sweeper', {
      start: () => {
        this.sweeper = this.init.clock.setInterval(() => { void this.sweep() }, this.init.config.mailbox.sweepIntervalMs).unref()
        // a holder coming back online copies what the current replica set lacks
        this.startup = this.init.clock.setTimeout(() => { void this.handover.runOnce() }, STARTUP_HANDOVER_MS).unref()
      },
      stop: () => { this.sweeper?.clear(); this.startup?.clear() }
    })
  }

  /** Timers, then handover, then the service, then the store; each is stopped even if one before it failed. */
  async stop (): Promise<void> {
    await this.life.stop()
  }

  async sweep (): Promise<void> {
    try {
      const r = await this.store.sweep(this.init.clock.now())
      this.metrics.swept(r.envelopes, r.tombstones)
      await this.chunks.sweep(this.init.clock.now())
    } catch (err) {
      this.init.log.warn({ err: describeError(err) }, 'expiry sweep failed')
    }
  }
}
