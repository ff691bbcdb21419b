/**
 * Where a collection's time goes, for the bench's breakdown: wall time spent in each stage,
 * summed over the replicas' loops (which run side by side, so the sum can exceed the sync's wall
 * time; each loop's own time is split among the stages). Asked to, it also keeps each span with
 * the loop it ran in: a timeline of one sync, from which its critical path can be read.
 */
export const COLLECT_STAGES = ['lookup', 'list', 'unseen', 'claimWait', 'fetch', 'open', 'sign', 'ack'] as const
export type CollectStage = typeof COLLECT_STAGES[number]

/** One timed span: a stage of one replica's loop ('' before the loops start), ms on `performance.now()`. */
export interface StageSpan { stage: CollectStage, loop: string, start: number, end: number }

/** What a replica's loop times its stages with. */
export interface StageTimer {
  time: <T>(stage: CollectStage, work: Promise<T> | (() => Promise<T>)) => Promise<T>
}

export class StageClock implements StageTimer {
  readonly ms: Record<CollectStage, number> = Object.fromEntries(COLLECT_STAGES.map(s => [s, 0])) as Record<CollectStage, number>
  /** Every span, when built with `{ spans: true }` (bounded by the collect's own work: a few per page). */
  readonly spans: StageSpan[] | undefined

  constructor (options: { spans?: boolean } = {}) {
    this.spans = options.spans === true ? [] : undefined
  }

  async time<T> (stage: CollectStage, work: Promise<T> | (() => Promise<T>), loop = ''): Promise<T> {
    const start = performance.now()
    try {
      return await (typeof work === 'function' ? work() : work)
    } finally {
      const end = performance.now()
      this.ms[stage] += end - start
      this.spans?.push({ stage, loop, start, end })
    }
  }

  /** The same clock, its spans labelled as one loop's. */
  forLoop (loop: string): StageTimer {
    return { time: async (stage, work) => this.time(stage, work, loop) }
  }
}
