/**
 * Groups on loopback: one sender, M member clients and a few mailbox nodes (DHT servers), all real
 * CairnClients (libp2p, gossipsub, libsignal, LevelDB). Three figures, each beside a baseline
 * measured in the same run on the same nodes:
 *
 * - Group send to N members (half online, half offline), from the call until every member holds
 *   it: the online half has it in its inbox (a `message` event with the group message's id), the
 *   offline half has it stored at its mailbox replicas (the send resolves after the deposits were
 *   answered, fsync'd; checked on the replicas' stores). Baseline: the pairwise fan-out, one 1:1
 *   sealed message per member (`messenger.send`, all at once), to the same members, alternated.
 * - Sender CPU per recipient (process.cpuUsage around the sends, after the network is stopped: the
 *   sender alone, its sessions and groups as the network phases left them, deliveries accepted at
 *   once by a stub route, so what is counted is its crypto and store work). The sessions are in
 *   the state of a live group's: established and answered (every member wrote back once), every
 *   member holds the sender's current chain (acknowledged the warm-up) and advertised that it
 *   opens sealed group parts, and lacks no change: the steady state, in which each member's
 *   copy of a group send is a part (one sealed sender seal, no ratchet step). The parts sealed are
 *   counted (at the messenger's sealForMembers) and the row is refused unless every member got one. Baseline:
 *   the pairwise fan-out (each a ratchet step on the same sessions, sealed sender v1). (This
 *   folds in bench/group-send-cpu.ts.) With `profileDir`, extra group sends after the measured
 *   ones are recorded in a CPU profile (profile-groups-cpu-N.*), outside the measured windows.
 * - Gossip delivery to G online members: the sender's 1:1 routes are cut, so each member gets the
 *   message only from the group's gossipsub topic; from the send call to each member's inbox.
 *   Baseline: a bare gossipsub publish of bytes of the same length on a raw topic that the same
 *   nodes' pubsub services subscribe to, from the publish call to each member's `message` event.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { CairnClient } from '../../src/client/client.js'
import type { DeliveryRoute } from '../../src/client/delivery.js'
import { groupTopic, type TopicPubSub } from '../../src/client/groups/group-gossip.js'
import type { InboxMessage } from '../../src/client/inbox.js'
import { silentLogger } from '../../src/shared/logger.js'
import { Cluster, addressOf, peerConfig, type Peer } from '../lib/cluster.js'
import { row, type Row } from '../lib/report.js'
import { profiled } from '../lib/profiler.js'
import { median, now, quantile } from '../lib/stats.js'

export interface GroupsOptions {
  /** Group sizes (members besides the sender) for the send and CPU rows, e.g. [10, 50]. */
  members: number[]
  /** Online members of the gossip group. */
  gossipMembers: number
  /** Timed sends per size (each beside a pairwise fan-out). */
  samples: number
  /** Gossip messages (each beside a bare publish). */
  gossipMessages: number
  /** Group sends per size for the CPU row. */
  cpuRounds: number
  textBytes: number
  mailboxNodes: number
  replicas: number
  /** Where to write a CPU profile of extra group sends at each size (bench/run.ts --profile); none when unset. */
  profileDir?: string
}

/** Group sends recorded per size in the optional CPU profile (not measured). */
const PROFILED_SENDS = 40

type PubSub = TopicPubSub & { getSubscribers: (topic: string) => unknown[] }

const need = <T>(v: T | undefined, what: string): T => { if (v === undefined) throw new Error(`${what} is missing`); return v }
const pubsubOf = (c: CairnClient): PubSub => (need(c.node, 'node').services as unknown as { pubsub: PubSub }).pubsub
/** Fails every delivery: only the topic can carry a group message live. */
const unreachable: DeliveryRoute = { name: 'direct', deliver: async () => ({ ok: false, code: 'unreachable', error: 'cut for the gossip row' }), takeBundle: async () => undefined }
const RAW_TOPIC = '/cairn-bench/raw-gossip'

/** Waits are the harness's, not measurements: long enough for a machine shared with other jobs. */
async function waitFor (what: string, ok: () => boolean, ms = 120_000, state?: () => string): Promise<void> {
  const end = Date.now() + ms
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${state === undefined ? '' : ` (${state()})`}`)
    await sleep(5)
  }
}

/** Run `fn` over `items` with at most `n` at once. */
async function batched<T> (items: T[], n: number, fn: (x: T, i: number) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += n) await Promise.all(items.slice(i, i + n).map(async (x, j) => fn(x, i + j)))
}

export async function groupsSuite (o: GroupsOptions): Promise<Row[]> {
  const root = await mkdtemp(join(tmpdir(), 'cairn-bench-groups-'))
  const overrides = { mailbox: { replicas: o.replicas, depositsPerMinute: 1e9, depositBurst: 1e9 } }
  const cluster = new Cluster({ root, mailbox: true, overrides })
  const maxMembers = Math.max(...o.members, o.gossipMembers)
  const text = 'x'.repeat(o.textBytes)
  const rows: Row[] = []
  try {
    const boxes = await cluster.addMany('mbx', o.mailboxNodes)
    await cluster.warm()
    const senderPeer = await cluster.add('sender', { mailbox: false })
    const sender = need(senderPeer.client, 'sender')
    const members: Peer[] = []
    await batched(Array.from({ length: maxMembers }, (_, i) => i), 10, async (i) => { members[i] = await cluster.add(`m${i}`, { mailbox: false }) })
    const ids = members.map(m => m.peerId)
    // every member knows the sender (no stranger quota), the sender knows every member's address
    await batched(members, 10, async (m) => {
      await need(m.client, m.name).contactAdd('sender', addressOf(senderPeer))
      await sender.contactAdd(m.name, addressOf(m))
    })
    // arrivals: message id → member index → ms (performance.now) it was stored there
    const arrivals = new Map<string, Map<number, number>>()
    const listen = (i: number, m: InboxMessage): void => {
      let at = arrivals.get(m.id)
      if (at === undefined) { at = new Map(); arrivals.set(m.id, at) }
      if (!at.has(i)) at.set(i, now())
    }
    members.forEach((m, i) => { need(m.client, m.name).messenger.on('message', (msg) => { listen(i, msg) }) })
    // sessions with everyone (first contact over /cairn/direct), before anything is timed
    // (on a loaded machine a direct delivery can miss its deadline: tried again, a few times)
    await batched(ids, 10, async (id) => {
      for (let attempt = 1; (await sender.messenger.send(id, 'warm-up')).route !== 'direct'; attempt++) if (attempt >= 5) throw new Error('warm-up send did not go direct')
    })

    // ---------------------------------------------------------------- gossip to G online members
    {
      const g = members.slice(0, o.gossipMembers)
      const view = await sender.groups.create('gossip', g.map(m => m.peerId))
      const state = need(await sender.groups.state(view.id), 'gossip group state')
      const topic = groupTopic(state.secret)
      const ps = pubsubOf(sender)
      for (const m of [senderPeer, ...g]) pubsubOf(need(m.client, m.name)).subscribe(RAW_TOPIC)
      const raw = new Map<number, number>() // member index → arrival of the current raw message
      const rawListeners = g.map((m, i) => {
        const l = (evt: CustomEvent<{ topic: string, data: Uint8Array }>): void => { if (evt.detail.topic === RAW_TOPIC && !raw.has(i)) raw.set(i, now()) }
        pubsubOf(need(m.client, m.name)).addEventListener('message', l)
        return l
      })
      // the chain goes to every member by 1:1 first (as in use: gossip opens only with it)
      const warm = await sender.groups.send('gossip', 'warm-up')
      await waitFor('the warm-up at every gossip member', () => (arrivals.get(warm.id)?.size ?? 0) === g.length)
      await waitFor('topic subscriptions', () => ps.getSubscribers(topic).length === g.length && ps.getSubscribers(RAW_TOPIC).length === g.length, 120_000,
        () => `${ps.getSubscribers(topic).length} on the group topic and ${ps.getSubscribers(RAW_TOPIC).length} on the raw one, of ${g.length}`)
      let gossipBytes = 0
      const original = ps.publish.bind(ps)
      const publishAt: number[] = []
      ps.publish = async (t: string, data: Uint8Array) => { if (t === topic) { gossipBytes = data.length; publishAt.push(now()) } return original(t, data) }
      const routes = sender.messenger.routes
      sender.messenger.useRoutes([unreachable])
      const cairn: number[] = []
      const fromPublish: number[] = []
      const bare: number[] = []
      try {
        for (let s = 0; s < o.gossipMessages; s++) {
          const t0 = now()
          const r = await sender.groups.send('gossip', `${s}:${text}`.slice(0, o.textBytes))
          await waitFor(`gossip message ${s} at every member`, () => (arrivals.get(r.id)?.size ?? 0) === g.length)
          const at = need(arrivals.get(r.id), 'arrivals')
          const p = need(publishAt.at(-1), 'publish time')
          for (const x of at.values()) { cairn.push(x - t0); fromPublish.push(x - p) }
          raw.clear()
          const b0 = now()
          await original(RAW_TOPIC, new Uint8Array(gossipBytes).fill(s & 0xff))
          await waitFor(`raw message ${s} at every member`, () => raw.size === g.length)
          for (const x of raw.values()) bare.push(x - b0)
        }
      } finally {
        sender.messenger.useRoutes(routes)
        ps.publish = original
        g.forEach((m, i) => { pubsubOf(need(m.client, m.name)).removeEventListener('message', rawListeners[i] as never) })
      }
      // the members' copies all came by the topic (the 1:1 copies wait in the sender's outbox)
      const viaGossip = (await Promise.all(g.map(async m => (await need(m.client, m.name).inbox()).filter(x => x.group?.id === view.id && x.route === 'gossip').length))).reduce((a, b) => a + b, 0)
      if (viaGossip !== o.gossipMessages * g.length) throw new Error(`${viaGossip} of ${o.gossipMessages * g.length} gossip deliveries came by the topic`)
      const base = 'bare gossipsub publish, same bytes, same nodes'
      const note = `${g.length} online members, ${o.gossipMessages} messages of ${o.textBytes} B text, ${gossipBytes} B on the topic; from the send call (seal + 1:1 copies queued, then published); from the publish call itself: p50 ${quantile(fromPublish, 0.5).toFixed(2)} ms, p99 ${quantile(fromPublish, 0.99).toFixed(2)} ms`
      rows.push(
        row({ name: `groups.gossip.${g.length}.p50`, label: `group message by gossip to ${g.length} online members, each member's inbox, p50`, unit: 'ms', value: quantile(cairn, 0.5), baseline: base, baselineValue: quantile(bare, 0.5), better: 'lower', samples: cairn.length, stat: 'p50', notes: note }),
        row({ name: `groups.gossip.${g.length}.p99`, label: `group message by gossip to ${g.length} online members, each member's inbox, p99`, unit: 'ms', value: quantile(cairn, 0.99), baseline: base, baselineValue: quantile(bare, 0.99), better: 'lower', samples: cairn.length, stat: 'p99' })
      )
    }

    // ---------------------------------------------------------------- send to N, half offline
    for (const n of o.members) await sender.groups.create(`g${n}`, ids.slice(0, n))
    for (const n of o.members) {
      const r = await sender.groups.send(`g${n}`, 'warm-up') // the chain handed out, outside the measurement
      await waitFor(`g${n} warm-up`, () => (arrivals.get(r.id)?.size ?? 0) === n)
    }
    // every member writes back once (as members of a live group do: a message, a receipt): the
    // sessions are answered, and the sender learns what each member's client opens
    await batched(members.slice(0, Math.max(...o.members)), 10, async (m) => {
      for (let attempt = 1; (await need(m.client, m.name).send('sender', 'seen')).route !== 'direct'; attempt++) if (attempt >= 5) throw new Error('reply did not go direct')
    })
    // the odd-numbered members go away: half of every group
    const offline = members.filter((_, i) => i % 2 === 1)
    await Promise.all(offline.map(async m => cluster.stop(m)))
    const held = (id: string): number => boxes.reduce((a, b) => a + (b.client?.mailbox?.store.usageOf(id).count ?? 0), 0)
    for (const n of o.members) {
      const online = Array.from({ length: n }, (_, i) => i).filter(i => i % 2 === 0)
      const away = ids.slice(0, n).filter((_, i) => i % 2 === 1)
      // until every member holds it; returns ms, and checks the offline half's replicas
      const timedSend = async (label: string, send: () => Promise<Array<{ id: string, to: string, route: string }>>): Promise<number> => {
        const before = new Map(away.map(id => [id, held(id)]))
        const t0 = now()
        const sent = await send()
        const ids = new Set(sent.map(s => s.id))
        await waitFor(`${label} at the online members`, () => online.every(i => [...ids].some(id => arrivals.get(id)?.has(i) === true)))
        const ms = now() - t0
        for (const s of sent) {
          const i = members.findIndex(m => m.peerId === s.to)
          if (i % 2 === 0 && s.route !== 'direct' && s.route !== 'gossip') throw new Error(`${label}: online member ${i} by ${s.route}`)
          if (s.route === 'gossip') byGossipAlone++
          if (i % 2 === 1 && s.route !== 'mailbox') throw new Error(`${label}: offline member ${i} by ${s.route}`)
        }
        for (const id of away) if (held(id) <= (before.get(id) ?? 0)) throw new Error(`${label}: nothing new stored for an offline member`)
        return ms
      }
      const group: number[] = []
      const pairwise: number[] = []
      let byGossipAlone = 0 // online members sent a group message by the topic alone (no 1:1 copy)
      for (let s = 0; s < o.samples; s++) {
        const body = `${s}:${text}`.slice(0, o.textBytes)
        group.push(await timedSend(`group send ${s} to ${n}`, async () => {
          const r = await sender.groups.send(`g${n}`, body)
          return Object.entries(r.members).map(([to, route]) => ({ id: r.id, to, route }))
        }))
        pairwise.push(await timedSend(`pairwise fan-out ${s} to ${n}`, async () => Promise.all(ids.slice(0, n).map(async to => {
          const r = await sender.messenger.send(to, body)
          return { id: r.id, to, route: r.route }
        }))))
      }
      rows.push(row({
        name: `groups.send.${n}.p50`,
        label: `group send to ${n} members (${online.length} online: in inbox; ${away.length} offline: at k=${o.replicas} replicas), p50`,
        unit: 'ms',
        value: quantile(group, 0.5),
        baseline: 'pairwise fan-out (one 1:1 sealed message per member, at once)',
        baselineValue: quantile(pairwise, 0.5),
        better: 'lower',
        samples: group.length,
        stat: 'p50',
        notes: `${o.mailboxNodes} mailbox nodes, ${o.textBytes} B text; group max ${Math.max(...group).toFixed(0)} ms, pairwise max ${Math.max(...pairwise).toFixed(0)} ms; ${byGossipAlone} of ${online.length * o.samples} online deliveries by the topic alone (no 1:1 copy)`
      }))
    }

    // ---------------------------------------------------------------- sender CPU per recipient
    await cluster.stopAll()
    const cpuSender = await CairnClient.open({ config: peerConfig(senderPeer.dataDir, senderPeer.port, { mailbox: false, overrides }), log: silentLogger(), network: false })
    try {
      let parts = 0 // members sealed a group part (a holder cannot tell a part from a 1:1 message by its bytes)
      const sealForMembers = cpuSender.messenger.sealForMembers.bind(cpuSender.messenger)
      cpuSender.messenger.sealForMembers = async (...args) => {
        const sealed = await sealForMembers(...args)
        parts += sealed.size
        return sealed
      }
      cpuSender.messenger.useRoutes([{ name: 'direct', deliver: async () => ({ ok: true }), takeBundle: async () => undefined }])
      const cpuMs = async (fn: () => Promise<void>): Promise<number> => {
        const before = process.cpuUsage()
        await fn()
        const d = process.cpuUsage(before)
        return (d.user + d.system) / 1000
      }
      for (const n of o.members) {
        const to = ids.slice(0, n)
        await cpuSender.groups.send(`g${n}`, text)
        const group: number[] = []
        const pairwise: number[] = []
        // alternated, one message (to all n) at a time, so drift hits both alike
        for (let r = 0; r < o.cpuRounds; r++) {
          parts = 0
          group.push(await cpuMs(async () => { await cpuSender.groups.send(`g${n}`, text) }) * 1000 / n)
          if (parts !== n) throw new Error(`groups.cpu.${n}: ${parts} of ${n} members were sent a sealed group part (the row measures the steady state, where all are)`)
          parts = 0
          pairwise.push(await cpuMs(async () => { for (const id of to) await cpuSender.messenger.send(id, text) }) * 1000 / n)
          if (parts !== 0) throw new Error(`groups.cpu.${n}: the pairwise fan-out sealed ${parts} group parts`)
        }
        if (o.profileDir !== undefined) await profiled(`groups-cpu-${n}`, o.profileDir, async () => { for (let r = 0; r < PROFILED_SENDS; r++) await cpuSender.groups.send(`g${n}`, text) })
        rows.push(row({
          name: `groups.cpu.${n}`,
          label: `sender CPU per recipient, group send to ${n} members (goal ≤ 0.5× pairwise)`,
          unit: 'µs',
          value: median(group),
          baseline: 'pairwise fan-out, same members, one 1:1 sealed message each',
          baselineValue: median(pairwise),
          better: 'lower',
          samples: group.length,
          stat: 'median of sends',
          notes: `${o.textBytes} B text; process.cpuUsage (user + system) around each send, sender alone (no network), deliveries accepted at once; every member a sealed group part (a sealed sender seal each) in every group send`
        }))
      }
    } finally {
      await cpuSender.stop()
    }
    return rows
  } finally {
    await cluster.stopAll()
    await rm(root, { recursive: true, force: true })
  }
}
