/**
 * Handover traffic under a small churn: mailbox peers on a ManualClock hold mail for recipients
 * who are away; every simulated hour one peer leaves and one that left comes back (on its data
 * dir), and every online peer runs its hourly handover pass (runOnce) instead of waiting for the
 * timer. Copies and bytes come from MailboxMetrics; the recipients then collect and every message
 * is checked by id. Baseline: the deposit itself (k copies of each envelope).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { MailboxMetrics } from '../../src/mailbox/index.js'
import { ManualClock } from '../../src/shared/clock.js'
import { Cluster, addressOf, routeOf, type Peer } from '../lib/cluster.js'
import { row, type Row } from '../lib/report.js'
import { rng } from '../lib/stats.js'

export interface HandoverOptions { mailboxNodes: number, recipients: number, messagesEach: number, hours: number, seed: number }

const HOUR = 3600_000

interface Traffic { copies: number, bytes: number, received: number, runs: number }

/** Retries of the outbox before a send that fell back to it fails the run. */
const OUTBOX_RETRIES = 3

/**
 * A send that fell back to the outbox (a deposit or bundle lookup that failed on a starved
 * machine: the product's answer, which retries it) is deposited by the outbox's retry, as a
 * daemon's timer would, after the recipient's bundle wait (delivery.syncIntervalMs at most) has run
 * out on the simulated clock. Handover needs every message at the replicas before the churn
 * starts; one still queued after OUTBOX_RETRIES fails the run, naming why each first waited.
 */
async function retryOutbox (sender: Peer, clock: ManualClock, queued: string[]): Promise<void> {
  const client = sender.client
  if (queued.length === 0 || client === undefined) return
  for (let attempt = 0; (await client.status()).outbox > 0; attempt++) {
    if (attempt === OUTBOX_RETRIES) throw new Error(`${(await client.status()).outbox} messages still in ${sender.name}'s outbox after ${OUTBOX_RETRIES} retries; first queued: ${queued.join(', ')}`)
    clock.advance(client.config.delivery.syncIntervalMs)
    await client.messenger.flushOutbox()
  }
}

export async function handoverSuite (o: HandoverOptions): Promise<Row[]> {
  const root = await mkdtemp(join(tmpdir(), 'cairn-bench-handover-'))
  const clock = new ManualClock(Date.now())
  const cluster = new Cluster({ root, clock, mailbox: true })
  const random = rng(o.seed)
  try {
    const boxes = await cluster.addMany('mbx', o.mailboxNodes)
    await cluster.warm()
    const k = boxes[0]?.client?.config.mailbox.replicas ?? 5
    const alice = await cluster.add('alice', { mailbox: false })
    const away: Peer[] = []
    for (let r = 0; r < o.recipients; r++) {
      const p = await cluster.add(`rcpt-${r}`, { mailbox: false })
      await p.client?.publishBundles()
      await cluster.stop(p)
      await alice.client?.contactAdd(p.name, addressOf(p))
      away.push(p)
    }
    const sent = new Map<string, Set<string>>()
    const queued: string[] = []
    let sealedBytes = 0
    for (const p of away) {
      const ids = new Set<string>()
      for (let i = 0; i < o.messagesEach; i++) {
        const r = await alice.client?.send(p.name, `message ${i} for ${p.name} `.padEnd(1024, '.'))
        if (r === undefined) throw new Error(`${alice.name} is not running`)
        if (r.route === 'outbox') queued.push(`${p.name} (${routeOf(r)})`)
        else if (r.route !== 'mailbox') throw new Error(`a message to ${p.name} went by ${routeOf(r)}`)
        ids.add(r.id)
      }
      sent.set(p.peerId, ids)
    }
    await retryOutbox(alice, clock, queued)
    for (const b of boxes) sealedBytes = Math.max(sealedBytes, (b.client?.mailbox?.metrics.depositBytes ?? 0) / Math.max(1, b.client?.mailbox?.metrics.deposits.stored ?? 0))
    await cluster.stop(alice)
    const messages = o.recipients * o.messagesEach
    // what the deposits themselves did is not handover traffic: start counting now
    const traffic: Traffic = { copies: 0, bytes: 0, received: 0, runs: 0 }
    const base = new Map(boxes.map(b => [b, { ...(b.client?.mailbox?.metrics ?? {}) }]))
    const settle = (b: Peer): void => {
      const m = b.client?.mailbox?.metrics
      const b0 = base.get(b) as Partial<MailboxMetrics> | undefined
      if (m === undefined) return
      traffic.copies += m.handoverEnvelopesSent - (b0?.handoverEnvelopesSent ?? 0)
      traffic.bytes += m.handoverBytesSent - (b0?.handoverBytesSent ?? 0)
      traffic.received += m.handoverEnvelopesReceived - (b0?.handoverEnvelopesReceived ?? 0)
      traffic.runs += m.handoverRuns - (b0?.handoverRuns ?? 0)
      base.delete(b)
    }
    /** Copies sent so far since the deposits, settled peers and online ones alike. */
    const copiesSoFar = (): number => traffic.copies + boxes.reduce((n, b) => {
      const sent = b.client?.mailbox?.metrics.handoverEnvelopesSent
      return sent === undefined ? n : n + sent - ((base.get(b) as Partial<MailboxMetrics> | undefined)?.handoverEnvelopesSent ?? 0)
    }, 0)
    const hourly: string[] = []
    const left: Peer[] = []
    for (let h = 0; h < o.hours; h++) {
      const online = boxes.filter(b => b.client !== undefined)
      // the leaver is one that holds mail: a peer outside every replica set leaving needs no copy
      // (a smoke run of 2 hours once drew such a peer and copied nothing to measure)
      const holders = online.filter(b => away.some(p => (b.client?.mailbox?.store.usageOf(p.peerId).count ?? 0) > 0))
      const pool = holders.length > 0 ? holders : online
      const leaving = pool[Math.floor(random() * pool.length)] as Peer
      const before = copiesSoFar()
      settle(leaving)
      await cluster.stop(leaving)
      const back = left.shift()
      if (back !== undefined) await cluster.start(back)
      left.push(leaving)
      // an hour's Kademlia refresh: the routing tables know who is online before the passes run (a
      // peer back this second, not yet in anyone's table, got no copies, and under load a smoke run
      // once copied nothing at all)
      await cluster.warm()
      clock.advance(HOUR)
      for (const b of boxes) await b.client?.mailbox?.handover.runOnce()
      hourly.push(`${leaving.name} left: ${copiesSoFar() - before}`)
    }
    for (const b of boxes) settle(b)
    let delivered = 0
    const missing: string[] = []
    for (const p of away) {
      const client = await cluster.start(p, { mailbox: false })
      // alice is a contact: a stranger's mail is capped per day (delivery.strangerMessagesPerDay)
      await client.contactAdd('alice', addressOf(alice))
      const synced = await client.sync()
      const ids = sent.get(p.peerId) as Set<string>
      const got = (await client.inbox()).filter(m => ids.has(m.id))
      if (new Set(got.map(m => m.id)).size !== got.length) throw new Error(`${p.name} was shown a message twice`)
      delivered += got.length
      if (got.length < ids.size) {
        const held = boxes.map(b => b.client?.mailbox === undefined ? 'offline' : String(b.client.mailbox.store.usageOf(p.peerId).count))
        missing.push(`${p.name}: ${got.length} of ${ids.size} (sync: ${JSON.stringify(synced.mailboxes)}; held per mailbox node: ${held.join(',')})`)
      }
    }
    if (delivered !== messages) throw new Error(`handover under churn: ${delivered} of ${messages} messages delivered; ${missing.join('; ')}`)
    const days = o.hours / 24
    const fellBack = queued.length === 0 ? '' : ` (${queued.length} first went to the outbox and were deposited by its retry)`
    const note = `${o.mailboxNodes} mailbox peers, k=${k}, ${messages} messages of ~${Math.round(sealedBytes)} B sealed${fellBack}, one peer leaving and one returning per hour for ${o.hours} h; all ${messages} delivered once afterwards`
    return [
      row({ name: 'handover.copies', label: 'handover copies per message per day (churn 1 peer/h)', unit: 'copies', value: traffic.copies / messages / days, baseline: `deposit: k=${k} copies per message`, baselineValue: k, better: 'lower', samples: o.hours, stat: `total over ${o.hours} simulated hours`, notes: `${note}; ${traffic.runs} handover passes, ${traffic.received} copies received; copies per hour: ${hourly.join(', ')}` }),
      row({ name: 'handover.bytes', label: 'handover bytes per message per day (churn 1 peer/h)', unit: 'B', value: traffic.bytes / messages / days, baseline: `deposit: k=${k} × sealed size`, baselineValue: k * sealedBytes, better: 'lower', samples: o.hours, stat: `total over ${o.hours} simulated hours`, notes: `${traffic.runs} handover passes` })
    ]
  } finally {
    await cluster.stopAll()
    await rm(root, { recursive: true, force: true })
  }
}
