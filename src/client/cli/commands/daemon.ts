import { describeError } from '../../../shared/errors.js'
import { printJson, printLine } from '../output.js'
import { onShutdown } from '../signals.js'
import type { Command } from './command.js'

export const daemon: Command = {
  name: 'daemon',
  usage: 'cairn daemon',
  summary: "run this user's node in the foreground; other commands then go through it",
  flags: {},
  async run ({ parsed, config, log }) {
    const [{ CairnClient }, { DaemonServer }] = await Promise.all([import('../../client.js'), import('../../daemon/daemon-server.js')])
    const client = await CairnClient.open({ config, log })
    const server = new DaemonServer({
      dataDir: config.dataDir,
      api: client,
      messenger: client.messenger,
      names: async peerId => (await client.contacts.byPeerId(peerId))?.name ?? null,
      log
    })
    await server.start()
    client.attachments.startAutoFetch()
    let busy = false
    const exclusive = (what: string, job: () => Promise<unknown>) => (): void => {
      if (busy) return
      busy = true
      job().catch((err: unknown) => { log.warn({ err: describeError(err) }, `${what} failed`) }).finally(() => { busy = false })
    }
    const flush = exclusive('outbox retry', async () => {
      await client.reconnectIfIsolated()
      if ((await client.messenger.pending()).length > 0) await client.messenger.flushOutbox()
    })
    const sync = exclusive('periodic sync', async () => client.sync())
    const timers = [setInterval(flush, config.delivery.retryIntervalMs), setInterval(sync, config.delivery.syncIntervalMs)]
    // a peer connecting may be the network coming back: try what waits for it
    client.node?.addEventListener('peer:connect', () => { setTimeout(flush, 500) })
    onShutdown(async () => {
      for (const t of timers) clearInterval(t)
      await server.stop()
      await client.stop()
    }, log)
    const info = await client.id()
    if (parsed.json) printJson({ peerId: info.peerId, addresses: info.addresses })
    else {
      printLine(`cairn daemon running as ${info.peerId}`)
      for (const a of info.addresses) printLine(`  ${a}`)
    }
    sync()
    await new Promise(() => {}) // until a signal
  }
}
