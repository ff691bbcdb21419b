/**
 * Why the queued copies of the messages we sent wait: the delivery log keeps where each copy got
 * (queued, stored, delivered, read), the outbox why a queued one is still there (outbox.ts,
 * waitReason). Joined when a listing is read (`inbox --sent`, `chat`), not written on every
 * flush: a daemon flushes every retry interval and after every connect.
 */
import { waitReason, type OutboxEntry, type WaitReason } from '../outbox.js'
import type { SentView } from './delivery-log.js'

/** `views` with `waiting` set for each recipient still queued whose outbox entry says why. */
export function withWaiting (views: SentView[], entries: OutboxEntry[]): SentView[] {
  const why = new Map<string, WaitReason>()
  for (const e of entries) {
    const reason = e.tracks === undefined ? undefined : waitReason(e)
    if (reason !== undefined) why.set(`${e.tracks as string}/${e.to}`, reason)
  }
  if (why.size === 0) return views
  return views.map(v => {
    const waiting: Record<string, WaitReason> = {}
    for (const [peer, r] of Object.entries(v.recipients)) {
      const reason = r.state === 'queued' ? why.get(`${v.id}/${peer}`) : undefined
      if (reason !== undefined) waiting[peer] = reason
    }
    return Object.keys(waiting).length === 0 ? v : { ...v, waiting }
  })
}

/** How many of `reasons` are each reason (those undefined are not counted). */
export function countReasons (reasons: Iterable<WaitReason | undefined>): Record<WaitReason, number> {
  const counts: Record<WaitReason, number> = { keys: 0, identity: 0, route: 0 }
  for (const reason of reasons) if (reason !== undefined) counts[reason]++
  return counts
}

/** How many of a message's queued copies wait for each reason. */
export function waitingCounts (v: Pick<SentView, 'waiting'>): Record<WaitReason, number> {
  return countReasons(Object.values(v.waiting ?? {}))
}
