/**
 * The churn and workload model, in simulated time, drawn from a seeded PRNG so a run can be
 * repeated. Churning peers alternate sessions like IPFS peers' (log-normal: median 2 h, 85 % under
 * 8 h) with absences of one hour to two weeks (log-uniform); the rest stay online. Messages go
 * between random pairs at random times of the sending window, from a sender online at that time.
 */
import { rng } from '../lib/stats.js'

export const MINUTE = 60_000
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR

export interface ModelOptions {
  nodes: number
  /** Fraction of the nodes that churn (0..1); the others stay online throughout. */
  churn: number
  /** Simulated span during which messages are sent, ms. */
  sendWindowMs: number
  messages: number
  seed: number
  /** Longest absence, ms (default 14 days: no mail waits longer than its TTL). */
  maxAwayMs?: number
  /** Peers 0..seeds-1 bootstrap the network and never churn (default 1). */
  seeds?: number
}


/** One node's presence: [from, to) intervals when it is online, in simulated ms from the start. */
export type Presence = Array<[number, number]>

export interface PlannedMessage { index: number, at: number, from: number, to: number }

export interface Plan {
  churners: number[]
  presence: Presence[]
  messages: PlannedMessage[]
  /** Simulated time by which every absence has ended and churn has stopped, ms. */
  settledAt: number
}

/** Standard normal by Box–Muller. */
function normal (random: () => number): number {
  const u = Math.max(random(), 1e-12)
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random())
}

const SESSION_MEDIAN = 2 * HOUR
/** ln(8 h / 2 h) / z(0.85): 85 % of sessions end within 8 h. */
const SESSION_SIGMA = Math.log(4) / 1.0364

/** Whole milliseconds throughout: libsignal takes time as an integer (u64). */
export function sessionLength (random: () => number): number {
  return Math.round(Math.min(7 * DAY, Math.max(5 * MINUTE, SESSION_MEDIAN * Math.exp(SESSION_SIGMA * normal(random)))))
}

export function awayLength (random: () => number, maxAway = 14 * DAY): number {
  const lo = Math.log(HOUR)
  const hi = Math.log(maxAway)
  return Math.round(Math.exp(lo + (hi - lo) * random()))
}

export function isOnline (p: Presence, t: number): boolean {
  return p.some(([a, b]) => t >= a && t < b)
}

export function plan (o: ModelOptions): Plan {
  const random = rng(o.seed)
  const count = Math.round(o.churn * o.nodes)
  // the seeds bootstrap the network and stay; churners are drawn from the rest
  const seeds = Math.min(o.seeds ?? 1, o.nodes)
  const pool = Array.from({ length: o.nodes - seeds }, (_, i) => i + seeds)
  for (let i = pool.length - 1; i > 0; i--) { const j = Math.floor(random() * (i + 1)); [pool[i], pool[j]] = [pool[j] as number, pool[i] as number] }
  const churners = pool.slice(0, Math.min(count, pool.length)).sort((a, b) => a - b)
  // churn goes on after the sending window, for as long as mail sent in it may wait
  const maxAway = o.maxAwayMs ?? 14 * DAY
  const horizon = o.sendWindowMs + maxAway
  let settledAt = o.sendWindowMs
  const presence: Presence[] = Array.from({ length: o.nodes }, () => [[0, Infinity]])
  for (const n of churners) {
    // everyone is online at the start (identities and bundles published); a churner is somewhere
    // in its first session, then away, back, away… until the horizon; the last absence still ends
    // (nobody stays away longer than two weeks) and after it the node stays
    const p: Presence = []
    let t = 0
    let end = Math.round(sessionLength(random) * random())
    for (;;) {
      p.push([t, end])
      if (end >= horizon) { p[p.length - 1] = [t, Infinity]; break }
      const back = end + awayLength(random, maxAway)
      if (back >= horizon) { p.push([back, Infinity]); settledAt = Math.max(settledAt, back); break }
      t = back
      end = back + sessionLength(random)
    }
    presence[n] = p
  }
  const messages: PlannedMessage[] = []
  const times = Array.from({ length: o.messages }, () => Math.round(random() * o.sendWindowMs)).sort((a, b) => a - b)
  for (const [index, at] of times.entries()) {
    const online = presence.flatMap((p, i) => isOnline(p, at) ? [i] : [])
    const from = online[Math.floor(random() * online.length)] as number
    let to = Math.floor(random() * (o.nodes - 1))
    if (to >= from) to++
    messages.push({ index, at, from, to })
  }
  return { churners, presence, messages, settledAt }
}

export interface GroupPlanOptions {
  nodes: number
  /** How many groups; 0: no group workload. */
  groups: number
  minSize: number
  maxSize: number
  /** Group messages over the sending window, each from a member online at that time. */
  messages: number
  /** Membership changes over the sending window: the group's creator adds a peer or removes a member. */
  changes: number
  sendWindowMs: number
  seed: number
}

/** A group: its members at creation, the creator (an admin) first. */
export interface PlannedGroup { index: number, members: number[] }
export interface PlannedGroupMessage { index: number, at: number, group: number, /** A member online then, if the plan's membership has one; the runner checks the group's live state. */ from: number }
export interface PlannedGroupChange { index: number, at: number, group: number, kind: 'add' | 'remove', /** The peer added or the member removed. */ peer: number }

export interface GroupPlan { groups: PlannedGroup[], messages: PlannedGroupMessage[], changes: PlannedGroupChange[] }

/**
 * The group workload, from its own PRNG (the 1:1 plan for a seed stays as it was): groups of
 * minSize–maxSize peers (sizes uniform), created while everyone is online; messages at random
 * times from a member online then (by the plan's presence); membership changes by the creator at
 * random times (one third removals, two thirds additions while the group has room). Sizes are
 * capped at the number of peers.
 */
export function planGroups (o: GroupPlanOptions, presence: Presence[]): GroupPlan {
  const random = rng((o.seed ^ 0x67a0) >>> 0)
  const groups: PlannedGroup[] = []
  for (let g = 0; g < o.groups; g++) {
    const size = Math.min(o.nodes, o.minSize + Math.floor(random() * (o.maxSize - o.minSize + 1)))
    const pool = Array.from({ length: o.nodes }, (_, i) => i)
    for (let i = pool.length - 1; i > 0; i--) { const j = Math.floor(random() * (i + 1)); [pool[i], pool[j]] = [pool[j] as number, pool[i] as number] }
    groups.push({ index: g, members: pool.slice(0, size) })
  }
  // membership as the plan sees it over time, to pick senders and changes that make sense
  const events: Array<{ at: number, kind: 'message' | 'change' }> = [
    ...Array.from({ length: o.groups === 0 ? 0 : o.messages }, () => ({ at: Math.round(random() * o.sendWindowMs), kind: 'message' as const })),
    ...Array.from({ length: o.groups === 0 ? 0 : o.changes }, () => ({ at: Math.round(random() * o.sendWindowMs), kind: 'change' as const }))
  ].sort((a, b) => a.at - b.at)
  const current = groups.map(g => new Set(g.members))
  const messages: PlannedGroupMessage[] = []
  const changes: PlannedGroupChange[] = []
  for (const e of events) {
    const group = Math.floor(random() * groups.length)
    const members = current[group] as Set<number>
    const creator = (groups[group] as PlannedGroup).members[0] as number
    if (e.kind === 'message') {
      const online = [...members].filter(m => isOnline(presence[m] as Presence, e.at))
      const pick = online.length > 0 ? online : [...members]
      messages.push({ index: messages.length, at: e.at, group, from: pick[Math.floor(random() * pick.length)] as number })
    } else {
      const others = [...members].filter(m => m !== creator)
      const outside = Array.from({ length: o.nodes }, (_, i) => i).filter(i => !members.has(i))
      const remove = others.length > 1 && (outside.length === 0 || members.size >= o.maxSize || random() < 1 / 3)
      if (remove) {
        const peer = others[Math.floor(random() * others.length)] as number
        members.delete(peer)
        changes.push({ index: changes.length, at: e.at, group, kind: 'remove', peer })
      } else if (outside.length > 0) {
        const peer = outside[Math.floor(random() * outside.length)] as number
        members.add(peer)
        changes.push({ index: changes.length, at: e.at, group, kind: 'add', peer })
      }
    }
  }
  return { groups, messages, changes }
}
