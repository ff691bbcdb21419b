/**
 * A group's membership as a deterministic fold over its change DAG (the rule and its reasons are in
 * docs/DECISIONS.md, "Group membership"). Pure: the same set of changes gives the same state on
 * every member, whatever order they arrived in.
 *
 * - Only changes connected to the group's create (every ancestor present) count; others wait.
 * - Order: a topological sort that, among the changes ready next, takes removals and leaves first,
 *   then the rest, each by change id.
 * - Each change is checked against the state the fold has reached (its ancestors are all applied
 *   by then): add, remove and promote need an admin author; leave a member author; an add that
 *   would exceed `maxMembers` is void whole.
 * - A change made concurrently with its author's removal (neither an ancestor nor a descendant of
 *   that removal) is void: a removed admin cannot act "before" its removal by picking old parents.
 * - No admin left while members remain: the member with the smallest PeerId becomes admin.
 */
import type { VerifiedChange } from './change.js'

export interface GroupState {
  id: string
  name: string
  secret: Uint8Array
  creator: string
  members: string[]
  admins: string[]
  /** Applied or void changes with no applied child: what a new change names as parents. */
  heads: string[]
  /** Ids of changes in the fold (applied or void), in fold order. */
  order: string[]
  /** Changes that were void under the rules above (still part of the DAG). */
  void: string[]
  /** Changes held whose ancestry is incomplete. */
  waiting: string[]
}

const REMOVALS = new Set(['remove', 'leave'])

export function foldGroup (groupId: string, all: Iterable<VerifiedChange>, maxMembers: number): GroupState | undefined {
  const byId = new Map<string, VerifiedChange>()
  for (const c of all) if (c.groupId === groupId) byId.set(c.id, c)
  const root = byId.get([...byId.keys()].find(id => byId.get(id)?.kind === 'create' && id.startsWith(groupId)) ?? '')
  if (root?.change.create === undefined) return undefined

  // connected: every parent present and itself connected (creates other than the root never are)
  const childrenAll = new Map<string, string[]>()
  const missingAll = new Map<string, number>()
  for (const c of byId.values()) {
    if (c.kind === 'create') continue
    const parents = [...new Set(c.parents)]
    missingAll.set(c.id, parents.length)
    for (const p of parents) {
      const list = childrenAll.get(p)
      if (list === undefined) childrenAll.set(p, [c.id])
      else list.push(c.id)
    }
  }
  const connected = new Set<string>([root.id])
  const missing = new Map<string, number>()
  for (const queue = [root.id]; queue.length > 0;) {
    for (const ch of childrenAll.get(queue.pop() as string) ?? []) {
      const left = (missingAll.get(ch) ?? 0) - 1
      missingAll.set(ch, left)
      if (left === 0) { connected.add(ch); queue.push(ch) }
    }
  }
  const children = new Map<string, string[]>()
  for (const id of connected) {
    missing.set(id, new Set(byId.get(id)?.parents ?? []).size)
    children.set(id, (childrenAll.get(id) ?? []).filter(ch => connected.has(ch)))
  }
  const rank = (id: string): string => `${REMOVALS.has(byId.get(id)?.kind ?? '') ? 0 : 1}${id}`
  const ancestors = new Map<string, Set<string>>()
  // iterative (a long history must not overflow the stack), memoised per change
  const ancestorsOf = (id: string): Set<string> => {
    const stack = [id]
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as string
      if (ancestors.has(top)) { stack.pop(); continue }
      const parents = byId.get(top)?.parents ?? []
      const todo = parents.filter(p => !ancestors.has(p) && byId.has(p))
      if (todo.length > 0) { stack.push(...todo); continue }
      const out = new Set<string>()
      for (const p of parents) { out.add(p); for (const a of ancestors.get(p) ?? []) out.add(a) }
      ancestors.set(top, out)
      stack.pop()
    }
    return ancestors.get(id) as Set<string>
  }
  const concurrent = (a: string, b: string): boolean => !ancestorsOf(a).has(b) && !ancestorsOf(b).has(a)
  if (new Set([root.author, ...root.targets]).size > maxMembers) return undefined

  // a change concurrent with its author's applied removal is void even when the order put it
  // first: fold again without it until nothing changes (each round voids at least one more)
  const excluded = new Set<string>()
  let run = foldOnce()
  for (let rounds = 0; run.late.length > 0 && rounds < byId.size; rounds++) {
    for (const id of run.late) excluded.add(id)
    run = foldOnce()
  }
  const { members, admins, order, voided } = run

  function foldOnce (): { members: Set<string>, admins: Set<string>, order: string[], voided: string[], late: string[] } {
    const r = root as VerifiedChange
    const members = new Set<string>([r.author, ...r.targets])
    const admins = new Set<string>([r.author])
    const removalsOf = new Map<string, string[]>() // member → applied changes that removed it
    const byAuthor = new Map<string, string[]>() // author → its applied changes
    const order: string[] = [r.id]
    const voided: string[] = []
    const missingNow = new Map(missing)
    const ready: string[] = []
    const release = (id: string): void => {
      for (const ch of children.get(id) ?? []) {
        const left = (missingNow.get(ch) ?? 0) - 1
        missingNow.set(ch, left)
        if (left === 0) ready.push(ch)
      }
    }
    release(r.id)
    while (ready.length > 0) {
      ready.sort((a, b) => rank(a) < rank(b) ? -1 : 1)
      const id = ready.shift() as string
      const c = byId.get(id) as VerifiedChange
      order.push(id)
      const concurrentRemoval = (removalsOf.get(c.author) ?? []).some(rm => concurrent(rm, id))
      if (!excluded.has(id) && !concurrentRemoval && apply(c, members, admins, maxMembers)) {
        byAuthor.set(c.author, [...(byAuthor.get(c.author) ?? []), id])
        const removed = c.kind === 'leave' ? [c.author] : c.kind === 'remove' ? c.targets : []
        for (const t of removed) removalsOf.set(t, [...(removalsOf.get(t) ?? []), id])
      } else {
        voided.push(id)
      }
      if (admins.size === 0 && members.size > 0) admins.add([...members].sort()[0] as string)
      release(id)
    }
    const late: string[] = []
    for (const [who, removals] of removalsOf) {
      for (const id of byAuthor.get(who) ?? []) if (removals.some(rm => rm !== id && concurrent(rm, id))) late.push(id)
    }
    return { members, admins, order, voided, late }
  }
  const inFold = new Set(order)
  return {
    id: groupId,
    name: root.change.create.name,
    secret: root.change.create.secret,
    creator: root.author,
    members: [...members].sort(),
    admins: [...admins].sort(),
    heads: order.filter(id => !(children.get(id) ?? []).some(ch => inFold.has(ch))).sort(),
    order,
    void: voided,
    waiting: [...byId.keys()].filter(id => !inFold.has(id)).sort()
  }
}

/** Apply one change to the running state if its author may make it; false: void. */
function apply (c: VerifiedChange, members: Set<string>, admins: Set<string>, maxMembers: number): boolean {
  switch (c.kind) {
    case 'add': {
      if (!admins.has(c.author)) return false
      const next = new Set([...members, ...c.targets])
      if (next.size > maxMembers) return false
      for (const t of c.targets) members.add(t)
      return true
    }
    case 'remove':
      if (!admins.has(c.author)) return false
      for (const t of c.targets) { members.delete(t); admins.delete(t) }
      return true
    case 'leave':
      if (!members.has(c.author)) return false
      members.delete(c.author)
      admins.delete(c.author)
      return true
    case 'promote':
      if (!admins.has(c.author)) return false
      for (const t of c.targets) if (members.has(t)) admins.add(t)
      return true
    default:
      return false // a second create never applies
  }
}

/** The changes `heads` name and all their ancestors that are held: the membership a message naming `heads` was sent under. */
export function changesUpTo (byId: ReadonlyMap<string, VerifiedChange>, heads: string[]): VerifiedChange[] {
  const out = new Map<string, VerifiedChange>()
  for (const stack = [...heads]; stack.length > 0;) {
    const c = byId.get(stack.pop() as string)
    if (c === undefined || out.has(c.id)) continue
    out.set(c.id, c)
    stack.push(...c.parents)
  }
  return [...out.values()]
}

/**
 * The last applied change that took `member` out of the group (a remove naming it, or its leave),
 * and the highest sequence number of `member`'s that it vouches for: what the remover held from it,
 * or the leaver's own last (0: none, as in changes made before the field existed).
 */
export function lastRemovalOf (state: GroupState, byId: ReadonlyMap<string, VerifiedChange>, member: string): { change: VerifiedChange, lastSeq: number } | undefined {
  const voided = new Set(state.void)
  for (let i = state.order.length - 1; i >= 0; i--) {
    const c = byId.get(state.order[i] as string)
    if (c === undefined || voided.has(c.id)) continue
    if (c.kind === 'leave' && c.author === member) return { change: c, lastSeq: c.change.leave?.lastSeq ?? 0 }
    const at = c.kind === 'remove' ? c.targets.indexOf(member) : -1
    if (at >= 0) return { change: c, lastSeq: c.change.remove?.lastSeqs[at] ?? 0 }
  }
  return undefined
}
