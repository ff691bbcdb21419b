/**
 * What the sending and receiving halves of the messenger share (their Components): one
 * sealed-sender session over the store, and one lock that every crypto step runs under (a ratchet
 * step commits with what it produced, so a crash never leaves a ratchet that moved without its
 * message). Each half's own slice of the configuration is its Init (sender.ts, receiver.ts,
 * receipts.ts); defaults are applied where the configuration is resolved (config.ts).
 */
import type { Clock } from '../../shared/clock.js'
import type { Logger } from '../../shared/logger.js'
import type { Mutex } from '../../shared/mutex.js'
import type { Store } from '../../shared/store.js'
import type { SealedSession } from '../crypto/sealed-session.js'
import type { LocalIdentity } from '../identity.js'
import type { DeliveryLog } from './delivery-log.js'

export interface MessagingComponents {
  identity: LocalIdentity
  store: Store
  clock: Clock
  /** Labelled with the part's name by whoever builds it. */
  log: Logger
  session: SealedSession
  lock: Mutex
  /** How far each message we sent got (delivery-log.ts). */
  deliveries: DeliveryLog
}
