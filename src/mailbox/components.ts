/**
 * What the parts of a mailbox node work with (their Components): the host, the mailbox's store,
 * time, a logger labelled with the part's name, metrics. Each part's own slice of the configuration
 * is its Init, next to it; defaults are applied where the configuration is resolved (config.ts).
 */
import type { Clock } from '../shared/clock.js'
import type { Logger } from '../shared/logger.js'
import type { CairnNode } from '../shared/node/create-node.js'
import type { ChunkStore } from './chunk-store.js'
import type { MailboxStore } from './mailbox-store.js'
import type { MailboxMetrics } from './metrics.js'

export interface MailboxComponents {
  node: CairnNode
  store: MailboxStore
  /** Attachment chunks held here; none: mail only. */
  chunks?: ChunkStore
  clock: Clock
  log: Logger
  metrics?: MailboxMetrics
}
