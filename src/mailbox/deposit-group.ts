/**
 * Group commit for single deposits: deposits that arrive while a group is being read and queued
 * wait (briefly) and go together as the next group, so that N concurrent deposits cost one read
 * of what is held and one batch with one fsync, not N of each. The first deposit into an idle
 * group waits for the rest of the current turn of the event loop (setImmediate): every deposit
 * made in that turn (the requests read in one poll, the callers a finished group answered) joins
 * it. Going at once instead sent that first deposit alone, and the store's next fsync waited for
 * it: at 64 deposits in flight the batches went 1, 63, 1, 63 (docs/DECISIONS.md, "Ingest").
 * A group is at most `maxGroup` deposits; the queue is bounded by the callers' own in-flight
 * limits (inbound streams per connection, the sender's rate limit).
 */
import type { Envelope } from '../../proto/cairn.js'
import type { DepositOutcome } from './mailbox-store.js'

export type CommitGroup = (envs: Envelope[], now: number, queued: () => void) => Promise<DepositOutcome[]>

interface Waiting { env: Envelope, now: number, resolve: (o: DepositOutcome) => void, reject: (err: unknown) => void }

export class DepositGroup {
  private queue: Waiting[] = []
  private running = false

  constructor (private readonly commit: CommitGroup, private readonly maxGroup = 256) {}

  /** Deposit one envelope with whichever group takes it; resolves once that group is on disk. */
  async add (env: Envelope, now: number): Promise<DepositOutcome> {
    return new Promise<DepositOutcome>((resolve, reject) => {
      this.queue.push({ env, now, resolve, reject })
      if (!this.running) {
        this.running = true
        setImmediate(() => { void this.run() })
      }
    })
  }

  /**
   * Take groups off the queue one at a time. The next group starts as soon as the previous one's
   * batch is queued at the Store (its fsync still running), so reading the next group's held ids
   * overlaps the previous group's sync, and the Store joins batches that wait for the same sync.
   */
  private async run (): Promise<void> {
    this.running = true
    try {
      while (this.queue.length > 0) {
        const group = this.queue.splice(0, this.maxGroup)
        const now = Math.max(...group.map(w => w.now))
        await new Promise<void>(resolve => {
          let done = false
          const queued = (): void => { if (!done) { done = true; resolve() } }
          this.commit(group.map(w => w.env), now, queued).then(outcomes => {
            group.forEach((w, i) => { w.resolve(outcomes[i] as DepositOutcome) })
          }, (err: unknown) => {
            for (const w of group) w.reject(err)
          }).finally(queued)
        })
      }
    } finally {
      this.running = false
    }
  }
}
