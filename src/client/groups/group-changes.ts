/**
 * One member's groups as they stand now: each group's verified changes (read from the store on
 * first use, then kept in step with it by whoever stores or deletes one) and the state they fold
 * to (folded again only when the changes moved, or the log's floor did). The one read view the
 * group modules take (receive, log, distribution), instead of a pair of callbacks each.
 */
import type { Store } from '../../shared/store.js'
import { verifyChange, type VerifiedChange } from './change.js'
import { listChangeBytes } from './group-store.js'
import { foldGroup, type FoldOptions, type GroupState } from './state.js'

/** A group's changes and its state, as of now. */
export interface GroupChanges {
  /** A group's verified changes by id: the cache itself (a change stored is added to it, one pruned taken from it). */
  changesOf: (gid: string) => Promise<Map<string, VerifiedChange>>
  /** A group's folded state now, undefined for a group we hold no create of. */
  state: (gid: string) => Promise<GroupState | undefined>
}

export interface GroupChangeCacheComponents {
  store: Store
  /** groups.maxMembers, as the fold takes it. */
  maxMembers: number
  /** Where a group's fold starts here: its base checkpoint, the ids pruned (group-log.ts). */
  foldOptions: (gid: string) => Promise<FoldOptions>
}

export class GroupChangeCache implements GroupChanges {
  /** Verified changes per group, loaded from the store on first use and kept in step with it. */
  private readonly changes = new Map<string, Map<string, VerifiedChange>>()
  private readonly folded = new Map<string, { size: number, state: GroupState | undefined }>()

  constructor (private readonly c: GroupChangeCacheComponents) {}

  async changesOf (gid: string): Promise<Map<string, VerifiedChange>> {
    let cache = this.changes.get(gid)
    if (cache === undefined) {
      cache = new Map()
      for (const bytes of await listChangeBytes(this.c.store, gid)) {
        const v = await verifyChange(bytes)
        cache.set(v.id, v)
      }
      // another call may have loaded it meanwhile: keep one map
      cache = this.changes.get(gid) ?? cache
      this.changes.set(gid, cache)
    }
    return cache
  }

  /** Folded again only when a change was added (or the floor moved: refold). */
  async state (gid: string): Promise<GroupState | undefined> {
    const changes = await this.changesOf(gid)
    const known = this.folded.get(gid)
    if (known?.size === changes.size) return known.state
    const state = foldGroup(gid, changes.values(), this.c.maxMembers, await this.c.foldOptions(gid))
    this.folded.set(gid, { size: changes.size, state })
    return state
  }

  /** `gid`'s cached fold is out of date: its base was adopted, or its log pruned. */
  refold (gid: string): void {
    this.folded.delete(gid)
  }
}
