/**
 * How the offline path grows with what waits: for each size N (100, 1,000, 10,000 by default),
 * Alice sends N messages to Bob while he is away, then Bob comes back and syncs; both timed and
 * checked by id. One set of mailbox nodes (in their own process) and the same two clients for every
 * size, smallest first, after a warm-up round (the session, bundles and routing tables in place);
 * what a size leaves behind is only tombstones. Baseline: linear growth from the size before
 * (N / N₋₁ × its time), so a ratio at or below 1 says that step grew no faster than linearly (a
 * sync's fixed costs, lookup and dials, make the smallest step look better than it is). The
 * per-message figures go to sync-growth.svg.
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { offlinePair } from '../lib/offline-pair.js'
import { row, type Row } from '../lib/report.js'
import { now } from '../lib/stats.js'
import type { LineSeries } from '../lib/svg.js'

export interface GrowthOptions { sizes: number[], textBytes: number, mailboxNodes: number, replicas: number, log: (...a: unknown[]) => void }

export interface GrowthResult {
  rows: Row[]
  points: Array<{ messages: number, storeMs: number, syncMs: number }>
  /** ms per message against messages waiting, for the chart. */
  series: LineSeries[]
}

export async function syncGrowthSuite (o: GrowthOptions): Promise<GrowthResult> {
  const sizes = [...o.sizes].sort((a, b) => a - b)
  const largest = sizes.at(-1) ?? 0
  const root = await mkdtemp(join(tmpdir(), 'cairn-bench-growth-'))
  // one sender's burst meets the per-sender deposit rate and, at the largest size, the recipient quota: both raised
  const overrides = { mailbox: { replicas: o.replicas, depositsPerMinute: 1e9, depositBurst: 1e9, maxEnvelopesPerRecipient: largest * 2 } }
  const pair = await offlinePair({ root, mailboxNodes: o.mailboxNodes, replicas: o.replicas, overrides })
  try {
    const { cluster, alice, bobPeer, bootstrap } = pair
    const text = 'x'.repeat(o.textBytes)
    const points: GrowthResult['points'] = []
    const round = async (n: number): Promise<{ storeMs: number, syncMs: number }> => {
      const texts = Array.from({ length: n }, (_, i) => `${n}:${i}:${text}`.slice(0, o.textBytes))
      const t0 = now()
      const sent = await alice.messenger.sendMany('bob', texts)
      const storeMs = now() - t0
      o.log(`sync growth: ${n} messages stored in ${Math.round(storeMs)} ms`)
      const ids = new Set(sent.map(r => r.id))
      const viaOther = sent.findIndex(r => r.route !== 'mailbox')
      if (viaOther >= 0) throw new Error(`${n} messages: message ${viaOther} went by ${sent[viaOther]?.route}`)
      const bob = await cluster.start(bobPeer, { bootstrap })
      const s0 = now()
      const sync = await bob.sync()
      const syncMs = now() - s0
      const got = (await bob.inbox()).filter(m => ids.has(m.id))
      if (got.length !== n) throw new Error(`${n} messages: ${got.length} arrived (sync said ${sync.received})`)
      await cluster.stop(bobPeer)
      return { storeMs, syncMs }
    }
    await round(Math.min(10, sizes[0] ?? 10)) // warm-up, not counted
    for (const n of sizes) {
      const { storeMs, syncMs } = await round(n)
      points.push({ messages: n, storeMs, syncMs })
      o.log(`sync growth: ${n} messages collected in ${Math.round(syncMs)} ms`)
    }
    const rows: Row[] = []
    const notes = `${o.mailboxNodes} mailbox nodes in their own process, k=${o.replicas}, ${o.textBytes} B text`
    points.forEach((p, i) => {
      const before = points[i - 1]
      if (before === undefined) return
      const f = p.messages / before.messages
      rows.push(row({ name: `growth.sync.${p.messages}`, label: `offline recipient's sync of ${p.messages} messages`, unit: 'ms', value: p.syncMs, baseline: `linear from ${before.messages} (${Math.round(before.syncMs)} ms × ${f})`, baselineValue: before.syncMs * f, better: 'lower', samples: 1, stat: 'one run', notes }))
      rows.push(row({ name: `growth.store.${p.messages}`, label: `store of ${p.messages} messages for an offline contact`, unit: 'ms', value: p.storeMs, baseline: `linear from ${before.messages} (${Math.round(before.storeMs)} ms × ${f})`, baselineValue: before.storeMs * f, better: 'lower', samples: 1, stat: 'one run' }))
    })
    const series: LineSeries[] = [
      { name: 'sync, ms per message', points: points.map(p => [p.messages, p.syncMs / p.messages]) },
      { name: 'store, ms per message', points: points.map(p => [p.messages, p.storeMs / p.messages]) }
    ]
    return { rows, points, series }
  } finally {
    await pair.stop()
  }
}
