// Shared helpers for the peer benchmarks (Mosquitto, Nostr relay).
// Loopback only: every server started here listens on 127.0.0.1.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

export const HOST = '127.0.0.1';

export const now = () => performance.now();

/** Round to 0.1 ms / 1 µs so the JSON stays readable. */
export const ms = (x) => Math.round(x * 10) / 10;
export const us = (x) => Math.round(x);

export function median(xs) {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** A logger that writes to stderr (stdout is reserved for the JSON result). */
export function stderrLog(prefix) {
  return (...args) => process.stderr.write(`[${prefix}] ${args.join(' ')}\n`);
}
export const quiet = () => {};

/** Ask the kernel for a free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Poll until a TCP connect to 127.0.0.1:port succeeds. */
export async function waitForPort(port, { timeoutMs = 10_000, isAlive = () => true } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const s = net.connect({ host: HOST, port });
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => { s.destroy(); resolve(false); });
    });
    if (ok) return;
    if (!isAlive()) throw new Error(`server exited before listening on ${HOST}:${port}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${HOST}:${port}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

// Servers and temp dirs still alive; killed/removed if this process exits or is signalled
// in the middle of a run (normal runs stop and remove them themselves).
const liveChildren = new Set();
const liveDirs = new Set();
let exitHookInstalled = false;
function cleanupSync() {
  for (const pid of liveChildren) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  liveChildren.clear();
  for (const d of liveDirs) { try { rmSync(d, { recursive: true, force: true }); } catch { /* ignore */ } }
  liveDirs.clear();
}
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', cleanupSync);
}
/** For CLIs: on SIGINT/SIGTERM kill our servers, remove our temp dirs, exit 130/143. */
export function exitOnSignals() {
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
    process.once(sig, () => { cleanupSync(); process.exit(code); });
  }
}

export async function makeTempDir(prefix) {
  installExitHook();
  const dir = await mkdtemp(path.join(os.tmpdir(), `cairn-bench-${prefix}-`));
  liveDirs.add(dir);
  return dir;
}

export async function removeDir(dir) {
  if (!dir) return;
  await rm(dir, { recursive: true, force: true });
  liveDirs.delete(dir);
}

/**
 * Spawn a server process and keep its stderr/stdout tail for error messages.
 * Returns a handle whose stop() sends a signal to that PID only and waits for it to exit.
 */
export function startProcess(cmd, args, { env, cwd, log = quiet, name = cmd, onStdoutLine } = {}) {
  installExitHook();
  const child = spawn(cmd, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid) liveChildren.add(child.pid);
  const tail = [];
  let exited = null;
  const exitPromise = new Promise((resolve) => {
    child.once('exit', (code, signal) => { exited = { code, signal }; liveChildren.delete(child.pid); resolve(exited); });
    child.once('error', (err) => { exited = { code: null, signal: null, error: err }; liveChildren.delete(child.pid); resolve(exited); });
  });
  const keep = (buf, isStdout) => {
    for (const line of buf.toString().split('\n')) {
      if (!line) continue;
      if (isStdout && onStdoutLine) onStdoutLine(line);
      tail.push(line);
      if (tail.length > 40) tail.shift();
      log(`${name}: ${line}`);
    }
  };
  child.stdout.on('data', (b) => keep(b, true));
  child.stderr.on('data', (b) => keep(b, false));
  return {
    pid: child.pid,
    child,
    isAlive: () => exited === null,
    exited: exitPromise,
    tail: () => tail.join('\n'),
    async stop({ signal = 'SIGTERM', timeoutMs = 10_000 } = {}) {
      if (exited) return exited;
      try { process.kill(child.pid, signal); } catch { /* already gone */ }
      let t;
      const timer = new Promise((r) => { t = setTimeout(r, timeoutMs, 'timeout'); });
      const r = await Promise.race([exitPromise, timer]);
      clearTimeout(t);
      if (r === 'timeout') {
        try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ }
        return exitPromise;
      }
      return r;
    },
  };
}

/**
 * The workload: `messages` distinct payloads of exactly `size` bytes (ASCII, so a
 * JS string and its UTF-8 bytes have the same length). Each starts with a unique
 * id "m<run>:<index>:" and is filled with random base64 so contents can be compared.
 */
export function makeWorkload(messages, size) {
  const run = randomBytes(4).toString('hex');
  const items = [];
  for (let i = 0; i < messages; i++) {
    const id = `m${run}:${String(i).padStart(7, '0')}:`;
    if (size < id.length) throw new Error(`size ${size} is smaller than the id prefix (${id.length} bytes)`);
    const fill = randomBytes(Math.ceil(((size - id.length) * 3) / 4) + 3).toString('base64').slice(0, size - id.length);
    items.push({ id, text: id + fill });
  }
  return { run, items, byId: new Map(items.map((it) => [it.id, it.text])) };
}

/** Extract the id prefix from a received plaintext ("m<run>:<index>:"). */
export function idOf(text) {
  const a = text.indexOf(':');
  const b = a < 0 ? -1 : text.indexOf(':', a + 1);
  return b < 0 ? null : text.slice(0, b + 1);
}

/**
 * Verify that every expected message was received exactly with its content:
 * count distinct ids, compare each content byte-for-byte, report duplicates/strays.
 * `received` is an array of plaintext strings.
 */
export function verify(workload, received) {
  const seen = new Map();
  let duplicates = 0;
  let strays = 0;
  let mismatched = 0;
  for (const text of received) {
    const id = idOf(text);
    const expected = id === null ? undefined : workload.byId.get(id);
    if (expected === undefined) { strays++; continue; }
    if (seen.has(id)) { duplicates++; continue; }
    seen.set(id, true);
    if (text !== expected) mismatched++;
  }
  const distinct = seen.size;
  const missing = workload.items.length - distinct;
  const ok = missing === 0 && mismatched === 0 && strays === 0;
  return { ok, expected: workload.items.length, received: received.length, distinct, missing, mismatched, duplicates, strays };
}

export function assertVerified(v, what) {
  if (!v.ok) throw new Error(`${what}: verification failed ${JSON.stringify(v)}`);
}

/**
 * Run `count` async sends with at most `window` outstanding. `send(i)` must return a
 * promise settled when the server has acknowledged message i. window=1 = wait for each ack.
 */
export async function sendWindowed(count, window, send) {
  if (window <= 1) {
    for (let i = 0; i < count; i++) await send(i);
    return;
  }
  const inflight = new Set();
  let failed = null;
  for (let i = 0; i < count; i++) {
    if (failed) throw failed;
    const p = send(i).then(
      () => { inflight.delete(p); },
      (err) => { inflight.delete(p); failed ??= err; },
    );
    inflight.add(p);
    if (inflight.size >= window) await Promise.race(inflight);
  }
  await Promise.all(inflight);
  if (failed) throw failed;
}

/** Reject if `p` does not settle within `timeoutMs`. */
export function withTimeout(p, timeoutMs, what) {
  let t;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise((_, reject) => { t = setTimeout(() => reject(new Error(`${typeof what === 'function' ? what() : what} timed out after ${timeoutMs} ms`)), timeoutMs); }),
  ]);
}

/** Parse --messages N --size N --runs N --window N --variants a,b and boolean --flags. */
export function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) continue;
    const [k, inline] = a.slice(2).split('=', 2);
    const key = k.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    let val = inline;
    if (val === undefined) {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('--')) { val = next; i++; } else val = 'true';
    }
    if (val === 'true') out[key] = true;
    else if (val === 'false') out[key] = false;
    else if (/^-?\d+(\.\d+)?$/.test(val)) out[key] = Number(val);
    else out[key] = val;
  }
  if (typeof out.variants === 'string') out.variants = out.variants.split(',').filter(Boolean);
  return out;
}

const TIMING_KEYS = ['storeMs', 'collectMs', 'totalMs', 'perMessageUs', 'senderConnectMs', 'recipientConnectMs', 'collectDecryptMs', 'storeCryptoMs', 'restartMs'];

/**
 * Run `runOnce(opts)` `runs` times; rows with the same (system, variant) are merged into
 * one row with the median of each timing field and the per-run samples under `samples`.
 */
export async function runRepeated(runOnce, { runs = 1, log = quiet, ...opts }) {
  const all = [];
  for (let r = 0; r < runs; r++) {
    log(`run ${r + 1}/${runs}`);
    const res = await runOnce({ ...opts, log });
    if (!Array.isArray(res)) return res; // skipped
    all.push(res);
  }
  if (runs === 1) return all[0];
  const groups = new Map();
  for (const rows of all) {
    for (const row of rows) {
      const k = `${row.system}/${row.variant}`;
      if (!groups.has(k)) groups.set(k, []);
      groups.get(k).push(row);
    }
  }
  return [...groups.values()].map((rows) => {
    const merged = { ...rows[0], runs: rows.length, stat: 'median' };
    for (const key of TIMING_KEYS) {
      if (!rows.some((r) => key in r)) continue;
      const m = median(rows.map((r) => r[key]));
      merged[key] = m === null ? null : Math.round(m * 10) / 10;
    }
    const sampleKeys = [...TIMING_KEYS, 'survivedRestart', 'survivedKill'];
    merged.samples = rows.map((r) => Object.fromEntries(sampleKeys.filter((k) => k in r).map((k) => [k, r[k]])));
    for (const k of ['survivedRestart', 'survivedKill']) {
      if (k in merged) merged[k] = rows.map((r) => r[k]).join(', ');
    }
    merged.verified = rows.every((r) => r.verified?.ok) ? rows[0].verified : rows.map((r) => r.verified);
    return merged;
  });
}

/** Standalone entry point helper: parse argv, run, print one JSON document on stdout. */
export async function cliMain(system, run, argv = process.argv.slice(2)) {
  exitOnSignals();
  const args = parseArgs(argv);
  const log = args.quiet ? quiet : stderrLog(system);
  const { runs = 1, ...rest } = args;
  delete rest.quiet;
  let result;
  try {
    result = await runRepeated(run, { runs, log, ...rest });
  } catch (err) {
    process.stdout.write(JSON.stringify({ system, error: String(err?.stack ?? err) }, null, 2) + '\n');
    process.exitCode = 1;
    return;
  }
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  if (!Array.isArray(result) && !result?.skipped) process.exitCode = 1;
}
