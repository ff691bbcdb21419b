/**
 * What the sending and receiving halves of the messenger share: one sealed-sender session over
 * the store, and one lock that every crypto step runs under (a ratchet step commits with what it
 * produced, so a crash never leaves a ratchet that moved without its message).
 */
import type { Clock } from '../../shared/clock.js'
import type { CairnConfig } from '../../shared/config.js'
import type { Logger } from '../../shared/logger.js'
import type { Mutex } from '../../shared/mutex.js'
import type { Store } from '../../shared/store.js'
import type { SealedSession } from '../crypto/sealed-session.js'
import type { LocalIdentity } from '../identity.js'
import type { DeliveryLog } from './delivery-log.js'

export interface MessagingContext {
  identity: LocalIdentity
  store: Store
  config: CairnConfig
  clock: Clock
  log: Logger
  session: SealedSession
  lock: Mutex
  /** How far each message we sent got (delivery-log.ts). */
  deliveries: DeliveryLog
}
