/**
 * The soak (issue 16 item 3): real `cairn mailbox` nodes and real `cairn daemon`s, each its own
 * process, exchange messages while a fault schedule SIGKILLs and restarts mailbox nodes and users,
 * pauses nodes (SIGSTOP) for a while and, as root, cuts processes' network links for a while
 * (each process in its own network namespace: links.ts; without root the soak runs on loopback
 * and says that links were not cut). Messages go in through each user's daemon API (what
 * `cairn send` calls when a daemon runs). At the end every process is brought back, every user
 * syncs until nothing is left to move, and every message acknowledged to its sender is looked up
 * by id in its recipient's inbox: lost, duplicated and altered messages are counted and listed.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { connectDaemon } from '../../src/client/daemon/daemon-client.js'
import type { ClientApi } from '../../src/client/api.js'
import { stablePort } from '../../test/helpers/ports.js'
import { rng } from '../lib/stats.js'
import { SoakNet } from './links.js'
import { addressOf, cairnOnce, killProc, pauseProc, startProc, stopProc, type Crash, type Proc } from './processes.js'

export interface SoakOptions {
  root: string
  mailboxes: number
  users: number
  messages: number
  /** Sends in flight at once. */
  concurrency: number
  /** Pause of each sender between its sends, ms (0: none): spreads the sends over the fault schedule. */
  sendGapMs?: number
  /** Mean time between faults, ms; 0: no faults. */
  faultEveryMs: number
  /** How long a killed process stays down, ms. */
  downMs: number
  /** How long a paused (SIGSTOP) mailbox node stays paused, ms. */
  pauseMs: number
  /** How long a cut link stays cut, ms (default: pauseMs). */
  cutMs?: number
  /** Cut links (needs root: network namespaces); default true. false: loopback, no cuts. */
  linkCuts?: boolean
  /** Longest the final drain may take, ms. */
  drainMs: number
  seed: number
  log: (line: string) => void
}

/** `crash`: the process exited when no fault stopped it (SoakResult.crashes says how). */
export interface FaultEvent { atMs: number, action: 'kill' | 'restart' | 'pause' | 'resume' | 'cut' | 'heal' | 'crash', target: string }

/** A process that exited by itself: when, how, and the end of its stderr (all of it is in `<root>/logs/<name>.stderr`). */
export interface SoakCrash extends Crash { atMs: number, target: string }

export interface SentMessage { id: string, from: string, to: string, text: string, route: string }

export interface SoakResult {
  attempted: number
  /** Acknowledged to the sender: delivered direct, stored at mailboxes, or durably queued. */
  acknowledged: number
  byRoute: Record<string, number>
  /** Not taken: the sender's daemon died during the call (nothing was promised). */
  refused: number
  delivered: number
  lost: Array<SentMessage & { why: string }>
  duplicates: number
  altered: number
  faults: FaultEvent[]
  /** Processes that exited by themselves (each brought back after `downMs`, as a supervisor would). */
  crashes: SoakCrash[]
  /** Where the processes ran: 'network namespaces' (links cut) or 'loopback: why not namespaces'. */
  network: string
  sendMs: number
  drainMs: number
}

const sleep = async (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

export async function runSoak (o: SoakOptions): Promise<SoakResult> {
  const random = rng(o.seed)
  const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)] as T
  const t0 = Date.now()
  const faults: FaultEvent[] = []
  const fault = (action: FaultEvent['action'], target: string): void => { faults.push({ atMs: Date.now() - t0, action, target }) }
  mkdirSync(o.root, { recursive: true })

  const made = o.linkCuts === false ? { unavailable: 'link cuts not asked for' } : await SoakNet.create(o.mailboxes + o.users)
  const net = made instanceof SoakNet ? made : undefined
  const network = net === undefined ? `loopback: ${(made as { unavailable: string }).unavailable}` : 'network namespaces'
  o.log(net === undefined ? `links will not be cut (${network})` : `every process in its own network namespace (${net.id}*); links will be cut`)
  const proc = async (i: number, name: string, kind: Proc['kind']): Promise<Proc> => ({
    name,
    kind,
    dataDir: join(o.root, name),
    port: net === undefined ? await stablePort() : 4001,
    ip: net?.hosts[i]?.ip ?? '127.0.0.1',
    ...(net === undefined ? {} : { wrap: (cmd: string, args: readonly string[]) => net.wrap(i, cmd, args) }),
    peerId: '',
    paused: false,
    cut: false
  })
  const mailboxes: Proc[] = []
  for (let i = 0; i < o.mailboxes; i++) mailboxes.push(await proc(i, `mbx-${i}`, 'mailbox'))
  const users: Proc[] = []
  for (let i = 0; i < o.users; i++) users.push(await proc(o.mailboxes + i, `u${i}`, 'daemon'))
  const hostOf = (p: Proc): number => p.kind === 'mailbox' ? mailboxes.indexOf(p) : o.mailboxes + users.indexOf(p)

  const knownMailboxes = (): string[] => mailboxes.filter(m => m.peerId !== '').map(addressOf)
  const mailboxEnv = (self: Proc): Record<string, string> => ({ CAIRN_BOOTSTRAP: mailboxes.filter(m => m !== self && m.peerId !== '').map(addressOf).join(','), CAIRN_MAILBOX_REPLICAS: '3' })
  const userEnv = (): Record<string, string> => ({
    CAIRN_BOOTSTRAP: knownMailboxes().join(','),
    CAIRN_MAILBOX_REPLICAS: '3',
    CAIRN_DELIVERY_SYNC_INTERVAL_MS: '5000',
    CAIRN_DELIVERY_RETRY_INTERVAL_MS: '2000'
  })
  const crashes: SoakCrash[] = []
  const down = new Set<Proc>()
  const logs = join(o.root, 'logs')
  mkdirSync(logs, { recursive: true })
  // a process that exits by itself is a finding, never a hang: logged with its stderr, brought back
  const onCrash = (p: Proc, crash: Crash): void => {
    fault('crash', p.name)
    crashes.push({ atMs: Date.now() - t0, target: p.name, ...crash })
    o.log(`${p.name} exited by itself (code ${String(crash.code)}, signal ${String(crash.signal)}): ${crash.stderr.slice(-600)}`)
    if (p.kind === 'daemon') apis.delete(p.name)
    down.add(p)
    void sleep(o.downMs).then(async () => { await restart(p); down.delete(p); fault('restart', p.name) })
  }
  const start = async (p: Proc): Promise<void> => startProc(p, p.kind === 'mailbox' ? mailboxEnv(p) : userEnv(), undefined, { stderrFile: join(logs, `${p.name}.stderr`), onCrash })
  /** Bring `p` back; a start that fails (a slow machine, a port not yet free) is tried again. */
  const restart = async (p: Proc): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await start(p)
        return
      } catch (err) {
        o.log(`restart ${p.name} failed (attempt ${attempt}): ${String(err).slice(0, 300)}`)
        await sleep(1000)
      }
    }
  }
  const apis = new Map<string, ClientApi>()
  const api = async (u: Proc): Promise<ClientApi | undefined> => {
    if (u.child === undefined) return undefined
    let a = apis.get(u.name)
    if (a === undefined) {
      a = await connectDaemon(u.dataDir)
      if (a !== undefined) apis.set(u.name, a)
    }
    return a
  }

  try {
    o.log(`starting ${o.mailboxes} mailbox nodes and ${o.users} users`)
    await start(mailboxes[0] as Proc)
    await Promise.all(mailboxes.slice(1).map(start))
    await Promise.all(users.map(async u => cairnOnce(['init', '--json'], { CAIRN_DATA_DIR: u.dataDir })))
    await Promise.all(users.map(start))
    await Promise.all(users.map(async u => {
      const a = await api(u) as ClientApi
      for (const v of users) if (v !== u) await a.contactAdd(v.name, addressOf(v))
    }))

    // the fault schedule runs beside the sends
    let sending = true
    const cut = async (p: Proc): Promise<void> => {
      if (net === undefined) return
      p.cut = true
      fault('cut', p.name)
      await net.link(hostOf(p), false)
      void sleep(o.cutMs ?? o.pauseMs).then(async () => { await net.link(hostOf(p), true); p.cut = false; fault('heal', p.name) })
    }
    const faultLoop = (async () => {
      if (o.faultEveryMs <= 0) return
      let n = 0
      while (sending) {
        await sleep(o.faultEveryMs * (0.5 + random()))
        if (!sending) break
        // the first fault is always a mailbox node's SIGKILL and the second a cut link (when links
        // can be cut), so even a short run has both
        const r = n === 0 ? 0 : n === 1 && net !== undefined ? 0.55 : random()
        n++
        const upMailboxes = mailboxes.filter(m => !down.has(m) && !m.paused && !m.cut)
        // never more than two of the mailbox nodes out at once: k = 3 replicas
        const mailboxesOut = mailboxes.length - upMailboxes.length
        const upUsers = users.filter(u => !down.has(u) && !u.cut)
        const usersMayGo = upUsers.length > users.length / 2
        if (r < 0.35 && mailboxesOut < 2) {
          const m = pick(upMailboxes)
          down.add(m)
          fault('kill', m.name)
          await killProc(m)
          void sleep(o.downMs).then(async () => { await restart(m); down.delete(m); fault('restart', m.name) })
        } else if (r < 0.5 && mailboxesOut < 2) {
          const m = pick(upMailboxes)
          fault('pause', m.name)
          pauseProc(m, true)
          void sleep(o.pauseMs).then(() => { pauseProc(m, false); fault('resume', m.name) })
        } else if (r < 0.7 && net !== undefined) {
          const candidates = [...mailboxesOut < 2 ? upMailboxes : [], ...usersMayGo ? upUsers : []]
          if (candidates.length > 0) await cut(pick(candidates))
        } else {
          if (!usersMayGo) continue
          const u = pick(upUsers)
          down.add(u)
          apis.delete(u.name)
          fault('kill', u.name)
          await killProc(u)
          void sleep(o.downMs).then(async () => { await restart(u); down.delete(u); fault('restart', u.name) })
        }
      }
    })()

    const sent: SentMessage[] = []
    let refused = 0
    let next = 0
    const sendStart = Date.now()
    const worker = async (): Promise<void> => {
      while (next < o.messages) {
        // senders are users whose daemon is up (the recipient may be down: that is what mailboxes are for)
        const up = users.filter(u => !down.has(u) && u.child !== undefined)
        const from = up.length === 0 ? undefined : pick(up)
        const a = from === undefined ? undefined : await api(from).catch(() => undefined)
        if (from === undefined || a === undefined) { await sleep(100); continue }
        const n = next++
        let to = pick(users)
        while (to === from) to = pick(users)
        const text = `soak ${n} ${from.name}->${to.name}`
        try {
          const r = await a.send(to.name, text)
          sent.push({ id: r.id, from: from.peerId, to: to.name, text, route: r.route })
        } catch {
          refused++ // the daemon died mid-call: nothing was promised
          apis.delete(from.name)
        }
        if (n % 1000 === 999) o.log(`${n + 1} of ${o.messages} sent, ${faults.length} fault events`)
        if ((o.sendGapMs ?? 0) > 0) await sleep(o.sendGapMs as number)
      }
    }
    await Promise.all(Array.from({ length: o.concurrency }, worker))
    const sendMs = Date.now() - sendStart
    sending = false
    await faultLoop

    // bring everything back, then drain: every user syncs until nothing moves and outboxes are empty
    o.log('sends done; restarting what is down and draining')
    while (down.size > 0 || mailboxes.some(m => m.paused) || [...mailboxes, ...users].some(p => p.cut)) await sleep(200)
    const drainStart = Date.now()
    const expected = (u: Proc): SentMessage[] => sent.filter(s => s.to === u.name)
    const inboxes = new Map<string, Map<string, { count: number, text: string }>>()
    const readInboxes = async (): Promise<number> => {
      let found = 0
      for (const u of users) {
        const a = await api(u) as ClientApi
        const seen = new Map<string, { count: number, text: string }>()
        for (const m of await a.inbox()) {
          const key = `${m.from}/${m.id}`
          const s = seen.get(key)
          seen.set(key, { count: (s?.count ?? 0) + 1, text: m.text })
        }
        inboxes.set(u.name, seen)
        found += expected(u).filter(s => seen.has(`${s.from}/${s.id}`)).length
      }
      return found
    }
    let found = 0
    while (Date.now() - drainStart < o.drainMs) {
      await Promise.all(users.map(async u => (await api(u))?.sync().catch(() => undefined)))
      found = await readInboxes()
      const queued = (await Promise.all(users.map(async u => (await api(u))?.status().then(s => s.outbox, () => 1)))).reduce<number>((a, b) => a + (b ?? 0), 0)
      o.log(`drain: ${found} of ${sent.length} in inboxes, ${queued} in outboxes`)
      if (found === sent.length && queued === 0) break
      await sleep(2000)
    }
    const drainMs = Date.now() - drainStart

    const lost: SoakResult['lost'] = []
    let duplicates = 0
    let altered = 0
    for (const s of sent) {
      const got = inboxes.get(s.to)?.get(`${s.from}/${s.id}`)
      if (got === undefined) { lost.push({ ...s, why: `not in ${s.to}'s inbox after the drain (sent by ${s.route})` }); continue }
      if (got.text !== s.text) altered++
    }
    // shown twice, whether or not its send was acknowledged
    for (const inbox of inboxes.values()) for (const m of inbox.values()) if (m.count > 1) duplicates += m.count - 1
    const byRoute: Record<string, number> = {}
    for (const s of sent) byRoute[s.route] = (byRoute[s.route] ?? 0) + 1
    return { attempted: o.messages, acknowledged: sent.length, byRoute, refused, delivered: sent.length - lost.length, lost, duplicates, altered, faults, crashes, network, sendMs, drainMs }
  } finally {
    await Promise.all([...users, ...mailboxes].map(async p => stopProc(p).catch(() => {})))
    net?.destroySync()
  }
}
