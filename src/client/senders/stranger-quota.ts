/**
 * Durable daily counters for mail from senders who are not contacts: how many messages each such
 * sender got into the inbox today, how many all of them did together, and how many were dropped
 * (by reason). They are written in the same transaction as the message (or the drop) they count,
 * so a restart neither forgets nor double-counts. Days are UTC calendar days; keys of earlier days
 * are deleted (`pruneBefore`). A day holds at most one key per admitted stranger (no more than the
 * total cap) plus three, so the counters stay small whatever a flood sends.
 */
import type { Store } from '../../shared/store.js'
import { decodeNumber, encodeNumber, type Kv } from '../crypto/kv.js'
import { NAMESPACES } from '../../shared/namespaces.js'

export const QUOTA_PREFIX = NAMESPACES.strangerQuota

export type DropReason = 'blocked' | 'stranger-cap'

export interface StrangerLimits {
  /** Messages a day from one stranger. */
  perStranger: number
  /** Messages a day from all strangers together. */
  total: number
}

/** The UTC day of `now` as YYYY-MM-DD: keys sort by day. */
export function dayOf (now: number): string {
  return new Date(now).toISOString().slice(0, 10)
}

const peerKey = (day: string, peerId: string): string => `${QUOTA_PREFIX}${day}/peer/${peerId}`
const totalKey = (day: string): string => `${QUOTA_PREFIX}${day}/total`
const droppedKey = (day: string, reason: DropReason): string => `${QUOTA_PREFIX}${day}/dropped/${reason}`

/**
 * Take one of today's slots for a message from stranger `peerId`: true (and counted) while both
 * the stranger's and the total count are under their limits, false otherwise (nothing counted).
 */
export async function takeStrangerSlot (kv: Kv, peerId: string, now: number, limits: StrangerLimits): Promise<boolean> {
  const day = dayOf(now)
  const mine = decodeNumber(await kv.get(peerKey(day, peerId)), 0)
  const all = decodeNumber(await kv.get(totalKey(day)), 0)
  if (mine >= limits.perStranger || all >= limits.total) return false
  kv.put(peerKey(day, peerId), encodeNumber(mine + 1))
  kv.put(totalKey(day), encodeNumber(all + 1))
  return true
}

/** Count a dropped message; returns today's count for that reason, this one included. */
export async function countDrop (kv: Kv, reason: DropReason, now: number): Promise<number> {
  const key = droppedKey(dayOf(now), reason)
  const n = decodeNumber(await kv.get(key), 0) + 1
  kv.put(key, encodeNumber(n))
  return n
}

/** Today's counts: messages dropped by reason, and strangers' messages admitted. */
export async function todaysCounts (kv: Pick<Kv, 'get'>, now: number): Promise<{ blocked: number, strangerCap: number, strangersAdmitted: number }> {
  const day = dayOf(now)
  return {
    blocked: decodeNumber(await kv.get(droppedKey(day, 'blocked')), 0),
    strangerCap: decodeNumber(await kv.get(droppedKey(day, 'stranger-cap')), 0),
    strangersAdmitted: decodeNumber(await kv.get(totalKey(day)), 0)
  }
}

/** Delete the counters of every day before `now`'s; returns how many keys went. */
export async function pruneBefore (store: Store, now: number): Promise<number> {
  const today = QUOTA_PREFIX + dayOf(now)
  const old: string[] = []
  for await (const key of store.listKeys(QUOTA_PREFIX)) {
    if (key >= today) break
    old.push(key)
  }
  await store.write(old.map(key => ({ type: 'del' as const, key })))
  return old.length
}
