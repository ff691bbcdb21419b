/**
 * A kept-open request channel (serveMany, rpc.ts) ends when its sender stops: the server's log says
 * so at debug level, under the channel's own protocol, and records no failed request. (The direct
 * service serves /cairn/direct and its channel with one set of options: every channel a stopping
 * peer left behind was logged as an "Unexpected EOF" request failure on /cairn/direct.)
 */
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from 'node:test'
import { MailboxStatus } from '../../proto/cairn.js'
import { systemClock } from '../../src/shared/clock.js'
import { createLogger } from '../../src/shared/logger.js'
import { RequestChannels } from '../../src/shared/protocols/channel.js'
import { serveMany } from '../../src/shared/protocols/rpc.js'
import { slowCodecs, startHost } from '../helpers/slow-server.js'
import { tempRoot } from '../helpers/users.js'

const ONE_SHOT = '/cairn-test/one-shot/1.0.0'
const CHANNEL = '/cairn-test/channel/1.0.0'

interface Line { level: number, msg: string, protocol?: string, err?: unknown }

test('a channel whose sender stops is logged as closed, under its own protocol, and not as a failed request', async (t) => {
  const root = await tempRoot(t)
  const server = await startHost(root)
  const sender = await startHost(root)
  let senderUp = true
  t.after(async () => { if (senderUp) await sender.stop(); await server.stop() })
  const lines: Line[] = []
  const log = createLogger('debug', {}, { write: (line: string) => { lines.push(JSON.parse(line) as Line) } })
  // as the direct service does: the one-shot protocol's options serve its channel too
  await server.node.handle(CHANNEL, serveMany({
    protocol: ONE_SHOT,
    maxBytes: 1 << 20,
    timeoutMs: 10_000,
    clock: systemClock,
    codecs: slowCodecs,
    log,
    handle: async () => ({ status: MailboxStatus.MAILBOX_OK, detail: 'done' }),
    answerError: () => undefined
  }))
  const connection = await sender.node.dial(server.node.getMultiaddrs())
  const channels = new RequestChannels(CHANNEL, slowCodecs)
  const res = await channels.ask(connection, { version: 1, status: {} }, { maxBytes: 1 << 20, timeoutMs: 10_000, clock: systemClock })
  assert.equal(res?.status, MailboxStatus.MAILBOX_OK, 'answered on the channel')
  senderUp = false
  await sender.stop() // the channel is left open: the node's stop closes it
  for (let i = 0; i < 50 && lines.length === 0; i++) await sleep(100)
  assert.deepEqual(lines.map(l => ({ level: l.level, msg: l.msg, protocol: l.protocol, err: l.err })), [{ level: 20, msg: 'channel closed before another request', protocol: CHANNEL, err: undefined }])
})
