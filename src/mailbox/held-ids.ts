/**
 * The sorted id sets (envelopes, tombstones) of recently reconciled recipients, kept between
 * handover rounds and passes so that an in-sync pass reads nothing from disk: an entry is reused
 * while the store's revision for that recipient is unchanged. Bounded by the ids held in all
 * entries (16 bytes each), an entry counting ENTRY_COST ids more (so empty sets cannot pile up),
 * least recently used first out.
 */
import type { SortedIds } from './id-ranges.js'

export interface HeldIds { ids: SortedIds, tombstones: SortedIds }

/** @default 1,000,000 ids (16 MB) */
export const HELD_IDS_CACHE_IDS = 1_000_000

/** What an entry costs besides its ids, in ids: its map slot and objects. */
const ENTRY_COST = 64

export class HeldIdsCache {
  private readonly entries = new Map<string, { revision: number, held: HeldIds }>()
  private size = 0

  constructor (private readonly maxIds = HELD_IDS_CACHE_IDS) {}

  async get (r: string, revision: number, load: () => Promise<HeldIds>): Promise<HeldIds> {
    const hit = this.entries.get(r)
    if (hit !== undefined && hit.revision === revision) {
      this.entries.delete(r) // re-insert: most recently used last
      this.entries.set(r, hit)
      return hit.held
    }
    const held = await load()
    this.drop(r)
    const n = cost(held)
    if (n > this.maxIds) return held
    while (this.size + n > this.maxIds) {
      const oldest = this.entries.keys().next().value
      if (oldest === undefined) break
      this.drop(oldest)
    }
    this.entries.set(r, { revision, held })
    this.size += n
    return held
  }

  private drop (r: string): void {
    const e = this.entries.get(r)
    if (e === undefined) return
    this.size -= cost(e.held)
    this.entries.delete(r)
  }
}

const cost = (held: HeldIds): number => held.ids.count + held.tombstones.count + ENTRY_COST
