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
 * - A checkpoint changes nothing itself: it applies if its author is an admin and it attests the
 *   fold of its own ancestry (checkpoint.ts), and its author was not removed concurrently. At the
 *   first that applies, the fold starts again from it, with the state it attests, over the changes
 *   all of whose parents are it or such changes; whatever is neither its ancestor nor such a change
 *   was made without it ("stale"): void, never a head. So what every member computes from a
 *   checkpoint on depends only on the checkpoint and what follows it.
 * - A member that pruned a checkpoint's ancestry, or joined after it, folds from that checkpoint
 *   (`base`) for as long as its ancestry is not all held; a change naming a pruned id is stale.
 */
import type { VerifiedChange } from './change.js'
import { judgeCheckpoint, type CheckpointFault } from './checkpoint.js'

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
  /** Checkpoints that stand, in fold order: the last is what a new member is sent from. */
  checkpoints: string[]
  /** Changes void for being concurrent with a checkpoint that stands, or made on history pruned here. */
  stale: string[]
  /** Checkpoints that are void, and why (a forged or mistaken one). */
  rejected: Array<{ id: string, fault: CheckpointFault }>
  /** The checkpoint the fold started from, its ancestry not held here (pruned, or we joined after it). */
  base?: string
}

export interface FoldOptions {
  /** A checkpoint to fold from while its ancestry is not all held (we pruned it, or joined after it). */
  base?: string
  /** Ids of changes pruned here: a change that names one is stale (see the header). */
  pruned?: ReadonlySet<string>
  /** Verdicts already reached (a checkpoint's depends only on its ancestry): kept across folds by the caller. */
  verdicts?: Map<string, CheckpointFault | null>
}

const REMOVALS = new Set(['remove', 'leave'])

export function foldGroup (groupId: string, all: Iterable<VerifiedChange>, maxMembers: number, opts: FoldOptions = {}): GroupState | undefined {
  const byId = new Map<string, VerifiedChange>()
  for (const c of all) if (c.groupId === groupId) byId.set(c.id, c)
  const root = byId.get([...byId.keys()].find(id => byId.get(id)?.kind === 'create' && id.startsWith(groupId)) ?? '')
  if (root?.change.create === undefined) return undefined

  const childrenAll = new Map<string, string[]>()
  const parentCount = new Map<string, number>()
  for (const c of byId.values()) {
    if (c.kind === 'create') continue
    const parents = [...new Set(c.parents)]
    parentCount.set(c.id, parents.length)
    for (const p of parents) {
      const list = childrenAll.get(p)
      if (list === undefined) childrenAll.set(p, [c.id])
      else list.push(c.id)
    }
  }
  // connected from `from`: every parent present and itself connected (creates other than the root never are)
  const reach = (from: string): Set<string> => {
    const out = new Set<string>([from])
    const left = new Map(parentCount)
    for (const queue = [from]; queue.length > 0;) {
      for (const ch of childrenAll.get(queue.pop() as string) ?? []) {
        const n = (left.get(ch) ?? 0) - 1
        left.set(ch, n)
        if (n === 0) { out.add(ch); queue.push(ch) }
      }
    }
    return out
  }
  // the base counts only while its ancestry is not all here: once it is, it is judged like any other
  const baseChange = opts.base === undefined ? undefined : byId.get(opts.base)
  const base = baseChange?.attested !== undefined && !reach(root.id).has(baseChange.id) ? baseChange : undefined
  const first = base ?? root
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

  // a checkpoint's verdict: the fold of its ancestry alone (in the same mode: from the base or the create)
  const verdicts = opts.verdicts ?? new Map<string, CheckpointFault | null>()
  const verdictOf = (c: VerifiedChange): CheckpointFault | null => {
    const key = `${first.id}/${c.id}`
    let v = verdicts.get(key)
    if (v === undefined) {
      const at = foldGroup(groupId, [root, ...changesUpTo(byId, c.parents)], maxMembers, { ...opts, verdicts })
      v = at === undefined ? 'wrong-state' : judgeCheckpoint(c, at) ?? null
      verdicts.set(key, v)
    }
    return v
  }

  /**
   * The fold from `from` (the create, or a checkpoint with the state it attests) over the changes
   * all of whose parents are it or such changes. A change concurrent with its author's applied
   * removal is void even when the order put it first: fold again without it until nothing changes
   * (each round voids at least one more). A checkpoint applies if its verdict is good and its
   * author was not removed concurrently with it (removals win, as for any change).
   */
  function segment (from: VerifiedChange, startMembers: string[], startAdmins: string[]): { members: Set<string>, admins: Set<string>, order: string[], voided: string[], checkpoints: string[], after: Set<string>, children: Map<string, string[]> } {
    const after = reach(from.id)
    const missing = new Map<string, number>()
    const children = new Map<string, string[]>()
    for (const id of after) {
      missing.set(id, id === from.id ? 0 : new Set(byId.get(id)?.parents ?? []).size)
      children.set(id, (childrenAll.get(id) ?? []).filter(ch => after.has(ch)))
    }
    const excluded = new Set<string>()
    let run = foldOnce()
    for (let rounds = 0; run.late.length > 0 && rounds < byId.size; rounds++) {
      for (const id of run.late) excluded.add(id)
      run = foldOnce()
    }
    return { ...run, after, children }

    function foldOnce (): { members: Set<string>, admins: Set<string>, order: string[], voided: string[], checkpoints: string[], late: string[] } {
      const members = new Set<string>(startMembers)
      const admins = new Set<string>(startAdmins)
      const removalsOf = new Map<string, string[]>() // member → applied changes that removed it
      const byAuthor = new Map<string, string[]>() // author → its applied changes
      const order: string[] = [from.id]
      const voided: string[] = []
      const checkpoints: string[] = []
      const missingNow = new Map(missing)
      const ready: string[] = []
      const release = (id: string): void => {
        for (const ch of children.get(id) ?? []) {
          const left = (missingNow.get(ch) ?? 0) - 1
          missingNow.set(ch, left)
          if (left === 0) ready.push(ch)
        }
      }
      release(from.id)
      while (ready.length > 0) {
        ready.sort((a, b) => rank(a) < rank(b) ? -1 : 1)
        const id = ready.shift() as string
        const c = byId.get(id) as VerifiedChange
        order.push(id)
        const concurrentRemoval = (removalsOf.get(c.author) ?? []).some(rm => concurrent(rm, id))
        if (!excluded.has(id) && !concurrentRemoval && (c.kind === 'checkpoint' ? verdictOf(c) === null : apply(c, members, admins, maxMembers))) {
          if (c.kind === 'checkpoint') checkpoints.push(id)
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
      return { members, admins, order, voided, checkpoints, late }
    }
  }

  // Fold from the create (or the base); at the first checkpoint that applies, fold again from it
  // with the state it attests, over what follows it alone; and so on. What was made without it
  // (neither its ancestor nor all of whose parents follow it) is stale: void, never a head. A
  // member that pruned up to one of them, or joined after it, starts there and folds the same.
  const order: string[] = base === undefined ? [] : [root.id]
  const voided: string[] = []
  const stale: string[] = []
  const checkpoints: string[] = base === undefined ? [] : [base.id]
  let from = first
  let seg = segment(from, base?.attested?.members ?? [root.author, ...root.targets], base?.attested?.admins ?? [root.author])
  for (let cp = seg.checkpoints[0]; cp !== undefined; cp = seg.checkpoints[0]) {
    const before = ancestorsOf(cp)
    const next = reach(cp)
    const voidNow = new Set(seg.voided)
    for (const id of seg.order) {
      if (next.has(id)) continue // cp and what follows it: the next segment
      if (id !== from.id && !before.has(id)) stale.push(id)
      else if (voidNow.has(id)) voided.push(id)
      order.push(id)
    }
    checkpoints.push(cp)
    from = byId.get(cp) as VerifiedChange
    seg = segment(from, from.attested?.members ?? [], from.attested?.admins ?? [])
  }
  order.push(...seg.order)
  voided.push(...seg.voided, ...stale)
  const { members, admins } = seg
  const inFold = new Set(order)
  // pruned here, or an ancestor of the base: a change naming one was made without the base (stale)
  const recognised: string[] = []
  if (base !== undefined) {
    const gone = new Set([...(opts.pruned ?? []), ...ancestorsOf(base.id)])
    for (let grew = true; grew;) {
      grew = false
      for (const c of byId.values()) {
        if (inFold.has(c.id) || gone.has(c.id) || c.kind === 'create') continue
        if (c.parents.every(p => gone.has(p) || inFold.has(p)) && c.parents.some(p => gone.has(p))) { gone.add(c.id); recognised.push(c.id); grew = true }
      }
    }
    for (const id of ancestorsOf(base.id)) inFold.add(id) // held from before the base: neither waiting nor stale
  }
  for (const id of recognised) inFold.add(id)
  stale.push(...recognised.sort())
  // heads: of the last segment (every earlier change is an ancestor of its start, or stale)
  const last = new Set(seg.order)
  return {
    id: groupId,
    name: root.change.create.name,
    secret: root.change.create.secret,
    creator: root.author,
    members: [...members].sort(),
    admins: [...admins].sort(),
    heads: seg.order.filter(id => !(seg.children.get(id) ?? []).some(ch => last.has(ch))).sort(),
    order,
    void: voided,
    waiting: [...byId.keys()].filter(id => !inFold.has(id)).sort(),
    checkpoints,
    stale,
    rejected: order.filter(id => byId.get(id)?.kind === 'checkpoint' && id !== base?.id && verdictOf(byId.get(id) as VerifiedChange) !== null)
      .map(id => ({ id, fault: verdictOf(byId.get(id) as VerifiedChange) as CheckpointFault })),
    ...(base === undefined ? {} : { base: base.id })
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
      return false // a second create never applies (a checkpoint is judged by the fold)
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
