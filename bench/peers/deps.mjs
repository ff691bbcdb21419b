// On-demand installation of the peer benchmarks' dependencies.
//
//  - npm packages (bench/peers/package.json) are installed into bench/peers/node_modules
//    only when missing or stale (stamp = hash of package.json + Node ABI).
//  - better-sqlite3 (used by the Nostr relay's sqlite repository, which asks for ^11) is
//    overridden to ^13 in package.json: 11.x/12.x derive from node::ObjectWrap, whose
//    destructor on Node >= 24.19 asserts `(env) != nullptr` and aborts the relay process at
//    the first GC of a finalized Statement (seen here: relay died mid-benchmark). 13.x is
//    Node-API and ships prebuilt binaries inside the npm package, so nothing is compiled
//    (no node-gyp, no Node headers; 11.x had to be compiled from source, ~55 s, and needed
//    the headers of the Node that loads it, not the system Node 20's under nodedir=/usr).
//  - mosquitto comes from Debian (apt-get), only if we are root.
//
// CLI: node bench/peers/deps.mjs [--node-only|--mosquitto-only]
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PEERS_DIR = path.dirname(fileURLToPath(import.meta.url));
const STAMP = path.join(PEERS_DIR, 'node_modules', '.cairn-peers-stamp');

function stampValue() {
  const pkg = readFileSync(path.join(PEERS_DIR, 'package.json'));
  return createHash('sha256').update(pkg).update(`\0${process.versions.modules}\0${process.platform}-${process.arch}`).digest('hex');
}

function depsPresent() {
  const pkg = JSON.parse(readFileSync(path.join(PEERS_DIR, 'package.json'), 'utf8'));
  return Object.keys(pkg.dependencies ?? {}).every((d) => existsSync(path.join(PEERS_DIR, 'node_modules', d, 'package.json')));
}

/**
 * A child process's exit status and output. Never spawnSync here: the bench runs its suites in
 * lanes in one process, and a synchronous npm install (15 s in CI) froze every peer of the other
 * lane; on waking, their timers fire before the answers waiting in their sockets are read. A CI
 * run's handover suite failed 6 s after one ("a message to rcpt-0 went by outbox").
 */
function spawnText(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = { stdout: '', stderr: '' };
    const keep = (key) => (chunk) => { out[key] = (out[key] + chunk).slice(-64 * 1024); };
    child.stdout.setEncoding('utf8').on('data', keep('stdout'));
    child.stderr.setEncoding('utf8').on('data', keep('stderr'));
    child.on('error', (error) => resolve({ status: null, error, ...out }));
    child.on('close', (status) => resolve({ status, ...out }));
  });
}

async function sqliteLoads() {
  const r = await spawnText(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], { cwd: PEERS_DIR });
  return { ok: r.status === 0, err: (r.stderr || '').split('\n').find((l) => /Error|error/.test(l)) ?? r.stderr };
}

async function run(cmd, args, opts = {}) {
  const r = await spawnText(cmd, args, opts);
  if (r.error) throw r.error;
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${(r.stderr || r.stdout || '').slice(-2000)}`);
  }
  return r.stdout;
}

/** Environment for npm: the running Node first on PATH (npm's #!/usr/bin/env node). */
function npmEnv(extra = {}) {
  return { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`, ...extra };
}

/** Install bench/peers npm dependencies if needed. Returns { installed, ms }. */
export async function ensureNodeDeps({ log = () => {}, force = false } = {}) {
  const t0 = Date.now();
  const stampOk = existsSync(STAMP) && readFileSync(STAMP, 'utf8') === stampValue();
  if (!force && stampOk && depsPresent() && (await sqliteLoads()).ok) return { installed: false, ms: 0 };
  log(`npm install in ${PEERS_DIR} (node ${process.versions.node})`);
  await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: PEERS_DIR, env: npmEnv() });
  const s = await sqliteLoads();
  if (!s.ok) throw new Error(`better-sqlite3 does not load in Node ${process.versions.node}: ${s.err}`);
  writeFileSync(STAMP, stampValue());
  const ms = Date.now() - t0;
  log(`npm dependencies ready in ${(ms / 1000).toFixed(1)} s`);
  return { installed: true, ms };
}

function findOnPath(bin) {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).concat(['/usr/sbin', '/usr/local/sbin', '/sbin']);
  for (const d of dirs) {
    const p = path.join(d, bin);
    if (existsSync(p)) return p;
  }
  return null;
}

/**
 * Make sure Debian's mosquitto is installed. Returns { ok: true, bin, version, installed, ms }
 * or { ok: false, reason } (never throws).
 */
export async function ensureMosquitto({ log = () => {} } = {}) {
  const t0 = Date.now();
  let bin = findOnPath('mosquitto');
  let installed = false;
  if (!bin) {
    if (typeof process.getuid === 'function' && process.getuid() !== 0) {
      return { ok: false, reason: 'mosquitto is not installed and we are not root (apt-get install -y mosquitto)' };
    }
    if (!findOnPath('apt-get')) return { ok: false, reason: 'mosquitto is not installed and apt-get is not available' };
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const apt = (args) => spawnText('apt-get', args, { env });
    log('installing mosquitto with apt-get');
    let r = await apt(['install', '-y', '-q', 'mosquitto']);
    if (r.status !== 0) {
      await apt(['update', '-q']);
      r = await apt(['install', '-y', '-q', 'mosquitto']);
    }
    if (r.status !== 0) return { ok: false, reason: `apt-get install mosquitto failed: ${(r.stderr || '').slice(-500)}` };
    bin = findOnPath('mosquitto');
    if (!bin) return { ok: false, reason: 'apt-get install mosquitto succeeded but no mosquitto binary was found' };
    installed = true;
  }
  const h = await spawnText(bin, ['-h']);
  const version = /mosquitto version (\S+)/.exec(`${h.stdout}${h.stderr}`)?.[1] ?? 'unknown';
  return { ok: true, bin, version, installed, ms: Date.now() - t0 };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const log = (...a) => process.stderr.write(`[deps] ${a.join(' ')}\n`);
  const which = process.argv[2];
  const out = {};
  if (which !== '--mosquitto-only') out.npm = await ensureNodeDeps({ log, force: process.argv.includes('--force') });
  if (which !== '--node-only') out.mosquitto = await ensureMosquitto({ log });
  process.stdout.write(JSON.stringify(out) + '\n');
  if (out.mosquitto && !out.mosquitto.ok) log(`mosquitto unavailable: ${out.mosquitto.reason}`);
}
