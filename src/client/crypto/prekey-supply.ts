/**
 * Our prekeys as a supply: bundles handed to senders (each one-time prekey given once), topped up
 * when the supply runs low, the signed prekey rotated when due, and one-time prekeys given long
 * ago and never used deleted. Runs under the messenger's crypto lock, which sealing and opening
 * share: a prekey is never taken by two at once.
 */
import type { PreKeyBundle } from '../../../proto/cairn.js'
import type { Clock } from '../../shared/clock.js'
import type { CairnConfig } from '../../shared/config.js'
import type { Logger } from '../../shared/logger.js'
import type { Mutex } from '../../shared/mutex.js'
import type { Store } from '../../shared/store.js'
import type { LocalIdentity } from '../identity.js'
import { availablePreKeys, expireGivenPreKeys, replenishPreKeys, rotateSignedPreKey, takeBundle, type PreKeyOwner } from './prekeys.js'

export interface PreKeySupplyInit {
  /** config.delivery: oneTimePreKeys, oneTimeKyberPreKeys, signedPreKeyRotationMs, signedPreKeyGraceMs, oneTimePreKeyExpiryMs */
  delivery: CairnConfig['delivery']
}

export interface PreKeySupplyComponents {
  store: Store
  identity: LocalIdentity
  clock: Clock
  log: Logger
  /** The crypto lock shared with sealing and opening. */
  lock: Mutex
}

export class PreKeySupply {
  constructor (private readonly components: PreKeySupplyComponents, private readonly init: PreKeySupplyInit) {}

  /** Who signs our bundles. */
  owner (): PreKeyOwner {
    const id = this.components.identity
    return { identity: id.signal, registrationId: id.registrationId, deviceId: id.deviceId, certificate: id.certificate, peerKey: id.peerKey }
  }

  /**
   * A bundle carrying `counts` one-time prekeys, each marked as given so no one else gets it; the
   * local supply is topped up when it falls below half.
   */
  async share (counts: { preKeys: number, kyberPreKeys: number }): Promise<PreKeyBundle> {
    const { store, clock, lock } = this.components
    return lock.run(async () => {
      const tx = store.transaction()
      const owner = this.owner()
      const now = clock.now()
      const bundle = await takeBundle(tx, owner, counts, now)
      const d = this.init.delivery
      const have = await availablePreKeys(tx)
      if (have.preKeys < d.oneTimePreKeys / 2 || have.kyberPreKeys < d.oneTimeKyberPreKeys / 2) {
        await replenishPreKeys(tx, owner, { preKeys: d.oneTimePreKeys, kyberPreKeys: d.oneTimeKyberPreKeys }, now)
      }
      await tx.commit()
      return bundle
    })
  }

  /**
   * Rotate the signed prekey if it is due (true: a new bundle should be published), and delete
   * one-time prekeys handed out long ago and never used.
   */
  async rotateIfDue (): Promise<boolean> {
    const { store, clock, lock, log } = this.components
    return lock.run(async () => {
      const tx = store.transaction()
      const d = this.init.delivery
      const now = clock.now()
      const expired = await expireGivenPreKeys(tx, now, d.oneTimePreKeyExpiryMs)
      if (expired > 0) log.info({ expired }, 'one-time prekeys handed out and never used were deleted')
      const rotated = await rotateSignedPreKey(tx, this.owner(), now, { rotateAfterMs: d.signedPreKeyRotationMs, keepForMs: d.signedPreKeyGraceMs })
      await tx.commit()
      return rotated
    })
  }
}
