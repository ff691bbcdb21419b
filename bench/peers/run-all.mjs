// Run every peer benchmark (Mosquitto, Nostr relay) on the offline-recipient workload and
// print one JSON document on stdout: { meta, rows, skipped }.
//
//   node bench/peers/run-all.mjs --messages 1000 --size 1024 --runs 3 [--quiet]
//   [--systems mosquitto,nostr] [--mosquitto-variants a,b] [--nostr-variants a,b] [--window 64]
//
// With --runs > 1 each row holds the median of every timing field and the per-run samples.
// Loopback only: every server is started on 127.0.0.1 by its module and stopped by PID.
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitOnSignals, parseArgs, quiet, runRepeated, stderrLog } from './lib.mjs';

export const SYSTEMS = {
  mosquitto: () => import('./mosquitto.mjs'),
  nostr: () => import('./nostr.mjs'),
};

/**
 * @param {{ messages?: number, size?: number, runs?: number, systems?: string[], log?: Function,
 *   window?: number, mosquittoVariants?: string[], nostrVariants?: string[], warmup?: boolean }} opts
 *   (warmup, default true: each system's untimed short round before the timed ones; the bench's
 *   smoke run, which checks shape and not figures, leaves it out)
 */
export async function runAll({
  messages = 1000, size = 1024, runs = 3, systems = Object.keys(SYSTEMS), log = quiet,
  window, mosquittoVariants, nostrVariants, warmup = true,
} = {}) {
  const t0 = Date.now();
  const rows = [];
  const skipped = [];
  const errors = [];
  for (const name of systems) {
    if (!SYSTEMS[name]) throw new Error(`unknown system ${name} (known: ${Object.keys(SYSTEMS).join(', ')})`);
    const mod = await SYSTEMS[name]();
    const variants = name === 'mosquitto' ? mosquittoVariants : nostrVariants;
    const opts = { messages, size, runs, log, warmup, ...(window ? { window } : {}), ...(variants ? { variants } : {}) };
    try {
      const res = await runRepeated(mod.run, opts);
      if (Array.isArray(res)) rows.push(...res); else skipped.push(res);
    } catch (err) {
      errors.push({ system: name, error: String(err?.stack ?? err) });
    }
  }
  return {
    meta: {
      workload: 'offline recipient: N messages stored while the recipient is away, then collected (and decrypted where encrypted)',
      messages, size, runs, stat: runs > 1 ? 'median' : 'single run',
      node: process.version, platform: `${process.platform}-${process.arch}`, cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model, loadavgAtEnd: os.loadavg().map((x) => Math.round(x * 100) / 100),
      startedAt: new Date(t0).toISOString(), wallSeconds: Math.round((Date.now() - t0) / 100) / 10,
    },
    rows, skipped, errors,
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  exitOnSignals();
  const a = parseArgs(process.argv.slice(2));
  const split = (v) => (typeof v === 'string' ? v.split(',').filter(Boolean) : v);
  const out = await runAll({
    messages: a.messages, size: a.size, runs: a.runs, window: a.window,
    systems: split(a.systems), mosquittoVariants: split(a.mosquittoVariants), nostrVariants: split(a.nostrVariants),
    log: a.quiet ? quiet : stderrLog('peers'),
  });
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  if (out.errors.length) process.exitCode = 1;
}
