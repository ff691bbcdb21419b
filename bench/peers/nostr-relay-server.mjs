// A Nostr relay for the peer benchmark, run as a child process by nostr.mjs:
// @nostr-relay/core + @nostr-relay/event-repository-sqlite (better-sqlite3) + @nostr-relay/validator,
// served over `ws` on 127.0.0.1 only. This is the wiring the nostr-relay project documents for
// building a relay from its packages (validate -> relay.handleMessage per WebSocket message).
//
// Usage: node nostr-relay-server.mjs --db FILE [--port 0] [--default-limit 100]
// Prints one JSON line on stdout when listening: { ready, port, pid, sqlite: {...} }.
// SIGTERM/SIGINT: closes the server and the database (WAL checkpoint), exits 0.
import { NostrRelay } from '@nostr-relay/core';
import { EventRepositorySqlite } from '@nostr-relay/event-repository-sqlite';
import { Validator } from '@nostr-relay/validator';
import { WebSocketServer } from 'ws';
import { parseArgs } from './lib.mjs';

const args = parseArgs(process.argv.slice(2));
if (!args.db) {
  process.stderr.write('usage: nostr-relay-server.mjs --db FILE [--port 0] [--default-limit 100]\n');
  process.exit(2);
}

const repo = new EventRepositorySqlite(String(args.db), args.defaultLimit ? { defaultLimit: Number(args.defaultLimit) } : undefined);
await repo.init();
const db = repo.getDatabase();
const sqlite = {
  file: String(args.db),
  journal_mode: db.pragma('journal_mode', { simple: true }),
  synchronous: db.pragma('synchronous', { simple: true }), // 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA
  wal_autocheckpoint: db.pragma('wal_autocheckpoint', { simple: true }),
  sqlite_version: db.prepare('select sqlite_version() as v').get().v,
  default_limit: repo.getDefaultLimit(),
};

const relay = new NostrRelay(repo, { logLevel: 3 /* ERROR */ });
const validator = new Validator();
const wss = new WebSocketServer({ host: '127.0.0.1', port: Number(args.port ?? 0) });

wss.on('connection', (ws) => {
  relay.handleConnection(ws, '127.0.0.1');
  ws.on('message', async (data) => {
    try {
      const message = await validator.validateIncomingMessage(data);
      await relay.handleMessage(ws, message);
    } catch (error) {
      ws.send(JSON.stringify(['NOTICE', error instanceof Error ? error.message : String(error)]));
    }
  });
  ws.on('close', () => relay.handleDisconnect(ws));
  ws.on('error', () => {});
});

await new Promise((resolve, reject) => { wss.once('listening', resolve); wss.once('error', reject); });
process.stdout.write(JSON.stringify({ ready: true, port: wss.address().port, pid: process.pid, sqlite }) + '\n');

let closing = false;
async function shutdown() {
  if (closing) return;
  closing = true;
  for (const c of wss.clients) c.terminate();
  await new Promise((r) => wss.close(r));
  await relay.destroy();
  await repo.destroy(); // kysely destroy closes better-sqlite3 (checkpoints the WAL)
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
