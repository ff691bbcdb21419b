// Peer benchmark: a Nostr relay (@nostr-relay/core + sqlite repository, child process on
// 127.0.0.1) with nostr-tools clients, offline-recipient workload.
//
// Variants (each on a fresh relay process and a fresh sqlite file), <scheme>[<mode>]:
//   nip44-kind4                       kind-4-like DM: content = NIP-44 v2 ciphertext of the
//                                     message (conversation key derived once per peer),
//                                     tag ["p", recipient], signed by the sender.
//                                     (Standard kind 4 uses NIP-04; NIP-44 inside kind 4 is
//                                     what the brief asked for: modern crypto, old envelope.)
//   nip17-giftwrap                    NIP-17 DM: rumor (kind 14) -> seal (kind 13, NIP-44,
//                                     signed by sender) -> gift wrap (kind 1059, NIP-44 with a
//                                     fresh ephemeral key, signed by it), one wrap per message,
//                                     to the recipient only (no self-copy).
//   modes: (none) wait for each OK; -pipelined window of outstanding OKs; -restart pipelined,
//   relay stopped with SIGTERM and restarted before collecting; -crash pipelined, relay killed
//   with SIGKILL right after the last OK and restarted (reports how many acknowledged events
//   survived: durability evidence, not a speed figure).
// Flow: the sender connects and publishes N events, waiting for each OK (window 1) or with a
// window of outstanding OKs; ("-restart": the relay is stopped with SIGTERM and started
// again on the same database; "-crash": killed with SIGKILL); then the recipient connects, sends one REQ
// {kinds, #p:[me], limit:N}, and decrypts (unwraps) every event until EOSE. nostr-tools
// verifies each received event's signature; unwrapping also verifies the seal's signature.
// Every message is verified: distinct ids counted and each plaintext compared to what was sent.
//
// Standalone: node bench/peers/nostr.mjs --messages 1000 --size 1024 [--runs 3]
//   [--variants nip44-kind4,nip44-kind4-pipelined,nip17-giftwrap,...] [--window 64] [--quiet]
// Prints one JSON document (an array of rows, or { skipped, reason }) on stdout.
import { statSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureNodeDeps, PEERS_DIR } from './deps.mjs';
import {
  HOST, assertVerified, cliMain, makeTempDir, makeWorkload, ms, now, quiet, removeDir,
  sendWindowed, startProcess, verify, withTimeout, idOf,
} from './lib.mjs';

const SYSTEM = 'nostr-relay';
export const VARIANTS = [
  'nip44-kind4', 'nip44-kind4-pipelined', 'nip44-kind4-restart', 'nip44-kind4-crash',
  'nip17-giftwrap', 'nip17-giftwrap-pipelined',
];
export const KNOWN_VARIANTS = ['nip44-kind4', 'nip17-giftwrap']
  .flatMap((b) => ['', '-pipelined', '-restart', '-crash'].map((m) => b + m));

async function startRelay({ dbFile, port = 0, defaultLimit, log }) {
  let ready;
  const readyP = new Promise((r) => { ready = r; });
  const proc = startProcess(process.execPath, [
    path.join(PEERS_DIR, 'nostr-relay-server.mjs'), '--db', dbFile, '--port', String(port), '--default-limit', String(defaultLimit),
  ], {
    cwd: PEERS_DIR, log, name: 'relay',
    onStdoutLine: (line) => { try { const j = JSON.parse(line); if (j.ready) ready(j); } catch { /* not ours */ } },
  });
  try {
    const info = await withTimeout(Promise.race([readyP, proc.exited.then((e) => { throw new Error(`relay exited ${JSON.stringify(e)}`); })]), 20_000, 'relay start');
    return { proc, info };
  } catch (err) {
    await proc.stop();
    throw new Error(`${err.message}\n${proc.tail()}`);
  }
}

const WIRE_SAMPLE = 20; // events whose EVENT frame size is measured (avg reported)

function fileSize(f) { return existsSync(f) ? statSync(f).size : 0; }

async function runVariant(nt, variant, { messages, size, window, log, collectTimeoutMs }) {
  const { Relay, nip44, nip17, finalizeEvent, generateSecretKey, getPublicKey } = nt;
  const giftwrap = variant.startsWith('nip17-giftwrap');
  const restart = variant.endsWith('-restart');
  const crash = variant.endsWith('-crash');
  const pipelined = variant.endsWith('-pipelined') || restart || crash;
  const win = pipelined ? Math.max(1, window) : 1;
  const kind = giftwrap ? 1059 : 4;
  const dir = await makeTempDir('nostr');
  const dbFile = path.join(dir, 'relay.sqlite');
  let relayProc = null;
  const conns = [];
  try {
    const defaultLimit = Math.max(100, messages);
    let { proc, info } = await startRelay({ dbFile, defaultLimit, log });
    relayProc = proc;
    const url = `ws://${HOST}:${info.port}`;
    log(`${variant}: relay pid ${proc.pid} on ${url}, sqlite ${JSON.stringify(info.sqlite)}`);

    const senderSk = generateSecretKey();
    const senderPk = getPublicKey(senderSk);
    const recipientSk = generateSecretKey();
    const recipientPk = getPublicKey(recipientSk);
    const workload = makeWorkload(messages, size);

    // 1. sender: build (encrypt + sign) and publish N events; publish() settles on the relay's OK.
    let cryptoMs = 0;
    let wireBytes = 0;
    const tStore0 = now();
    const sender = await Relay.connect(url);
    conns.push(sender);
    sender.publishTimeout = 120_000; // nostr-tools default is 4.4 s per event
    const senderConnectMs = now() - tStore0;
    const tk = now();
    const ck = giftwrap ? null : nip44.v2.utils.getConversationKey(senderSk, recipientPk);
    cryptoMs += now() - tk;
    const build = (i) => {
      const t = now();
      let ev;
      if (giftwrap) {
        ev = nip17.wrapEvent(senderSk, { publicKey: recipientPk }, workload.items[i].text);
      } else {
        ev = finalizeEvent({
          kind: 4,
          created_at: Math.floor(Date.now() / 1000),
          tags: [['p', recipientPk]],
          content: nip44.v2.encrypt(workload.items[i].text, ck),
        }, senderSk);
      }
      cryptoMs += now() - t;
      if (i < WIRE_SAMPLE) wireBytes += JSON.stringify(ev).length + 11; // ["EVENT",...]
      return ev;
    };
    const oks = [];
    await withTimeout(sendWindowed(messages, win, (i) => sender.publish(build(i)).then((reason) => { oks.push(reason); })), 300_000, 'nostr publish');
    const storeMs = now() - tStore0;
    sender.close();
    const duplicatesAcked = oks.filter((r) => typeof r === 'string' && r.startsWith('duplicate')).length;
    if (oks.length !== messages) throw new Error(`only ${oks.length}/${messages} OKs`);
    const dbBytes = fileSize(dbFile);
    const walBytes = fileSize(`${dbFile}-wal`);

    // 2. optional relay restart on the same database (SIGTERM, or SIGKILL for "-crash").
    let restartMs;
    if (restart || crash) {
      const t = now();
      const ex = await relayProc.stop({ signal: crash ? 'SIGKILL' : 'SIGTERM' });
      if (!crash && ex.code !== 0) log(`${variant}: relay exit ${JSON.stringify(ex)}`);
      ({ proc, info } = await startRelay({ dbFile, port: info.port, defaultLimit, log }));
      relayProc = proc;
      restartMs = now() - t;
      log(`${variant}: relay restarted (pid ${proc.pid})`);
    }

    // 3. recipient: one REQ for its events, decrypt/unwrap each until EOSE.
    const received = [];
    const distinct = new Set();
    let decryptMs = 0;
    let badSender = 0;
    let failures = 0;
    const convKeys = new Map();
    const tCollect0 = now();
    const rcpt = await Relay.connect(url);
    conns.push(rcpt);
    const recipientConnectMs = now() - tCollect0;
    let eoseAt = 0;
    await withTimeout(new Promise((resolve, reject) => {
      rcpt.subscribe([{ kinds: [kind], '#p': [recipientPk], limit: messages }], {
        eoseTimeout: collectTimeoutMs, // nostr-tools default is 4.4 s
        onevent(ev) {
          const t = now();
          try {
            let text;
            if (giftwrap) {
              const rumor = nip17.unwrapEvent(ev, recipientSk); // decrypt wrap, verify seal sig, decrypt seal
              if (rumor.pubkey !== senderPk || rumor.kind !== 14) badSender++;
              text = rumor.content;
            } else {
              let k = convKeys.get(ev.pubkey);
              if (!k) { k = nip44.v2.utils.getConversationKey(recipientSk, ev.pubkey); convKeys.set(ev.pubkey, k); }
              if (ev.pubkey !== senderPk) badSender++;
              text = nip44.v2.decrypt(ev.content, k);
            }
            received.push(text);
            const id = idOf(text);
            if (id !== null && workload.byId.has(id)) distinct.add(id);
          } catch (err) {
            failures++;
            log(`${variant}: decrypt failed: ${err.message}`);
          }
          decryptMs += now() - t;
        },
        oneose() { eoseAt = now(); resolve(); },
        onclose(reason) { if (!eoseAt) reject(new Error(`subscription closed before EOSE: ${reason}`)); },
      });
    }), collectTimeoutMs + 5_000, () => `nostr collect (${distinct.size}/${messages})`);
    const collectMs = eoseAt - tCollect0;
    rcpt.close();

    const verified = verify(workload, received);
    if (failures || badSender) {
      throw new Error(`nostr ${variant}: ${failures} decrypt failures, ${badSender} events not from the sender`);
    }
    const complete = verified.distinct === messages;
    if (!crash && !complete && received.length < messages) {
      throw new Error(`nostr ${variant}: relay returned ${received.length}/${messages} events (relay query limit, or the client's EOSE timeout fired early?) ${JSON.stringify(verified)}`);
    }
    if (!crash || verified.mismatched || verified.strays) assertVerified(verified, `nostr ${variant}`);

    const totalMs = storeMs + collectMs;
    return {
      system: SYSTEM,
      variant,
      messages,
      size,
      storeMs: ms(storeMs),
      collectMs: complete ? ms(collectMs) : null,
      totalMs: complete ? ms(totalMs) : null,
      perMessageUs: complete ? Math.round((totalMs * 1000) / messages) : null,
      senderConnectMs: ms(senderConnectMs),
      recipientConnectMs: ms(recipientConnectMs),
      storeCryptoMs: ms(cryptoMs),
      collectDecryptMs: ms(decryptMs),
      ...(restart || crash ? { restartMs: ms(restartMs) } : {}),
      ...(restart ? { survivedRestart: `${verified.distinct}/${messages}` } : {}),
      ...(crash ? { survivedKill: `${verified.distinct}/${messages}` } : {}),
      publishMode: win === 1 ? 'wait for each OK' : `pipelined, window ${win} outstanding OKs`,
      window: win,
      durability: info.sqlite.journal_mode === 'wal' && info.sqlite.synchronous === 1
        ? 'ack-after-write-before-fsync'
        : `sqlite journal_mode=${info.sqlite.journal_mode} synchronous=${info.sqlite.synchronous}`,
      sqlite: info.sqlite,
      encrypted: true,
      encryption: giftwrap
        ? 'NIP-17: NIP-44 v2 seal (sender key) inside NIP-44 v2 gift wrap (ephemeral key), 2 Schnorr signatures per message'
        : 'NIP-44 v2 (secp256k1 ECDH + HKDF, ChaCha20, HMAC-SHA256) content, Schnorr-signed kind-4 event',
      metadataVisibleToRelay: giftwrap ? 'recipient pubkey (p tag), wrap size, approx. time (created_at randomized up to 2 days back)' : 'sender and recipient pubkeys, exact time, size',
      wireBytesPerMessage: Math.round(wireBytes / Math.min(messages, WIRE_SAMPLE)),
      storedBytes: { db: dbBytes, wal: walBytes },
      duplicatesAcked,
      verified,
      server: `@nostr-relay/core ${nt.versions.core} + event-repository-sqlite ${nt.versions.sqlite} (better-sqlite3, SQLite ${info.sqlite.sqlite_version}) + validator, ws ${nt.versions.ws}; child process on ${HOST}`,
      client: `nostr-tools ${nt.versions.nostrTools} (Relay, ws)`,
      notes: [
        'Timing: each phase from Relay.connect() to the last OK (store, includes encrypting and signing every event) / to EOSE after decrypting every event (collect, includes nostr-tools signature verification); close excluded.',
        `Relay query limit: repository defaultLimit=100 and maxLimit=10x; the relay is started with defaultLimit ${defaultLimit} and the REQ carries limit ${messages}.`,
        'Durability: the sqlite repository opens the database in WAL mode and better-sqlite3 is built with SQLITE_DEFAULT_WAL_SYNCHRONOUS=1 (NORMAL): each event is committed to the WAL (write()) before OK, but fsync happens only at checkpoints, so an acknowledged event survives a relay crash, not an OS crash or power loss.',
        'No NIP-42 AUTH: the relay was started without a hostname, so anyone can REQ the kind-4/1059 events (a public relay would require AUTH for DMs: one extra round trip).',
        restart ? 'Relay stopped (SIGTERM) and restarted on the same database between store and collect; restart time excluded from totalMs.' : null,
        crash ? 'Relay killed (SIGKILL) right after the last OK and restarted on the same database: survivedKill counts the acknowledged events the recipient could still collect (a process crash, not a power loss: un-fsynced WAL pages are still in the page cache).' : null,
      ].filter(Boolean),
    };
  } finally {
    for (const c of conns) { try { c.close(); } catch { /* ignore */ } }
    if (relayProc) await relayProc.stop();
    await removeDir(dir);
  }
}

async function loadLibs() {
  const { readFileSync } = await import('node:fs');
  const v = (name) => {
    try { return JSON.parse(readFileSync(path.join(PEERS_DIR, 'node_modules', name, 'package.json'), 'utf8')).version; } catch { return 'unknown'; }
  };
  const pure = await import('nostr-tools/pure');
  const { Relay, useWebSocketImplementation } = await import('nostr-tools/relay');
  const nip44 = await import('nostr-tools/nip44');
  const nip17 = await import('nostr-tools/nip17');
  const { WebSocket } = await import('ws');
  useWebSocketImplementation(WebSocket);
  return {
    Relay, nip44, nip17,
    finalizeEvent: pure.finalizeEvent, generateSecretKey: pure.generateSecretKey, getPublicKey: pure.getPublicKey,
    versions: {
      nostrTools: v('nostr-tools'), core: v('@nostr-relay/core'), sqlite: v('@nostr-relay/event-repository-sqlite'),
      ws: v('ws'), betterSqlite3: v('better-sqlite3'),
    },
  };
}

/**
 * @param {{ messages?: number, size?: number, log?: (...a: any[]) => void, variants?: string[],
 *   window?: number, collectTimeoutMs?: number, warmup?: boolean }} opts
 * @returns {Promise<object[] | { skipped: true, system: string, reason: string }>}
 */
export async function run({
  messages = 1000, size = 1024, log = quiet, variants = VARIANTS, window = 64,
  collectTimeoutMs = 120_000, warmup = true,
} = {}) {
  try {
    await ensureNodeDeps({ log });
  } catch (err) {
    return { skipped: true, system: SYSTEM, reason: `npm dependencies unavailable: ${err.message}` };
  }
  const nt = await loadLibs();
  const common = { size, window, log, collectTimeoutMs };
  if (warmup && variants.length) {
    // Untimed short round per distinct encryption scheme so JIT warm-up is not measured.
    for (const v of new Set(variants.map((x) => (x.startsWith('nip17') ? 'nip17-giftwrap-pipelined' : 'nip44-kind4-pipelined')))) {
      await runVariant(nt, v, { ...common, messages: Math.min(messages, 100) });
    }
    log('warm-up done');
  }
  const rows = [];
  for (const variant of variants) {
    if (!KNOWN_VARIANTS.includes(variant)) throw new Error(`unknown nostr variant ${variant} (known: ${KNOWN_VARIANTS.join(', ')})`);
    rows.push(await runVariant(nt, variant, { ...common, messages }));
    log(`${variant}: store ${rows.at(-1).storeMs} ms, collect ${rows.at(-1).collectMs} ms`);
  }
  return rows;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await cliMain(SYSTEM, run);
}
