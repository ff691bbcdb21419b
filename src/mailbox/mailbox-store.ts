/**
 * What a mailbox node keeps for recipients: sealed envelopes (with an expiry index for sweeps),
 * tombstones of acknowledged ids (so a late copy is not stored or delivered again) and each
 * recipient's published prekey bundle. Quotas are checked against in-memory usage counters that
 * are reserved synchronously, so concurrent deposits share one group-committed fsync without
 * racing past a quota. Every write is durable before its promise resolves.
 */
import { Envelope, PreKeyBundle } from '../../proto/cairn.js'
import type { CairnConfig } from '../shared/config.js'
import { Mutex } from '../shared/mutex.js'
import { ackVerifier } from '../shared/ack-signature.js'
import { parsePeerId, peerIdTextFromBytes } from '../shared/peer-id.js'
import { hasBoundId } from '../shared/envelope-id.js'
import { ENVELOPE_VERSION } from '../shared/protocols/ids.js'
import type { Store, StoreOp } from '../shared/store.js'
import { MailboxRefusal } from './errors.js'
import { NAMESPACES } from '../shared/namespaces.js'
import { HeldIdsCache, type HeldIds } from './held-ids.js'
import { SortedIds } from './id-ranges.js'
import { DepositGroup } from './deposit-group.js'
import { HeldFilter } from './held-filter.js'

const N = NAMESPACES
const k = {
  env: (r: string, id: string) => `${N.mailboxEnvelope}${r}/${id}`,
  envPrefix: (r: string) => `${N.mailboxEnvelope}${r}/`,
  tomb: (r: string, id: string) => `${N.mailboxTombstone}${r}/${id}`,
  tombPrefix: (r: string) => `${N.mailboxTombstone}${r}/`,
  /** Expiry index: the kind ('e' envelope, 't' tombstone) lets one sweep serve both. */
  exp: (at: number, r: string, id: string, kind: 'e' | 't') => `${N.mailboxExpiry}${String(at).padStart(15, '0')}/${r}/${id}/${kind}`,
  expPrefix: N.mailboxExpiry,
  usage: (r: string) => `${N.mailboxUsage}${r}`,
  usagePrefix: N.mailboxUsage,
  bundle: (r: string) => `${N.mailboxBundle}${r}`,
  bundlePrefix: N.mailboxBundle,
  heldFilter: `${N.mailboxHeldFilter}bloom`
}
const enc = new TextEncoder()
const dec = new TextDecoder()
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
/** Envelopes a fetch by ids reads from LevelDB in one request (a 1 MiB page of 1 KiB mail takes a few). */
const FETCH_READ_AHEAD = 64

export interface Usage { count: number, bytes: number }
export type DepositResult = 'stored' | 'duplicate'
/** One envelope's fate in a batch: what a single deposit would resolve with, or throw. */
export type DepositOutcome = DepositResult | MailboxRefusal

export interface SignedTombstone { id: string, expiresAt: number, signature: Uint8Array }
/** One acknowledged id with the owner's signature (and, handed over, the tombstone's expiry). */
export interface AckEntry { id: string, signature: Uint8Array, expiresAt?: number }

export interface MailboxStoreComponents {
  /** The node's store (shared with libp2p's datastore; the mailbox's keys are under its own namespaces). */
  store: Store
}

/** The mailbox store's slice of the configuration (defaults applied in config.ts). */
export interface MailboxStoreInit {
  /**
   * maxEnvelopesPerRecipient (@default 10,000) and maxBytesPerRecipient (@default 128 MiB): a
   * recipient's quota; maxTotalBytes (@default 256 MiB): the node's cap; ttlMs (@default 14 days):
   * the longest an envelope is held, whatever its own expiry says.
   */
  mailbox: Pick<CairnConfig['mailbox'], 'maxEnvelopesPerRecipient' | 'maxBytesPerRecipient' | 'maxTotalBytes' | 'ttlMs'>
  /** envelopeBytes (@default 65,536): a larger envelope is refused. */
  limits: Pick<CairnConfig['limits'], 'envelopeBytes'>
}

export class MailboxStore {
  private readonly usage = new Map<string, Usage>()
  private totalBytes = 0
  /**
   * Ids (`recipient/id`) being written: by a deposit (a second copy arriving meanwhile is a
   * duplicate, not a second charge), or by an ack (a copy arriving while its tombstone is written
   * is a duplicate too: stored after it, it would outlive the tombstone, which no pass offers again).
   */
  private readonly writing = new Set<string>()
  private readonly bundleLock = new Mutex()
  /** Ack, discard and sweep each read what is held and then delete it: one at a time, or two of them could both count one removal. */
  private readonly removals = new Mutex()
  private readonly limits: MailboxStoreInit['mailbox'] & MailboxStoreInit['limits']
  private readonly store: Store
  /** Bumped after every write that changes a recipient's ids or tombstones (what HeldIdsCache keys on). */
  private readonly revisions = new Map<string, number>()
  private readonly heldCache = new HeldIdsCache()
  /** Ids that may be held (envelopes and tombstones): a deposit of any other needs no read. */
  private readonly mayHold = new HeldFilter(() => this.heldIdList())
  /** Set by `close`: no envelope or tombstone is written after the filter of ids held is saved. */
  private closing = false
  /** depositMany calls under way: `close` waits for them before saving the filter. */
  private readonly depositing = new Set<Promise<unknown>>()
  /** Concurrent single deposits, committed together. */
  private readonly group = new DepositGroup(async (envs, now, queued) => this.depositMany(envs, now, { queued }))

  constructor (components: MailboxStoreComponents, init: MailboxStoreInit) {
    this.store = components.store
    const { maxEnvelopesPerRecipient, maxBytesPerRecipient, maxTotalBytes, ttlMs } = init.mailbox
    this.limits = { maxEnvelopesPerRecipient, maxBytesPerRecipient, maxTotalBytes, ttlMs, envelopeBytes: init.limits.envelopeBytes }
  }

  /**
   * Load the usage counters (one small record per recipient) and the filter of ids held that the
   * last clean stop saved, removing it from the store before anything is written (a crash from
   * here on leaves none, and the next open lists the ids again); without one, start building it.
   */
  async open (): Promise<void> {
    this.closing = false // opened again after a stop (a Mailbox restarted in place): writes resume
    for await (const { key, value } of this.store.list(k.usagePrefix)) {
      this.setUsage(key.slice(k.usagePrefix.length), JSON.parse(dec.decode(value)) as Usage)
    }
    const saved = await this.store.get(k.heldFilter)
    if (saved !== undefined) await this.store.write([{ type: 'del', key: k.heldFilter }])
    this.mayHold.build(saved) // without one, in the background: deposits read the store until it is done
  }

  /**
   * Stop writing and save the filter of ids held for the next open. Deposits and acks after this
   * are refused; those under way are waited for, so the saved filter has every id written.
   */
  async close (): Promise<void> {
    this.closing = true
    await Promise.allSettled([...this.depositing])
    await this.removals.run(async () => {
      const saved = this.mayHold.save()
      if (saved !== undefined) await this.store.write([{ type: 'put', key: k.heldFilter, value: saved }])
    })
  }

  /** Resolves once the filter of ids held is built (deposits before that read the store for duplicates). */
  get heldFilterBuilt (): Promise<void> { return this.mayHold.built }

  /**
   * Every envelope and tombstone id, from the expiry index (each is written and deleted in the
   * same batch as its record): what the filter of ids held is built from. The index's keys sit in
   * blocks of their own, where the envelope keys share theirs with the envelopes' bytes.
   */
  private async * heldIdList (): AsyncGenerator<string> {
    // `${exp}${at}/${r}/${id}/${kind}`: the id is the 32 digits before the kind
    for await (const key of this.store.scanKeys(k.expPrefix)) yield key.slice(-34, -2)
  }

  /** Check an envelope and name its recipient; throws MailboxRefusal. */
  validate (env: Envelope, now: number): string {
    return this.check(env, now, true)
  }

  /**
   * `validate` without the id check, for a caller that hands the envelope to `deposit` or
   * `depositMany` next: those validate it whole, and the id's SHA-256 is most of the check, so a
   * deposit through the service pays for it once, not twice.
   */
  precheck (env: Envelope, now: number): string {
    return this.check(env, now, false)
  }

  private check (env: Envelope, now: number, boundId: boolean): string {
    if (env.version !== ENVELOPE_VERSION) throw new MailboxRefusal('bad-request', `unsupported envelope version ${env.version}`)
    if (env.id.length !== 16) throw new MailboxRefusal('bad-request', 'envelope id must be 16 bytes')
    if (env.sealed.length === 0) throw new MailboxRefusal('bad-request', 'empty envelope')
    if (env.sealed.length > this.limits.envelopeBytes) throw new MailboxRefusal('too-large', `envelope is ${env.sealed.length} bytes; the limit is ${this.limits.envelopeBytes}`)
    // the id names these bytes: nobody can park other bytes under a pending id
    if (boundId && !hasBoundId(env)) throw new MailboxRefusal('bad-request', 'envelope id does not match its content')
    if (env.expiresAt <= now) throw new MailboxRefusal('expired', 'envelope already expired')
    try {
      return peerIdTextFromBytes(env.recipient)
    } catch {
      throw new MailboxRefusal('bad-request', 'malformed recipient')
    }
  }

  /**
   * Store one envelope durably. Concurrent deposits are grouped (DepositGroup): one read of what
   * is held for the whole group and one batch written with one fsync.
   */
  async deposit (env: Envelope, now: number): Promise<DepositResult> {
    const outcome = await this.group.add(env, now)
    if (outcome instanceof Error) throw outcome
    return outcome
  }

  /**
   * Store many envelopes in one durable batch (one fsync); resolves once it is on disk. Each is
   * checked as `deposit` checks one, in order (a quota filled by the first ones refuses the rest),
   * and gets its own outcome: stored, duplicate, or the MailboxRefusal a single deposit would
   * throw. `queued` is called once the batch is handed to the Store (a group committer may start
   * on the next group then). Rejects only when the write itself fails (nothing is stored then).
   */
  async depositMany (envs: Envelope[], now: number, options: { queued?: () => void } = {}): Promise<DepositOutcome[]> {
    if (this.closing) {
      options.queued?.()
      return envs.map(() => new MailboxRefusal('not-responsible', 'this mailbox node is stopping'))
    }
    const running = this.writeDeposits(envs, now, options)
    this.depositing.add(running)
    return running.finally(() => { this.depositing.delete(running) })
  }

  private async writeDeposits (envs: Envelope[], now: number, options: { queued?: () => void }): Promise<DepositOutcome[]> {
    const out: DepositOutcome[] = new Array(envs.length)
    const claimed: Array<{ i: number, r: string, id: string, slot: string }> = []
    envs.forEach((env, i) => {
      try {
        const r = this.validate(env, now)
        const id = hex(env.id)
        const slot = `${r}/${id}`
        if (this.writing.has(slot)) { out[i] = 'duplicate'; return }
        this.writing.add(slot) // claimed synchronously, before any await
        claimed.push({ i, r, id, slot })
      } catch (err) {
        out[i] = err instanceof MailboxRefusal ? err : new MailboxRefusal('bad-request', String(err))
      }
    })
    const touched = new Set<string>()
    const reserved: Array<{ r: string, size: number }> = []
    const stored: string[] = []
    try {
      // only ids the filter cannot rule out are read (a fresh id, nearly every deposit, is not)
      const unsure = claimed.filter(c => this.mayHold.mayHold(c.id))
      const found = unsure.length === 0 ? [] : await this.heldOf(unsure)
      const held = new Set(unsure.filter((_, j) => found[j]?.env !== undefined || found[j]?.tomb === true))
      // from here to the write being queued, nothing awaits: reservations and the queue order agree
      const ops: StoreOp[] = []
      claimed.forEach(c => {
        if (held.has(c)) { out[c.i] = 'duplicate'; return }
        const env = envs[c.i] as Envelope
        const size = env.sealed.length
        const u = this.usageOf(c.r)
        if (u.count + 1 > this.limits.maxEnvelopesPerRecipient || u.bytes + size > this.limits.maxBytesPerRecipient) {
          out[c.i] = new MailboxRefusal('quota-exceeded', `mailbox for ${c.r} is full (${u.count} envelopes, ${u.bytes} bytes)`)
          return
        }
        if (this.totalBytes + size > this.limits.maxTotalBytes) {
          out[c.i] = new MailboxRefusal('node-full', `this node holds ${this.totalBytes} bytes of mail; its cap is ${this.limits.maxTotalBytes}`)
          return
        }
        this.setUsage(c.r, { count: u.count + 1, bytes: u.bytes + size }) // reserved now: a concurrent deposit sees it
        reserved.push({ r: c.r, size })
        touched.add(c.r)
        const expiresAt = Math.min(env.expiresAt, now + this.limits.ttlMs)
        ops.push(
          { type: 'put', key: k.env(c.r, c.id), value: Envelope.encode({ ...env, expiresAt }) },
          { type: 'put', key: k.exp(expiresAt, c.r, c.id, 'e'), value: new Uint8Array() }
        )
        out[c.i] = 'stored'
        stored.push(c.id)
      })
      for (const r of touched) ops.push({ type: 'put', key: k.usage(r), value: enc.encode(JSON.stringify(this.usageOf(r))) })
      const written = this.store.write(ops)
      options.queued?.()
      try {
        await written
        for (const id of stored) this.mayHold.add(id) // before the claims are released (below)
      } catch (err) {
        for (const { r, size } of reserved) {
          const cur = this.usageOf(r)
          this.setUsage(r, { count: cur.count - 1, bytes: cur.bytes - size })
        }
        throw err
      } finally {
        for (const r of touched) this.changed(r)
      }
    } finally {
      for (const c of claimed) this.writing.delete(c.slot)
      options.queued?.() // idempotent for the caller; covers a failed read
    }
    return out
  }

  /**
   * A page of a recipient's live mail in id order after `after`: at most `limit` envelopes and at
   * most `maxBytes` of them (always at least one), `more` when the rest did not fit. `idsOnly`
   * strips the sealed bodies (a recipient listing what a replica holds).
   */
  async fetch (r: string, after: Uint8Array | undefined, limit: number, now: number, options: FetchOptions = {}): Promise<FetchPage> {
    const page = new PageBuilder(limit, options)
    const range = after === undefined || after.length === 0 ? {} : { after: k.env(r, hex(after)) }
    for await (const { value } of this.store.list(k.envPrefix(r), range)) {
      const env = Envelope.decode(value)
      if (env.expiresAt <= now) continue
      if (!page.add(env)) break
    }
    return page.done()
  }

  /**
   * The live envelopes among `ids`, in that order, up to `maxBytes` (always at least one); ids
   * not held (acked, expired, never here) are left out; `more` when the rest did not fit.
   */
  async fetchIds (r: string, ids: Uint8Array[], now: number, options: Omit<FetchOptions, 'idsOnly'> = {}): Promise<FetchPage> {
    const page = new PageBuilder(ids.length, options)
    // a few at a time in one read each: a page stops at its byte budget, so reading far past it is waste
    for (let i = 0; i < ids.length; i += FETCH_READ_AHEAD) {
      const values = await this.store.getMany(ids.slice(i, i + FETCH_READ_AHEAD).map(id => k.env(r, hex(id))))
      for (const b of values) {
        if (b === undefined) continue
        const env = Envelope.decode(b)
        if (env.expiresAt <= now) continue
        if (!page.add(env)) return page.done()
      }
    }
    return page.done()
  }

  async ids (r: string): Promise<string[]> {
    return [...await this.keysUnder(k.envPrefix(r))]
  }

  /** The rest of every key under a prefix (ids of a recipient's envelopes or tombstones). */
  private async keysUnder (prefix: string): Promise<Set<string>> {
    const out = new Set<string>()
    for await (const key of this.store.listKeys(prefix)) out.add(key.slice(prefix.length))
    return out
  }

  /**
   * A recipient's envelope ids and tombstone ids (expired ones included until swept), sorted: read
   * from the store only when something changed since the last call.
   */
  async heldIds (r: string): Promise<HeldIds> {
    return this.heldCache.get(r, this.revisions.get(r) ?? 0, async () => ({
      ids: SortedIds.fromHex(await this.keysUnder(k.envPrefix(r))),
      tombstones: SortedIds.fromHex(await this.keysUnder(k.tombPrefix(r)))
    }))
  }

  /** The signed tombstones held for `ids` (those not held are left out). */
  async tombstonesOf (r: string, ids: string[]): Promise<SignedTombstone[]> {
    const out: SignedTombstone[] = []
    for (const id of ids) {
      const b = await this.store.get(k.tomb(r, id))
      if (b === undefined) continue
      const t = JSON.parse(dec.decode(b)) as { expiresAt: number, signature: string }
      out.push({ id, expiresAt: t.expiresAt, signature: Buffer.from(t.signature, 'hex') })
    }
    return out
  }

  private changed (r: string): void {
    this.revisions.set(r, (this.revisions.get(r) ?? 0) + 1)
  }

  /**
   * For each (recipient, id): the envelope's bytes if held, and whether a tombstone is, in one
   * batched read. A deposit, an ack or an offer costs what it names, not what is held: two range
   * scans of everything held per ack made a sync of n messages cost O(n²) at each replica (10,000
   * waiting: 2.2× the time of ten syncs of 1,000).
   */
  private async heldOf (items: Array<{ r: string, id: string }>): Promise<Array<{ env: Uint8Array | undefined, tomb: boolean }>> {
    const values = await this.store.getMany(items.flatMap(({ r, id }) => [k.env(r, id), k.tomb(r, id)]))
    return items.map((_, i) => ({ env: values[2 * i], tomb: values[2 * i + 1] !== undefined }))
  }

  async get (r: string, id: string): Promise<Envelope | undefined> {
    const b = await this.store.get(k.env(r, id))
    return b === undefined ? undefined : Envelope.decode(b)
  }

  async tombstones (r: string): Promise<SignedTombstone[]> {
    const out: SignedTombstone[] = []
    for await (const { key, value } of this.store.list(k.tombPrefix(r))) {
      const t = JSON.parse(dec.decode(value)) as { expiresAt: number, signature: string }
      out.push({ id: key.slice(k.tombPrefix(r).length), expiresAt: t.expiresAt, signature: Buffer.from(t.signature, 'hex') })
    }
    return out
  }

  /**
   * Delete acknowledged envelopes, leaving tombstones until they would have expired; an id not
   * held still gets a tombstone, so a copy arriving later by handover is refused. Only acks the
   * owner signed count (first-hand or handed over); the rest are ignored. Signatures are checked
   * before the removal lock is taken, so a large offer does not hold up the owner's own acks.
   */
  async ack (r: string, acked: AckEntry[], now: number): Promise<{ removed: number, refused: number }> {
    if (this.closing) throw new MailboxRefusal('not-responsible', 'this mailbox node is stopping')
    const { signed, refused } = await this.checkAcks(r, acked)
    if (signed.length === 0) return { removed: 0, refused }
    const { removed } = await this.removals.run(async () => this.ackLocked(r, signed, now))
    return { removed, refused }
  }

  /** The entries worth applying, their signatures checked; a tombstone held already with no copy left is skipped unchecked. */
  private async checkAcks (r: string, acked: AckEntry[]): Promise<{ signed: AckEntry[], refused: number }> {
    const owner = parsePeerId(r)
    let refused = 0
    const unique = new Map<string, AckEntry>()
    for (const a of acked) {
      if (!/^[0-9a-f]{32}$/.test(a.id)) { refused++; continue }
      if (!unique.has(a.id)) unique.set(a.id, a)
    }
    const entries = [...unique.values()]
    const held = await this.heldOf(entries.map(a => ({ r, id: a.id })))
    const worth: AckEntry[] = []
    entries.forEach((a, i) => {
      // a tombstone held already, with no copy left: nothing to change, so no signature to check
      // (handover re-offers every tombstone; checking each again made passes O(tombstones) in CPU)
      if (held[i]?.tomb === true && held[i]?.env === undefined) return
      worth.push(a)
    })
    const verifyAck = ackVerifier(owner)
    const ok = await Promise.all(worth.map(async a => verifyAck(Buffer.from(a.id, 'hex'), a.signature)))
    refused += ok.filter(v => !v).length
    return { signed: worth.filter((_, i) => ok[i]), refused }
  }

  private async ackLocked (r: string, acked: AckEntry[], now: number): Promise<{ removed: number }> {
    // a deposit of one of these ids may have read "not held" and not written yet: its copy would
    // land after the tombstone and stay. Wait for such deposits, then claim the ids (no await
    // between the check and the claim), so a copy arriving while the tombstones are written is
    // a duplicate, and one after it finds the tombstone.
    const slots = acked.map(a => `${r}/${a.id}`)
    while (slots.some(slot => this.writing.has(slot)) && this.depositing.size > 0) await Promise.race([...this.depositing].map(async p => p.catch(() => {})))
    for (const slot of slots) this.writing.add(slot)
    try {
      return await this.ackClaimed(r, acked, now)
    } finally {
      for (const slot of slots) this.writing.delete(slot)
    }
  }

  private async ackClaimed (r: string, acked: AckEntry[], now: number): Promise<{ removed: number }> {
    if (this.closing) throw new MailboxRefusal('not-responsible', 'this mailbox node is stopping')
    const ops: StoreOp[] = []
    const tombs: string[] = []
    let removed = 0
    let bytes = 0
    const held = await this.heldOf(acked.map(a => ({ r, id: a.id })))
    for (const [i, { id, signature, expiresAt: offered }] of acked.entries()) {
      const stored = held[i]?.env
      const env = stored === undefined ? undefined : Envelope.decode(stored)
      const known = held[i]?.tomb === true
      if (known && env === undefined) continue
      // a handed-over tombstone keeps its own expiry: renewing it at every hop would keep it forever
      const expiresAt = Math.min(env?.expiresAt ?? Infinity, offered ?? Infinity, now + this.limits.ttlMs)
      if (env !== undefined) {
        ops.push({ type: 'del', key: k.env(r, id) }, { type: 'del', key: k.exp(env.expiresAt, r, id, 'e') })
        removed++
        bytes += env.sealed.length
      }
      if (!known) {
        const value = enc.encode(JSON.stringify({ expiresAt, signature: Buffer.from(signature).toString('hex') }))
        ops.push({ type: 'put', key: k.tomb(r, id), value }, { type: 'put', key: k.exp(expiresAt, r, id, 't'), value: new Uint8Array() })
        tombs.push(id)
      }
    }
    if (removed > 0) ops.push(this.adjustUsage(r, -removed, -bytes))
    if (ops.length > 0) await this.store.write(ops).finally(() => { this.changed(r) })
    for (const id of tombs) this.mayHold.add(id)
    return { removed }
  }

  /**
   * Delete the owner's copies of `ids` here, leaving no tombstone: for envelopes whose copy here
   * would not open. A signed tombstone would also delete the other replicas' copies, which may be
   * the genuine ones; a copy handed over again later is simply discarded again.
   */
  async discard (r: string, ids: string[]): Promise<number> {
    return this.removals.run(async () => this.discardLocked(r, ids))
  }

  private async discardLocked (r: string, ids: string[]): Promise<number> {
    const ops: StoreOp[] = []
    let removed = 0
    let bytes = 0
    for (const id of new Set(ids)) {
      const env = await this.get(r, id)
      if (env === undefined) continue
      ops.push({ type: 'del', key: k.env(r, id) }, { type: 'del', key: k.exp(env.expiresAt, r, id, 'e') })
      removed++
      bytes += env.sealed.length
    }
    if (removed === 0) return 0
    ops.push(this.adjustUsage(r, -removed, -bytes))
    await this.store.write(ops).finally(() => { this.changed(r) })
    return removed
  }

  /** Apply tombstones learnt from another holder (each checked against the owner's signature). */
  async applyTombstones (r: string, tombstones: SignedTombstone[], now: number): Promise<number> {
    const live = tombstones.filter(t => t.expiresAt > now)
    if (live.length === 0) return 0
    return (await this.ack(r, live, now)).removed
  }

  /** Drop expired envelopes and tombstones. Returns how many records went. */
  async sweep (now: number): Promise<{ envelopes: number, tombstones: number }> {
    return this.removals.run(async () => this.sweepLocked(now))
  }

  private async sweepLocked (now: number): Promise<{ envelopes: number, tombstones: number }> {
    const ops: StoreOp[] = []
    const usage = new Map<string, Usage>()
    let envelopes = 0
    let tombstones = 0
    const touched = new Set<string>()
    const end = k.expPrefix + String(now).padStart(15, '0') + '/\xff' // inclusive of `now`
    for await (const key of this.store.listKeys(k.expPrefix)) {
      if (key > end) break
      const [, r, id, kind] = key.slice(k.expPrefix.length).split('/') as [string, string, string, string]
      ops.push({ type: 'del', key })
      touched.add(r)
      if (kind === 't') { ops.push({ type: 'del', key: k.tomb(r, id) }); tombstones++; continue }
      const env = await this.get(r, id)
      if (env === undefined) continue
      ops.push({ type: 'del', key: k.env(r, id) })
      const u = usage.get(r) ?? { count: 0, bytes: 0 }
      usage.set(r, { count: u.count - 1, bytes: u.bytes - env.sealed.length })
      envelopes++
    }
    for (const [r, d] of usage) ops.push(this.adjustUsage(r, d.count, d.bytes))
    await this.store.write(ops).finally(() => { for (const r of touched) this.changed(r) })
    return { envelopes, tombstones }
  }

  usageOf (r: string): Usage {
    return this.usage.get(r) ?? { count: 0, bytes: 0 }
  }

  /** Bytes of mail held for everyone (what the node-wide cap counts). */
  get heldBytes (): number { return this.totalBytes }

  /** Set a recipient's usage, keeping the node's total in step; an empty mailbox leaves no entry. */
  private setUsage (r: string, next: Usage): void {
    this.totalBytes += next.bytes - this.usageOf(r).bytes
    if (next.count <= 0 && next.bytes <= 0) this.usage.delete(r)
    else this.usage.set(r, next)
  }

  /** Recipients this node holds anything for. */
  async recipients (): Promise<string[]> {
    const out = new Set([...this.usage.entries()].filter(([, u]) => u.count > 0).map(([r]) => r))
    for await (const key of this.store.listKeys(k.bundlePrefix)) out.add(key.slice(k.bundlePrefix.length))
    return [...out]
  }

  async totals (): Promise<Usage & { recipients: number }> {
    let count = 0
    let bytes = 0
    let recipients = 0
    for (const u of this.usage.values()) { count += u.count; bytes += u.bytes; if (u.count > 0) recipients++ }
    return { count, bytes, recipients }
  }

  // ------------------------------------------------------------------ bundles

  /**
   * The owner's own (verified, signed) bundle: it replaces whatever is held, one-time prekeys and
   * all. The owner's authenticated publication always wins, so no bundle handed over by anyone
   * else (even one dated far ahead) can keep the owner from publishing.
   */
  async putBundle (r: string, bundle: PreKeyBundle): Promise<'stored'> {
    return this.bundleLock.run(async () => {
      await this.store.write([{ type: 'put', key: k.bundle(r), value: PreKeyBundle.encode(bundle) }])
      return 'stored' as const
    })
  }

  /**
   * A (verified) bundle handed over by another holder. It carries no one-time prekeys, so it must
   * never wipe the ones this replica was given: a newer one updates the signed and last-resort
   * prekeys and keeps this replica's one-time prekeys; an older or equal one changes nothing.
   */
  async mergeBundle (r: string, bundle: PreKeyBundle): Promise<'stored' | 'merged' | 'older'> {
    return this.bundleLock.run(async () => {
      const current = await this.getBundle(r)
      if (current !== undefined && current.publishedAt >= bundle.publishedAt) return 'older'
      const merged = { ...bundle, preKeys: current?.preKeys ?? [], kyberPreKeys: current?.kyberPreKeys ?? [] }
      await this.store.write([{ type: 'put', key: k.bundle(r), value: PreKeyBundle.encode(merged) }])
      return current === undefined ? 'stored' : 'merged'
    })
  }

  async getBundle (r: string): Promise<PreKeyBundle | undefined> {
    const b = await this.store.get(k.bundle(r))
    return b === undefined ? undefined : PreKeyBundle.decode(b)
  }

  /**
   * Hand out the bundle with at most one one-time prekey of each kind, removing those for good;
   * with `oneTime: false` (the recipient's hourly allowance is spent), with none.
   */
  async takeBundle (r: string, options: { oneTime?: boolean } = {}): Promise<PreKeyBundle | undefined> {
    return this.bundleLock.run(async () => {
      const bundle = await this.getBundle(r)
      if (bundle === undefined) return undefined
      if (options.oneTime === false) return { ...bundle, preKeys: [], kyberPreKeys: [] }
      const [preKey, ...restPre] = bundle.preKeys
      const [kyber, ...restKyber] = bundle.kyberPreKeys
      if (preKey !== undefined || kyber !== undefined) {
        await this.store.write([{ type: 'put', key: k.bundle(r), value: PreKeyBundle.encode({ ...bundle, preKeys: restPre, kyberPreKeys: restKyber }) }])
      }
      return { ...bundle, preKeys: preKey === undefined ? [] : [preKey], kyberPreKeys: kyber === undefined ? [] : [kyber] }
    })
  }

  private adjustUsage (r: string, count: number, bytes: number): StoreOp {
    const u = this.usageOf(r)
    const next = { count: Math.max(0, u.count + count), bytes: Math.max(0, u.bytes + bytes) }
    this.setUsage(r, next)
    return next.count === 0 ? { type: 'del', key: k.usage(r) } : { type: 'put', key: k.usage(r), value: enc.encode(JSON.stringify(next)) }
  }
}

export interface FetchOptions { maxBytes?: number, idsOnly?: boolean }
export interface FetchPage { envelopes: Envelope[], more: boolean }

/** An envelope's share of a response frame besides its sealed bytes (ids, recipient, varints). */
const ENVELOPE_OVERHEAD = 96

/** Collects a fetch page up to a count and a byte budget; the first envelope always fits. */
class PageBuilder {
  private readonly envelopes: Envelope[] = []
  private bytes = 0
  private more = false
  constructor (private readonly limit: number, private readonly o: FetchOptions) {}

  /** Add `env`, or return false (and mark the page as having more) when it does not fit. */
  add (env: Envelope): boolean {
    const size = (this.o.idsOnly === true ? 0 : env.sealed.length) + ENVELOPE_OVERHEAD
    if (this.envelopes.length === this.limit || (this.envelopes.length > 0 && this.bytes + size > (this.o.maxBytes ?? Infinity))) {
      this.more = true
      return false
    }
    this.bytes += size
    this.envelopes.push(this.o.idsOnly === true ? { ...env, sealed: new Uint8Array(0) } : env)
    return true
  }

  done (): FetchPage { return { envelopes: this.envelopes, more: this.more } }
}
