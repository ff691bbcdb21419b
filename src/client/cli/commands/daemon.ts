import { CairnClient } from '../../client.js'
import { DaemonServer } from '../../daemon/daemon-server.js'
import { describeError } from '../../../shared/errors.js'
import { printJson, printLine } from '../output.js'
import { onShutdown } from '../signals.js'
import type { Command } from './command.js'

const OUTBOX_RETRY_MS = 30_000

export const daemon: Command = {
  name: 'daemon',
  usage: 'cairn daemon',
  summary: "run this user's node in the foreground; other commands then go through it",
  flags: {},
  async run ({ parsed, config, log }) {
    const client = await CairnClient.open({ config, log })
    const server = new DaemonServer({
      dataDir: config.dataDir,
      api: client,
      messenger: client.messenger,
      names: async peerId => (await client.contacts.byPeerId(peerId))?.name ?? null,
      log
    })
    await server.start()
    let flushing = false
    const flush = (): void => {
      if (flushing) return
      flushing = true
      client.messenger.flushOutbox().catch((err: unknown) => { log.warn({ err: describeError(err) }, 'outbox retry failed') }).finally(() => { flushing = false })
    }
    const timer = setInterval(flush, OUTBOX_RETRY_MS)
    // a peer connecting is the network coming back: try what waits for it
    client.node?.addEventListener('peer:connect', () => { setTimeout(flush, 500) })
    onShutdown(async () => {
      clearInterval(timer)
      await server.stop()
      await client.stop()
    }, log)
    const info = await client.id()
    if (parsed.json) printJson({ peerId: info.peerId, addresses: info.addresses })
    else {
      printLine(`cairn daemon running as ${info.peerId}`)
      for (const a of info.addresses) printLine(`  ${a}`)
    }
    flush()
    await new Promise(() => {}) // until a signal
  }
}
