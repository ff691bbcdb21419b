/**
 * Group checkpoints at the fold (state.ts, checkpoint.ts, log-compaction.ts): a checkpoint that
 * stands leaves the fold as it was, and a member that pruned its ancestry, or joined after it,
 * folds to the same members, admins and heads as one that holds everything, whatever the order of
 * arrival; a change made concurrently with one is void everywhere and made again by its author; a
 * forged one is void and changes nothing.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { GroupChange } from '../../../proto/cairn.js'
import { verifyChange, type VerifiedChange } from '../../../src/client/groups/change.js'
import { checkpointOp, logFor, prunable, toReissue } from '../../../src/client/groups/log-compaction.js'
import { changesUpTo, foldGroup, type FoldOptions, type GroupState } from '../../../src/client/groups/state.js'
import { create, foldArriving, make, names, shuffled, type Who, who } from '../../helpers/group-changes.js'

const view = (s: GroupState | undefined): unknown => s === undefined ? undefined : { members: s.members, admins: s.admins, heads: s.heads }
const fold = (gid: string, changes: Iterable<VerifiedChange>, opts: FoldOptions = {}): GroupState => foldGroup(gid, changes, 256, opts) as GroupState

/** What a member that pruned the ancestry of `cp` holds (the create kept), and what it knows was pruned. */
function pruneAt (all: VerifiedChange[], cp: VerifiedChange): { held: VerifiedChange[], opts: FoldOptions } {
  const byId = new Map(all.map(c => [c.id, c]))
  const gone = new Set(changesUpTo(byId, cp.parents).filter(c => c.kind !== 'create').map(c => c.id))
  return { held: all.filter(c => !gone.has(c.id)), opts: { base: cp.id, pruned: gone } }
}

/** A small LCG: the same seed, the same run. */
function rng (seed: number): () => number {
  let x = seed
  return () => { x = (x * 1103515245 + 12345) % 2 ** 31; return x / 2 ** 31 }
}

/**
 * Replicas making changes on their own views and merging each other's at random; admin `a` signs a
 * checkpoint on its view twice along the way. Returns every change made.
 */
async function randomHistory (seed: number, people: Who[]): Promise<VerifiedChange[]> {
  const [a, bb, c, d, ...pool] = people as [Who, Who, Who, Who, ...Who[]]
  const r = rng(seed)
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)] as T
  const root = await create(a, [bb, c, d])
  const gid = root.groupId
  const promote = await make(a, gid, [root], { promote: { members: names(bb) } })
  const actors = [a, bb, c, d]
  const held = new Map(actors.map(w => [w.s, new Map([[root.id, root], [promote.id, promote]])]))
  const byS = new Map(people.map(w => [w.s, w]))
  let clock = 1
  for (let step = 0; step < 36; step++) {
    const actor = step === 12 || step === 26 ? a : pick(actors)
    const mine = held.get(actor.s) as Map<string, VerifiedChange>
    if (step !== 12 && step !== 26 && r() < 0.4) {
      for (const [id, ch] of held.get(pick(actors).s) as Map<string, VerifiedChange>) mine.set(id, ch)
      continue
    }
    const state = fold(gid, mine.values())
    if (!state.members.includes(actor.s)) continue
    let op: Partial<GroupChange> | undefined
    if (step === 12 || step === 26) {
      if (state.admins.includes(actor.s)) op = checkpointOp(state)
    } else if (state.admins.includes(actor.s)) {
      const outside = pool.filter(p => !state.members.includes(p.s))
      const others = state.members.filter(m => m !== actor.s && m !== a.s)
      const roll = r()
      if (roll < 0.45 && outside.length > 0) op = { add: { members: names(pick(outside)) } }
      else if (roll < 0.8 && others.length > 0) op = { remove: { members: names(byS.get(pick(others)) as Who), lastSeqs: [0] } }
      else if (others.length > 0) op = { promote: { members: names(byS.get(pick(others)) as Who) } }
    } else if (r() < 0.3) {
      op = { leave: { lastSeq: 0 } }
    }
    if (op === undefined) continue
    const ch = await make(actor, gid, state.heads, op, clock++)
    mine.set(ch.id, ch)
  }
  const all = new Map<string, VerifiedChange>()
  for (const m of held.values()) for (const [id, ch] of m) all.set(id, ch)
  return [...all.values()]
}

test('fold equality: a member that pruned up to a checkpoint, or joined after it, folds as one holding everything, in any order of arrival', async () => {
  const people = await Promise.all(Array.from({ length: 8 }, async () => who()))
  const newcomer = await who()
  let checked = 0
  let stale = 0
  for (let seed = 1; seed <= 40; seed++) {
    const all = await randomHistory(seed, people)
    const gid = (all.find(c => c.kind === 'create') as VerifiedChange).groupId
    const ref = fold(gid, all)
    for (const other of [3, 7]) assert.deepEqual(view(fold(gid, shuffled(all, seed * other))), view(ref), `seed ${seed}: order`)
    stale += ref.stale.length
    const byId = new Map(all.map(c => [c.id, c]))
    for (const id of ref.checkpoints) {
      const cp = byId.get(id) as VerifiedChange
      // the checkpoint attests the fold of its ancestry, and that is where its descendants go on from
      const at = fold(gid, [all[0] as VerifiedChange, ...changesUpTo(byId, cp.parents)].filter(c => c !== undefined))
      assert.deepEqual(cp.attested?.members, at.members, `seed ${seed}: attested`)
      const { held, opts } = pruneAt(all, cp)
      assert.deepEqual(view(foldArriving(gid, shuffled(held, seed), 256, opts)), view(ref), `seed ${seed}: pruned at ${id.slice(0, 8)}`)
      // what a newcomer is sent: the create, the latest checkpoint and what follows it
      if (id === ref.checkpoints.at(-1)) {
        const sent = logFor(ref, ref.order.map(x => byId.get(x) as VerifiedChange), newcomer.s)
        assert.ok(sent.length < all.length, `seed ${seed}: less than the whole log`)
        assert.deepEqual(view(foldArriving(gid, shuffled(sent, seed), 256, { base: id })), view(ref), `seed ${seed}: newcomer`)
      }
      checked++
    }
  }
  assert.ok(checked >= 30, `checkpoints that stood: ${checked}`)
  assert.ok(stale > 0, 'some changes were made concurrently with a checkpoint')
})

test('a change made concurrently with a checkpoint is void on every member, in every order; its author makes it again on top and all agree', async () => {
  const [a, bb, c, x, y] = await Promise.all([who(), who(), who(), who(), who()])
  const root = await create(a, [bb, c])
  const gid = root.groupId
  const promote = await make(a, gid, [root], { promote: { members: names(bb) } })
  const addY = await make(a, gid, [promote], { add: { members: names(y) } })
  const cp = await make(a, gid, [addY], checkpointOp(fold(gid, [root, promote, addY])))
  // b had not seen the add of y nor the checkpoint: its add of x names the promote
  const addX = await make(bb, gid, [promote], { add: { members: names(x) } }, 5)
  const all = [root, promote, addY, cp, addX]
  const ref = fold(gid, all)
  assert.deepEqual(ref.members, [a.s, bb.s, c.s, y.s].sort())
  assert.deepEqual(ref.stale, [addX.id])
  assert.deepEqual(ref.heads, [cp.id])
  for (let seed = 1; seed <= 50; seed++) assert.deepEqual(view(foldArriving(gid, shuffled(all, seed))), view(ref), `order ${seed}`)
  // a member that pruned before addX arrived, and a newcomer who never sees addX's parents: the same
  const pruned = pruneAt(all, cp)
  const late = fold(gid, pruned.held, pruned.opts)
  assert.deepEqual(view(late), view(ref))
  assert.deepEqual(late.stale, [addX.id], 'recognised from the pruned ids')
  assert.deepEqual(view(fold(gid, [root, cp, addX], { base: cp.id })), view(ref))

  // b sees the checkpoint: its add is made again, on top of it, once
  const ops = toReissue(ref, new Map(all.map(ch => [ch.id, ch])), bb.s).map(r => r.op)
  assert.deepEqual(ops, [{ add: { members: names(x) } }])
  const again = await make(bb, gid, ref.heads, ops[0] as Partial<GroupChange>, 6)
  const after = fold(gid, [...all, again])
  assert.deepEqual(after.members, [a.s, bb.s, c.s, x.s, y.s].sort())
  assert.deepEqual(toReissue(after, new Map([...all, again].map(ch => [ch.id, ch])), bb.s), [], 'not twice')
  assert.deepEqual(view(fold(gid, [...pruned.held, again], pruned.opts)), view(after))
  assert.deepEqual(view(fold(gid, [root, cp, again], { base: cp.id })), view(after))
})

test('two checkpoints made concurrently: the same one stands in every order, and a leave concurrent with one is made again', async () => {
  const [a, bb, c] = await Promise.all([who(), who(), who()])
  const root = await create(a, [bb, c])
  const gid = root.groupId
  const promote = await make(a, gid, [root], { promote: { members: names(bb) } })
  const s = fold(gid, [root, promote])
  const cpA = await make(a, gid, [promote], checkpointOp(s), 1)
  const cpB = await make(bb, gid, [promote], checkpointOp(s), 2)
  const leave = await make(c, gid, [promote], { leave: { lastSeq: 4 } }, 3)
  const all = [root, promote, cpA, cpB, leave]
  const ref = fold(gid, all)
  assert.equal(ref.checkpoints.length, 1)
  assert.equal(ref.stale.length, 2, 'the other checkpoint and the leave')
  for (let seed = 1; seed <= 50; seed++) assert.deepEqual(view(foldArriving(gid, shuffled(all, seed))), view(ref), `order ${seed}`)
  assert.ok(ref.members.includes(c.s), 'the leave is void...')
  assert.deepEqual(toReissue(ref, new Map(all.map(ch => [ch.id, ch])), c.s).map(r => r.op), [{ leave: { lastSeq: 4 } }], '...and made again by its author')
})

test('a forged checkpoint (a non-admin author, or an admin attesting another membership) is void and changes nothing', async () => {
  const [a, bb, c, mallory] = await Promise.all([who(), who(), who(), who()])
  const root = await create(a, [bb, c])
  const gid = root.groupId
  const promote = await make(a, gid, [root], { promote: { members: names(bb) } })
  const honest = fold(gid, [root, promote])
  // c is no admin: its checkpoint, even of the true state, is void
  const byMember = await make(c, gid, [promote], checkpointOp(honest))
  // b is an admin but claims that mallory is a member and c is not
  const lie = checkpointOp({ ...honest, members: [a.s, bb.s, mallory.s] })
  const byAdmin = await make(bb, gid, [promote], lie)
  // and a change made on the lie
  const onLie = await make(bb, gid, [byAdmin], { promote: { members: names(c) } })
  const s = fold(gid, [root, promote, byMember, byAdmin, onLie])
  assert.deepEqual(s.rejected.sort((x, y) => x.id < y.id ? -1 : 1), [{ id: byMember.id, fault: 'not-admin' }, { id: byAdmin.id, fault: 'wrong-state' }].sort((x, y) => x.id < y.id ? -1 : 1))
  assert.deepEqual(s.checkpoints, [])
  assert.deepEqual(s.stale, [], 'a void checkpoint voids nothing')
  assert.deepEqual(s.members, [a.s, bb.s, c.s].sort())
  assert.deepEqual(s.admins, [a.s, bb.s, c.s].sort(), 'the change on it stands as an ordinary change')
  // the lists must be canonical: sorted, once each, admins among members
  const sorted = [a, bb].sort((x, y) => x.s < y.s ? -1 : 1)
  await assert.rejects(make(bb, gid, [promote], { checkpoint: { name: 'g', members: names(...sorted).reverse(), admins: [] } }), { name: 'ProtocolError' })
  await assert.rejects(make(bb, gid, [promote], { checkpoint: { name: 'g', members: names(...sorted), admins: names(c) } }), { name: 'ProtocolError' })
  // and a tampered one does not verify at all
  const tampered = GroupChange.decode(byMember.bytes)
  tampered.checkpoint = { name: 'g', members: names(...sorted), admins: names(sorted[0] as Who) }
  await assert.rejects(verifyChange(GroupChange.encode(tampered)), { name: 'BadSignatureError' })
})

test('the ancestry of a checkpoint is pruned only once every member is known to hold it', async () => {
  const [a, bb, c] = await Promise.all([who(), who(), who()])
  const root = await create(a, [bb, c])
  const gid = root.groupId
  const promote = await make(a, gid, [root], { promote: { members: names(bb) } })
  const cp = await make(a, gid, [promote], checkpointOp(fold(gid, [root, promote])))
  const all = [root, promote, cp]
  const byId = new Map(all.map(ch => [ch.id, ch]))
  assert.equal(prunable(fold(gid, all), byId, new Map(), a.s), undefined, 'b and c may lack it')
  // b made a change on it; c sent a message naming it
  const byB = await make(bb, gid, [cp], { promote: { members: names(c) } })
  byId.set(byB.id, byB)
  const s = fold(gid, byId.values())
  assert.equal(prunable(s, byId, new Map(), a.s), undefined, 'c may lack it')
  assert.deepEqual(prunable(s, byId, new Map([[cp.id, new Set([c.s])]]), a.s), { checkpoint: cp.id, ids: [promote.id] })
})

test('what a member is sent: all of the log when every checkpoint lists it, from the latest that does not list it otherwise', async () => {
  const [a, bb, d, e] = await Promise.all([who(), who(), who(), who()])
  const root = await create(a, [bb])
  const gid = root.groupId
  const cp1 = await make(a, gid, [root], checkpointOp(fold(gid, [root])))
  const addD = await make(a, gid, [cp1], { add: { members: names(d) } })
  const cp2 = await make(a, gid, [addD], checkpointOp(fold(gid, [root, cp1, addD])))
  const addE = await make(a, gid, [cp2], { add: { members: names(e) } })
  const all = [root, cp1, addD, cp2, addE]
  const s = fold(gid, all)
  assert.deepEqual(s.checkpoints, [cp1.id, cp2.id])
  const order = s.order.map(id => all.find(c => c.id === id) as VerifiedChange)
  const sent = (w: Who): string[] => logFor(s, order, w.s).map(c => c.id)
  assert.deepEqual(sent(bb), [root, cp1, addD, cp2, addE].map(c => c.id), 'b: a member all along')
  assert.deepEqual(sent(d), [root, cp1, addD, cp2, addE].map(c => c.id), 'd: from cp1, which does not list it')
  assert.deepEqual(sent(e), [root, cp2, addE].map(c => c.id), 'e: from cp2')
  // and each folds to the same state from there
  assert.deepEqual(view(fold(gid, [root, cp2, addE], { base: cp2.id })), view(s))
})

test('a change made again that a second checkpoint makes stale in turn is made again itself, once; its original is not made again (it would add back a member removed since)', async () => {
  const [a, bb, c, x, y] = await Promise.all([who(), who(), who(), who(), who()])
  const root = await create(a, [bb, c])
  const gid = root.groupId
  const byId = (cs: VerifiedChange[]): Map<string, VerifiedChange> => new Map(cs.map(ch => [ch.id, ch]))
  const promote = await make(a, gid, [root], { promote: { members: names(bb) } }, 1)
  // a adds y and signs a checkpoint; b, who has seen neither, adds x and y
  const addY = await make(a, gid, [promote], { add: { members: names(y) } }, 2)
  const cp1 = await make(a, gid, [addY], checkpointOp(fold(gid, [root, promote, addY])), 3)
  const addXY = await make(bb, gid, [promote], { add: { members: names(x, y) } }, 4)
  let all = [root, promote, addY, cp1, addXY]
  let s = fold(gid, all)
  assert.deepEqual(s.stale, [addXY.id])
  // b sees cp1: its add is made again, y being in already: x alone
  const first = toReissue(s, byId(all), bb.s)
  assert.deepEqual(first.map(r => r.op), [{ add: { members: names(x) } }])
  assert.equal(first[0]?.of, addXY.id)
  const again1 = await make(bb, gid, s.heads, first[0]?.op as Partial<GroupChange>, 5)
  // meanwhile a, who has not seen that, removes y and signs a second checkpoint: the remake is stale in turn
  const removeY = await make(a, gid, [cp1], { remove: { members: names(y), lastSeqs: [0] } }, 6)
  const cp2 = await make(a, gid, [removeY], checkpointOp(fold(gid, [root, promote, addY, cp1, removeY])), 7)
  all = [...all, again1, removeY, cp2]
  s = fold(gid, all)
  assert.equal(s.checkpoints.length, 2)
  assert.deepEqual([...s.stale].sort(), [addXY.id, again1.id].sort(), 'the original and its remake are both stale')
  assert.deepEqual(s.members, [a.s, bb.s, c.s].sort())
  // b sees cp2: the remake is made again, once; the original, made again already, is not (it would add y back)
  const second = toReissue(s, byId(all), bb.s, new Set([addXY.id]))
  assert.deepEqual(second.map(r => r.op), [{ add: { members: names(x) } }], 'one add, of x alone')
  assert.equal(second[0]?.of, again1.id)
  const again2 = await make(bb, gid, s.heads, second[0]?.op as Partial<GroupChange>, 8)
  const after = fold(gid, [...all, again2])
  assert.deepEqual(after.members, [a.s, bb.s, c.s, x.s].sort(), 'x in, y still removed')
  assert.deepEqual(toReissue(after, byId([...all, again2]), bb.s, new Set([addXY.id, again1.id])), [], 'nothing more')
  for (let seed = 1; seed <= 20; seed++) assert.deepEqual(view(foldArriving(gid, shuffled([...all, again2], seed))), view(after), `order ${seed}`)
})
