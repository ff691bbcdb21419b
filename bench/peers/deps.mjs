// On-demand installation of the peer benchmarks' dependencies.
//
//  - npm packages (bench/peers/package.json) are installed into bench/peers/node_modules
//    only when missing or stale (stamp = hash of package.json + Node ABI).
//  - better-sqlite3 (used by the Nostr relay's sqlite repository) has no prebuilt binary
//    reachable here, so it is compiled from source by node-gyp. node-gyp must get the
//    headers of the Node that will load it: npm on this machine is set to nodedir=/usr
//    (headers of the system Node 20), which would build an addon Node 24 refuses to load
//    (NODE_MODULE_VERSION 115 vs 137). When the system headers don't match the running
//    Node, we take the headers from the registry package node-<platform>-<arch>@<version>
//    (the same package the project's "node" devDependency installs) and point
//    npm_config_nodedir at them.
//  - mosquitto comes from Debian (apt-get), only if we are root.
//
// CLI: node bench/peers/deps.mjs [--node-only|--mosquitto-only]
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PEERS_DIR = path.dirname(fileURLToPath(import.meta.url));
const STAMP = path.join(PEERS_DIR, 'node_modules', '.cairn-peers-stamp');
const nodeMajor = Number(process.versions.node.split('.')[0]);

function stampValue() {
  const pkg = readFileSync(path.join(PEERS_DIR, 'package.json'));
  return createHash('sha256').update(pkg).update(`\0${process.versions.modules}\0${process.platform}-${process.arch}`).digest('hex');
}

function depsPresent() {
  const pkg = JSON.parse(readFileSync(path.join(PEERS_DIR, 'package.json'), 'utf8'));
  return Object.keys(pkg.dependencies ?? {}).every((d) => existsSync(path.join(PEERS_DIR, 'node_modules', d, 'package.json')));
}

function sqliteLoads() {
  const r = spawnSync(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], { cwd: PEERS_DIR, encoding: 'utf8' });
  return { ok: r.status === 0, err: (r.stderr || '').split('\n').find((l) => /Error|error/.test(l)) ?? r.stderr };
}

function headerMajor(dir) {
  try {
    const h = readFileSync(path.join(dir, 'include', 'node', 'node_version.h'), 'utf8');
    return Number(/#define NODE_MAJOR_VERSION (\d+)/.exec(h)?.[1]);
  } catch { return NaN; }
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...opts });
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

/** A nodedir whose headers match the running Node (for node-gyp). */
export function ensureNodeHeaders({ log = () => {} } = {}) {
  for (const cand of [process.env.npm_config_nodedir, '/usr', '/usr/local'].filter(Boolean)) {
    if (headerMajor(cand) === nodeMajor) return cand;
  }
  const dir = path.join(PEERS_DIR, '.node-headers', `v${process.versions.node}`);
  if (headerMajor(dir) === nodeMajor) return dir;
  const pkg = `node-${process.platform}-${process.arch}@${process.versions.node}`;
  log(`system Node headers do not match Node ${process.versions.node}; fetching headers from npm package ${pkg}`);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'cairn-node-headers-'));
  try {
    run('npm', ['pack', pkg, '--pack-destination', tmp, '--silent'], { env: npmEnv() });
    const tgz = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
    if (!tgz) throw new Error(`npm pack ${pkg} produced no tarball`);
    mkdirSync(dir, { recursive: true });
    run('tar', ['xzf', path.join(tmp, tgz), '-C', dir, '--strip-components=1', 'package/include']);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  if (headerMajor(dir) !== nodeMajor) throw new Error(`headers in ${dir} do not match Node ${process.versions.node}`);
  return dir;
}

/** Install bench/peers npm dependencies if needed. Returns { installed, ms }. */
export function ensureNodeDeps({ log = () => {}, force = false } = {}) {
  const t0 = Date.now();
  const stampOk = existsSync(STAMP) && readFileSync(STAMP, 'utf8') === stampValue();
  if (!force && stampOk && depsPresent() && sqliteLoads().ok) return { installed: false, ms: 0 };
  const nodedir = ensureNodeHeaders({ log });
  const env = npmEnv({ npm_config_nodedir: nodedir });
  log(`npm install in ${PEERS_DIR} (node ${process.versions.node}, nodedir ${nodedir}); better-sqlite3 compiles from source, ~1 min`);
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: PEERS_DIR, env });
  let s = sqliteLoads();
  if (!s.ok) {
    log(`better-sqlite3 does not load (${s.err.trim()}); rebuilding it against ${nodedir}`);
    run('npm', ['rebuild', 'better-sqlite3', '--loglevel=error'], { cwd: PEERS_DIR, env });
    s = sqliteLoads();
    if (!s.ok) throw new Error(`better-sqlite3 still does not load: ${s.err}`);
  }
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
export function ensureMosquitto({ log = () => {} } = {}) {
  const t0 = Date.now();
  let bin = findOnPath('mosquitto');
  let installed = false;
  if (!bin) {
    if (typeof process.getuid === 'function' && process.getuid() !== 0) {
      return { ok: false, reason: 'mosquitto is not installed and we are not root (apt-get install -y mosquitto)' };
    }
    if (!findOnPath('apt-get')) return { ok: false, reason: 'mosquitto is not installed and apt-get is not available' };
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const apt = (args) => spawnSync('apt-get', args, { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    log('installing mosquitto with apt-get');
    let r = apt(['install', '-y', '-q', 'mosquitto']);
    if (r.status !== 0) {
      apt(['update', '-q']);
      r = apt(['install', '-y', '-q', 'mosquitto']);
    }
    if (r.status !== 0) return { ok: false, reason: `apt-get install mosquitto failed: ${(r.stderr || '').slice(-500)}` };
    bin = findOnPath('mosquitto');
    if (!bin) return { ok: false, reason: 'apt-get install mosquitto succeeded but no mosquitto binary was found' };
    installed = true;
  }
  const h = spawnSync(bin, ['-h'], { encoding: 'utf8' });
  const version = /mosquitto version (\S+)/.exec(`${h.stdout}${h.stderr}`)?.[1] ?? 'unknown';
  return { ok: true, bin, version, installed, ms: Date.now() - t0 };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const log = (...a) => process.stderr.write(`[deps] ${a.join(' ')}\n`);
  const which = process.argv[2];
  const out = {};
  if (which !== '--mosquitto-only') out.npm = ensureNodeDeps({ log, force: process.argv.includes('--force') });
  if (which !== '--node-only') out.mosquitto = ensureMosquitto({ log });
  process.stdout.write(JSON.stringify(out) + '\n');
  if (out.mosquitto && !out.mosquitto.ok) log(`mosquitto unavailable: ${out.mosquitto.reason}`);
}
