/**
 * Background work per key that is asked for again and again (a file's fetch, each time a message
 * or a sync says more may be there), with few runs at once and the rest in arrival order.
 *
 * An ask for a key that is queued or running is folded into it: a running key runs once more after
 * it, with the latest ask's work, unless the run it is in said it is done. So an ask is never lost
 * (the one made while a run read stale state runs again), and a flood of asks for one key costs
 * at most one more run. A key's entry goes in the same turn as its last run ends: an ask after that
 * starts a new run.
 */

/** One run of a key's work: true once nothing is left to do (asks made meanwhile are then dropped). A rejection counts as false. */
export type Work = () => Promise<boolean>

interface Entry { work: Work, again: boolean }

export class CoalescingQueue {
  private readonly entries = new Map<string, Entry>()
  private readonly queue: string[] = []
  private running = 0
  private readonly jobs = new Set<Promise<void>>()
  private stopped = false

  /**
   * @param concurrency keys running at once
   * @param maxQueued keys waiting for a free run at most; an ask past that is refused (want returns false)
   */
  constructor (private readonly concurrency: number, private readonly maxQueued: number) {}

  /**
   * Run `work` for `key`: now if a run is free, else once one is. False: not taken (stopped, or
   * the queue is full); the caller asks again later.
   */
  want (key: string, work: Work): boolean {
    if (this.stopped) return false
    const entry = this.entries.get(key)
    if (entry !== undefined) {
      entry.work = work
      entry.again = true
      return true
    }
    if (this.queue.length >= this.maxQueued) return false
    this.entries.set(key, { work, again: false })
    this.queue.push(key)
    this.pump()
    return true
  }

  /** Keys queued or running. */
  get size (): number { return this.entries.size }

  /** Whether `key` is queued or running. */
  has (key: string): boolean { return this.entries.has(key) }

  /** Drop the queue and further asks; resolves once the runs under way have ended (the caller aborts them). */
  async stop (): Promise<void> {
    this.stopped = true
    for (const key of this.queue) this.entries.delete(key)
    this.queue.length = 0
    await Promise.allSettled([...this.jobs])
  }

  private pump (): void {
    while (this.running < this.concurrency && this.queue.length > 0 && !this.stopped) {
      const key = this.queue.shift() as string
      const entry = this.entries.get(key) as Entry
      this.running++
      const job = (async () => {
        try {
          do {
            entry.again = false
            if (await entry.work().catch(() => false)) return
          } while (entry.again && !this.stopped)
        } finally {
          // in the turn that read `again`: an ask after this starts a new run, never lost
          this.running--
          this.entries.delete(key)
          this.pump()
        }
      })()
      this.jobs.add(job)
      void job.finally(() => this.jobs.delete(job))
    }
  }
}
