/**
 * A peer serving one test protocol with Cairn's serve() (rpc.ts), whose answer takes `workMs` of
 * its own work (a slow disk or a small CPU, as far as the asker can tell). Imported, it serves in
 * this process; run as a script (`node slow-server.js DIR WORK_MS`), it serves from a process of
 * its own and prints its address, so that a test can freeze it (SIGSTOP): a peer that stalled.
 */
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { pathToFileURL } from 'node:url'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { MailboxRequest, MailboxResponse, MailboxStatus } from '../../proto/cairn.js'
import { systemClock } from '../../src/shared/clock.js'
import { silentLogger } from '../../src/shared/logger.js'
import { createNode, type CairnNode } from '../../src/shared/node/create-node.js'
import { serve } from '../../src/shared/protocols/rpc.js'
import { Store } from '../../src/shared/store.js'
import { testConfig } from './users.js'

export const SLOW_PROTOCOL = '/cairn-test/slow/1.0.0'
export const slowCodecs = { req: MailboxRequest, res: MailboxResponse }

/** Serve SLOW_PROTOCOL on `node`: each answer (MAILBOX_OK, the request's detail echoed) after `workMs`. */
export async function serveSlowly (node: CairnNode, workMs: number, timeoutMs: number): Promise<void> {
  await node.handle(SLOW_PROTOCOL, serve<MailboxRequest, MailboxResponse>({
    protocol: SLOW_PROTOCOL,
    maxBytes: 1 << 20,
    timeoutMs,
    clock: systemClock,
    codecs: slowCodecs,
    log: silentLogger(),
    handle: async () => { await sleep(workMs); return { status: MailboxStatus.MAILBOX_OK, detail: 'done' } },
    answerError: () => undefined
  }))
}

/** A bare Cairn host with its own store under `dir`. */
export async function startHost (dir: string): Promise<{ node: CairnNode, stop: () => Promise<void> }> {
  const store = await Store.open(join(dir, `host-${Math.random().toString(16).slice(2)}`))
  const node = await createNode({ privateKey: await generateKeyPair('Ed25519'), datastore: store.datastore, config: testConfig(dir), clock: systemClock, dhtServer: false })
  return { node, stop: async () => { await node.stop(); await store.close() } }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [dir = '/tmp', workMs = '3600000', timeoutMs = '1000'] = process.argv.slice(2)
  const { node } = await startHost(dir)
  await serveSlowly(node, Number(workMs), Number(timeoutMs))
  process.stdout.write(`${node.getMultiaddrs()[0]?.toString() ?? ''}\n`)
}
