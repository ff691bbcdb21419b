/**
 * The peer systems (bench/peers: Mosquitto, a Nostr relay) on the offline-recipient workload,
 * loaded from their own package on demand. A system that cannot run here is skipped with its
 * reason, never faked.
 */
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { repoRoot } from './machine.js'

export interface PeerRow {
  system: string
  variant: string
  storeMs: number
  collectMs: number
  totalMs: number
  durability: string
  encrypted: string | boolean
  verified?: { ok: boolean }
}

export interface PeersResult {
  rows: PeerRow[]
  skipped: Array<{ system: string, reason: string }>
  errors: Array<{ system: string, error: string }>
}

interface RunAll {
  runAll: (o: Record<string, unknown>) => Promise<{ rows: PeerRow[], skipped: Array<{ system: string, reason: string }>, errors: Array<{ system: string, error: string }> }>
}

export const PEER_VARIANTS = { mosquitto: ['qos1-persistent'], nostr: ['nip44-kind4', 'nip17-giftwrap'] }

/** `warmup` (default true): an untimed short round per system first, so the timed one does not pay for JIT warm-up. */
export async function runPeers (o: { messages: number, size: number, runs: number, warmup?: boolean, systems: string[], log: (...a: unknown[]) => void }): Promise<PeersResult> {
  if (o.systems.length === 0) return { rows: [], skipped: [], errors: [] }
  try {
    const mod = await import(pathToFileURL(join(repoRoot(), 'bench', 'peers', 'run-all.mjs')).href) as RunAll
    const out = await mod.runAll({ messages: o.messages, size: o.size, runs: o.runs, warmup: o.warmup ?? true, systems: o.systems, log: o.log, mosquittoVariants: PEER_VARIANTS.mosquitto, nostrVariants: PEER_VARIANTS.nostr })
    return { rows: out.rows.filter(r => r.verified?.ok !== false), skipped: out.skipped, errors: out.errors }
  } catch (err) {
    return { rows: [], skipped: o.systems.map(system => ({ system, reason: `bench/peers could not load: ${String(err)}` })), errors: [] }
  }
}

/** What an acknowledgement means, in words, per durability code the peers report. */
export function durabilityText (code: string): string {
  const known: Record<string, string> = {
    'ack-before-write': 'acknowledged from memory; written to disk every 30 min or on clean exit (0/1000 survived SIGKILL)',
    'ack-after-write-before-fsync': 'acknowledged after the write, before fsync (survives a process crash, not power loss)'
  }
  return known[code] ?? code
}
