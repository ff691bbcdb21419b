/**
 * Collecting mail from the 2k closest mailbox nodes. Every replica holds the same mail, so each
 * body should cross the network once: from every replica we list ids only, and an id that is not
 * in the inbox yet is claimed by the first replica that lists it. That replica fetches the body,
 * opens it in one durable commit with the rest of its claim (the Receiver's receiveMany), and only then
 * settles the claim. The other replicas wait for the claim; if it failed (the replica vanished, or
 * its copy would not open) they take the body from their own copy.
 *
 * A replica is acknowledged (a tombstone signed by us, which handover spreads to every holder) only
 * what is in our inbox: nothing is deleted at a mailbox before it is on our disk. A copy that will
 * not open is discarded at the replica that served it, and only there: a signed tombstone for it
 * would let one replica that swaps bodies have the genuine copies deleted everywhere. A listing
 * that carries bodies anyway (a node that predates ids-only listing, or a hostile one) is kept as
 * ids only: the whole listing is held before the first page is taken, and must stay small.
 */
import type { PeerId, PrivateKey } from '@libp2p/interface'
import type { Envelope, MailboxResponse } from '../../../proto/cairn.js'
import { ackSigner } from '../../shared/ack-signature.js'
import type { Clock, Timer } from '../../shared/clock.js'
import type { CairnConfig } from '../../shared/config.js'
import type { MailboxRpcConfig } from './mailbox-rpc.js'
import { describeError, ProtocolError } from '../../shared/errors.js'
import type { Logger } from '../../shared/logger.js'
import type { CairnNode } from '../../shared/node/create-node.js'
import { MAILBOX_LIST_IDS, MAILBOX_PAGE_IDS, mailboxAnswerBudget } from '../../shared/protocols/ids.js'
import type { ReceiveStatus, RejectedEnvelopeError } from '../messaging/receiver.js'
import type { Route } from '../inbox.js'
import type { Startable } from '../../shared/startable.js'
import { askMailboxOk } from './mailbox-rpc.js'
import type { OwnReplicas, ReplicaSetChoice } from './own-replicas.js'
import { StallWatch } from './stall-watch.js'
import { StageClock, type StageTimer } from './collect-stages.js'
import { withSignal } from '../../shared/protocols/idle-deadline.js'
import { Slots } from '../../shared/slots.js'

export interface CollectResult {
  received: number
  /** Mailbox nodes found for our mailbox key. */
  replicas: number
  /** Those that answered (a sync's tail asks them to release saved attachments' chunks). */
  reached: PeerId[]
  /** Of those, how many could not be collected from (unreachable, broke off, or stalled). */
  unreachable: number
  refused: number
  /** Envelope bodies transferred (every replica's copy would be replicas × received). */
  fetched: number
  /**
   * Settles once every ack this collect sent has been answered or has failed: what is in the
   * inbox when the collect returns is on disk, and its deletion at the replicas need not hold up
   * the caller (the sync's tail waits for it, and `stop` for that). An ack that failed leaves the
   * mail there, unacknowledged; the next collect finds it in the inbox and acknowledges it then.
   */
  acked: Promise<void>
  /** Where the replica set came from (own-replicas.ts). */
  replicaSet: ReplicaSetChoice
}

/** Where collected mail goes: the messenger's Receiver (an interface, so a test may stand in). */
export interface CollectInbox {
  /** Which envelope ids are not in the inbox yet. */
  unseen: <T extends Uint8Array>(ids: T[]) => Promise<T[]>
  /**
   * Open a batch in one durable commit; one result per envelope. `committed`: called with those
   * results once they are on disk, before the receipts the batch queues (the promise resolves after those).
   */
  receiveMany: (envelopes: Envelope[], route: Route, from?: string, committed?: (results: Array<ReceiveStatus | RejectedEnvelopeError>) => void) => Promise<Array<ReceiveStatus | RejectedEnvelopeError>>
}

export interface MailboxCollectorComponents {
  node: CairnNode
  /** Our PeerId's key: acks are tombstones signed by it. */
  peerKey: PrivateKey
  inbox: CollectInbox
  clock: Clock
  log: Logger
  /** Where our mail waits (remembered from the last lookup, or looked up). */
  replicas: OwnReplicas
}

/** The collector's slice of the configuration (CairnConfig has it; defaults are applied there, config.ts). */
export interface MailboxCollectorInit extends MailboxRpcConfig {
  mailbox: MailboxRpcConfig['mailbox'] & Pick<CairnConfig['mailbox'], 'pageSize' | 'maxEnvelopesPerRecipient'>
  delivery: Pick<CairnConfig['delivery'], 'collectGraceMs'>
}

/** One collect: what every replica's loop shares. */
interface Collection {
  node: CairnNode
  inbox: CollectInbox
  config: MailboxCollectorInit
  options: CollectOptions
  /** Each id's ack signature, made once for every replica (it covers only the owner and the id). */
  sign: (id: Uint8Array) => Promise<Uint8Array<ArrayBuffer>>
  /** id → settles true once that envelope is in the inbox, false if its claimant did not get it there. */
  claims: Map<string, Claim>
  /** This replica loop's own standing as a claimant (a replica's copy of the Collection has its own). */
  claimant: Claimant
  /** This replica loop's pages whose bodies are held: being fetched, or fetched and not yet committed. */
  bodies: Slots
  /**
   * This replica loop's pages on disk whose receipts are still being queued (the rest of each
   * receiveMany): awaited before the loop returns, so a sync returns with every receipt queued.
   */
  tails: Array<Promise<unknown>>
  /** Every loop's acks (settled, the collect's `acked`). */
  acks: Array<Promise<unknown>>
  tally: { received: number, refused: number, fetched: number }
  stages: StageTimer
  /** One replica's loop made progress (its stall watch starts again). */
  progress: () => void
}

export interface CollectOptions {
  /** Whose time deadlines and waits are measured in. */
  clock: Clock
  signal?: AbortSignal
  /** Accumulates the time of each stage (the bench's breakdown); a fresh one if absent. */
  stages?: StageClock
  /** Called once the mailboxes are found and after each page that brought mail. */
  onProgress?: (p: { stage: 'collecting', mailboxes: number, received: number }) => void
  /**
   * Collect at the replica set the last lookup found, if it is still plausible (own-replicas.ts),
   * instead of looking it up (a periodic sync); a remembered replica that does not answer makes
   * the collect look up again.
   */
  reuseReplicas?: boolean
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
/**
 * Pages of one replica whose bodies are held at once (being fetched, or waiting for the messenger's
 * lock, or being opened): the next pages' bodies come while one is opened, so the lock (the
 * collect's serial part) does not wait for the network. A slot is freed when its page is on disk.
 */
const PAGES_AHEAD = 3
/**
 * Pages of one replica under way at once: those holding bodies, and those done with them that wait
 * for their receipts to be queued, for another replica's claims, or for their ack to go out. Pages
 * are opened at most this far out of their sealing order (each chain's skipped keys, kept in the
 * session record, cover the gap: libsignal keeps 2,000).
 */
const PAGES_IN_FLIGHT = 6
/** Acks of one replica in flight at once. */
const ACKS_IN_FLIGHT = 4
/** Failed attempts in a row, each moving nothing forward, before a replica is given up. */
const RESUMES = 3
/** Pause before resuming a replica's collection, ms (times the attempts that moved nothing). */
const RESUME_DELAY_MS = 500
/** How long a replica waits for another's claim on an id before taking its own copy, ms. */
const CLAIM_WAIT_MS = 5000
/** What an answer to us may carry: a mailbox cuts its pages to fit our frame limit, not only its own. */
const answerBudget = (config: MailboxRpcConfig): number => mailboxAnswerBudget(config.mailbox.frameBytes)

/**
 * Collects our mail from the replicas (see the top of this file). A collect runs when asked
 * (`collect`); `stop` aborts every collect under way, and what was not yet in the inbox stays at
 * the replicas, unacknowledged, for the next one.
 */
export class MailboxCollector implements Startable {
  private stopping = new AbortController()

  constructor (private readonly components: MailboxCollectorComponents, private readonly init: MailboxCollectorInit) {}

  start (): void {
    if (this.stopping.signal.aborted) this.stopping = new AbortController()
  }

  stop (): void {
    this.stopping.abort(new Error('mail collection stopped'))
  }

  async collect (collectOptions: Omit<CollectOptions, 'clock'> = {}): Promise<CollectResult> {
    const { node, peerKey, inbox, clock, log } = this.components
    const config = this.init
    const stages = collectOptions.stages ?? new StageClock()
    const options: CollectOptions = { ...collectOptions, clock, stages, signal: withSignal(collectOptions.signal, this.stopping.signal) }
    const progress = { mailboxes: 0 }
    const report = (): void => options.onProgress?.({ stage: 'collecting', mailboxes: progress.mailboxes, received: c.tally.received })
    const signatures = new Map<string, Promise<Uint8Array<ArrayBuffer>>>()
    const signer = ackSigner(peerKey, node.peerId)
    const c: Collection = {
      node,
      inbox,
      config,
      options,
      sign: async (id) => {
        let s = signatures.get(hex(id))
        if (s === undefined) { s = signer(id); signatures.set(hex(id), s) }
        return s
      },
      claims: new Map(),
      claimant: { last: 0, opening: 0 },
      bodies: new Slots(PAGES_AHEAD),
      tails: [],
      acks: [],
      tally: { received: 0, refused: 0, fetched: 0 },
      stages,
      progress: () => {}
    }
    const replicas = this.components.replicas
    const lookup = async (): Promise<PeerId[]> => stages.time('lookup', async () => replicas.lookup(options.signal))
    const saved = await replicas.saved()
    const { reached, replicaSet } = saved !== undefined
      ? await collectWhileLooking(c, saved, lookup, progress, report, log)
      : await collectAtFound(c, async () => stages.time('lookup', async () => replicas.find({ reuse: options.reuseReplicas === true, ...(options.signal === undefined ? {} : { signal: options.signal }) })), lookup, progress, report, log)
    const mailboxes = progress.mailboxes
    const unreachable = mailboxes - reached.length
    if (mailboxes === 0 || unreachable === mailboxes) log.info({ found: mailboxes, unreachable }, 'no mailbox could be collected from: mail waiting there stays for the next sync')
    const acked = stages.time('ack', Promise.allSettled(c.acks)).then(results => {
      const failed = results.filter(r => r.status === 'rejected').length
      if (failed > 0) log.info({ failed, acks: results.length }, 'acks not answered: that mail stays at its replicas until the next sync acknowledges it')
    })
    return { ...c.tally, acked, replicas: mailboxes, reached, unreachable, replicaSet }
  }
}

/** Where a collect went: the replicas that answered, and how the set was chosen. */
interface Coverage { reached: PeerId[], replicaSet: ReplicaSetChoice }
/** How many replicas a collect counts (its progress reports name them as they change). */
interface Counted { mailboxes: number }

/** Those of `peers` not among `tried`. */
const untried = (peers: PeerId[], tried: PeerId[]): PeerId[] => {
  const seen = new Set(tried.map(p => p.toString()))
  return peers.filter(p => !seen.has(p.toString()))
}
/** The replicas after a lookup: those it found, and those that answered (a failed one found again stays failed). */
const replicasNow = (found: PeerId[], reached: PeerId[]): number => new Set([...found, ...reached].map(p => p.toString())).size

/**
 * A fresh process: collect at the set its last lookup saved while looking the replicas up, then
 * at those found that the saved set lacked (a server that joined meanwhile), and once more at a
 * saved one that did not answer but was found again (its addresses may be new).
 */
async function collectWhileLooking (c: Collection, saved: PeerId[], lookup: () => Promise<PeerId[]>, count: Counted, report: () => void, log: Logger): Promise<Coverage> {
  count.mailboxes = saved.length
  report()
  const looking = quiet(lookup())
  const early = collectAt(c, saved, report, log)
  const fresh = await looking.catch((err: unknown) => {
    if (c.options.signal?.aborted === true) throw err
    log.info({ err: describeError(err) }, 'replica lookup failed: collecting at the saved set alone')
    return []
  })
  const late = collectAt(c, untried(fresh, saved), report, log)
  const reached = await early
  const savedAndFound = fresh.filter(p => saved.some(s => s.equals(p)))
  reached.push(...await late, ...await collectAt(c, untried(savedAndFound, reached), report, log))
  count.mailboxes = replicasNow(fresh, reached)
  return { reached, replicaSet: { source: 'asked', lookedUpAgain: false, saved: true } }
}

/**
 * Collect at the set `find` gives (the remembered one, or a lookup's); when a remembered replica
 * did not answer, it may have been replaced by one we do not know: look again, and collect at
 * those of the set found now that this collect has not tried yet.
 */
async function collectAtFound (c: Collection, find: () => ReturnType<OwnReplicas['find']>, lookup: () => Promise<PeerId[]>, count: Counted, report: () => void, log: Logger): Promise<Coverage> {
  const found = await find()
  count.mailboxes = found.peers.length
  report()
  const reached = await collectAt(c, found.peers, report, log)
  const lookedUpAgain = found.remembered && reached.length < found.peers.length
  if (lookedUpAgain) {
    log.info({ unreachable: found.peers.length - reached.length }, 'a remembered mailbox replica did not answer: looking the replicas up again')
    const fresh = await lookup()
    reached.push(...await collectAt(c, untried(fresh, found.peers), report, log))
    count.mailboxes = replicasNow(fresh, reached)
  }
  return { reached, replicaSet: { source: found.source, lookedUpAgain } }
}

/** Collect at each of `replicas` side by side; returns those that answered. */
async function collectAt (c: Collection, replicas: PeerId[], report: () => void, log: Logger): Promise<PeerId[]> {
  // once one replica that held mail has handed over all of it, each slower one may go on as long
  // as it makes progress (a page listed, fetched or opened), and is given up only after
  // collectGraceMs without any; what it alone holds stays there (unacknowledged) for the next
  // sync. (A replica with nothing says nothing about the others: it does not start the watch.)
  // Before that, each request has its own idle deadline: nothing cuts off a replica that answers.
  const watches = replicas.map(peer => new StallWatch(c.options.clock, `mailbox ${peer.toString()}`))
  const reached: PeerId[] = []
  await Promise.all(replicas.map(async (peer, i) => {
    const watch = watches[i] as StallWatch
    try {
      const taken = await collectResuming(c, peer, report, watch, log)
      reached.push(peer)
      if (taken === 0) return
      for (const w of watches) if (w !== watch) w.arm(c.config.delivery.collectGraceMs)
    } catch (err) {
      log.info({ peer: peer.toString(), err: describeError(err) }, 'mailbox unreachable for fetch')
    } finally {
      watch.clear()
    }
  }))
  return reached
}

/**
 * How far one replica's collection got, over every attempt: the ids it listed that are now in the
 * inbox (or were refused there). An attempt moved forward only if it added to them: taking again a
 * page that is in the inbox already is no progress (a replica that broke every ack, or the fetch of
 * one page, made each resumed attempt "progress" by re-taking the pages before it, without end).
 */
interface Cursor { settled: Set<string> }

/**
 * Collect from one replica, resuming when the connection fails midway (a slow device can lose one
 * to libp2p's own ping monitor while it is busy): a resumed attempt lists again and skips what is
 * in the inbox already. A replica that was answering is given up only after RESUMES failed
 * attempts in a row that moved nothing forward. A replica that broke the protocol is never retried.
 */
async function collectResuming (c: Collection, peer: PeerId, report: () => void, watch: StallWatch, log: Logger): Promise<number> {
  const cursor: Cursor = { settled: new Set() }
  let fruitless = 0
  for (;;) {
    const before = cursor.settled.size
    try {
      return await collectFrom(c, peer, report, watch, cursor)
    } catch (err) {
      if (err instanceof ProtocolError || watch.signal.aborted || c.options.signal?.aborted === true) throw err
      fruitless = cursor.settled.size > before ? 0 : fruitless + 1
      if (fruitless >= RESUMES) throw err
      log.info({ peer: peer.toString(), taken: cursor.settled.size, err: describeError(err) }, 'mailbox collection interrupted; resuming')
      await c.options.clock.sleep(RESUME_DELAY_MS * fruitless)
    }
  }
}

/**
 * One replica: list every id it holds for us (ids only, a small request a page), then take the
 * mail in the order it was sealed (its `created_at`, which a sender stamps in sealing order, then
 * id), a page at a time, two pages in flight: a page's bodies are fetched while the one before is
 * opened; each ack goes out without holding up the next page (a few in flight; the collect's
 * `acked` settles once all have answered). Opened out of order, each chain's skipped message keys
 * ride in the session record, which libsignal reads and writes with every message. Returns how
 * many ids were listed.
 */
async function collectFrom (c: Collection, peer: PeerId, report: () => void, watch: StallWatch, cursor: Cursor): Promise<number> {
  const r: Collection = { ...c, stages: c.options.stages?.forLoop(peer.toString()) ?? c.stages, claimant: { last: c.options.clock.now(), opening: 0 }, bodies: new Slots(PAGES_AHEAD), tails: [], progress: () => { watch.touch() }, options: { ...c.options, signal: withSignal(c.options.signal, watch.signal) } }
  const list = (after: Uint8Array<ArrayBuffer>): Promise<MailboxResponse> => quiet(askMailboxOk(r.node, r.config, peer, { fetch: { after, limit: MAILBOX_LIST_IDS, idsOnly: true, ids: [], maxBytes: answerBudget(r.config) } }, r.options))
  const held: Envelope[] = []
  // ids come in strictly ascending order and no more than any mailbox should hold (ten times our
  // own quota: operators may set theirs higher)
  let previous = ''
  for (let after = new Uint8Array(0); ;) {
    const page = await r.stages.time('list', list(after))
    r.progress()
    for (const e of page.envelopes) {
      const id = hex(e.id)
      if (e.id.length !== 16 || id <= previous) throw new ProtocolError(`mailbox ${peer.toString()} listed ids out of order`)
      previous = id
    }
    // ids only: a listing is held whole until sorted, and bodies come with each page's fetch
    held.push(...page.envelopes.map(e => e.sealed.length === 0 ? e : { ...e, sealed: new Uint8Array(0) }))
    if (held.length > r.config.mailbox.maxEnvelopesPerRecipient * 10) throw new ProtocolError(`mailbox ${peer.toString()} listed more mail than a mailbox holds`)
    const last = page.envelopes.at(-1)
    if (last === undefined || !page.more) break
    after = new Uint8Array(last.id)
  }
  held.sort((a, b) => a.createdAt - b.createdAt || Buffer.compare(a.id, b.id))
  const acks: Array<Promise<unknown>> = []
  const inFlight: Array<Promise<string[]>> = []
  const settle = async (p: Promise<string[]> | undefined): Promise<void> => {
    if (p === undefined) return
    for (const id of await p) cursor.settled.add(id)
  }
  try {
    for (let i = 0; i < held.length; i += r.config.mailbox.pageSize) {
      const page = held.slice(i, i + r.config.mailbox.pageSize)
      inFlight.push(quiet(takePage(r, peer, page, report, acks)))
      if (inFlight.length >= PAGES_IN_FLIGHT) await settle(inFlight.shift())
    }
    while (inFlight.length > 0) await settle(inFlight.shift())
  } finally {
    await Promise.allSettled(inFlight)
    // the acks are not waited for here (the collect's `acked`): everything they acknowledge is on disk
    r.acks.push(...acks)
    await Promise.allSettled(r.tails)
  }
  // a page whose receipts could not be queued fails the attempt (its messages are in the inbox: a
  // resumed attempt acknowledges them)
  for (const tail of r.tails) await tail
  return held.length
}

/**
 * One listed page into the inbox: claim, fetch and open what is unseen, then acknowledge it all (the
 * ack is not waited for). Returns the page's ids that are in the inbox now, or were refused.
 */
async function takePage (r: Collection, peer: PeerId, listed: Envelope[], report: () => void, acks: Array<Promise<unknown>>): Promise<string[]> {
  const ids = listed.map(e => e.id)
  const { missing, refused } = await takeUnseen(r, peer, await r.stages.time('unseen', r.inbox.unseen(ids)))
  const inInbox = ids.filter(id => !missing.has(hex(id)) && !refused.has(hex(id)))
  const acked = await r.stages.time('sign', Promise.all(inInbox.map(async id => ({ id, expiresAt: 0, signature: await r.sign(id) }))))
  const discard = ids.filter(id => refused.has(hex(id)))
  r.progress() // the page is in the inbox
  if (acked.length > 0 || discard.length > 0) {
    // a few acks in flight per replica (libp2p caps the streams of one protocol on a connection)
    const outstanding = new Set(acks.filter(a => !settled.has(a)))
    while (outstanding.size >= ACKS_IN_FLIGHT) {
      const first = await Promise.race([...outstanding].map(async a => a.then(() => ({ a }), () => ({ a }))))
      outstanding.delete(first.a)
    }
    const ack = quiet(askMailboxOk(r.node, r.config, peer, { ack: { acked, discard } }, r.options).then(res => { r.progress(); return res }))
    void ack.then(() => { settled.add(ack) }, () => { settled.add(ack) })
    acks.push(ack)
  }
  if (missing.size < ids.length) report()
  return ids.map(hex).filter(id => !missing.has(id))
}

/** Acks that have answered (or failed), so the bound on those in flight counts only the rest. */
const settled = new WeakSet<Promise<unknown>>()

/** `p` itself, marked as handled so that it may wait unawaited without an unhandled rejection. */
function quiet<T> (p: Promise<T>): Promise<T> {
  p.catch(() => {})
  return p
}

/** Of one replica's page: ids we could not get from anyone, and ids whose copy here would not open. */
interface Outcome { missing: Set<string>, refused: Set<string> }

/**
 * Get the unseen ids of one page into the inbox: claim those nobody has claimed, wait for the
 * rest, and take over the claims that failed.
 */
async function takeUnseen (c: Collection, peer: PeerId, unseen: Array<Uint8Array<ArrayBuffer>>): Promise<Outcome> {
  // ids are claimed only once this page may fetch them: until then another replica's loop may
  const theirs: Array<Uint8Array<ArrayBuffer>> = []
  let failure: unknown
  const outcome = await withBodies(c, async (committed) => {
    theirs.push(...unseen.filter(id => c.claims.has(hex(id))))
    const mine = unseen.filter(id => !c.claims.has(hex(id)))
    return claimAndOpen(c, peer, mine, committed).catch((err: unknown) => {
      failure = err // the others' claims still get their turn below
      return { missing: new Set(mine.map(hex)), refused: new Set<string>() }
    })
  })
  // a claimant that is slow to deliver (or stalls on purpose) is not waited for long: this replica
  // takes its own copy (a second copy of one message is a duplicate, shown once)
  const failed = (await c.stages.time('claimWait', Promise.all(theirs.map(async id => await settledWithin(c.options.clock, c.claims.get(hex(id)) as Claim, CLAIM_WAIT_MS) ? undefined : id)))).filter(id => id !== undefined)
  const retry = failed.length === 0 ? { missing: new Set<string>(), refused: new Set<string>() } : await withBodies(c, async (committed) => claimAndOpen(c, peer, failed, committed))
  if (failure !== undefined) throw failure
  return { missing: new Set([...outcome.missing, ...retry.missing]), refused: new Set([...outcome.refused, ...retry.refused]) }
}

/** A claim on an id, and who holds it. */
interface Claim { settled: Promise<boolean>, by: Claimant }
/** A replica loop as a claimant: when it last moved, and how many of its pages are being opened now. */
interface Claimant { last: number, opening: number }

/**
 * Whether `claim` settled true, waiting as long as its claimant keeps moving: it is given up
 * after `ms` in which the claimant neither finished a fetch or an open nor was opening a page
 * (opening waits its turn at the messenger's lock, which a slow device holds for long). A stalled
 * claimant is not waited for long: the waiting replica then takes its own copy.
 */
async function settledWithin (clock: Clock, claim: Claim, ms: number): Promise<boolean> {
  for (;;) {
    const idle = claim.by.opening > 0 ? 0 : clock.now() - claim.by.last
    if (idle >= ms) return false
    let timer: Timer | undefined
    const late = new Promise<undefined>(resolve => { timer = clock.setTimeout(() => { resolve(undefined) }, ms - idle) })
    try {
      const settled = await Promise.race([claim.settled, late])
      if (settled !== undefined) return settled
    } finally {
      timer?.clear()
    }
  }
}

/** Run `work` holding one of this loop's body slots; it may free the slot early (`committed`: its bodies are on disk). */
async function withBodies<T> (c: Collection, work: (committed: () => void) => Promise<T>): Promise<T> {
  const release = await c.bodies.take()
  try {
    return await work(release)
  } finally {
    release()
  }
}

/**
 * Claim `ids`, fetch their bodies from `peer` and open them in one
 * commit; settle each claim with whether it is now in the inbox. A copy that would not open fails
 * its claim, so another replica's copy still gets its chance. `committed` is called once the
 * bodies are on disk.
 */
async function claimAndOpen (c: Collection, peer: PeerId, ids: Array<Uint8Array<ArrayBuffer>>, committed: () => void): Promise<Outcome> {
  const missing = new Set(ids.map(hex))
  const refused = new Set<string>()
  if (ids.length === 0) return { missing, refused }
  const inInbox = new Set<string>()
  const settle = new Map<string, (inbox: boolean) => void>()
  const by = c.claimant
  by.last = c.options.clock.now()
  for (const key of missing) c.claims.set(key, { settled: new Promise(resolve => settle.set(key, resolve)), by })
  try {
    const bodies = (await c.stages.time('fetch', fetchBodies(c, peer, ids))).filter(e => missing.has(hex(e.id)))
    by.last = c.options.clock.now()
    const unique = [...new Map(bodies.map(e => [hex(e.id), e])).values()]
    c.tally.fetched += unique.length
    by.opening++
    // the page counts as taken once it is on disk: its claims settle, its ack may go and the next
    // pages come, while the receipts it queues wait for the messenger's lock behind the pages
    // opened after it (awaited before this replica's loop returns, as `tails`)
    let onDisk: (results: Array<ReceiveStatus | RejectedEnvelopeError>) => void = () => {}
    const atCommit = new Promise<Array<ReceiveStatus | RejectedEnvelopeError>>(resolve => { onDisk = resolve })
    const receiving = quiet(c.inbox.receiveMany(unique, 'mailbox', undefined, results => { committed(); onDisk(results) }))
    c.tails.push(receiving)
    const statuses = await c.stages.time('open', Promise.race([atCommit, receiving])).finally(() => { by.opening--; by.last = c.options.clock.now() })
    unique.forEach((e, i) => {
      const status = statuses[i]
      missing.delete(hex(e.id))
      if (status instanceof Error) { c.tally.refused++; refused.add(hex(e.id)); return }
      if (status === 'stored') c.tally.received++
      inInbox.add(hex(e.id))
    })
  } finally {
    for (const [key, resolve] of settle) resolve(inInbox.has(key))
  }
  return { missing, refused }
}

/** The bodies of `ids` from `peer`, in as many answers as the frame limit needs. */
async function fetchBodies (c: Collection, peer: PeerId, ids: Array<Uint8Array<ArrayBuffer>>): Promise<Envelope[]> {
  const out: Envelope[] = []
  let rest = ids
  while (rest.length > 0) {
    const ask = rest.slice(0, MAILBOX_PAGE_IDS)
    const res = await askMailboxOk(c.node, c.config, peer, { fetch: { after: new Uint8Array(0), limit: 0, idsOnly: false, ids: ask, maxBytes: answerBudget(c.config) } }, c.options)
    c.progress()
    out.push(...res.envelopes)
    const last = res.envelopes.at(-1)
    // a short answer (`more`) stopped for size: go on after the last id it carried
    const next = res.more && last !== undefined ? ask.findIndex(id => hex(id) === hex(last.id)) + 1 : ask.length
    if (next === 0) break // an answer naming none of what we asked: do not loop on it
    rest = rest.slice(next)
  }
  return out
}
