/**
 * Mailbox delivery on loopback: mailbox peers (DHT servers) in a process of their own (as the peer
 * systems' relay and broker run), Alice and Bob as clients with k = 3 in this one.
 * Bob publishes his bundles and goes away; Alice sends N messages (each one: direct refused, then
 * deposited at the 3 replicas, each of which fsyncs before it answers); Bob comes back and syncs
 * (fetch from the 2k closest, decrypt, store, ack). Each run is checked by message id. Baselines:
 * one bare request/response to one mailbox node (for a deposit), and the peer systems on the same
 * offline-recipient workload (for the sync).
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MailboxRequest, type Envelope } from '../../proto/cairn.js'
import { StageClock } from '../../src/client/mailbox/collect-stages.js'
import { parsePeerId } from '../../src/shared/peer-id.js'
import { echoOnce } from '../lib/bare.js'
import { probe } from '../lib/probe.js'
import { profiled } from '../lib/profiler.js'
import { watchLock, writeTimeline } from '../lib/collect-timeline.js'
import type { Mutex } from '../../src/shared/mutex.js'
import { offlinePair } from '../lib/offline-pair.js'
import { routeOf } from '../lib/cluster.js'
import { row, type Row } from '../lib/report.js'
import { median, now, quantile } from '../lib/stats.js'

export interface MailboxOptions { messages: number, runs: number, textBytes: number, mailboxNodes: number, replicas: number }

export interface MailboxResult {
  rows: Row[]
  samples: { send: number[], deposit: number[], request: number[] }
  /** Per run: store phase (all sends), node start, sync; ms. */
  runs: Array<{ storeMs: number, startMs: number, syncMs: number, syncCpuMs: number, syncMainCpuMs: number, tailMs: number, tailCpuMs: number, received: number, fetched: number, openMs: number, stages: Record<string, number> }>
  /** Where the recipient's sync goes, medians over runs (ms, and envelopes fetched per message); `stages` per stage of the sync. */
  collect: { syncMs: number, syncCpuMs: number, tailMs: number, tailCpuMs: number, openAndStoreMs: number, otherMs: number, fetchedPerMessage: number, stages: Record<string, number> }
  cairn: { storeMs: number, collectMs: number, totalMs: number, startMs: number }
}

/** Single sends timed for the latency rows, after the batched runs. */
const LATENCY_SAMPLES = 300

const need = <T>(v: T | undefined, what: string): T => { if (v === undefined) throw new Error(`${what} is missing`); return v }

export async function mailboxSuite (o: MailboxOptions): Promise<MailboxResult> {
  const root = await mkdtemp(join(tmpdir(), 'cairn-bench-mailbox-'))
  // a burst of N deposits from one sender would hit the per-sender rate limit (600/min): raised here
  const overrides = { mailbox: { replicas: o.replicas, depositsPerMinute: 1e9, depositBurst: 1e9 } }
  const pair = await offlinePair({ root, mailboxNodes: o.mailboxNodes, replicas: o.replicas, overrides })
  try {
    const { cluster, alice, bobPeer, bootstrap } = pair

    const route = need(alice.messenger.routes[1], 'mailbox route')
    let requestBytes = 0
    const depositProbe = probe(route, 'deliver', (args) => { requestBytes = MailboxRequest.encode({ version: 1, deposit: { envelope: args[0] as Envelope } }).length })
    const text = 'x'.repeat(o.textBytes)
    const send: number[] = []
    const request: number[] = []
    const runs: MailboxResult['runs'] = []
    const remote = pair.boxes
    const replicaOf = async (): Promise<string> => (await remote.holders(bobPeer.peerId))[0] ?? need(remote.nodes[0], 'a mailbox').peerId
    for (let run = 0; run < o.runs; run++) {
      const ids = new Set<string>()
      // the store phase: every message queued at once and sent as a burst (sealed and written to the
      // outbox in groups, deposited in batches at the k replicas while the next group is sealed)
      const texts = Array.from({ length: o.messages }, (_, i) => `${run}:${i}:${text}`.slice(0, o.textBytes))
      const t0 = now()
      const sent = await alice.messenger.sendMany('bob', texts)
      const storeMs = now() - t0
      sent.forEach((r, i) => {
        if (r.route !== 'mailbox') throw new Error(`run ${run} message ${i} went by ${routeOf(r)}`)
        ids.add(r.id)
      })
      const b0 = now()
      const bob = await cluster.start(bobPeer, { bootstrap })
      const startMs = now() - b0
      // every fetched envelope is opened one at a time under the messenger's lock (a duplicate is
      // recognised by id), and each page commits with one fsync: both serialised, so their sums
      // are wall time the sync cannot overlap
      const open = probe(bob.messenger.receiver as unknown as { openOne: () => Promise<unknown> }, 'openOne')
      const commit = probe(bob.store, 'write')
      // the sync's stages: the collection's own (summed over the replicas' loops, which overlap),
      // and what follows it (the outbox flush, the bundle top-up), each wall time
      // CAIRN_BENCH_COLLECT_TIMELINE=DIR: each run's timeline (timeline-sync-N.* in DIR; lib/collect-timeline.ts)
      const timelineDir = process.env.CAIRN_BENCH_COLLECT_TIMELINE
      const timeline = timelineDir !== undefined && timelineDir !== ''
      const stages = new StageClock({ spans: timeline })
      const lock = timeline ? watchLock((bob.messenger.receiver as unknown as { ctx: { lock: Mutex } }).ctx.lock) : undefined
      const publish = probe(bob, 'publishBundles')
      const flush = probe(bob.messenger, 'flushOutbox')
      const s0 = now()
      const cpu0 = process.cpuUsage()
      const main0 = process.threadCpuUsage()
      // CAIRN_BENCH_PROFILE_SYNC=DIR: a CPU profile of each run's sync alone (profile-sync-N.* in DIR)
      const profileDir = process.env.CAIRN_BENCH_PROFILE_SYNC
      const sync = profileDir === undefined || profileDir === '' ? await bob.sync({ stages }) : await profiled(`sync-${run}`, profileDir, async () => bob.sync({ stages }))
      const syncMs = now() - s0
      if (timeline && lock !== undefined) {
        lock.restore()
        writeTimeline(timelineDir, `sync-${run}`, s0, s0 + syncMs, stages.spans ?? [], lock.spans)
      }
      // the recipient's CPU (this process, every thread; the mailbox nodes run in another): what a busy machine does not blur
      const cpu = process.cpuUsage(cpu0)
      const syncCpuMs = (cpu.user + cpu.system) / 1000
      // the JS thread's alone: the opening, the collect's serial part, runs on it (LevelDB's and V8's helper threads left out)
      const main = process.threadCpuUsage(main0)
      const syncMainCpuMs = (main.user + main.system) / 1000
      // what the sync leaves running after it returns (the receipts it queued, the bundle top-up)
      const t1 = now()
      const cpu1 = process.cpuUsage()
      await bob.syncSettled()
      const tailMs = now() - t1
      const tailCpu = process.cpuUsage(cpu1)
      const tailCpuMs = (tailCpu.user + tailCpu.system) / 1000
      const after = { publish: publish.take().reduce((a, b) => a + b, 0), flush: flush.take().reduce((a, b) => a + b, 0) }
      publish.restore()
      flush.restore()
      const opens = open.take()
      const fetched = opens.length
      const openMs = opens.reduce((a, b) => a + b, 0) + commit.take().reduce((a, b) => a + b, 0)
      open.restore()
      commit.restore()
      const got = (await bob.inbox()).filter(m => ids.has(m.id))
      if (got.length !== o.messages || new Set(got.map(m => m.id)).size !== o.messages) throw new Error(`run ${run}: ${got.length} of ${o.messages} arrived (sync said ${sync.received})`)
      runs.push({ storeMs, startMs, syncMs, syncCpuMs, syncMainCpuMs, tailMs, tailCpuMs, received: sync.received, fetched, openMs, stages: { ...stages.ms, flushOutbox: after.flush, publishBundles: after.publish } })
      await cluster.stop(bobPeer)
    }
    // one message at a time, for the latency rows (each send beside a bare request of its size);
    // bob stays away, so these wait at the replicas when the suite ends
    let target: string | undefined
    for (let i = 0; i < Math.min(o.messages, LATENCY_SAMPLES); i++) {
      const s0 = now()
      const r = await alice.send('bob', `latency:${i}:${text}`.slice(0, o.textBytes))
      send.push(now() - s0)
      if (r.route !== 'mailbox') throw new Error(`latency message ${i} went by ${routeOf(r)}`)
      target ??= await replicaOf()
      const e0 = now()
      await echoOnce(need(alice.node, 'alice node'), parsePeerId(target), new Uint8Array(requestBytes))
      request.push(now() - e0)
    }
    const deposit = depositProbe.take()
    const cairn = { storeMs: median(runs.map(r => r.storeMs)), collectMs: median(runs.map(r => r.syncMs)), totalMs: median(runs.map(r => r.storeMs + r.syncMs)), startMs: median(runs.map(r => r.startMs)) }
    const collect = { syncMs: median(runs.map(r => r.syncMs)), syncCpuMs: median(runs.map(r => r.syncCpuMs)), tailMs: median(runs.map(r => r.tailMs)), tailCpuMs: median(runs.map(r => r.tailCpuMs)), openAndStoreMs: median(runs.map(r => r.openMs)), otherMs: median(runs.map(r => r.syncMs - r.openMs)), fetchedPerMessage: median(runs.map(r => r.fetched / o.messages)), stages: Object.fromEntries(Object.keys(runs[0]?.stages ?? {}).map(k => [k, median(runs.map(r => r.stages[k] ?? 0))])) }
    const base = 'bare request/response to one mailbox node'
    const n = `${o.mailboxNodes} mailbox nodes in their own process, ${o.textBytes} B text, ${requestBytes} B request`
    return {
      rows: [
        row({ name: 'mailbox.deposit.p50', label: `mailbox deposit to k=${o.replicas} replicas (fsync each), p50`, unit: 'ms', value: quantile(deposit, 0.5), baseline: base, baselineValue: quantile(request, 0.5), better: 'lower', samples: deposit.length, stat: 'p50', notes: n }),
        row({ name: 'mailbox.deposit.p99', label: `mailbox deposit to k=${o.replicas} replicas (fsync each), p99`, unit: 'ms', value: quantile(deposit, 0.99), baseline: base, baselineValue: quantile(request, 0.99), better: 'lower', samples: deposit.length, stat: 'p99' }),
        row({ name: 'mailbox.send.p50', label: 'send to an offline contact (seal, outbox, deposit), p50', unit: 'ms', value: quantile(send, 0.5), baseline: base, baselineValue: quantile(request, 0.5), better: 'lower', samples: send.length, stat: 'p50' })
      ],
      samples: { send, deposit, request },
      runs,
      cairn,
      collect
    }
  } finally {
    await pair.stop()
  }
}
