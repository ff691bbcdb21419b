import assert from 'node:assert/strict'
import { test } from 'node:test'
import { GroupChange } from '../../../proto/cairn.js'
import { verifyChange, type VerifiedChange } from '../../../src/client/groups/change.js'
import { foldGroup } from '../../../src/client/groups/state.js'
import { create, foldArriving, make, names, shuffled, summary, who } from '../../helpers/group-changes.js'

test('membership converges: concurrent changes delivered in 200 different orders fold to one state', async () => {
  const [a, bb, c, d, e, f] = await Promise.all([who(), who(), who(), who(), who(), who()])
  const root = await create(a, [bb, c])
  const gid = root.groupId
  const promote = await make(a, gid, [root], { promote: { members: names(bb) } })
  const addD = await make(a, gid, [root], { add: { members: names(d) } })           // concurrent with promote
  const removeC = await make(bb, gid, [promote], { remove: { members: names(c), lastSeqs: [0] } }) // b, admin by then
  const addE = await make(a, gid, [promote, addD], { add: { members: names(e) } })  // a merge
  const leaveD = await make(d, gid, [addD], { leave: { lastSeq: 0 } })
  const addF = await make(c, gid, [root], { add: { members: names(f) } })           // c is no admin: void
  const all = [root, promote, addD, removeC, addE, leaveD, addF]
  const reference = foldArriving(gid, all)
  assert.ok(reference !== undefined)
  assert.deepEqual(reference.members, [a.s, bb.s, e.s].sort())
  assert.deepEqual(reference.admins, [a.s, bb.s].sort())
  assert.deepEqual(reference.void, [addF.id])
  assert.deepEqual(reference.waiting, [])
  for (let seed = 1; seed <= 200; seed++) assert.deepEqual(summary(foldArriving(gid, shuffled(all, seed))), summary(reference), `order ${seed}`)
})

test('a change whose ancestry is incomplete waits, and counts once its parents arrive', async () => {
  const [a, bb, c] = await Promise.all([who(), who(), who()])
  const root = await create(a, [bb])
  const addC = await make(a, root.groupId, [root], { add: { members: names(c) } })
  const removeB = await make(a, root.groupId, [addC], { remove: { members: names(bb), lastSeqs: [0] } })
  const early = foldGroup(root.groupId, [root, removeB], 256)
  assert.deepEqual(early?.members, [a.s, bb.s].sort())
  assert.deepEqual(early?.waiting, [removeB.id])
  assert.equal(foldGroup(root.groupId, [removeB, addC], 256), undefined, 'no create: no group')
  assert.deepEqual(foldGroup(root.groupId, [removeB, addC, root], 256)?.members, [a.s, c.s].sort())
})

test('two admins removing each other concurrently: exactly one removal stands, the same one in every order', async () => {
  const [a, bb, c] = await Promise.all([who(), who(), who()])
  const root = await create(a, [bb, c])
  const promote = await make(a, root.groupId, [root], { promote: { members: names(bb) } })
  const aRemovesB = await make(a, root.groupId, [promote], { remove: { members: names(bb), lastSeqs: [0] } })
  const bRemovesA = await make(bb, root.groupId, [promote], { remove: { members: names(a), lastSeqs: [0] } })
  const s1 = foldArriving(root.groupId, [root, promote, aRemovesB, bRemovesA])
  const s2 = foldArriving(root.groupId, [bRemovesA, aRemovesB, promote, root])
  assert.deepEqual(summary(s1), summary(s2))
  assert.equal(s1?.members.length, 2)
  assert.equal(s1?.void.length, 1)
  assert.ok(s1?.members.includes(c.s))
})

test('a removed admin cannot act by naming parents from before its removal', async () => {
  const [a, bb, c, x, mallory] = await Promise.all([who(), who(), who(), who(), who()])
  const root = await create(a, [bb, c])
  const promote = await make(a, root.groupId, [root], { promote: { members: names(bb) } })
  const addX = await make(a, root.groupId, [promote], { add: { members: names(x) } })
  const removeB = await make(a, root.groupId, [addX], { remove: { members: names(bb), lastSeqs: [0] } })
  // b, removed, signs an add whose parents predate its removal: it sorts before the removal
  const backdated = await make(bb, root.groupId, [promote], { add: { members: names(mallory) } })
  for (let seed = 1; seed <= 20; seed++) {
    const s = foldArriving(root.groupId, shuffled([root, promote, addX, removeB, backdated], seed))
    assert.deepEqual(s?.members, [a.s, c.s, x.s].sort())
    assert.ok(s?.void.includes(backdated.id))
  }
  // and re-added, b acts again
  const readd = await make(a, root.groupId, [removeB, backdated], { add: { members: names(bb) } })
  const later = await make(a, root.groupId, [readd], { promote: { members: names(bb) } })
  const bAgain = await make(bb, root.groupId, [later], { remove: { members: names(x), lastSeqs: [0] } })
  assert.deepEqual(foldGroup(root.groupId, [root, promote, addX, removeB, backdated, readd, later, bAgain], 256)?.members, [a.s, bb.s, c.s].sort())
})

test('the member cap: an add beyond maxMembers is void whole; a create beyond it is no group', async () => {
  const [a, bb, c, d] = await Promise.all([who(), who(), who(), who()])
  const root = await create(a, [bb])
  const addTwo = await make(a, root.groupId, [root], { add: { members: names(c, d) } })
  const s = foldGroup(root.groupId, [root, addTwo], 3)
  assert.deepEqual(s?.members, [a.s, bb.s].sort())
  assert.deepEqual(s?.void, [addTwo.id])
  assert.equal(foldGroup((await create(a, [bb, c, d])).groupId, [await create(a, [bb, c, d])], 3), undefined)
})

test('forged and malformed changes are refused; a second create cannot take over a group id', async () => {
  const [a, bb, mallory] = await Promise.all([who(), who(), who()])
  const root = await create(a, [bb])
  const add = await make(a, root.groupId, [root], { add: { members: names(mallory) } })
  // mallory re-signs a's change under a's name: the signature is over a's key
  const forged = GroupChange.decode(add.bytes)
  forged.signature = new Uint8Array(await mallory.key.sign(new Uint8Array(8)))
  await assert.rejects(verifyChange(GroupChange.encode(forged)), { name: 'BadSignatureError' })
  // a tampered member list breaks the signature
  const tampered = GroupChange.decode(add.bytes)
  tampered.add = { members: names(bb) }
  await assert.rejects(verifyChange(GroupChange.encode(tampered)), { name: 'BadSignatureError' })
  await assert.rejects(verifyChange(new Uint8Array([1, 2, 3])), { name: 'ProtocolError' })
  // mallory's own create is a different group: its id is its own hash
  const other = await create(mallory, [a, bb])
  assert.notEqual(other.groupId, root.groupId)
  assert.deepEqual(foldGroup(root.groupId, [root, other], 256)?.members, [a.s, bb.s].sort())
})

test('a long history (1,000 changes, one reaching back through all of them) folds', async () => {
  const [a, bb] = await Promise.all([who(), who()])
  const root = await create(a, [bb])
  const all = [root]
  for (let i = 0; i < 1000; i++) all.push(await make(a, root.groupId, [all.at(-1) as VerifiedChange], i % 2 === 0 ? { remove: { members: names(bb), lastSeqs: [0] } } : { add: { members: names(bb) } }))
  all.push(await make(bb, root.groupId, [all.at(-1) as VerifiedChange], { leave: { lastSeq: 0 } }))
  const s = foldGroup(root.groupId, all.reverse(), 256)
  assert.deepEqual(s?.members, [a.s])
  assert.equal(s?.order.length, 1002)
  assert.deepEqual(s?.void, [])
})
