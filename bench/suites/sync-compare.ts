/**
 * The offline-recipient workload side by side: Cairn (sealed, E2EE, deposited at k replicas that
 * fsync, collected through the DHT) against each peer system that ran, with what each system's
 * acknowledgement means stated next to its figures.
 */
import { PEER_VARIANTS, durabilityText, type PeersResult } from '../lib/peers.js'
import { row, simpleTable, type Row } from '../lib/report.js'
import type { MailboxResult } from './mailbox.js'

export const CAIRN_DURABILITY = 'deposit acknowledged after fsync at each replica (≥ 1 of k must answer); the recipient fsyncs before it acks'

export function syncRows (cairn: MailboxResult, peers: PeersResult, messages: number, runs: number): Row[] {
  const rows: Row[] = []
  for (const p of peers.rows) {
    if (!Object.values(PEER_VARIANTS).flat().includes(p.variant)) continue
    const who = `${p.system} ${p.variant}`
    const notes = `${p.system}: ${durabilityText(p.durability)}; Cairn: ${CAIRN_DURABILITY}`
    rows.push(
      row({ name: `sync.collect.${p.system}-${p.variant}`, label: `offline recipient collects ${messages} × 1 KiB (Cairn: sync, decrypt, store)`, unit: 'ms', value: cairn.cairn.collectMs, baseline: `${who} collect`, baselineValue: p.collectMs, better: 'lower', samples: runs, stat: 'median of runs', notes }),
      row({ name: `sync.total.${p.system}-${p.variant}`, label: `store ${messages} × 1 KiB while away, then collect`, unit: 'ms', value: cairn.cairn.totalMs, baseline: `${who} store + collect`, baselineValue: p.totalMs, better: 'lower', samples: runs, stat: 'median of runs' })
    )
  }
  return rows
}

/** The side-by-side table: every system's figures and its durability in words. */
export function sideBySide (cairn: MailboxResult, peers: PeersResult, replicas: number): string {
  const records: Array<Array<string | number>> = [
    ['Cairn', `k=${replicas}, sealed sender + Double Ratchet`, 'yes', Math.round(cairn.cairn.storeMs), Math.round(cairn.cairn.collectMs), Math.round(cairn.cairn.totalMs), CAIRN_DURABILITY]
  ]
  for (const p of peers.rows) {
    records.push([p.system, p.variant, p.encrypted === false ? 'no' : String(p.encrypted === true ? 'yes' : p.encrypted), Math.round(p.storeMs), Math.round(p.collectMs), Math.round(p.totalMs), durabilityText(p.durability)])
  }
  for (const s of peers.skipped) records.push([s.system, 'skipped', '', '', '', '', s.reason])
  for (const e of peers.errors) records.push([e.system, 'failed', '', '', '', '', e.error.split('\n')[0] ?? ''])
  return simpleTable(['system', 'variant', 'E2EE', 'store ms', 'collect ms', 'total ms', 'an acknowledgement means'], records)
}
