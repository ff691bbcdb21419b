/**
 * One simulation run: the plan's events in simulated-time order (leave, join + sync, send), and
 * every simulated hour the handover, a sweep every 6 h, a sync for online peers with mail waiting
 * or an outbox to retry (the daemon's periodic work), DHT lookup and memory samples. It ends when
 * every message has arrived (after the sending window), when churn has settled and nothing is
 * left to wait for, or when the wall-clock budget runs out.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parsePeerId } from '../../src/shared/peer-id.js'
import { mailboxKey } from '../../src/shared/placement.js'
import { now, rng } from '../lib/stats.js'
import { HandoverDriver, type HandoverMode } from './handover-driver.js'
import { DAY, HOUR, plan, type PlannedMessage } from './model.js'
import { World, type Traffic } from './world.js'

export interface SimOptions {
  nodes: number
  churn: number
  replicas: number
  /** Kademlia's K for every peer (network.dhtK); default: the config's. */
  dhtK?: number
  messages: number
  sendDays: number
  /** Longest absence of a churning peer, days (14: as long as mail may wait). */
  maxAwayDays: number
  textBytes: number
  seed: number
  handover: HandoverMode
  /** Wall-clock budget, minutes. */
  minutes: number
  log: (...a: unknown[]) => void
}

export interface SentMessage extends PlannedMessage { id?: string, route?: string, sentAt: number, sendMs: number, error?: string }

export interface SimRun {
  options: Omit<SimOptions, 'log'>
  churners: number
  sent: SentMessage[]
  /** Per recipient peer index: its inbox at the end. */
  inboxes: Array<Array<{ id: string, from: string, text: string, sentAt: number, receivedAt: number, route: string }>>
  peerIds: string[]
  traffic: Traffic
  lookups: Array<{ ms: number, queried: number, found: number }>
  memory: Array<{ simHours: number, online: number, rssMiB: number, heapMiB: number }>
  baseRssMiB: number
  events: { leaves: number, joins: number, handoverPasses: number, syncs: number }
  simHours: number
  wallSeconds: number
  setupSeconds: number
  /** Wall seconds spent per kind of work. */
  phases: Record<string, number>
  /** Why handover passes ran (changed mode), summed over the run: recipient-hours. */
  handoverReasons: Record<string, number>
  /** The simulated clock at the start, ms since the epoch. */
  start: number
  complete: boolean
}

const MiB = 2 ** 20
export const textOf = (m: PlannedMessage, bytes: number): string => `sim ${m.index} from ${m.from} to ${m.to} `.padEnd(bytes, '.')

export async function simulate (o: SimOptions): Promise<SimRun> {
  const t0 = now()
  const baseRssMiB = process.memoryUsage().rss / MiB
  const p = plan({ nodes: o.nodes, churn: o.churn, sendWindowMs: o.sendDays * DAY, maxAwayMs: o.maxAwayDays * DAY, messages: o.messages, seed: o.seed })
  const root = await mkdtemp(join(tmpdir(), 'cairn-sim-'))
  // simulated time runs ahead of the real clock, never behind: libsignal's sealed-sender encryption
  // reads the system clock and rejects a session whose pending prekey looks older than 30 days
  const start = Math.floor(Date.now())
  const world = new World({ root, nodes: o.nodes, replicas: o.replicas, start, ...(o.dhtK === undefined ? {} : { dhtK: o.dhtK }) })
  const random = rng(o.seed ^ 0x5eed)
  const driver = new HandoverDriver(world, o.replicas, o.handover)
  const sent: SentMessage[] = []
  const pending = new Set<number>()
  const idToIndex = new Map<string, number>()
  const events = { leaves: 0, joins: 0, handoverPasses: 0, syncs: 0 }
  const lookups: SimRun['lookups'] = []
  const memory: SimRun['memory'] = []
  let complete = false
  let simHours = 0
  const phases: Record<string, number> = {}
  const handoverReasons: Record<string, number> = {}
  const timedPhase = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t = now()
    try { return await fn() } finally { phases[name] = (phases[name] ?? 0) + (now() - t) / 1000 }
  }
  world.onMessage = (_to, m) => { const i = idToIndex.get(m.id); if (i !== undefined) pending.delete(i) }
  try {
    await world.setup()
    const setupSeconds = (now() - t0) / 1000
    sampleMemory(0)
    o.log(`${o.nodes} peers up in ${setupSeconds.toFixed(0)} s (${p.churners.length} churn); ${p.messages.length} messages over ${o.sendDays} d`)
    const deadline = t0 + o.minutes * 60_000
    const lastHour = Math.ceil(p.settledAt / HOUR) + 1
    let next = 0
    for (let h = 0; h <= lastHour; h++) {
      simHours = h
      // presence changes at this hour's events, in order, then the sends that fall in it
      const changes = p.presence.flatMap((pres, i) => pres.flatMap(([a, b]) => [[a, i, 'join'], [b, i, 'leave']] as Array<[number, number, string]>))
        .filter(([at]) => at > 0 && at >= h * HOUR && at < (h + 1) * HOUR && Number.isFinite(at))
      const todo: Array<{ at: number, run: () => Promise<void> }> = changes.map(([at, i, kind]) => ({
        at,
        run: async () => {
          if (kind === 'leave' && world.isOnline(i)) { await timedPhase('leave', async () => world.leave(i)); events.leaves++ }
          if (kind === 'join' && !world.isOnline(i)) { await timedPhase('join+sync', async () => world.join(i)); events.joins++ }
        }
      }))
      while (next < p.messages.length && (p.messages[next] as PlannedMessage).at < (h + 1) * HOUR) {
        const m = p.messages[next++] as PlannedMessage
        todo.push({ at: m.at, run: async () => { await timedPhase('send', async () => sendOne(m)) } })
      }
      for (const e of todo.sort((a, b) => a.at - b.at)) {
        world.clock.set(start + e.at)
        await e.run()
      }
      world.clock.set(start + (h + 1) * HOUR)
      const hour = await timedPhase('handover', async () => driver.hour())
      events.handoverPasses += hour.passes
      for (const [k, v] of Object.entries(hour.reasons)) handoverReasons[k] = (handoverReasons[k] ?? 0) + v
      if (h % 6 === 5) await timedPhase('sweep', async () => Promise.all(world.online().map(async i => world.client(i).mailbox?.sweep())))
      await timedPhase('periodic sync', periodicSync)
      if (h % 6 === 0) await timedPhase('lookup sample', sampleLookup)
      if (h % 12 === 11) sampleMemory(h + 1)
      if (h % 24 === 23) o.log(`day ${(h + 1) / 24}: ${world.online().length} online, ${sent.length} sent, ${pending.size} waiting, ${((now() - t0) / 60_000).toFixed(1)} min; wall s by phase: ${Object.entries(phases).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}; handover because ${JSON.stringify(handoverReasons)}`)
      if (next >= p.messages.length && pending.size === 0 && (h + 1) * HOUR >= o.sendDays * DAY) { complete = true; break }
      if (now() > deadline) { o.log(`wall-clock budget of ${o.minutes} min spent at simulated hour ${h}`); break }
      if (h === lastHour) complete = true
    }
    simHours += 1
    sampleMemory(simHours)
    const inboxes: SimRun['inboxes'] = []
    for (let i = 0; i < o.nodes; i++) inboxes.push((await world.inbox(i)).map(m => ({ id: m.id, from: m.from, text: m.text, sentAt: m.sentAt, receivedAt: m.receivedAt, route: m.route })))
    return {
      options: { nodes: o.nodes, churn: o.churn, replicas: o.replicas, messages: o.messages, sendDays: o.sendDays, maxAwayDays: o.maxAwayDays, textBytes: o.textBytes, seed: o.seed, handover: o.handover, minutes: o.minutes },
      churners: p.churners.length,
      sent,
      inboxes,
      peerIds: world.peers.map(x => x.peerId),
      traffic: world.traffic,
      lookups,
      memory,
      baseRssMiB,
      events,
      simHours,
      wallSeconds: (now() - t0) / 1000,
      setupSeconds,
      phases,
      handoverReasons,
      start,
      complete
    }
  } finally {
    await world.stopAll().catch(() => {})
    await rm(root, { recursive: true, force: true })
  }

  async function sendOne (m: PlannedMessage): Promise<void> {
    const s: SentMessage = { ...m, sentAt: world.clock.now() - start, sendMs: 0 }
    sent.push(s)
    if (!world.isOnline(m.from)) { s.error = 'sender offline'; return }
    const t = now()
    try {
      const r = await world.send(m.from, m.to, textOf(m, o.textBytes))
      s.id = r.id
      s.route = r.route
      idToIndex.set(r.id, m.index)
      pending.add(m.index)
    } catch (err) {
      s.error = String(err)
    }
    s.sendMs = now() - t
    // a direct send is stored before the receipt comes back: it may already be in the inbox
    if (s.id !== undefined && s.route === 'direct') pending.delete(m.index)
  }

  async function periodicSync (): Promise<void> {
    const waiting = new Set(sent.filter(s => s.id !== undefined && pending.has(s.index)).map(s => s.to))
    for (const i of world.online()) {
      const outbox = (await world.client(i).messenger.pending()).length > 0
      const mail = waiting.has(i) && world.online().some(j => (world.client(j).mailbox?.store.usageOf(world.peers[i]?.peerId ?? '').count ?? 0) > 0)
      if (outbox || mail) { await world.sync(i); events.syncs++ }
    }
  }

  async function sampleLookup (): Promise<void> {
    const online = world.online()
    const a = online[Math.floor(random() * online.length)] as number
    const target = world.peers[Math.floor(random() * world.peers.length)]
    const node = world.client(a).node
    if (node === undefined || target === undefined) return
    const t = now()
    let queried = 0
    let found = 0
    try {
      for await (const ev of node.services.dht.getClosestPeers(mailboxKey(parsePeerId(target.peerId)), { signal: AbortSignal.timeout(15_000) })) {
        if (ev.name === 'SEND_QUERY') queried++
        if (ev.name === 'FINAL_PEER') found++
      }
    } catch { /* a lookup that timed out still counts with what it did */ }
    lookups.push({ ms: now() - t, queried, found })
  }

  function sampleMemory (h: number): void {
    const m = process.memoryUsage()
    memory.push({ simHours: h, online: world.online().length, rssMiB: m.rss / MiB, heapMiB: m.heapUsed / MiB })
  }
}

