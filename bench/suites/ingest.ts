/**
 * Mailbox ingest: MailboxStore.deposit on a real Store (LevelDB, every deposit durable before it
 * resolves: concurrent deposits share one group-committed fsync) against raw LevelDB writing the
 * same records (1 KiB envelope, expiry index, usage counter) as one batch each with sync: true, at
 * the same concurrency. sync: false is noted as the ceiling without durability.
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { LevelDatastore } from 'datastore-level'
import { Envelope } from '../../proto/cairn.js'
import { MailboxStore } from '../../src/mailbox/index.js'
import { resolveConfig } from '../../src/shared/config.js'
import { peerIdBytes } from '../../src/shared/peer-id.js'
import { envelopeId } from '../../src/shared/envelope-id.js'
import { ENVELOPE_VERSION } from '../../src/shared/protocols/ids.js'
import { Store, type StoreOp } from '../../src/shared/store.js'
import { row, type Row } from '../lib/report.js'
import { median, now } from '../lib/stats.js'

export interface IngestOptions { envelopes: number, sequential: number, concurrency: number, runs: number, sealedBytes: number }

const DAY = 24 * 3600 * 1000

/** Envelopes for `recipients` random recipients, round robin, with fresh ids. */
export async function makeEnvelopes (count: number, sealedBytes: number, recipients = 64, t = Date.now()): Promise<Envelope[]> {
  const to = await Promise.all(Array.from({ length: recipients }, async () => peerIdBytes(peerIdFromPrivateKey(await generateKeyPair('Ed25519')))))
  const sealed = new Uint8Array(randomBytes(sealedBytes))
  return Array.from({ length: count }, (_, i) => {
    // each its own bytes, since ids are derived from them
    const own = new Uint8Array(sealed)
    new DataView(own.buffer).setUint32(0, i)
    const recipient = to[i % recipients] as Uint8Array<ArrayBuffer>
    return { version: ENVELOPE_VERSION, id: envelopeId({ version: ENVELOPE_VERSION, recipient, sealed: own }), recipient, sealed: own, createdAt: t, expiresAt: t + DAY }
  })
}

/** Run `count` jobs with at most `concurrency` in flight; returns the elapsed ms. */
export async function pool (count: number, concurrency: number, job: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0
  const t0 = now()
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) await job(next++)
  }))
  return now() - t0
}

async function depositRate (envelopes: Envelope[], concurrency: number): Promise<number> {
  const root = await mkdtemp(join(tmpdir(), 'cairn-bench-ingest-'))
  const store = await Store.open(join(root, 'store'))
  try {
    const box = new MailboxStore({ store }, resolveConfig([{ dataDir: root }]))
    await box.open()
    const t = Date.now()
    const ms = await pool(envelopes.length, concurrency, async (i) => {
      if (await box.deposit(envelopes[i] as Envelope, t) !== 'stored') throw new Error('deposit was not stored')
    })
    return envelopes.length / ms * 1000
  } finally {
    await store.close()
    await rm(root, { recursive: true, force: true })
  }
}

interface RawLevel { batch: (ops: StoreOp[], o: { sync: boolean }) => Promise<void> }

const usage = new TextEncoder().encode(JSON.stringify({ count: 1000, bytes: 1_000_000 }))

/** What the raw baseline writes for the `i`th envelope: the records a deposit writes (the envelope, its expiry index entry, a usage counter). */
export function rawRecords (e: Envelope, i: number): StoreOp[] {
  const id = Buffer.from(e.id).toString('hex')
  return [
    { type: 'put', key: `/e/${id}`, value: Envelope.encode(e) },
    { type: 'put', key: `/x/${String(e.expiresAt).padStart(15, '0')}/${id}`, value: new Uint8Array() },
    { type: 'put', key: `/u/${i % 64}`, value: usage }
  ]
}

/** Raw LevelDB: the same three records per envelope, `perBatch` envelopes per batch, `concurrency` batches in flight. */
async function levelRate (envelopes: Envelope[], o: { perBatch: number, concurrency: number, sync: boolean }): Promise<number> {
  const root = await mkdtemp(join(tmpdir(), 'cairn-bench-level-'))
  const ds = new LevelDatastore(join(root, 'db'))
  await ds.open()
  try {
    const db = (ds as unknown as { db: RawLevel }).db
    const batches = Math.ceil(envelopes.length / o.perBatch)
    const ms = await pool(batches, o.concurrency, async (b) => {
      const slice = envelopes.slice(b * o.perBatch, (b + 1) * o.perBatch)
      await db.batch(slice.flatMap((e, i) => rawRecords(e, b * o.perBatch + i)), { sync: o.sync })
    })
    return envelopes.length / ms * 1000
  } finally {
    await ds.close()
    await rm(root, { recursive: true, force: true })
  }
}

export async function ingestSuite (o: IngestOptions): Promise<Row[]> {
  const rows: Row[] = []
  for (const [concurrency, count] of [[o.concurrency, o.envelopes], [1, o.sequential]] as const) {
    const cairn: number[] = []
    const grouped: number[] = []
    const each: number[] = []
    const loose: number[] = []
    for (let r = 0; r < o.runs; r++) {
      const envelopes = await makeEnvelopes(count, o.sealedBytes)
      const raw = async (): Promise<void> => { grouped.push(await levelRate(envelopes, { perBatch: concurrency, concurrency: 1, sync: true })) }
      // alternate who goes first, so neither always meets a warmer page cache
      if (r % 2 === 0) { cairn.push(await depositRate(envelopes, concurrency)); await raw() } else { await raw(); cairn.push(await depositRate(envelopes, concurrency)) }
      each.push(await levelRate(envelopes, { perBatch: 1, concurrency, sync: true }))
      loose.push(await levelRate(envelopes, { perBatch: 1, concurrency, sync: false }))
    }
    rows.push(row({
      name: `mailbox.ingest.c${concurrency}`,
      label: `mailbox ingest, ${o.sealedBytes} B, durable, ${concurrency} in flight`,
      unit: 'env/s',
      value: median(cairn),
      baseline: concurrency === 1 ? 'raw LevelDB, one sync batch per envelope' : `raw LevelDB, one sync batch per ${concurrency} envelopes`,
      baselineValue: median(grouped),
      better: 'higher',
      samples: o.runs,
      stat: `median of ${o.runs} runs × ${count}`,
      notes: `same 3 records per envelope; raw LevelDB one batch per envelope, ${concurrency} in flight: sync: true ${Math.round(median(each))} env/s, sync: false ${Math.round(median(loose))} env/s (not durable)`
    }))
  }
  return rows
}
