/**
 * The daemon's downloads (attachments.downloadDir): each received file up to
 * attachments.autoFetchBytes is saved into that directory by itself, as `cairn save` would save it
 * (waited for while it arrives directly, fetched from mailboxes, checked, written atomically, its
 * received copy then removed). A file not available yet (its chunks still on their way to the
 * mailboxes, a sender's push that stalled) waits here and is tried again when more of it may be
 * available: its second message (`described`) and after each sync; for up to `retryForMs` after it
 * was first asked for (the mailboxes' own time to hold it), in this process only. Logs name the
 * message id, never the file's name.
 */
import type { Clock } from '../../shared/clock.js'
import { CairnError, describeError } from '../../shared/errors.js'
import type { Logger } from '../../shared/logger.js'
import { BoundedMap } from '../../shared/bounded-map.js'

/** Files waiting to be tried again at most (a flood of messages with files cannot grow this). */
const MAX_WAITING = 1000

export interface DownloadsComponents {
  /** `Attachments.save`: one at a time per message; a file saved before says so and writes nothing. */
  save: (messageId: string, dir: string, options: { signal: AbortSignal }) => Promise<{ alreadySaved?: true }>
  clock: Clock
  log: Logger
}

export interface DownloadsInit {
  dir: string
  retryForMs: number
}

export class Downloads {
  /** Message id → when it was first asked for: files not saved yet, to try again. */
  private readonly waiting = new BoundedMap<string, number>(MAX_WAITING)
  /** Per message id, the save under way; `again`: asked for once more meanwhile (tried after it, if it failed). */
  private readonly running = new Map<string, { again: boolean }>()
  private readonly jobs = new Set<Promise<void>>()
  private readonly stopping = new AbortController()

  constructor (private readonly components: DownloadsComponents, private readonly init: DownloadsInit) {}

  /** Save message `messageId`'s file into the download directory, now or as soon as a try can. */
  want (messageId: string): void {
    if (this.stopping.signal.aborted) return
    if (!this.waiting.has(messageId)) this.waiting.set(messageId, this.components.clock.now())
    const running = this.running.get(messageId)
    if (running !== undefined) { running.again = true; return }
    const state = { again: false }
    this.running.set(messageId, state)
    const job = (async () => {
      do {
        state.again = false
        if (await this.tryOnce(messageId)) return
      } while (state.again && !this.stopping.signal.aborted)
    })().finally(() => { this.running.delete(messageId) })
    this.jobs.add(job)
    void job.finally(() => this.jobs.delete(job))
  }

  /** Try again every file still waiting (after a sync: more may be at the mailboxes now); forget those past `retryForMs`. */
  retry (): void {
    const now = this.components.clock.now()
    for (const [id, since] of [...this.waiting]) {
      if (now - since > this.init.retryForMs) this.waiting.delete(id)
      else this.want(id)
    }
  }

  /** Message ids waiting to be tried again. */
  get pending (): string[] { return [...this.waiting.keys()] }

  async stop (): Promise<void> {
    this.stopping.abort()
    await Promise.allSettled([...this.jobs])
  }

  /** One save; true once there is nothing left to do for this message (saved, or never can be). */
  private async tryOnce (messageId: string): Promise<boolean> {
    const { log } = this.components
    try {
      const r = await this.components.save(messageId, this.init.dir, { signal: this.stopping.signal })
      this.waiting.delete(messageId)
      if (r.alreadySaved !== true) log.info({ id: messageId }, 'attachment downloaded')
      return true
    } catch (err) {
      // exit 2: no such message any more (deleted) or a download directory that is not one: trying
      // again cannot help; anything else (not all here yet, a full disk) is tried again
      if (CairnError.is(err) && err.exitCode === 2) {
        this.waiting.delete(messageId)
        log.warn({ id: messageId, err: why(err) }, 'attachment not downloaded')
        return true
      }
      if (!this.stopping.signal.aborted) log.info({ id: messageId, err: why(err) }, 'attachment not downloaded yet; tried again after the next sync')
      return false
    }
  }
}

/** What went wrong, for the log: Cairn's own errors say it without the file's name; a system error (its message may quote the file's temporary path) only by its code. */
function why (err: unknown): string {
  if (CairnError.is(err)) return describeError(err)
  return (err as NodeJS.ErrnoException).code ?? (err as Error).name ?? 'error'
}
