/**
 * The hourly handover, driven by the simulation instead of the timer. Two modes:
 * - `hourly`: every online peer runs its full pass (Handover.runOnce), as the timer would.
 * - `changed` (default): a pass runs only where it would move something. Per recipient held by an
 *   online peer, the harness compares what its holders have with what the k online peers closest
 *   to its mailbox key have (envelopes, tombstones, the bundle); where they differ, holders run
 *   their pass for that recipient (Handover.forRecipient) one after another until nothing differs
 *   (on a real network their timers fire at different moments, so the first one to notice does
 *   the copying). Skipped passes would have found nothing to copy; skipping them changes no
 *   outcome and saves the DHT lookups that dominate a simulation of many peers in one process.
 */
import type { PeerId } from '@libp2p/interface'
import { parsePeerId } from '../../src/shared/peer-id.js'
import { mailboxKey, rankByDistance } from '../../src/shared/placement.js'
import type { Peer } from '../lib/cluster.js'
import type { World } from './world.js'

export type HandoverMode = 'hourly' | 'changed'

export interface HourStats { recipients: number, passes: number, reasons: Record<string, number> }

type Box = NonNullable<NonNullable<Peer['client']>['mailbox']>

async function inParallel<T> (items: T[], limit: number, fn: (t: T) => Promise<unknown>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++] as T)
  }))
}

export class HandoverDriver {
  private readonly lastSet = new Map<string, string>()

  constructor (private readonly world: World, private readonly replicas: number, private readonly mode: HandoverMode, private readonly concurrency = 4) {}

  async hour (): Promise<HourStats> {
    const online = this.world.online()
    const boxes = new Map<string, Box>()
    for (const i of online) {
      const p = this.world.peers[i] as Peer
      if (p.client?.mailbox !== undefined) boxes.set(p.peerId, p.client.mailbox)
    }
    if (this.mode === 'hourly') {
      await inParallel([...boxes.values()], this.concurrency, async b => b.handover.runOnce())
      return { recipients: 0, passes: boxes.size, reasons: {} }
    }
    const holders = new Map<string, string[]>()
    for (const [id, b] of boxes) for (const r of await b.store.recipients()) holders.set(r, [...holders.get(r) ?? [], id])
    const ids: PeerId[] = [...boxes.keys()].map(parsePeerId)
    const reasons: Record<string, number> = {}
    const work: Array<{ r: string, hs: string[], set: string[] }> = []
    for (const [r, hs] of holders) {
      const set = rankByDistance(mailboxKey(parsePeerId(r)), ids).slice(0, this.replicas).map(String).filter(p => p !== r)
      const key = set.join(',')
      if (this.lastSet.has(r) && this.lastSet.get(r) !== key) reasons['replica set changed (seen)'] = (reasons['replica set changed (seen)'] ?? 0) + 1
      this.lastSet.set(r, key)
      const reason = await this.inconsistent(r, hs, set, boxes)
      if (reason === undefined) continue
      reasons[reason] = (reasons[reason] ?? 0) + 1
      work.push({ r, hs, set })
    }
    let passes = 0
    await inParallel(work, this.concurrency, async ({ r, hs, set }) => {
      for (const h of hs) {
        await boxes.get(h)?.handover.forRecipient(r)
        passes++
        if (await this.inconsistent(r, hs, set, boxes) === undefined) break
      }
    })
    return { recipients: work.length, passes, reasons }
  }

  /** Would a pass move anything: a copy, a tombstone or the bundle that the replica set lacks? */
  private async inconsistent (r: string, hs: string[], set: string[], boxes: Map<string, Box>): Promise<string | undefined> {
    const now = this.world.clock.now()
    const view = new Map<string, { ids: Set<string>, tombs: Set<string>, bundle: boolean }>()
    for (const p of new Set([...hs, ...set])) {
      const b = boxes.get(p)
      if (b === undefined) continue
      const tombs = (await b.store.tombstones(r)).filter(t => t.expiresAt > now).map(t => t.id)
      view.set(p, { ids: new Set(await b.store.ids(r)), tombs: new Set(tombs), bundle: (await b.store.getBundle(r)) !== undefined })
    }
    const held = new Set(hs.flatMap(h => [...view.get(h)?.ids ?? []]))
    // only what a holder has can travel in its pass (a pass sends the holder's own tombstones)
    const tombs = new Set(hs.flatMap(h => [...view.get(h)?.tombs ?? []]))
    const bundle = hs.some(h => view.get(h)?.bundle === true)
    for (const m of set) {
      const v = view.get(m)
      if (v === undefined) continue
      if ([...held].some(id => !v.ids.has(id) && !v.tombs.has(id))) return 'a replica lacks mail'
      if ([...tombs].some(id => !v.tombs.has(id))) return 'a replica lacks a tombstone'
      if (bundle && !v.bundle) return 'a replica lacks the bundle'
    }
    const anyTomb = new Set([...view.values()].flatMap(v => [...v.tombs]))
    return hs.some(h => [...view.get(h)?.ids ?? []].some(id => anyTomb.has(id))) ? 'a copy outlived its tombstone' : undefined
  }
}
