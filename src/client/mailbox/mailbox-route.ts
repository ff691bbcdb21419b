/**
 * The mailbox route: deposit the sealed envelope at every one of the k DHT servers closest to the
 * recipient's mailbox key, in parallel; it is delivered once at least one acknowledges it durably.
 * Bundles for recipients we have no session with come from the same replicas (2k of them asked).
 */
import type { Libp2p, PeerId } from '@libp2p/interface'
import { MailboxStatus, type Envelope, type PreKeyBundle } from '../../../proto/cairn.js'
import { deadline, type Clock } from '../../shared/clock.js'
import type { CairnConfig } from '../../shared/config.js'
import { verifyBundle } from '../../shared/bundle.js'
import { describeError } from '../../shared/errors.js'
import type { Logger } from '../../shared/logger.js'
import type { CairnNode } from '../../shared/node/create-node.js'
import { peerIdBytes } from '../../shared/peer-id.js'
import { closestPeers, mailboxKey } from '../../shared/placement.js'
import type { DeliveryResult, DeliveryRoute } from '../delivery.js'
import type { DepositHost } from '../anonymous/ephemeral-hosts.js'
import { askMailbox } from './mailbox-rpc.js'

/** How long a looked-up replica set is reused for further deposits to the same recipient. */
const REPLICA_CACHE_MS = 60_000

export class MailboxRoute implements DeliveryRoute {
  readonly name = 'mailbox' as const
  private readonly replicaCache = new Map<string, { peers: PeerId[], until: number }>()

  /** `ready` resolves once the node has joined the DHT (lookups before that come back short). */
  /** `depositHost`: where requests to others' replicas go out from (client/anonymous); default: this node. */
  constructor (private readonly node: CairnNode, private readonly config: CairnConfig, private readonly clock: Clock, private readonly log: Logger, private readonly ready: () => Promise<void> = async () => {}, private readonly depositHost?: DepositHost) {}

  private async hostFor (peer: PeerId): Promise<CairnNode | Libp2p> {
    return this.depositHost === undefined ? this.node : this.depositHost.hostFor(peer)
  }

  /** The recipient's replica set; a burst of messages to one person costs one DHT lookup. */
  private async replicasOf (recipient: PeerId, signal: AbortSignal): Promise<PeerId[]> {
    const cached = this.replicaCache.get(recipient.toString())
    if (cached !== undefined && cached.until > this.clock.now()) return cached.peers
    const peers = await closestPeers(this.node, mailboxKey(recipient), this.config.mailbox.replicas, { clock: this.clock, signal, perSubnet: this.config.mailbox.replicasPerSubnet })
    if (peers.length >= this.config.mailbox.replicas) {
      this.replicaCache.set(recipient.toString(), { peers, until: this.clock.now() + REPLICA_CACHE_MS })
      if (this.replicaCache.size > 1000) this.replicaCache.delete(this.replicaCache.keys().next().value as string)
    }
    return peers
  }

  async deliver (envelope: Envelope, recipient: PeerId, options: { signal?: AbortSignal }): Promise<DeliveryResult> {
    await this.ready() // the deposit's deadline starts once lookups can work
    const signal = deadline(this.clock, this.config.delivery.mailboxTimeoutMs, options.signal)
    const replicas = await this.replicasOf(recipient, signal)
    if (replicas.length === 0) return { ok: false, code: 'no-replicas', error: 'no mailbox nodes reachable' }
    const results = await Promise.all(replicas.map(async peer => {
      try {
        const res = await askMailbox(await this.hostFor(peer), this.config, peer, { deposit: { envelope } }, { clock: this.clock, signal })
        if (res.status === MailboxStatus.MAILBOX_OK || res.status === MailboxStatus.MAILBOX_DUPLICATE) return true
        this.log.info({ peer: peer.toString(), status: res.status, detail: res.detail }, 'mailbox refused deposit')
        return res.status
      } catch (err) {
        this.log.debug({ peer: peer.toString(), err: describeError(err) }, 'deposit failed')
        return describeError(err)
      }
    }))
    const ok = results.filter(r => r === true).length
    if (ok < replicas.length) this.replicaCache.delete(recipient.toString()) // someone left: look again next time
    if (ok === 0) return { ok: false, code: 'not-stored', error: results.join(', ') }
    return { ok: true, replicas: ok }
  }

  async takeBundle (recipient: PeerId, options: { signal?: AbortSignal }): Promise<PreKeyBundle | undefined> {
    await this.ready()
    const signal = deadline(this.clock, this.config.delivery.mailboxTimeoutMs, options.signal)
    const replicas = await closestPeers(this.node, mailboxKey(recipient), this.config.mailbox.replicas * 2, { clock: this.clock, signal, perSubnet: this.config.mailbox.replicasPerSubnet })
    // prefer a bundle that still carries a one-time prekey (forward secrecy for the first message);
    // with every replica's share used up, the signed and last-resort prekeys still start a session.
    // A replica that serves a bundle the owner did not sign is passed over for the next one.
    let fallback: PreKeyBundle | undefined
    for (const peer of replicas) {
      try {
        const res = await askMailbox(await this.hostFor(peer), this.config, peer, { takeBundle: { recipient: peerIdBytes(recipient) } }, { clock: this.clock, signal })
        if (res.status !== MailboxStatus.MAILBOX_OK || res.bundle === undefined) continue
        try {
          await verifyBundle(res.bundle, recipient)
        } catch (err) {
          this.log.info({ peer: peer.toString(), err: describeError(err) }, 'replica served a bad bundle; trying the next')
          continue
        }
        if (res.bundle.preKeys.length > 0) return res.bundle
        fallback ??= res.bundle
      } catch (err) {
        this.log.debug({ peer: peer.toString(), err: describeError(err) }, 'take bundle failed')
      }
    }
    return fallback
  }
}
