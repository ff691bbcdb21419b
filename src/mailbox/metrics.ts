/**
 * A mailbox's counters. Plain numbers here, so the service needs no metrics library; the operator
 * node exports them to Prometheus (as cairn_*), and tests read them directly.
 */
import type { RefusalReason } from './errors.js'

export class MailboxMetrics {
  readonly deposits = { stored: 0, duplicate: 0 }
  depositBytes = 0
  readonly rejections: Partial<Record<RefusalReason, number>> = {}
  fetches = 0
  envelopesFetched = 0
  acks = 0
  envelopesAcked = 0
  envelopesDiscarded = 0
  bundlesStored = 0
  bundlesTaken = 0
  oneTimePreKeysHandedOut = 0
  pushes = 0
  sweeps = 0
  sweptEnvelopes = 0
  sweptTombstones = 0
  handoverRuns = 0
  handoverEnvelopesSent = 0
  handoverBytesSent = 0
  handoverEnvelopesReceived = 0
  /** Reconciliation requests sent (a pass with a replica in sync costs one). */
  reconcileRounds = 0
  /** Bytes of handover requests other than envelopes sent: offers and reconciliation rounds. */
  handoverOfferBytes = 0
  /** Attachment chunks (and their bytes) copied to other replicas by handover. */
  handoverChunksSent = 0
  handoverChunkBytesSent = 0
  /** Chunk reconciliation requests sent (a pass with a replica in sync costs one per recipient with chunks). */
  chunkReconcileRounds = 0

  deposit (result: 'stored' | 'duplicate', bytes: number): void {
    this.deposits[result]++
    if (result === 'stored') this.depositBytes += bytes
  }

  rejection (reason: RefusalReason): void { this.rejections[reason] = (this.rejections[reason] ?? 0) + 1 }
  fetch (envelopes: number): void { this.fetches++; this.envelopesFetched += envelopes }
  ack (removed: number): void { this.acks++; this.envelopesAcked += removed }
  discarded (envelopes: number): void { this.envelopesDiscarded += envelopes }
  bundleStored (): void { this.bundlesStored++ }
  bundleTaken (withOneTimePreKey: boolean): void { this.bundlesTaken++; if (withOneTimePreKey) this.oneTimePreKeysHandedOut++ }
  pushed (): void { this.pushes++ }
  swept (envelopes: number, tombstones: number): void { this.sweeps++; this.sweptEnvelopes += envelopes; this.sweptTombstones += tombstones }
  handoverSent (envelopes: number, bytes: number): void { this.handoverEnvelopesSent += envelopes; this.handoverBytesSent += bytes }
  chunkHandedOver (bytes: number): void { this.handoverChunksSent++; this.handoverChunkBytesSent += bytes }
  handoverReceived (envelopes: number): void { this.handoverEnvelopesReceived += envelopes }
}
