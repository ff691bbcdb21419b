/**
 * Store upkeep for operators: the store format version (with the hook that migrates an older store
 * at start) and `cairn mailbox --check`, which reads a stopped node's store end to end and reports
 * every record that disagrees with another: usage counters against the envelopes they count, the
 * expiry index against what it indexes, tombstones that do not parse or verify, bundles that do not
 * verify. The check never writes, so it is safe to run on a backup copy.
 */
import { Envelope, PreKeyBundle } from '../../proto/cairn.js'
import { verifyAck } from '../shared/ack-signature.js'
import { verifyBundle } from '../shared/bundle.js'
import { CairnError, describeError } from '../shared/errors.js'
import type { Logger } from '../shared/logger.js'
import { parsePeerId, peerIdFromBytes } from '../shared/peer-id.js'
import type { Store } from '../shared/store.js'
import { NAMESPACES } from '../shared/namespaces.js'

export const STORE_VERSION_KEY = `${NAMESPACES.meta}store-version`
/** The format this code reads and writes. Version 1 is every store written so far. */
export const STORE_VERSION = 1

/** One step up: a store at `from` becomes `from + 1`. Must be safe to re-run after a crash mid-way. */
export interface Migration { from: number, describe: string, run: (store: Store) => Promise<void> }

/** Empty until the format first changes; a new format adds its step here and bumps STORE_VERSION. */
export const MIGRATIONS: Migration[] = []

// MailboxStore's key layout, from the one registry both read (test/operator also checks a store
// that MailboxStore itself wrote)
const ENV = NAMESPACES.mailboxEnvelope
const TOMB = NAMESPACES.mailboxTombstone
const EXP = NAMESPACES.mailboxExpiry
const USAGE = NAMESPACES.mailboxUsage
const BUNDLE = NAMESPACES.mailboxBundle
const expKey = (at: number, r: string, id: string, kind: 'e' | 't'): string => `${EXP}${String(at).padStart(15, '0')}/${r}/${id}/${kind}`

const enc = new TextEncoder()
const dec = new TextDecoder()
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

export async function readStoreVersion (store: Store): Promise<number | undefined> {
  const raw = await store.get(STORE_VERSION_KEY)
  if (raw === undefined) return undefined
  const v = Number(dec.decode(raw))
  if (!Number.isInteger(v) || v < 1) throw new CairnError('INTERNAL', `${STORE_VERSION_KEY} holds ${JSON.stringify(dec.decode(raw))}, not a version number`)
  return v
}

/**
 * Bring the store to `target` before anything else reads it. A store without the record predates
 * it and has the version-1 layout. A store newer than this code is refused: reading it could
 * misread records, and writing could corrupt them (downgrade by restoring the pre-upgrade backup).
 * Each step is recorded as soon as it is done, so a crash resumes at the step it interrupted.
 */
export async function ensureStoreVersion (store: Store, options: { log?: Logger, migrations?: Migration[], target?: number } = {}): Promise<{ from: number, to: number }> {
  const target = options.target ?? STORE_VERSION
  const migrations = options.migrations ?? MIGRATIONS
  const from = await readStoreVersion(store) ?? 1
  if (from > target) {
    throw new CairnError('INTERNAL', `the store at ${store.path} has format version ${from}, newer than this cairn understands (${target}); run a newer cairn, or restore the backup taken before the upgrade`)
  }
  for (let v = from; v < target; v++) {
    const step = migrations.find(m => m.from === v)
    if (step === undefined) throw new CairnError('INTERNAL', `no migration from store format version ${v} to ${v + 1}`)
    options.log?.info({ from: v, to: v + 1, step: step.describe }, 'migrating store')
    await step.run(store)
    await store.write([{ type: 'put', key: STORE_VERSION_KEY, value: enc.encode(String(v + 1)) }])
  }
  if (await store.get(STORE_VERSION_KEY) === undefined) await store.write([{ type: 'put', key: STORE_VERSION_KEY, value: enc.encode(String(target)) }])
  return { from, to: target }
}

export type ProblemKind = 'version' | 'envelope' | 'usage' | 'expiry-index' | 'tombstone' | 'bundle'
export interface Problem { kind: ProblemKind, key: string, detail: string }

export interface StoreReport {
  healthy: boolean
  version: number | null
  envelopes: number
  bytes: number
  recipients: number
  tombstones: number
  bundles: number
  expiryEntries: number
  /** Past their expiry but not yet swept: normal between sweeps, not a problem. */
  awaitingSweep: number
  /** Problems by kind (all of them), and the first MAX_LISTED in detail. */
  problemCounts: Partial<Record<ProblemKind, number>>
  problems: Problem[]
}

const MAX_LISTED = 100

/** Read the whole mailbox part of a store and report what is inconsistent. */
export async function checkStore (store: Store, now: number): Promise<StoreReport> {
  const report: StoreReport = { healthy: true, version: null, envelopes: 0, bytes: 0, recipients: 0, tombstones: 0, bundles: 0, expiryEntries: 0, awaitingSweep: 0, problemCounts: {}, problems: [] }
  const problem = (kind: ProblemKind, key: string, detail: string): void => {
    report.healthy = false
    report.problemCounts[kind] = (report.problemCounts[kind] ?? 0) + 1
    if (report.problems.length < MAX_LISTED) report.problems.push({ kind, key, detail })
  }
  try {
    report.version = await readStoreVersion(store) ?? null
    if (report.version !== null && report.version !== STORE_VERSION) problem('version', STORE_VERSION_KEY, `format version ${report.version}; this cairn uses ${STORE_VERSION}`)
  } catch (err) {
    problem('version', STORE_VERSION_KEY, describeError(err))
  }
  const counted = await checkEnvelopes(store, report, problem, now)
  await checkUsage(store, counted, problem)
  await checkExpiryIndex(store, report, problem)
  await checkTombstones(store, report, problem)
  await checkBundles(store, report, problem)
  report.recipients = [...counted.values()].filter(u => u.count > 0).length
  return report
}

type Report = (kind: ProblemKind, key: string, detail: string) => void

/** Every envelope decodes, sits under its own recipient and id, and is in the expiry index. */
async function checkEnvelopes (store: Store, report: StoreReport, problem: Report, now: number): Promise<Map<string, { count: number, bytes: number }>> {
  const usage = new Map<string, { count: number, bytes: number }>()
  for await (const { key, value } of store.list(ENV)) {
    const [r, id] = key.slice(ENV.length).split('/') as [string, string | undefined]
    let env: Envelope
    try {
      env = Envelope.decode(value)
    } catch (err) {
      problem('envelope', key, `does not decode: ${describeError(err)}`)
      continue
    }
    let recipient = ''
    try { recipient = peerIdFromBytes(env.recipient).toString() } catch { /* reported below */ }
    if (recipient !== r || hex(env.id) !== id) problem('envelope', key, `record is for ${recipient}/${hex(env.id)}`)
    const u = usage.get(r) ?? { count: 0, bytes: 0 }
    usage.set(r, { count: u.count + 1, bytes: u.bytes + env.sealed.length })
    report.envelopes++
    report.bytes += env.sealed.length
    if (env.expiresAt <= now) report.awaitingSweep++
    if (!await store.has(expKey(env.expiresAt, r, id ?? '', 'e'))) problem('expiry-index', key, `no expiry entry at ${env.expiresAt}: the sweep would never drop it`)
  }
  return usage
}

/** The quota counters (what deposits are checked against) equal what the envelopes add up to. */
async function checkUsage (store: Store, counted: Map<string, { count: number, bytes: number }>, problem: Report): Promise<void> {
  const recorded = new Map<string, { count: number, bytes: number }>()
  for await (const { key, value } of store.list(USAGE)) {
    try {
      const u = JSON.parse(dec.decode(value)) as { count: unknown, bytes: unknown }
      if (typeof u.count !== 'number' || typeof u.bytes !== 'number') throw new Error('count and bytes must be numbers')
      recorded.set(key.slice(USAGE.length), { count: u.count, bytes: u.bytes })
    } catch (err) {
      problem('usage', key, `does not parse: ${describeError(err)}`)
    }
  }
  for (const r of new Set([...recorded.keys(), ...counted.keys()])) {
    const want = counted.get(r) ?? { count: 0, bytes: 0 }
    const have = recorded.get(r) ?? { count: 0, bytes: 0 }
    if (want.count !== have.count || want.bytes !== have.bytes) {
      problem('usage', USAGE + r, `counter says ${have.count} envelopes / ${have.bytes} bytes; the store holds ${want.count} / ${want.bytes}`)
    }
  }
}

/** Every expiry entry points at a record that is there and expires at that time. */
async function checkExpiryIndex (store: Store, report: StoreReport, problem: Report): Promise<void> {
  for await (const key of store.listKeys(EXP)) {
    report.expiryEntries++
    const [at, r, id, kind, ...extra] = key.slice(EXP.length).split('/')
    if (r === undefined || id === undefined || (kind !== 'e' && kind !== 't') || extra.length > 0 || !/^\d{15}$/.test(at ?? '')) {
      problem('expiry-index', key, 'malformed key')
      continue
    }
    const target = kind === 'e' ? await store.get(ENV + `${r}/${id}`) : await store.get(TOMB + `${r}/${id}`)
    if (target === undefined) { problem('expiry-index', key, `points at a missing ${kind === 'e' ? 'envelope' : 'tombstone'}`); continue }
    let expiresAt: number | undefined
    try {
      expiresAt = kind === 'e' ? Envelope.decode(target).expiresAt : (JSON.parse(dec.decode(target)) as { expiresAt?: number }).expiresAt
    } catch { continue } // the record itself is reported by its own check
    if (expiresAt !== Number(at)) problem('expiry-index', key, `the record expires at ${expiresAt}`)
  }
}

/** Tombstones parse, carry the owner's signature over their id, and are in the expiry index. */
async function checkTombstones (store: Store, report: StoreReport, problem: Report): Promise<void> {
  for await (const { key, value } of store.list(TOMB)) {
    report.tombstones++
    const [r = '', id = ''] = key.slice(TOMB.length).split('/')
    try {
      const t = JSON.parse(dec.decode(value)) as { expiresAt?: unknown, signature?: unknown }
      if (typeof t.expiresAt !== 'number' || typeof t.signature !== 'string' || !/^[0-9a-f]*$/.test(t.signature)) throw new Error('needs a numeric expiresAt and a hex signature')
      if (!/^[0-9a-f]{32}$/.test(id)) throw new Error('id is not 16 bytes of hex')
      if (!await verifyAck(parsePeerId(r), Buffer.from(id, 'hex'), Buffer.from(t.signature, 'hex'))) problem('tombstone', key, 'the signature is not the owner\'s')
      if (!await store.has(expKey(t.expiresAt, r, id, 't'))) problem('expiry-index', key, `no expiry entry at ${t.expiresAt}: the tombstone would never go`)
    } catch (err) {
      problem('tombstone', key, `does not parse: ${describeError(err)}`)
    }
  }
}

/** Bundles decode and verify against the PeerId they are stored under. */
async function checkBundles (store: Store, report: StoreReport, problem: Report): Promise<void> {
  for await (const { key, value } of store.list(BUNDLE)) {
    report.bundles++
    try {
      await verifyBundle(PreKeyBundle.decode(value), parsePeerId(key.slice(BUNDLE.length)))
    } catch (err) {
      problem('bundle', key, `does not verify: ${describeError(err)}`)
    }
  }
}

/** The report for a terminal. */
export function formatReport (r: StoreReport): string[] {
  const lines = [
    `store format version ${r.version ?? '(none recorded)'}`,
    `${r.envelopes} envelopes (${r.bytes} bytes) for ${r.recipients} recipients, ${r.awaitingSweep} past expiry awaiting the sweep`,
    `${r.tombstones} tombstones, ${r.bundles} bundles, ${r.expiryEntries} expiry entries`
  ]
  if (r.healthy) return [...lines, 'healthy']
  const total = Object.values(r.problemCounts).reduce((a, b) => a + b, 0)
  lines.push(`${total} problems: ${Object.entries(r.problemCounts).map(([k, n]) => `${n} ${k}`).join(', ')}`)
  for (const p of r.problems) lines.push(`  ${p.kind}: ${p.key}: ${p.detail}`)
  if (total > r.problems.length) lines.push(`  ... and ${total - r.problems.length} more`)
  return lines
}
