/**
 * What encryption at rest costs an offline recipient's collect (issue 15: ≤ 1.15× at 1,000 × 1 KiB),
 * as a figure two runs of the same code agree on. A plain and an encrypted recipient, offline, each
 * get the same N messages from one sender through a mailbox cluster on loopback; then both sync,
 * one after the other, the order alternating from pair to pair (plain first, then encrypted first).
 * Every pair gives its own ratios, encrypted over plain: the whole sync's wall time, the process's
 * CPU time during it (every thread, the in-process mailbox nodes' included: the same work in both
 * but for the recipient's), and the open-and-store stage (Receiver.openOne plus Store.write, as the
 * privacy suite timed it). The rows give the median of those per-pair ratios, and their spread in
 * the notes: a load spike during one sync spoils one pair, not the figure. Each sync starts once
 * the process is idle (the mailbox nodes' after-work of deposits and acks done: quiesce). One pair
 * of a few messages before the measured ones opens each recipient's session (a PreKey message,
 * paid once).
 */
import { join } from 'node:path'
import { CairnClient } from '../../src/client/client.js'
import { createDataKey, type ValueCipher } from '../../src/shared/at-rest/index.js'
import type { ConfigLayer } from '../../src/shared/config.js'
import { ensureDataDir } from '../../src/shared/data-dir.js'
import { silentLogger } from '../../src/shared/logger.js'
import { Cluster, addressOf, peerConfig } from '../lib/cluster.js'
import { probe } from '../lib/probe.js'
import { row, type Row } from '../lib/report.js'
import { median, now, quantile } from '../lib/stats.js'
import { stablePort } from '../../test/helpers/ports.js'

export interface CollectOptions {
  /** Messages per recipient per pair (the issue's workload: 1,000). */
  messages: number
  /** Measured pairs of syncs (plain, encrypted), after the warm-up pair. */
  pairs: number
  textBytes: number
  mailboxNodes: number
  replicas: number
}

interface Recipient { name: string, client: CairnClient, start: () => Promise<void>, peerId: string }

interface Sample { syncMs: number, cpuMs: number, openAndStoreMs: number, storeMs: number }
type Figure = keyof Sample

async function participant (root: string, name: string, encrypted: boolean, bootstrap: string[], overrides: ConfigLayer): Promise<Recipient> {
  const dataDir = join(root, name)
  const config = peerConfig(dataDir, await stablePort(), { mailbox: false, bootstrap, overrides })
  ensureDataDir(dataDir)
  // the KDF runs once per open; its cost is not what is measured here
  const cipher: ValueCipher | undefined = encrypted ? await createDataKey(dataDir, new TextEncoder().encode(name), { memoryKiB: 8 * 1024, iterations: 1 }) : undefined
  await CairnClient.init(config, undefined, undefined, cipher)
  const r: Recipient = {
    name,
    client: undefined as unknown as CairnClient,
    peerId: '',
    start: async () => { r.client = await CairnClient.open({ config, log: silentLogger(), cipher }) }
  }
  await r.start()
  r.peerId = r.client.identity.peerId.toString()
  return r
}

/**
 * Wait until the process is idle (the in-process mailbox nodes' handover passes, debounced after
 * deposits and acks, have run): below `busy` of a core for a quarter of a second, at most
 * `limitMs`. Without it the first sync of each pair paid for the deposits' after-work and the
 * second for the first one's acks, and the pairs' ratios split by order. This process's own CPU
 * time: other jobs on the machine do not keep it waiting.
 */
async function quiesce (busy = 0.1, limitMs = 30_000): Promise<void> {
  const end = now() + limitMs
  while (now() < end) {
    const cpu0 = process.cpuUsage()
    const t0 = now()
    await new Promise(resolve => setTimeout(resolve, 250))
    const cpu = process.cpuUsage(cpu0)
    if ((cpu.user + cpu.system) / 1000 / (now() - t0) < busy) return
  }
}

/** Median and spread of per-pair ratios, encrypted over plain. */
export function pairRatios (plain: readonly number[], encrypted: readonly number[]): { median: number, min: number, max: number, p25: number, p75: number } {
  const ratios = encrypted.map((e, i) => e / (plain[i] ?? NaN))
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios), p25: quantile(ratios, 0.25), p75: quantile(ratios, 0.75) }
}

export async function collectAtRestRows (root: string, o: CollectOptions): Promise<Row[]> {
  const overrides: ConfigLayer = { mailbox: { replicas: o.replicas, depositsPerMinute: 1e9, depositBurst: 1e9 }, delivery: { anonymousDeposits: false } }
  const cluster = new Cluster({ root: join(root, 'collect-cluster'), mailbox: true, overrides })
  const people: Recipient[] = []
  try {
    await cluster.addMany('cmbx', o.mailboxNodes)
    await cluster.warm()
    const bootstrap = cluster.online().slice(0, 3).map(addressOf)
    const sender = await participant(root, 'collect-sender', false, bootstrap, overrides)
    people.push(sender)
    const bobs = { plain: await participant(root, 'collect-bob-plain', false, bootstrap, overrides), encrypted: await participant(root, 'collect-bob-encrypted', true, bootstrap, overrides) }
    for (const b of Object.values(bobs)) {
      people.push(b)
      if ((await b.client.publishBundles()).published < o.replicas) throw new Error(`${b.name} could not publish to every replica`)
      await b.client.contactAdd('sender', sender.peerId)
      await b.client.stop()
      await sender.client.contactAdd(b.name, b.peerId)
    }
    const text = 'x'.repeat(o.textBytes)
    const samples: Record<'plain' | 'encrypted', Sample[]> = { plain: [], encrypted: [] }
    const resyncs: Record<string, number> = {}
    for (let pair = -1; pair < o.pairs; pair++) {
      const count = pair < 0 ? Math.min(o.messages, 5) : o.messages
      for (const b of Object.values(bobs)) {
        const results = await sender.client.messenger.sendMany(b.name, Array.from({ length: count }, (_, i) => `${pair}:${i}:${text}`.slice(0, o.textBytes)))
        // a replica that missed its deadline on a loaded machine: the send waits in the outbox
        if (results.some(r => r.route !== 'mailbox')) await sender.client.messenger.flushOutbox()
      }
      for (const variant of pair % 2 === 0 ? ['plain', 'encrypted'] as const : ['encrypted', 'plain'] as const) {
        const b = bobs[variant]
        await b.start()
        await quiesce()
        // the Receiver opens each envelope (the Messenger only delegates to it)
        const open = probe(b.client.messenger.receiver as unknown as { openOne: () => Promise<unknown> }, 'openOne')
        const commit = probe(b.client.store, 'write')
        const cpu0 = process.cpuUsage()
        const t0 = now()
        const res = await b.client.sync()
        const syncMs = now() - t0
        const cpu = process.cpuUsage(cpu0)
        const opens = open.take()
        const writes = commit.take()
        open.restore()
        commit.restore()
        if (res.received > 0 && opens.length === 0) throw new Error('the open stage was not timed: Receiver.openOne was never called')
        const sum = (xs: number[]): number => xs.reduce((a, x) => a + x, 0)
        if (pair >= 0) {
          const sample = { syncMs, cpuMs: (cpu.user + cpu.system) / 1000, openAndStoreMs: sum(opens) + sum(writes), storeMs: sum(writes) }
          samples[variant].push(sample)
          // each sync's figures on stderr, for a look at the spread behind the medians
          console.error(`[privacy-collect] pair ${pair} ${variant}: ${Object.entries(sample).map(([k, v]) => `${k} ${Math.round(v)}`).join(', ')}`)
        }
        // checked by what reached the inbox: a replica that was slow to answer leaves the rest for
        // a second sync (counted, not timed; that pair's ratios then understate the sync)
        const arrived = async (): Promise<number> => (await b.client.inbox()).filter(m => m.text.startsWith(`${pair}:`)).length
        if (await arrived() < count) { resyncs[b.name] = (resyncs[b.name] ?? 0) + 1; await b.client.sync() }
        const got = await arrived()
        await b.client.stop()
        if (got < count) throw new Error(`${b.name} has ${got} of ${count} in its inbox after two syncs (the first said ${res.received})`)
      }
    }
    const figure = (k: Figure): { plain: number, encrypted: number, ratio: ReturnType<typeof pairRatios> } => {
      const plain = samples.plain.map(s => s[k])
      const encrypted = samples.encrypted.map(s => s[k])
      return { plain: median(plain), encrypted: median(encrypted), ratio: pairRatios(plain, encrypted) }
    }
    const spread = (r: ReturnType<typeof pairRatios>): string => `per-pair ratios: median ${r.median.toFixed(3)}, IQR ${r.p25.toFixed(3)}–${r.p75.toFixed(3)}, range ${r.min.toFixed(3)}–${r.max.toFixed(3)}`
    const what = `${o.messages} × ${o.textBytes} B from ${o.mailboxNodes} mailbox nodes (k=${o.replicas}), ${o.pairs} pairs of syncs, order alternating`
    const make = (k: Figure, name: string, label: string, unit: string, extra = ''): Row => {
      const f = figure(k)
      // the ratio is the median of the per-pair ratios (not the ratio of the medians): each pair ran
      // under the same load; the figures beside it are the medians of each side
      return { ...row({ name, label, unit, value: f.encrypted, baseline: 'the same into a plain data dir', baselineValue: f.plain, better: 'lower', samples: o.pairs, stat: 'median of per-pair ratios', notes: `${spread(f.ratio)}; ${what}${extra}` }), ratio: Math.round(f.ratio.median * 1000) / 1000 }
    }
    return [
      make('syncMs', 'atRest.collect.sync', `offline recipient's whole sync of ${o.messages} messages into an encrypted data dir`, 'ms', `; second syncs needed: ${JSON.stringify(resyncs)}`),
      make('cpuMs', 'atRest.collect.syncCpu', `CPU time of the process during that sync (encrypted recipient; the mailbox nodes are in the process too)`, 'ms'),
      make('openAndStoreMs', 'atRest.collect.openAndStore', `collect ${o.messages} messages: open and store them (decrypt, store, fsync) into an encrypted data dir`, 'ms'),
      make('storeMs', 'atRest.collect.store', `collect ${o.messages} messages: their writes alone (seal, store, fsync) into an encrypted data dir`, 'ms')
    ]
  } finally {
    for (const p of people) await p.client.stop().catch(() => {})
    await cluster.stopAll()
  }
}
