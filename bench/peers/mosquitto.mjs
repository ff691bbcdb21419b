// Peer benchmark: Eclipse Mosquitto (Debian package) + MQTT.js, offline-recipient workload.
//
// Per variant, a fresh broker is started on a free 127.0.0.1 port with its own config file
// and data dir (persistence on), then:
//   1. the recipient connects with a persistent session (MQTT 5: clean start = false,
//      session expiry 1 h), subscribes to its inbox at QoS 1 and disconnects;
//   2. the sender connects and publishes N QoS-1 messages of `size` bytes, either waiting
//      for each PUBACK (window 1) or pipelined with a window of outstanding PUBACKs;
//   3. (variant "-restart") the broker is stopped with SIGTERM (it writes mosquitto.db on
//      exit) and started again on the same data dir; (variant "-crash") it is killed with
//      SIGKILL right after the last PUBACK and started again: the row then reports how many
//      acknowledged messages survived (durability evidence, not a speed figure);
//   4. the recipient reconnects with the same client id and collects the queued messages.
// Every message is verified: distinct ids counted and each payload compared to what was sent.
//
// Standalone: node bench/peers/mosquitto.mjs --messages 1000 --size 1024 [--runs 3]
//   [--variants qos1-persistent,qos1-persistent-pipelined,qos1-persistent-restart,qos1-persistent-crash]
//   [--window 64] [--max-inflight 20] [--nodelay true] [--quiet]
// Prints one JSON document (an array of rows, or { skipped, reason }) on stdout.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureMosquitto, ensureNodeDeps } from './deps.mjs';
import {
  HOST, assertVerified, cliMain, freePort, idOf, makeTempDir, makeWorkload, ms, now, quiet,
  removeDir, sendWindowed, startProcess, verify, waitForPort, withTimeout,
} from './lib.mjs';

const SYSTEM = 'mosquitto';
export const VARIANTS = ['qos1-persistent', 'qos1-persistent-pipelined', 'qos1-persistent-restart', 'qos1-persistent-crash'];

function mosquittoIds() {
  const uid = spawnSync('id', ['-u', 'mosquitto'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'mosquitto'], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return null;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function chownTree(dir, uid, gid) {
  chownSync(dir, uid, gid);
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) chownTree(p, uid, gid); else chownSync(p, uid, gid);
  }
}

/**
 * Write the broker's config into `dir` and return a starter. Persistence on; the data dir
 * belongs to the `mosquitto` user when we are root (mosquitto drops to that user), else
 * `user root` is used as a fallback when that user does not exist.
 */
function brokerSetup({ bin, dir, port, maxInflight, maxQueued, nodelay, log }) {
  const dataDir = path.join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const isRoot = process.getuid?.() === 0;
  const ids = isRoot ? mosquittoIds() : null;
  const lines = [
    `listener ${port} ${HOST}`,
    'allow_anonymous true',
    'persistence true',
    `persistence_location ${dataDir}/`,
    'persistence_file mosquitto.db',
    'autosave_interval 1800', // Debian/upstream default: written every 30 min, and on exit
    `max_queued_messages ${maxQueued}`, // default 1000 would drop part of a 1000+ burst
    'max_queued_bytes 0',
    `max_inflight_messages ${maxInflight}`, // outgoing (broker -> recipient) window; default 20
    `set_tcp_nodelay ${nodelay ? 'true' : 'false'}`,
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
    'log_type information',
    'connection_messages true',
  ];
  if (isRoot) lines.push(ids ? 'user mosquitto' : 'user root');
  const conf = path.join(dir, 'mosquitto.conf');
  writeFileSync(conf, lines.join('\n') + '\n');
  if (isRoot && ids) chownTree(dir, ids.uid, ids.gid);
  return {
    conf,
    dataDir,
    dbFile: path.join(dataDir, 'mosquitto.db'),
    config: lines,
    async start() {
      const proc = startProcess(bin, ['-c', conf], { log, name: 'mosquitto' });
      try {
        await waitForPort(port, { isAlive: proc.isAlive });
      } catch (err) {
        await proc.stop();
        throw new Error(`${err.message}\n${proc.tail()}`);
      }
      return proc;
    },
  };
}

async function connectClient(mqtt, url, opts, onMessage) {
  const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 10_000, ...opts });
  if (onMessage) client.on('message', onMessage); // before CONNACK: queued messages follow it at once
  const connack = await new Promise((resolve, reject) => {
    client.once('connect', resolve);
    client.once('error', reject);
    client.once('close', () => reject(new Error('connection closed before CONNACK')));
  });
  client.removeAllListeners('error');
  client.on('error', (e) => { client.lastError = e; });
  return { client, connack };
}

async function runVariant(mqtt, broker0, variant, { messages, size, window, maxInflight, maxQueued, nodelay, protocolVersion, collectTimeoutMs, log }) {
  const restart = variant.endsWith('-restart');
  const crash = variant.endsWith('-crash');
  const pipelined = variant.endsWith('-pipelined') || restart || crash;
  const win = pipelined ? Math.max(1, window) : 1;
  const dir = await makeTempDir('mosquitto');
  let proc = null;
  const clients = [];
  try {
    const port = await freePort();
    const broker = brokerSetup({ bin: broker0.bin, dir, port, maxInflight, maxQueued, nodelay, log });
    proc = await broker.start();
    log(`${variant}: broker pid ${proc.pid} on ${HOST}:${port}, data dir ${broker.dataDir}`);
    const url = `mqtt://${HOST}:${port}`;
    const tag = randomBytes(4).toString('hex');
    const topic = `cairn/bench/${tag}/inbox`;
    const recipientId = `cairn-rcpt-${tag}`;
    const session = { clean: false, protocolVersion, clientId: recipientId };
    if (protocolVersion === 5) session.properties = { sessionExpiryInterval: 3600 };
    const workload = makeWorkload(messages, size);

    // 1. recipient: persistent session + QoS-1 subscription, then away.
    {
      const { client } = await connectClient(mqtt, url, session);
      clients.push(client);
      const granted = await client.subscribeAsync(topic, { qos: 1 });
      if (granted[0]?.qos !== 1) throw new Error(`subscription not granted at QoS 1: ${JSON.stringify(granted)}`);
      await client.endAsync();
    }

    // 2. sender: N QoS-1 publishes; each promise settles on its PUBACK.
    const payloads = workload.items.map((it) => Buffer.from(it.text, 'latin1'));
    const tStore0 = now();
    const { client: sender } = await connectClient(mqtt, url, { clean: true, protocolVersion, clientId: `cairn-send-${tag}` });
    clients.push(sender);
    const senderConnectMs = now() - tStore0;
    await withTimeout(
      sendWindowed(messages, win, (i) => sender.publishAsync(topic, payloads[i], { qos: 1 })),
      120_000, 'mosquitto publish',
    );
    const storeMs = now() - tStore0;
    await sender.endAsync();
    const persistedAtAck = existsSync(broker.dbFile) ? statSync(broker.dbFile).size : 0;

    // 3. optional broker restart (SIGTERM makes mosquitto write mosquitto.db; SIGKILL = crash).
    let restartMs;
    let dbBytesAfterShutdown;
    if (restart || crash) {
      const t = now();
      const ex = await proc.stop({ signal: crash ? 'SIGKILL' : 'SIGTERM' });
      if (!crash && ex.code !== 0) log(`${variant}: broker exit ${JSON.stringify(ex)}`);
      dbBytesAfterShutdown = existsSync(broker.dbFile) ? statSync(broker.dbFile).size : 0;
      proc = await broker.start();
      restartMs = now() - t;
      log(`${variant}: broker restarted (pid ${proc.pid}), mosquitto.db ${dbBytesAfterShutdown} bytes`);
    }

    // 4. recipient comes back and collects everything queued for it.
    const received = [];
    const distinct = new Set();
    let done;
    const allIn = new Promise((r) => { done = r; });
    const tCollect0 = now();
    let tCollect1 = 0;
    // After a crash the queue may be partly or wholly gone: stop after 1 s without messages.
    let idleTimer;
    const armIdle = () => { clearTimeout(idleTimer); idleTimer = setTimeout(done, 1000); };
    const onMessage = (t, payload) => {
      const text = payload.toString('latin1');
      received.push(text);
      const id = idOf(text);
      if (id !== null && workload.byId.has(id)) distinct.add(id);
      if (distinct.size === messages && !tCollect1) { tCollect1 = now(); clearTimeout(idleTimer); done(); } else if (crash) armIdle();
    };
    const { client: rcpt, connack } = await connectClient(mqtt, url, session, onMessage);
    clients.push(rcpt);
    const recipientConnectMs = now() - tCollect0;
    if (crash && !tCollect1) armIdle();
    if (!connack.sessionPresent && !crash) throw new Error('broker did not resume the recipient session (sessionPresent=false)');
    await withTimeout(allIn, collectTimeoutMs, () => `mosquitto collect (${distinct.size}/${messages} distinct of ${received.length} received)`).catch((e) => {
      const v = verify(workload, received);
      throw new Error(`${e.message}; ${JSON.stringify(v)}; broker log tail:\n${proc.tail()}`);
    });
    clearTimeout(idleTimer);
    const complete = distinct.size === messages;
    const collectMs = complete ? tCollect1 - tCollect0 : null;
    await new Promise((r) => setTimeout(r, 50)); // let the last PUBACKs go out, catch late duplicates
    await rcpt.endAsync();
    const verified = verify(workload, received);
    if (crash) {
      if (verified.mismatched || verified.strays) assertVerified(verified, `mosquitto ${variant}`);
    } else {
      assertVerified(verified, `mosquitto ${variant}`);
    }

    const totalMs = complete ? storeMs + collectMs : null;
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
      ...(restart || crash ? { restartMs: ms(restartMs) } : {}),
      publishMode: win === 1 ? 'wait for each PUBACK' : `pipelined, window ${win} outstanding PUBACKs`,
      window: win,
      durability: 'ack-before-write',
      persistedBytesAtLastAck: persistedAtAck,
      ...(restart ? { dbBytesAfterShutdown, survivedRestart: `${verified.distinct}/${messages}` } : {}),
      ...(crash ? { dbBytesAfterKill: dbBytesAfterShutdown, sessionPresentAfterKill: !!connack.sessionPresent, survivedKill: `${verified.distinct}/${messages}` } : {}),
      encrypted: false,
      verified,
      server: `mosquitto ${broker0.version} (Debian), pid per variant, ${HOST} only`,
      client: `mqtt (MQTT.js) ${mqtt.default?.MqttClient?.VERSION ?? ''}`.trim(),
      protocol: protocolVersion === 5 ? 'MQTT 5, clean start=false, session expiry 3600 s' : `MQTT ${protocolVersion === 4 ? '3.1.1' : protocolVersion}, clean=false`,
      brokerConfig: broker.config.filter((l) => !l.startsWith('log_') && !l.startsWith('listener') && !l.startsWith('persistence_location')),
      notes: [
        'Timing: each phase from the client\'s connect() to its last PUBACK (store) / to the Nth distinct message (collect); includes CONNACK; disconnect excluded.',
        'Plaintext: no end-to-end encryption, no signatures; the broker sees every payload.',
        'Durability: PUBACK is sent from memory. With persistence on, mosquitto writes mosquitto.db only every autosave_interval (1800 s) or on clean shutdown/SIGUSR1, so a crash or power loss loses everything acknowledged since the last save.',
        restart ? 'Broker stopped (SIGTERM) and restarted between store and collect; restart time excluded from totalMs.' : null,
        crash ? 'Broker killed (SIGKILL) right after the last PUBACK and restarted: survivedKill counts the acknowledged messages the recipient could still collect (timing columns are null unless all survived).' : null,
      ].filter(Boolean),
    };
  } finally {
    for (const c of clients) { try { c.end(true); } catch { /* ignore */ } }
    if (proc) await proc.stop();
    await removeDir(dir);
  }
}

/**
 * @param {{ messages?: number, size?: number, log?: (...a: any[]) => void, variants?: string[],
 *   window?: number, maxInflight?: number, maxQueued?: number, nodelay?: boolean, protocolVersion?: 4|5 }} opts
 * @returns {Promise<object[] | { skipped: true, system: string, reason: string }>}
 */
export async function run({
  messages = 1000, size = 1024, log = quiet, variants = VARIANTS, window = 64,
  maxInflight = 20, maxQueued = 0, nodelay = true, protocolVersion = 5, collectTimeoutMs = 60_000, warmup = true,
} = {}) {
  const m = await ensureMosquitto({ log });
  if (!m.ok) return { skipped: true, system: SYSTEM, reason: m.reason };
  try {
    await ensureNodeDeps({ log });
  } catch (err) {
    return { skipped: true, system: SYSTEM, reason: `npm dependencies unavailable: ${err.message}` };
  }
  const mqtt = await import('mqtt');
  const common = { size, window, maxInflight, maxQueued, nodelay, protocolVersion, collectTimeoutMs, log };
  if (warmup && variants.length) {
    // Untimed short round so the first timed variant does not pay for JIT warm-up.
    await runVariant(mqtt, m, variants[0], { ...common, messages: Math.min(messages, 200) });
    log('warm-up done');
  }
  const rows = [];
  for (const variant of variants) {
    if (!VARIANTS.includes(variant)) throw new Error(`unknown mosquitto variant ${variant} (known: ${VARIANTS.join(', ')})`);
    rows.push(await runVariant(mqtt, m, variant, { ...common, messages }));
    log(`${variant}: store ${rows.at(-1).storeMs} ms, collect ${rows.at(-1).collectMs} ms`);
  }
  return rows;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await cliMain(SYSTEM, run);
}
