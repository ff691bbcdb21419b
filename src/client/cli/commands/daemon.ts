import { constants } from 'node:fs'
import { access, mkdir } from 'node:fs/promises'
import { ConfigError, loggableError } from '../../../shared/errors.js'
import { systemClock } from '../../../shared/clock.js'
import { printJson, printLine } from '../output.js'
import { unlockDataDir } from '../passphrase.js'
import { onShutdown } from '../signals.js'
import type { Command } from './command.js'

export const daemon: Command = {
  name: 'daemon',
  usage: 'cairn daemon',
  summary: "run this user's node in the foreground; other commands then go through it",
  flags: {},
  async run ({ parsed, config, log }) {
    const [{ CairnClient }, { DaemonServer }, { DaemonScheduler }] = await Promise.all([import('../../client.js'), import('../../daemon/daemon-server.js'), import('../../daemon/daemon-scheduler.js')])
    // attachments.downloadDir: contacts' files up to autoFetchBytes are saved there as they come
    const downloads = config.attachments.downloadDir
    if (downloads !== '') {
      await mkdir(downloads, { recursive: true }).catch((err: unknown) => { throw new ConfigError('attachments.downloadDir', `cannot make ${downloads}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`) })
      await access(downloads, constants.W_OK).catch((err: unknown) => { throw new ConfigError('attachments.downloadDir', `cannot write to ${downloads}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`) })
    }
    const cipher = await unlockDataDir(parsed, config.dataDir)
    const client = await CairnClient.open({ config, log, cipher })
    const server = new DaemonServer({
      dataDir: config.dataDir,
      api: client,
      messenger: client.messenger,
      names: async peerId => (await client.contacts.byPeerId(peerId))?.name ?? null,
      log
    })
    await server.start()
    client.attachments.autoFetch.start()
    const scheduler = new DaemonScheduler({
      clock: systemClock,
      log,
      jobs: {
        flush: async (signal) => {
          await client.reconnectIfIsolated()
          if ((await client.messenger.pending()).length > 0) await client.messenger.flushOutbox({ signal })
          // a bundle publish that fell short (no replica found, one refused) goes again before the next sync
          await client.retryShortPublish()
        },
        // between lookups, a periodic sync collects at the replica set the last one found (own-replicas.ts)
        sync: async () => {
          const r = await client.sync({ reuseReplicas: true })
          client.attachments.autoFetch.afterSync() // downloads not done yet: more may be at the mailboxes now
          return r
        }
      },
      ...(client.node === undefined ? {} : { events: client.node })
    }, { retryIntervalMs: config.delivery.retryIntervalMs, syncIntervalMs: config.delivery.syncIntervalMs })
    scheduler.start()
    onShutdown(async () => {
      await scheduler.stop()
      await server.stop()
      await client.stop()
    }, log)
    const info = await client.id()
    if (parsed.json) printJson({ peerId: info.peerId, addresses: info.addresses })
    else {
      printLine(`cairn daemon running as ${info.peerId}`)
      for (const a of info.addresses) printLine(`  ${a}`)
    }
    // files a restart left undownloaded or unfetched, behind the start (a read of the received files' records)
    void client.attachments.autoFetch.resumeWaiting().catch((err: unknown) => { log.warn({ err: loggableError(err) }, 'downloads and fetches not resumed; `cairn save` saves them') })
    scheduler.run('sync')
    await new Promise(() => {}) // until a signal
  }
}
