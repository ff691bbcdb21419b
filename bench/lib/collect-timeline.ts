/**
 * A timeline of one sync, for reading its critical path rather than the stages summed over the
 * replicas' loops (which overlap): when each loop listed, fetched, opened and acknowledged, when
 * the messenger's lock (the serial part: opening and storing) was held, and when the sync itself
 * returned. CAIRN_BENCH_COLLECT_TIMELINE=DIR writes timeline-sync-N.json and .md there.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { StageSpan } from '../../src/client/mailbox/collect-stages.js'
import type { Mutex } from '../../src/shared/mutex.js'
import { now } from './stats.js'

export interface LockSpans { spans: Array<{ start: number, end: number, by: string }>, restore: () => void }

/** Record when `lock` is held (from the moment a holder starts to when it finishes). */
export function watchLock (lock: Mutex): LockSpans {
  const original = lock.run.bind(lock)
  const spans: LockSpans['spans'] = []
  lock.run = async <T>(fn: () => Promise<T>): Promise<T> => {
    // who took it: the caller's frame (at Receiver.receiveMany, at Sender.…)
    const by = (new Error().stack ?? '').split('\n')[2]?.trim().replace(/^at (async )?/, '').replace(/ \(.*$/, '') ?? ''
    return original(async () => {
      const start = now()
      try { return await fn() } finally { spans.push({ start, end: now(), by }) }
    })
  }
  return { spans, restore: () => { delete (lock as Partial<Mutex>).run } }
}

export interface TimelineSummary {
  syncMs: number
  /** From the sync's start: the lock first taken, last released, and busy in between (ms). */
  lock: { first: number, last: number, busy: number, idleInside: number }
  /** Per loop, from the sync's start (ms): listing done, first and last fetch, last open, last ack, loop end. */
  loops: Array<{ loop: string, listed: number, firstFetch: number, lastFetchEnd: number, lastOpenEnd: number, lastAckEnd: number, end: number, claimWaitMs: number }>
}

export function summarizeTimeline (t0: number, t1: number, spans: StageSpan[], lock: LockSpans['spans']): TimelineSummary {
  const rel = (x: number): number => Math.round(x - t0)
  const loops = [...new Set(spans.filter(s => s.loop !== '').map(s => s.loop))].map(loop => {
    const mine = spans.filter(s => s.loop === loop)
    const last = (stage: string, f: (s: StageSpan) => number): number => rel(Math.max(t0, ...mine.filter(s => s.stage === stage).map(f)))
    return {
      loop: loop.slice(-6),
      listed: last('list', s => s.end),
      firstFetch: rel(Math.min(...mine.filter(s => s.stage === 'fetch').map(s => s.start), t1)),
      lastFetchEnd: last('fetch', s => s.end),
      lastOpenEnd: last('open', s => s.end),
      lastAckEnd: last('ack', s => s.end),
      end: rel(Math.max(...mine.map(s => s.end))),
      claimWaitMs: Math.round(mine.filter(s => s.stage === 'claimWait').reduce((a, s) => a + s.end - s.start, 0))
    }
  })
  const first = Math.min(...lock.map(s => s.start), t1)
  const last = Math.max(...lock.map(s => s.end), t0)
  const busy = lock.reduce((a, s) => a + s.end - s.start, 0)
  return { syncMs: Math.round(t1 - t0), lock: { first: rel(first), last: rel(last), busy: Math.round(busy), idleInside: Math.round(last - first - busy) }, loops }
}

export function writeTimeline (dir: string, name: string, t0: number, t1: number, spans: StageSpan[], lock: LockSpans['spans']): TimelineSummary {
  const summary = summarizeTimeline(t0, t1, spans, lock)
  const rows = summary.loops.map(l => `| ${l.loop} | ${l.listed} | ${l.firstFetch} | ${l.lastFetchEnd} | ${l.lastOpenEnd} | ${l.lastAckEnd} | ${l.end} | ${l.claimWaitMs} |`)
  const md = [`# Timeline: ${name}`, '', `sync ${summary.syncMs} ms; lock first taken at ${summary.lock.first}, last released at ${summary.lock.last}, busy ${summary.lock.busy}, idle in between ${summary.lock.idleInside} ms`, '',
    '| loop | listed | first fetch | last fetch end | last open end | last ack end | loop end | claimWait ms |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |', ...rows, ''].join('\n')
  writeFileSync(join(dir, `timeline-${name}.md`), md)
  writeFileSync(join(dir, `timeline-${name}.json`), JSON.stringify({ t0, t1, spans: spans.map(s => ({ ...s, start: s.start - t0, end: s.end - t0 })), lock: lock.map(s => ({ ...s, start: s.start - t0, end: s.end - t0 })) }))
  return summary
}
