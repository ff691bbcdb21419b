/**
 * The daemon's work on received files, in the background, tried until it is done: saving each
 * file a contact sends into the download directory (attachments.downloadDir, as `cairn save`
 * would: waited for while it arrives directly, fetched from mailboxes, checked, written
 * atomically, its received copy then removed), and, for the other files up to
 * attachments.autoFetchBytes, fetching their chunks from the mailboxes into the data dir. One
 * instance per kind of work; a few tries at once, the rest queued.
 *
 * A file not available yet (its chunks still on their way to the mailboxes, a push that stalled, a
 * push not begun when its message came) is tried again: once soon (at the next sync, or after
 * `firstRetryMs` if sooner), then after syncs with a doubling wait (`retryBaseMs`, 2×, 4×, … up to
 * a day between tries), and at once when it is asked for again (its second, describing message);
 * for up to `retryForMs` after it was first asked for (the mailboxes' own time to hold it), in this
 * process only. What trying again cannot mend ends the tries: a message deleted, a download
 * directory that is not one, a file that fails its check, a name the file system refuses. Logs
 * name the message id, never the file (loggableError).
 */
import type { Clock, Timer } from '../../shared/clock.js'
import { CairnError, loggableError } from '../../shared/errors.js'
import type { Logger } from '../../shared/logger.js'
import { BoundedMap } from '../../shared/bounded-map.js'
import { CoalescingQueue } from '../../shared/coalescing-queue.js'
import { AttachmentDigestError } from './errors.js'

/** Files waiting to be tried again at most (a flood of messages with files cannot grow this). */
const MAX_WAITING = 1000
/** Tries at once: background work, each a lookup and fetchConcurrency requests. */
const MAX_RUNNING = 2
/** The longest wait between two tries after syncs. */
const MAX_BACKOFF_MS = 24 * 3600_000
/** System errors a later try may not meet (space freed, descriptors closed); any other is final. */
const TRANSIENT_SYSTEM_ERRORS = new Set(['ENOSPC', 'EDQUOT', 'EMFILE', 'ENFILE', 'EAGAIN', 'EBUSY', 'EIO'])

export interface FileTriesComponents {
  /**
   * One try at message `messageId`'s file (`Attachments.save` into the directory, or a fetch):
   * resolves once it is done, `alreadyDone` if an earlier one had done it; throws what stopped it.
   */
  attempt: (messageId: string, options: { signal: AbortSignal }) => Promise<{ alreadyDone?: true }>
  clock: Clock
  log: Logger
}

export interface FileTriesInit {
  /** What a try does, for the logs: 'downloaded' (saved into the directory) or 'fetched'. */
  done: string
  /** How long after it was first asked for a file is still tried (the mailboxes' hold time). */
  retryForMs: number
  /** The wait before the second try: a direct push that had not begun when the message came. */
  firstRetryMs: number
  /** The wait before the third try; it doubles after each try that fails. */
  retryBaseMs: number
}

interface Waiting { since: number, tries: number, nextAt: number }

export class FileTries {
  /** Files not done yet, by message id: when first asked for, tries so far, when the next is due. */
  private readonly waiting = new BoundedMap<string, Waiting>(MAX_WAITING)
  /** Tries queued or running, one per message id; one asked for while it runs runs again after it unless it was done. */
  private readonly tries = new CoalescingQueue(MAX_RUNNING, MAX_WAITING)
  private readonly timers = new Set<Timer>()
  private readonly stopping = new AbortController()

  constructor (private readonly components: FileTriesComponents, private readonly init: FileTriesInit) {}

  /**
   * Try message `messageId`'s file as soon as a try is free.
   * `receivedAt`: when its message came, if not now (retryForMs counts from then).
   */
  want (messageId: string, receivedAt?: number): void {
    if (this.stopping.signal.aborted) return
    if (!this.waiting.has(messageId)) this.waiting.set(messageId, { since: receivedAt ?? this.components.clock.now(), tries: 0, nextAt: 0 })
    this.tries.want(messageId, async () => this.tryOnce(messageId)) // refused when full: tried again after a sync
  }

  /**
   * After a sync (more may be at the mailboxes now): try the files whose next try is due; forget
   * those past `retryForMs`. Due within half a wait: syncs come at a fixed interval, and a try due
   * a moment after one would otherwise wait for the next, a whole interval late.
   */
  retry (): void {
    const now = this.components.clock.now()
    for (const [id, w] of [...this.waiting]) {
      if (now - w.since > this.init.retryForMs) this.waiting.delete(id)
      else if (now + this.init.retryBaseMs / 2 >= w.nextAt) this.want(id)
    }
  }

  /** Tries queued or running. */
  get active (): number { return this.tries.size }

  /** Message ids whose file a try did not do yet, waiting to be tried again. */
  get pending (): string[] { return [...this.waiting].filter(([, w]) => w.tries > 0).map(([id]) => id) }

  async stop (): Promise<void> {
    this.stopping.abort()
    for (const t of this.timers) t.clear()
    this.timers.clear()
    await this.tries.stop()
  }

  /** One try; true once there is nothing left to do for this message (done, or never can be). */
  private async tryOnce (messageId: string): Promise<boolean> {
    const { log, clock } = this.components
    const startedAt = clock.now()
    try {
      const r = await this.components.attempt(messageId, { signal: this.stopping.signal })
      this.waiting.delete(messageId)
      if (r.alreadyDone !== true) log.info({ id: messageId }, `attachment ${this.init.done}`)
      return true
    } catch (err) {
      if (this.stopping.signal.aborted) return true
      if (final(err)) {
        this.waiting.delete(messageId)
        log.warn({ id: messageId, err: loggableError(err) }, `attachment not ${this.init.done}; \`cairn save\` says why`)
        return true
      }
      const w = this.waiting.get(messageId)
      if (w !== undefined) {
        w.tries++
        if (w.tries === 1) {
          // the second try: at the next sync, or after firstRetryMs if that comes first
          w.nextAt = 0
          // only if nothing has tried it since (a sync, its describing message) nor ended its tries
          const timer = clock.setTimeout(() => { this.timers.delete(timer); if (this.waiting.get(messageId) === w && w.tries === 1) this.want(messageId) }, this.init.firstRetryMs).unref()
          this.timers.add(timer)
        } else w.nextAt = startedAt + Math.min(MAX_BACKOFF_MS, this.init.retryBaseMs * 2 ** (w.tries - 2))
      }
      log.info({ id: messageId, err: loggableError(err) }, `attachment not ${this.init.done} yet; tried again later`)
      return false
    }
  }
}

/**
 * What another try cannot mend: exit 2 (no such message, no such directory), a file its sender's
 * chunks do not make (a chunk altered on this disk is mended by taking it again), a system error
 * other than a passing one.
 */
function final (err: unknown): boolean {
  if (err instanceof AttachmentDigestError) return err.fault === 'sender'
  if (err instanceof CairnError) return err.exitCode === 2 || err.code === 'CORRUPT_CHUNK'
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  return typeof code === 'string' && !TRANSIENT_SYSTEM_ERRORS.has(code)
}
