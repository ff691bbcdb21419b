/**
 * Where a collection's time goes, for the bench's breakdown: wall time spent in each stage,
 * summed over the replicas' loops (which run side by side, so the sum can exceed the sync's wall
 * time; each loop's own time is split among the stages).
 */
export const COLLECT_STAGES = ['lookup', 'list', 'unseen', 'claimWait', 'fetch', 'open', 'sign', 'ack'] as const
export type CollectStage = typeof COLLECT_STAGES[number]

export class StageClock {
  readonly ms: Record<CollectStage, number> = Object.fromEntries(COLLECT_STAGES.map(s => [s, 0])) as Record<CollectStage, number>

  async time<T> (stage: CollectStage, work: Promise<T> | (() => Promise<T>)): Promise<T> {
    const t0 = performance.now()
    try {
      return await (typeof work === 'function' ? work() : work)
    } finally {
      this.ms[stage] += performance.now() - t0
    }
  }
}
