/**
 * Collecting mail from the 2k closest mailbox nodes. Every replica holds the same mail, so each
 * body should cross the network once: from every replica we list ids only, and an id that is not
 * in the inbox yet is claimed by the first replica that lists it. That replica fetches the body,
 * opens it in one durable commit with the rest of its claim (messenger.receiveMany), and only then
 * settles the claim. The other replicas wait for the claim; if it failed (the replica vanished, or
 * its copy would not open) they take the body from their own copy.
 *
 * A replica is acknowledged (a tombstone signed by us, which handover spreads to every holder) only
 * what is in our inbox: nothing is deleted at a mailbox before it is on our disk. A copy that will
 * not open is discarded at the replica that served it, and only there: a signed tombstone for it
 * would let one replica that swaps bodies have the genuine copies deleted everywhere. A node that
 * predates ids-only listing answers with bodies, which are opened as they come.
 */
import type { PeerId, PrivateKey } from '@libp2p/interface'
import type { Envelope, MailboxResponse } from '../../../proto/cairn.js'
import { signAck } from '../../shared/ack-signature.js'
import type { Clock, Timer } from '../../shared/clock.js'
import type { CairnConfig } from '../../shared/config.js'
import { describeError, ProtocolError } from '../../shared/errors.js'
import type { Logger } from '../../shared/logger.js'
import type { CairnNode } from '../../shared/node/create-node.js'
import { closestPeers, mailboxKey } from '../../shared/placement.js'
import { MAILBOX_PAGE_IDS, mailboxAnswerBudget } from '../../shared/protocols/ids.js'
import type { Messenger } from '../messenger.js'
import { askMailboxOk } from './mailbox-rpc.js'

export interface CollectResult {
  received: number
  replicas: number
  refused: number
  /** Envelope bodies transferred (every replica's copy would be replicas × received). */
  fetched: number
}

/** One collect: what every replica's loop shares. */
interface Collection {
  node: CairnNode
  messenger: Messenger
  config: CairnConfig
  options: CollectOptions
  /** Each id's ack signature, made once for every replica (it covers only the owner and the id). */
  sign: (id: Uint8Array) => Promise<Uint8Array<ArrayBuffer>>
  /** id → settles true once that envelope is in the inbox, false if its claimant did not get it there. */
  claims: Map<string, Promise<boolean>>
  tally: { received: number, refused: number, fetched: number }
}

export interface CollectOptions {
  /** Whose time deadlines and waits are measured in. */
  clock: Clock
  signal?: AbortSignal
  /** Called once the mailboxes are found and after each page that brought mail. */
  onProgress?: (p: { stage: 'collecting', mailboxes: number, received: number }) => void
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
/** How long a replica waits for another's claim on an id before taking its own copy, ms. */
const CLAIM_WAIT_MS = 5000
/** One replica's whole collection may take this many request timeouts (15 s each by default). */
const REPLICA_DEADLINE_REQUESTS = 20
/** What an answer to us may carry: a mailbox cuts its pages to fit our frame limit, not only its own. */
const answerBudget = (config: CairnConfig): number => mailboxAnswerBudget(config.mailbox.frameBytes)

export async function collectMail (node: CairnNode, peerKey: PrivateKey, messenger: Messenger, config: CairnConfig, log: Logger, options: CollectOptions): Promise<CollectResult> {
  const replicas = await closestPeers(node, mailboxKey(node.peerId), config.mailbox.replicas * 2, { clock: options.clock, perSubnet: config.mailbox.replicasPerSubnet, ...(options.signal === undefined ? {} : { signal: options.signal }) })
  const report = (): void => options.onProgress?.({ stage: 'collecting', mailboxes: replicas.length, received: c.tally.received })
  const signatures = new Map<string, Promise<Uint8Array<ArrayBuffer>>>()
  const c: Collection = {
    node,
    messenger,
    config,
    options,
    sign: async (id) => {
      let s = signatures.get(hex(id))
      if (s === undefined) { s = signAck(peerKey, node.peerId, id); signatures.set(hex(id), s) }
      return s
    },
    claims: new Map(),
    tally: { received: 0, refused: 0, fetched: 0 }
  }
  report()
  // once one replica that held mail has handed over all of it, the slower ones get collectGraceMs
  // more; what they alone hold stays there (unacknowledged) for the next sync. (A replica with
  // nothing says nothing about the others: it does not start the clock.)
  const late = new AbortController()
  let grace: Timer | undefined
  await Promise.all(replicas.map(async peer => {
    try {
      if (await collectFrom(c, peer, report, late.signal) === 0) return
      grace ??= options.clock.setTimeout(() => { late.abort(new Error('other mailboxes answered; this one is left for the next sync')) }, config.delivery.collectGraceMs)
    } catch (err) {
      log.info({ peer: peer.toString(), err: describeError(err) }, 'mailbox unreachable for fetch')
    }
  }))
  grace?.clear()
  return { ...c.tally, replicas: replicas.length }
}

/**
 * Page through one replica. The next page's ids are asked for while this page is opened, and each
 * ack goes out without holding up the next page (all are awaited before returning): three round
 * trips a page, overlapped. Returns how many ids the replica listed.
 */
async function collectFrom (c: Collection, peer: PeerId, report: () => void, late: AbortSignal): Promise<number> {
  // a replica that never stops listing (or answers at a crawl) must not hold the sync forever
  const limit = c.options.clock.timeout(c.config.limits.requestTimeoutMs * REPLICA_DEADLINE_REQUESTS)
  const r: Collection = { ...c, options: { ...c.options, signal: AbortSignal.any([limit, late, ...(c.options.signal === undefined ? [] : [c.options.signal])]) } }
  const list = (after: Uint8Array<ArrayBuffer>): Promise<MailboxResponse> => quiet(askMailboxOk(r.node, r.config, peer, { fetch: { after, limit: r.config.mailbox.pageSize, idsOnly: true, ids: [], maxBytes: answerBudget(r.config) } }, r.options))
  const acks: Array<Promise<unknown>> = []
  let listed = 0
  let previous = ''
  try {
    let next = list(new Uint8Array(0))
    for (;;) {
      const page = await next
      const last = page.envelopes.at(-1)
      if (last === undefined) break
      // ids come in strictly ascending order, after the cursor, and no more than any mailbox should
      // hold (ten times our own quota: operators may set theirs higher)
      for (const e of page.envelopes) {
        const id = hex(e.id)
        if (e.id.length !== 16 || id <= previous) throw new ProtocolError(`mailbox ${peer.toString()} listed ids out of order`)
        previous = id
      }
      listed += page.envelopes.length
      if (listed > r.config.mailbox.maxEnvelopesPerRecipient * 10) throw new ProtocolError(`mailbox ${peer.toString()} listed more mail than a mailbox holds`)
      if (page.more) next = list(new Uint8Array(last.id))
      const ids = page.envelopes.map(e => e.id)
      const inline = page.envelopes.every(e => e.sealed.length > 0) ? page.envelopes : undefined
      const { missing, refused } = await takeUnseen(r, peer, await r.messenger.unseen(ids), inline)
      const inInbox = ids.filter(id => !missing.has(hex(id)) && !refused.has(hex(id)))
      const acked = await Promise.all(inInbox.map(async id => ({ id, expiresAt: 0, signature: await r.sign(id) })))
      const discard = ids.filter(id => refused.has(hex(id)))
      if (acked.length > 0 || discard.length > 0) acks.push(quiet(askMailboxOk(r.node, r.config, peer, { ack: { acked, discard } }, r.options)))
      if (missing.size < ids.length) report()
      if (!page.more) break
    }
  } finally {
    await Promise.allSettled(acks)
  }
  // an ack that failed leaves the mail there (reported as this replica failing); the next collect
  // finds it in the inbox and acks it then
  for (const ack of acks) await ack
  return listed
}

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
async function takeUnseen (c: Collection, peer: PeerId, unseen: Array<Uint8Array<ArrayBuffer>>, inline: Envelope[] | undefined): Promise<Outcome> {
  const theirs = unseen.filter(id => c.claims.has(hex(id)))
  const mine = unseen.filter(id => !c.claims.has(hex(id)))
  let failure: unknown
  const outcome = await claimAndOpen(c, peer, mine, inline).catch((err: unknown) => {
    failure = err // the others' claims still get their turn below
    return { missing: new Set(mine.map(hex)), refused: new Set<string>() }
  })
  // a claimant that is slow to deliver (or stalls on purpose) is not waited for long: this replica
  // takes its own copy (a second copy of one message is a duplicate, shown once)
  const failed = await Promise.all(theirs.map(async id => await settledWithin(c.options.clock, c.claims.get(hex(id)) as Promise<boolean>, CLAIM_WAIT_MS) ? undefined : id))
  const retry = await claimAndOpen(c, peer, failed.filter(id => id !== undefined), inline)
  if (failure !== undefined) throw failure
  return { missing: new Set([...outcome.missing, ...retry.missing]), refused: new Set([...outcome.refused, ...retry.refused]) }
}

/** Whether `claim` settled true within `ms`. */
async function settledWithin (clock: Clock, claim: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: Timer | undefined
  const late = new Promise<boolean>(resolve => { timer = clock.setTimeout(() => { resolve(false) }, ms) })
  try {
    return await Promise.race([claim, late])
  } finally {
    timer?.clear()
  }
}

/**
 * Claim `ids`, fetch their bodies from `peer` (unless the page brought them) and open them in one
 * commit; settle each claim with whether it is now in the inbox. A copy that would not open fails
 * its claim, so another replica's copy still gets its chance.
 */
async function claimAndOpen (c: Collection, peer: PeerId, ids: Array<Uint8Array<ArrayBuffer>>, inline: Envelope[] | undefined): Promise<Outcome> {
  const missing = new Set(ids.map(hex))
  const refused = new Set<string>()
  if (ids.length === 0) return { missing, refused }
  const inInbox = new Set<string>()
  const settle = new Map<string, (inbox: boolean) => void>()
  for (const key of missing) c.claims.set(key, new Promise(resolve => settle.set(key, resolve)))
  try {
    const bodies = (inline ?? await fetchBodies(c, peer, ids)).filter(e => missing.has(hex(e.id)))
    const unique = [...new Map(bodies.map(e => [hex(e.id), e])).values()]
    c.tally.fetched += unique.length
    const statuses = await c.messenger.receiveMany(unique, 'mailbox')
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
    out.push(...res.envelopes)
    const last = res.envelopes.at(-1)
    // a short answer (`more`) stopped for size: go on after the last id it carried
    const next = res.more && last !== undefined ? ask.findIndex(id => hex(id) === hex(last.id)) + 1 : ask.length
    if (next === 0) break // an answer naming none of what we asked: do not loop on it
    rest = rest.slice(next)
  }
  return out
}
