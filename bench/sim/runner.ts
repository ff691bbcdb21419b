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
import { DAY, HOUR, plan, planGroups, type PlannedGroupChange, type PlannedGroupMessage, type PlannedMessage } from './model.js'
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
  /** A group workload beside the 1:1 one (absent or count 0: none). */
  groups?: GroupWorkload
}

export interface GroupWorkload {
  /** Groups created at the start, while every peer is online. */
  count: number
  minSize: number
  maxSize: number
  /** Group messages over the sending window. */
  messages: number
  /** Membership changes (add or remove, by the group's creator) over the sending window. */
  changes: number
}

export interface SentGroupMessage extends PlannedGroupMessage {
  id?: string
  /** PeerId of the sender. */
  sender: string
  sentAt: number
  sendMs: number
  /** Peer indices the sender handed it to: the members in its view of the group when sent. */
  expected: number[]
  /** Members by the group's current membership (as the creator's changes left it) the sender's view lacked. */
  notInSenderView: number[]
  /** Per member: the route the sender used (direct, mailbox, outbox). */
  routes: Record<string, string>
  error?: string
}

export interface GroupChangeDone extends PlannedGroupChange { done: boolean, error?: string }

export interface SimGroupRun {
  workload: GroupWorkload
  /** Per group: its id and members at creation (peer indices). */
  groups: Array<{ id: string, members: number[] }>
  sent: SentGroupMessage[]
  changes: GroupChangeDone[]
}

export interface SentMessage extends PlannedMessage { id?: string, route?: string, sentAt: number, sendMs: number, error?: string }

export interface SimRun {
  options: Omit<SimOptions, 'log'>
  churners: number
  sent: SentMessage[]
  /** Per recipient peer index: its inbox at the end. */
  inboxes: Array<Array<{ id: string, from: string, text: string, sentAt: number, receivedAt: number, route: string, group?: string }>>
  /** The group workload, when there was one. */
  groupRun?: SimGroupRun
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
export const groupTextOf = (m: PlannedGroupMessage, bytes: number): string => `group-sim ${m.index} in ${m.group} from ${m.from} `.padEnd(bytes, '.')

export async function simulate (o: SimOptions): Promise<SimRun> {
  const t0 = now()
  const baseRssMiB = process.memoryUsage().rss / MiB
  const p = plan({ nodes: o.nodes, churn: o.churn, sendWindowMs: o.sendDays * DAY, maxAwayMs: o.maxAwayDays * DAY, messages: o.messages, seed: o.seed })
  const gw = o.groups !== undefined && o.groups.count > 0 ? o.groups : undefined
  const gp = planGroups({ nodes: o.nodes, groups: gw?.count ?? 0, minSize: gw?.minSize ?? 0, maxSize: gw?.maxSize ?? 0, messages: gw?.messages ?? 0, changes: gw?.changes ?? 0, sendWindowMs: o.sendDays * DAY, seed: o.seed }, p.presence)
  const groupRun: SimGroupRun = { workload: gw ?? { count: 0, minSize: 0, maxSize: 0, messages: 0, changes: 0 }, groups: [], sent: [], changes: [] }
  /** Group deliveries still awaited: `${id}|${sender}|${member index}`. */
  const pendingGroup = new Set<string>()
  /** Group deliveries seen so far (some arrive before the send call returns). */
  const delivered = new Set<string>()
  /** Each group's membership as its creator's changes left it (peer indices). */
  const membership: Array<Set<number>> = []
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
  world.onMessage = (to, m) => {
    if (m.group !== undefined) { const k = `${m.id}|${m.from}|${to}`; delivered.add(k); pendingGroup.delete(k); return }
    const i = idToIndex.get(m.id)
    if (i !== undefined) pending.delete(i)
  }
  try {
    await world.setup()
    for (const g of gp.groups) {
      const creator = g.members[0] as number
      const view = await world.client(creator).groups.create(`sim-${g.index}`, g.members.slice(1).map(i => world.peers[i]?.peerId as string))
      groupRun.groups.push({ id: view.id, members: g.members })
      membership.push(new Set(g.members))
    }
    const setupSeconds = (now() - t0) / 1000
    sampleMemory(0)
    o.log(`${o.nodes} peers up in ${setupSeconds.toFixed(0)} s (${p.churners.length} churn); ${p.messages.length} messages over ${o.sendDays} d${gw === undefined ? '' : `; ${gp.groups.length} groups (${gp.groups.map(g => g.members.length).join(', ')} members), ${gp.messages.length} group messages, ${gp.changes.length} membership changes`}`)
    const deadline = t0 + o.minutes * 60_000
    const lastHour = Math.ceil(p.settledAt / HOUR) + 1
    let next = 0
    let nextGroup = 0
    let nextChange = 0
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
      while (nextGroup < gp.messages.length && (gp.messages[nextGroup] as PlannedGroupMessage).at < (h + 1) * HOUR) {
        const m = gp.messages[nextGroup++] as PlannedGroupMessage
        todo.push({ at: m.at, run: async () => { await timedPhase('group send', async () => sendGroup(m)) } })
      }
      while (nextChange < gp.changes.length && (gp.changes[nextChange] as PlannedGroupChange).at < (h + 1) * HOUR) {
        const c = gp.changes[nextChange++] as PlannedGroupChange
        todo.push({ at: c.at, run: async () => { await timedPhase('group change', async () => changeGroup(c)) } })
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
      if (h % 24 === 23) o.log(`day ${(h + 1) / 24}: ${world.online().length} online, ${sent.length} sent, ${pending.size} waiting${gw === undefined ? '' : `, ${groupRun.sent.length} group messages sent, ${pendingGroup.size} group deliveries waiting`}, ${((now() - t0) / 60_000).toFixed(1)} min; wall s by phase: ${Object.entries(phases).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}; handover because ${JSON.stringify(handoverReasons)}`)
      const groupsDone = nextGroup >= gp.messages.length && nextChange >= gp.changes.length && pendingGroup.size === 0
      if (next >= p.messages.length && pending.size === 0 && groupsDone && (h + 1) * HOUR >= o.sendDays * DAY) { complete = true; break }
      if (now() > deadline) { o.log(`wall-clock budget of ${o.minutes} min spent at simulated hour ${h}`); break }
      if (h === lastHour) complete = true
    }
    simHours += 1
    sampleMemory(simHours)
    const inboxes: SimRun['inboxes'] = []
    for (let i = 0; i < o.nodes; i++) inboxes.push((await world.inbox(i)).map(m => ({ id: m.id, from: m.from, text: m.text, sentAt: m.sentAt, receivedAt: m.receivedAt, route: m.route, ...(m.group === undefined ? {} : { group: m.group.id }) })))
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
      complete,
      ...(gw === undefined ? {} : { groupRun })
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

  async function sendGroup (m: PlannedGroupMessage): Promise<void> {
    const g = groupRun.groups[m.group] as { id: string }
    const s: SentGroupMessage = { ...m, sender: world.peers[m.from]?.peerId as string, sentAt: world.clock.now() - start, sendMs: 0, expected: [], notInSenderView: [], routes: {} }
    groupRun.sent.push(s)
    if (!world.isOnline(m.from)) { s.error = 'sender offline'; return }
    const t = now()
    try {
      const r = await world.client(m.from).groups.send(g.id, groupTextOf(m, o.textBytes))
      s.id = r.id
      s.routes = r.members
      const index = new Map(world.peers.map((x, i) => [x.peerId, i]))
      s.expected = Object.keys(r.members).map(id => index.get(id) as number)
      s.notInSenderView = [...(membership[m.group] ?? [])].filter(i => i !== m.from && !s.expected.includes(i))
      for (const i of s.expected) pendingGroup.add(`${r.id}|${s.sender}|${i}`)
      // those that arrived while the send was running (direct, gossip)
      for (const i of s.expected) if (delivered.has(`${r.id}|${s.sender}|${i}`)) pendingGroup.delete(`${r.id}|${s.sender}|${i}`)
    } catch (err) {
      s.error = String(err)
    }
    s.sendMs = now() - t
  }

  async function changeGroup (c: PlannedGroupChange): Promise<void> {
    const g = groupRun.groups[c.group] as { id: string, members: number[] }
    const done: GroupChangeDone = { ...c, done: false }
    groupRun.changes.push(done)
    const creator = g.members[0] as number
    if (!world.isOnline(creator)) { done.error = 'creator offline'; return }
    const peer = world.peers[c.peer]?.peerId as string
    try {
      const view = c.kind === 'add' ? await world.client(creator).groups.add(g.id, [peer]) : await world.client(creator).groups.remove(g.id, [peer])
      const index = new Map(world.peers.map((x, i) => [x.peerId, i]))
      membership[c.group] = new Set(view.members.map(x => index.get(x.peerId) as number))
      done.done = true
    } catch (err) {
      done.error = String(err)
    }
  }

  async function periodicSync (): Promise<void> {
    const waiting = new Set(sent.filter(s => s.id !== undefined && pending.has(s.index)).map(s => s.to))
    for (const k of pendingGroup) waiting.add(Number(k.split('|')[2]))
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

