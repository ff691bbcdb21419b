/**
 * Cairn's own Prometheus metrics (cairn_*), read from the mailbox's plain counters at scrape time:
 * the mailbox service stays free of a metrics library, and a scrape costs nothing between scrapes.
 * Counters are exported as counters (monotonic since the process started), the store's current
 * contents as gauges. deploy/README.md says what each one means; keep the two in step.
 */
import { Counter, Gauge, type Registry } from 'prom-client'
import type { RefusalReason } from './errors.js'
import type { MailboxMetrics } from './metrics.js'

export interface CairnMetricsSource {
  metrics: MailboxMetrics
  /** What the store holds now (the in-memory usage counters: no disk read). */
  totals: () => Promise<{ count: number, bytes: number, recipients: number }>
  /** Prekey bundles held now (a key scan of the bundle records). */
  bundles: () => Promise<number>
  /** Circuit relay v2 reservations this node holds for others (0 while it runs no relay server). */
  relayReservations: () => number
  /** 1 when /healthz would answer 200. */
  ready: () => Promise<boolean>
  info: { peerId: string, version: string, storeVersion: number }
}

/** Every refusal reason, so each series exists (at 0) from the first scrape and rate() works. */
const REASONS: Record<RefusalReason, true> = {
  'bad-request': true, 'too-large': true, 'quota-exceeded': true, 'rate-limited': true, 'not-owner': true, expired: true, 'bad-signature': true, 'not-found': true, 'not-responsible': true, 'node-full': true
}

type Labelled = Record<string, Record<string, number>>

/**
 * A counter whose value is read from elsewhere at scrape time. prom-client counters only go up by
 * inc(), so each collect resets and sets the current total; the exported series is still monotonic
 * because the source is.
 */
function readCounter (registry: Registry, name: string, help: string, read: () => number | Labelled): void {
  const sample = read()
  const labelNames = typeof sample === 'number' ? [] : Object.keys(sample)
  new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect () {
      this.reset()
      const value = read()
      if (typeof value === 'number') { this.inc(value); return }
      for (const [label, values] of Object.entries(value)) {
        for (const [v, n] of Object.entries(values)) this.inc({ [label]: v }, n)
      }
    }
  })
}

function readGauge (registry: Registry, name: string, help: string, read: () => number | Promise<number>, labels?: Record<string, string>): void {
  new Gauge({
    name,
    help,
    labelNames: labels === undefined ? [] : Object.keys(labels),
    registers: [registry],
    async collect () {
      const value = await read()
      if (labels === undefined) this.set(value)
      else this.set(labels, value)
    }
  })
}

export function registerCairnMetrics (registry: Registry, s: CairnMetricsSource): void {
  const m = s.metrics
  readGauge(registry, 'cairn_info', 'Always 1; the labels say which node and build this is', () => 1,
    { peer_id: s.info.peerId, version: s.info.version, store_version: String(s.info.storeVersion) })
  readGauge(registry, 'cairn_ready', '1 when /healthz answers 200 (store open, node listening)', async () => (await s.ready()) ? 1 : 0)
  readGauge(registry, 'cairn_envelopes_stored', 'Sealed envelopes held now, for all recipients', async () => (await s.totals()).count)
  readGauge(registry, 'cairn_envelope_bytes_stored', 'Bytes of sealed envelopes held now', async () => (await s.totals()).bytes)
  readGauge(registry, 'cairn_recipients', 'Recipients with at least one envelope held here', async () => (await s.totals()).recipients)
  readGauge(registry, 'cairn_bundles_held', 'Prekey bundles held now', s.bundles)
  readGauge(registry, 'cairn_relay_reservations', 'Circuit relay v2 reservations held for other peers', s.relayReservations)

  readCounter(registry, 'cairn_deposits_total', 'Deposits answered, by result: stored (new) or duplicate (already held or acked)', () => ({ result: { ...m.deposits } }))
  readCounter(registry, 'cairn_deposit_bytes_total', 'Bytes of newly stored deposits', () => m.depositBytes)
  readCounter(registry, 'cairn_rejections_total', 'Requests refused, by reason (typed error answers)', () => ({ reason: Object.fromEntries(Object.keys(REASONS).map(r => [r, m.rejections[r as RefusalReason] ?? 0])) }))
  readCounter(registry, 'cairn_fetches_total', 'Fetch pages answered to mailbox owners, by result (refusals are in cairn_rejections_total)', () => ({ result: { ok: m.fetches } }))
  readCounter(registry, 'cairn_envelopes_fetched_total', 'Envelope bodies handed to their owners (each owner takes a body from one replica)', () => m.envelopesFetched)
  readCounter(registry, 'cairn_acks_total', 'Ack requests answered to mailbox owners, by result (refusals are in cairn_rejections_total)', () => ({ result: { ok: m.acks } }))
  readCounter(registry, 'cairn_envelopes_acked_total', 'Envelopes deleted because their owner acknowledged them', () => m.envelopesAcked)
  readCounter(registry, 'cairn_envelopes_discarded_total', 'Envelopes deleted here only because their owner could not open this copy (junk, or a swapped body)', () => m.envelopesDiscarded)
  readCounter(registry, 'cairn_pushes_total', 'New envelopes pushed live to a connected recipient', () => m.pushes)
  readCounter(registry, 'cairn_bundles_stored_total', 'Prekey bundles published here by their owners', () => m.bundlesStored)
  readCounter(registry, 'cairn_bundles_taken_total', 'Prekey bundles handed to senders starting a session', () => m.bundlesTaken)
  readCounter(registry, 'cairn_one_time_prekeys_handed_out_total', 'Bundles handed out with a one-time prekey (each is given out once, then deleted)', () => m.oneTimePreKeysHandedOut)
  readCounter(registry, 'cairn_expiry_sweeps_total', 'Expiry sweeps run', () => m.sweeps)
  readCounter(registry, 'cairn_swept_total', 'Records dropped by expiry sweeps, by kind', () => ({ kind: { envelope: m.sweptEnvelopes, tombstone: m.sweptTombstones } }))
  readCounter(registry, 'cairn_handover_runs_total', 'Full handover passes over every recipient held here', () => m.handoverRuns)
  readCounter(registry, 'cairn_handover_envelopes_total', 'Envelopes copied between replicas, by direction', () => ({ direction: { sent: m.handoverEnvelopesSent, received: m.handoverEnvelopesReceived } }))
  readCounter(registry, 'cairn_handover_bytes_sent_total', 'Bytes of envelopes copied to other replicas', () => m.handoverBytesSent)
  readCounter(registry, 'cairn_handover_chunks_sent_total', 'Attachment chunks copied to other replicas', () => m.handoverChunksSent)
  readCounter(registry, 'cairn_handover_chunk_bytes_sent_total', 'Bytes of attachment chunks copied to other replicas', () => m.handoverChunkBytesSent)
}
