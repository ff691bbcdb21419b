/**
 * The daemon's part of attachments: received files fetched from mailboxes, or saved into the
 * download directory, by themselves, as their messages come; tried again after syncs (FileTries);
 * and what a restart left undone asked for again from the received files' records.
 */
import type { Clock } from '../../shared/clock.js'
import type { CairnConfig } from '../../shared/config.js'
import { loggableError } from '../../shared/errors.js'
import { forComponent, type Logger } from '../../shared/logger.js'
import type { Store } from '../../shared/store.js'
import type { Contacts } from '../contacts.js'
import { decodeNumber, encodeNumber, keys } from '../crypto/kv.js'
import type { DescribedFile, Messenger } from '../messenger.js'
import { isStreamed } from './descriptor.js'
import { FileTries, type FileTriesComponents } from './file-tries.js'
import type { IncomingFile } from './incoming-file.js'
import { descriptorOf, getIncoming, incomingRecords, type IncomingRecord } from './incoming-store.js'

export interface AutoFetchComponents {
  store: Store
  messenger: Messenger
  contacts: Contacts
  clock: Clock
  log: Logger
  /** What the daemon does to a file: Attachments' own save, fetch and look-up. */
  files: {
    save: (messageId: string, dir: string, options: { signal: AbortSignal }) => Promise<{ alreadySaved?: true }>
    fetch: (messageId: string, options: { signal: AbortSignal }) => Promise<unknown>
    incoming: (messageId: string) => Promise<IncomingFile>
  }
}

/** autoFetchBytes and downloadDir; ttlMs and syncIntervalMs (how long, and how often, a file is tried); requestTimeoutMs (the first retry). */
export interface AutoFetchInit {
  attachments: Pick<CairnConfig['attachments'], 'autoFetchBytes' | 'downloadDir'>
  delivery: Pick<CairnConfig['delivery'], 'ttlMs' | 'syncIntervalMs'>
  limits: Pick<CairnConfig['limits'], 'requestTimeoutMs'>
}

export class AutoFetch {
  /** The daemon's downloads, with attachments.downloadDir (start). */
  private downloads?: FileTries
  /** The daemon's fetches into the data dir of the other files up to autoFetchBytes (start). */
  private fetches?: FileTries

  /** `openedAt`: when the client opened (a first start with a download directory counts from then). */
  constructor (private readonly components: AutoFetchComponents, private readonly init: AutoFetchInit, private readonly openedAt: number) {}

  /**
   * Fetch attachments whose chunks wait at mailboxes, up to attachments.autoFetchBytes, as soon as
   * they can be: a file whose message arrived through mailboxes, and a file announced streamed
   * once its second message describes it in full (its push broke: the chunks went to mailboxes),
   * whichever of the two messages came first. A direct sender pushes its chunks itself. A fetch
   * that finds chunks missing (the sender still uploading them) is tried again after syncs, as
   * downloads are (FileTries).
   */
  start (): void {
    const { autoFetchBytes: limit, downloadDir } = this.init.attachments
    const { delivery, limits } = this.init
    const { files, contacts, messenger } = this.components
    const schedule = { retryForMs: delivery.ttlMs, firstRetryMs: limits.requestTimeoutMs, retryBaseMs: delivery.syncIntervalMs }
    const tries = (name: string, done: string, attempt: FileTriesComponents['attempt']): FileTries => new FileTries({ attempt, clock: this.components.clock, log: forComponent(this.components.log, name) }, { done, ...schedule })
    const downloads = downloadDir === '' ? undefined : tries('downloads', 'downloaded', async (id, o) => { const r = await files.save(id, downloadDir, o); return r.alreadySaved === true ? { alreadyDone: true } : {} })
    this.downloads = downloads
    const fetches = tries('attachments', 'fetched', async (id, o) => { const was = (await files.incoming(id)).complete; await files.fetch(id, o); return was ? { alreadyDone: true } : {} })
    this.fetches = fetches
    // with a download directory, a contact's file is saved there (the save fetches what it needs);
    // a stranger's is only fetched, and waits encrypted in the data dir for `cairn save`
    const arrived = (f: DescribedFile, mailboxRoute: boolean): void => {
      void (async () => {
        if (downloads !== undefined && await contacts.byPeerId(f.from) !== undefined) downloads.want(f.id)
        else if (await this.waitsAtMailboxes(f, mailboxRoute)) fetches.want(f.id)
      })().catch((err: unknown) => { this.components.log.info({ id: f.id, err: loggableError(err) }, 'attachment not fetched') })
    }
    messenger.on('message', (m) => {
      if (m.attachment === undefined || m.attachment.size > limit) return
      arrived({ id: m.id, from: m.from, fileId: m.attachment.fileId }, m.route === 'mailbox')
    })
    // a file whose push broke, now described in full: its size is known from its record
    messenger.on('described', (f) => {
      void getIncoming(this.components.store, f.from, f.fileId).then(r => {
        if (r !== undefined && descriptorOf(r).size <= limit) arrived(f, true)
      }, () => {})
    })
  }

  /** After each sync: downloads and fetches not done yet are tried again (more may be at the mailboxes now). */
  afterSync (): void {
    this.downloads?.retry()
    this.fetches?.retry()
  }

  /**
   * At the daemon's start, after `start`: the waiting lists are in memory, so what a restart left
   * undone is asked for again, from the received files' records (one per file, each saying
   * whether it was saved), within delivery.ttlMs and up to autoFetchBytes:
   * - downloads: a contact's file received since downloads were turned on and not saved yet. Without
   *   a download directory, when they were turned on is forgotten: turned on again later, only files
   *   from then on are downloaded, not every file received meanwhile.
   * - fetches: any other file not complete whose chunks may wait at mailboxes (described in full; no
   *   push runs into it after a restart), as the daemon fetched it when its message came.
   * Returns how many of each were asked for.
   */
  async resumeWaiting (): Promise<{ downloads: number, fetches: number }> {
    const { contacts } = this.components
    const { downloads, fetches } = this
    const since = await this.downloadsSince()
    const now = this.components.clock.now()
    const due: IncomingRecord[] = []
    for await (const r of incomingRecords(this.components.store)) {
      if (r.unannounced === true || r.savedTo !== undefined || r.refused === true || now - r.receivedAt > this.init.delivery.ttlMs) continue
      if (descriptorOf(r).size <= this.init.attachments.autoFetchBytes) due.push(r)
    }
    const asked = { downloads: 0, fetches: 0 }
    for (const r of due.sort((a, b) => a.receivedAt - b.receivedAt)) {
      if (downloads !== undefined && since !== undefined && r.receivedAt >= since && await contacts.byPeerId(r.from) !== undefined) {
        downloads.want(r.messageId, r.receivedAt)
        asked.downloads++
      } else if (fetches !== undefined && r.complete !== true && !isStreamed(descriptorOf(r))) {
        fetches.want(r.messageId, r.receivedAt)
        asked.fetches++
      }
    }
    return asked
  }

  /** Downloads a try did not save yet, waiting to be tried again (message ids). */
  get downloadsWaiting (): string[] { return this.downloads?.pending ?? [] }

  /** Downloads queued or running now. */
  get downloadsActive (): number { return this.downloads?.active ?? 0 }

  async stop (): Promise<void> {
    await this.downloads?.stop()
    await this.fetches?.stop()
  }

  /**
   * Since when the daemon downloads (clock ms), kept in the store; undefined without a download
   * directory, whose start forgets it. The first start with one counts from when this client
   * opened: a file that came before `start` listened (its node was up already) is downloaded too.
   */
  private async downloadsSince (): Promise<number | undefined> {
    const { store, clock } = this.components
    if (this.downloads === undefined) {
      await store.write([{ type: 'del', key: DOWNLOADS_SINCE }])
      return undefined
    }
    const now = clock.now()
    const stored = await store.get(DOWNLOADS_SINCE)
    const since = stored === undefined ? this.openedAt : decodeNumber(stored, now)
    // written while the clock was ahead: files received until it caught up would never count
    if (stored === undefined || since > now) await store.write([{ type: 'put', key: DOWNLOADS_SINCE, value: encodeNumber(Math.min(since, now)) }])
    return Math.min(since, now)
  }

  /**
   * Whether the file of message `f.id` is one to fetch from the mailboxes: not complete, listed in
   * its record (not streamed, or described since), up to autoFetchBytes, and `mailboxRoute` or
   * announced streamed (its push broke). A file its sender is pushing directly is not.
   */
  private async waitsAtMailboxes (f: DescribedFile, mailboxRoute: boolean): Promise<boolean> {
    const r = await getIncoming(this.components.store, f.from, f.fileId)
    if (r === undefined || r.complete === true) return false
    const d = descriptorOf(r)
    return !isStreamed(d) && d.size <= this.init.attachments.autoFetchBytes && (mailboxRoute || r.streamed === true)
  }
}

/** When the daemon first ran with a download directory (clock ms); removed once it runs without one (downloadsSince). */
const DOWNLOADS_SINCE = keys.meta('downloads-since')
