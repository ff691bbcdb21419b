/**
 * Group checkpoints between real clients (libsignal sessions, LevelDB stores, loopback nodes): an
 * admin signs one after groups.checkpointEvery changes; the log before it is deleted once every
 * member is known to hold it; a member added later is sent only the create, the checkpoint and what
 * follows, and agrees on the members; a change made concurrently with it is made again as soon as
 * its author receives the checkpoint, and converges on every member, once, even when two admins'
 * checkpoints race; a forged one changes nothing.
 */
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from 'node:test'
import { changeId, signChange } from '../../../src/client/groups/change.js'
import { getPruned, groupKeys } from '../../../src/client/groups/group-store.js'
import { checkpointOp } from '../../../src/client/groups/log-compaction.js'
import { countKeys, unreachable, waitFor } from '../../helpers/groups.js'
import { befriend, makeUser, tempRoot, type TestUser } from '../../helpers/users.js'

const membersOf = async (u: TestUser, gid: string): Promise<string[]> => (await u.client.groups.state(gid))?.members ?? []
const changeBytes = async (u: TestUser, gid: string): Promise<number> => {
  let n = 0
  for await (const { value } of u.client.store.list(groupKeys.changePrefix(gid))) n += value.length
  return n
}

async function users (t: Parameters<typeof tempRoot>[0], every: (name: string) => number): Promise<TestUser[]> {
  const root = await tempRoot(t)
  const all = await Promise.all(['alice', 'bob', 'carol', 'dave'].map(async name =>
    makeUser(t, root, name, { overrides: { groups: { gossipAckMs: 0, checkpointEvery: every(name) } } })))
  for (let i = 0; i < all.length; i++) for (let j = i + 1; j < all.length; j++) await befriend(all[i] as TestUser, all[j] as TestUser)
  return all
}

test('after checkpointEvery changes the admin signs a checkpoint; once every member holds it the log before it goes; a member added later gets only the checkpoint on and agrees', async (t) => {
  const [alice, bob, carol, dave] = await users(t, name => name === 'alice' ? 4 : 0) as [TestUser, TestUser, TestUser, TestUser]
  const gid = (await alice.client.groupCreate('g', ['bob', 'carol'])).id
  for (let i = 0; i < 2; i++) {
    await alice.client.groupRemove('g', ['carol'])
    await alice.client.groupAdd('g', ['carol'])
  }
  // due, but bob and carol have not said that their clients follow checkpoints (an older client would not)
  assert.equal((await alice.client.groups.state(gid))?.checkpoints.length, 0, 'not before every member is known to follow them')
  for (const u of [bob, carol]) await u.client.send('@g', `${u.name} is here`)
  await waitFor('alice heard from both', async () => (await alice.client.inbox()).filter(m => m.group?.id === gid).length === 2)
  assert.equal((await alice.client.groups.prune()).changes, 0, 'nobody is known to hold the checkpoint it makes')
  const state = await alice.client.groups.state(gid)
  assert.equal(state?.checkpoints.length, 1, 'the pass made it')
  const cp = state.checkpoints[0] as string
  await waitFor('bob and carol hold it', async () => (await bob.client.groups.state(gid))?.checkpoints[0] === cp && (await carol.client.groups.state(gid))?.checkpoints[0] === cp)
  // dave joins after it: alice, who still holds the whole log, sends him the create, the checkpoint and his add
  await alice.client.groupAdd('g', ['dave'])
  await waitFor('dave knows the group', async () => (await membersOf(dave, gid)).includes(dave.peerId))
  assert.equal(await countKeys(dave, groupKeys.changePrefix(gid)), 3, 'dave holds the create, the checkpoint and his add')
  assert.equal((await dave.client.groups.state(gid))?.base, cp)
  const everyone = [alice.peerId, bob.peerId, carol.peerId, dave.peerId].sort()
  await waitFor('all agree', async () => {
    for (const u of [alice, bob, carol, dave]) if (JSON.stringify(await membersOf(u, gid)) !== JSON.stringify(everyone)) return false
    return true
  })
  const before = { keys: await countKeys(alice, groupKeys.changePrefix(gid)), bytes: await changeBytes(alice, gid) }
  assert.equal(before.keys, 7, 'create, 4 changes, the checkpoint, the add')

  assert.equal((await alice.client.groups.prune()).changes, 0, 'the others are not known to hold the checkpoint yet (their messages came before it)')
  const all = [alice, bob, carol, dave]
  for (const u of all) await u.client.send('@g', `${u.name} after the checkpoint`)
  await waitFor('everyone has everyone\'s message', async () => {
    for (const u of all) if ((await u.client.inbox()).filter(m => m.group?.id === gid && m.text.endsWith('after the checkpoint')).length < 3) return false
    return true
  })
  const firstChange = (await alice.client.groups.state(gid))?.order[1] as string
  for (const u of [alice, bob, carol]) assert.equal((await u.client.groups.prune()).changes, 4, `${u.name} prunes`)
  assert.equal((await dave.client.groups.prune()).changes, 0, 'dave never held them')
  const after = { keys: await countKeys(alice, groupKeys.changePrefix(gid)), bytes: await changeBytes(alice, gid) }
  assert.equal(after.keys, 3, 'the create, the checkpoint and the add')
  t.diagnostic(`alice's change log: ${before.keys} changes, ${before.bytes} B -> ${after.keys} changes, ${after.bytes} B`)
  // the group goes on after the prune
  await bob.client.send('@g', 'welcome')
  await waitFor('dave reads it', async () => (await dave.client.inbox()).some(m => m.text === 'welcome'))
  for (const u of all) assert.deepEqual(await membersOf(u, gid), everyone)

  // a change made on history alice pruned (carol's leave naming a change from before the checkpoint,
  // as if she had not seen it) is recognised: void, not stored, its id kept with the pruned ones
  const hex = (h: string): Uint8Array<ArrayBuffer> => new Uint8Array(Buffer.from(h, 'hex'))
  const staleLeave = await signChange(carol.client.identity.peerKey, carol.client.identity.peerId, { groupId: hex(gid), parents: [hex(firstChange)], madeAt: Date.now(), leave: { lastSeq: 0 } })
  await carol.client.messenger.sendEach([alice.peerId], async () => ({ groupUpdate: { changes: [new Uint8Array(staleLeave)], holds: [] } }))
  await waitFor('alice recognised it', async () => (await getPruned(alice.client.store, gid)).ids.has(changeId(staleLeave)))
  assert.equal(await countKeys(alice, groupKeys.changePrefix(gid)), 3, 'not stored')
  assert.deepEqual(await membersOf(alice, gid), everyone, 'carol is still a member')

  // a forged checkpoint (bob is no admin; he claims to be one and carol gone) changes nothing at carol
  const carolBefore = await carol.client.groups.state(gid)
  assert.ok(carolBefore !== undefined)
  const forged = await signChange(bob.client.identity.peerKey, bob.client.identity.peerId, {
    groupId: new Uint8Array(Buffer.from(gid, 'hex')),
    parents: carolBefore.heads.map(h => new Uint8Array(Buffer.from(h, 'hex'))),
    madeAt: Date.now(),
    ...checkpointOp({ ...carolBefore, members: carolBefore.members.filter(m => m !== carol.peerId), admins: [alice.peerId, bob.peerId] })
  })
  await bob.client.messenger.sendEach([carol.peerId], async () => ({ groupUpdate: { changes: [new Uint8Array(forged)], holds: [] } }))
  await waitFor('carol judged it', async () => ((await carol.client.groups.state(gid))?.rejected.length ?? 0) === 1)
  const carolAfter = await carol.client.groups.state(gid)
  assert.equal(carolAfter?.rejected[0]?.fault, 'not-admin')
  assert.deepEqual(carolAfter?.members, carolBefore.members)
  assert.deepEqual(carolAfter?.admins, carolBefore.admins)
})

test('members who never write to the group still let it checkpoint and prune: each says once, by a hold note, which checkpoint it holds; a non-member\'s note is dropped', async (t) => {
  const [alice, bob, carol, dave] = await users(t, name => name === 'alice' ? 2 : 0) as [TestUser, TestUser, TestUser, TestUser]
  const gid = (await alice.client.groupCreate('quiet', ['bob', 'carol'])).id
  await waitFor('bob and carol know the group', async () => (await membersOf(bob, gid)).length === 3 && (await membersOf(carol, gid)).length === 3)
  await alice.client.groupRemove('quiet', ['carol'])
  await alice.client.groupAdd('quiet', ['carol'])
  await waitFor('carol is back', async () => (await membersOf(carol, gid)).includes(carol.peerId))
  // bob and carol write nothing to the group; their prune passes say what their clients follow
  for (const u of [bob, carol]) assert.equal((await u.client.groups.prune()).notes, 2, `${u.name} notes to the two others`)
  for (const u of [bob, carol]) assert.equal((await u.client.groups.prune()).notes, 0, `${u.name} notes once`)
  await waitFor('alice makes the checkpoint', async () => {
    await alice.client.groups.prune()
    return (await alice.client.groups.state(gid))?.checkpoints.length === 1
  })
  const cp = (await alice.client.groups.state(gid))?.checkpoints[0] as string
  await waitFor('bob and carol hold it', async () => (await bob.client.groups.state(gid))?.checkpoints[0] === cp && (await carol.client.groups.state(gid))?.checkpoints[0] === cp)
  assert.equal((await alice.client.groups.prune()).changes, 0, 'nobody but alice is known to hold it yet')
  const ackedBy = async (u: TestUser, member: string): Promise<boolean> => await u.client.store.get(groupKeys.acked(gid, cp, member)) !== undefined
  // what each note carries: the checkpoint's bytes only to a member not sure to hold it
  const carried = new Map<string, number>()
  for (const u of [bob, carol]) {
    const sendEach = u.client.messenger.sendEach.bind(u.client.messenger)
    u.client.messenger.sendEach = async (peers, bodyFor, o) => sendEach(peers, async (tx, peer) => {
      const body = await bodyFor(tx, peer)
      if (body.groupUpdate?.holds.length === 1) carried.set(`${u.name}>${peer}`, body.groupUpdate.changes.length)
      return body
    }, o)
  }
  assert.equal((await bob.client.groups.prune()).notes, 2, 'bob says he holds the checkpoint')
  await waitFor('carol knows bob holds it', async () => await ackedBy(carol, bob.peerId))
  assert.equal((await carol.client.groups.prune()).notes, 2, 'carol says she holds the checkpoint')
  assert.deepEqual(Object.fromEntries(carried), {
    [`bob>${alice.peerId}`]: 0, // its author
    [`bob>${carol.peerId}`]: 1, // not known to hold it yet
    [`carol>${alice.peerId}`]: 0,
    [`carol>${bob.peerId}`]: 0 // his note said he holds it
  })
  await waitFor('alice knows both hold it', async () => await ackedBy(alice, bob.peerId) && await ackedBy(alice, carol.peerId))
  assert.equal((await alice.client.groups.prune()).changes, 2, 'alice prunes the remove and the add before it')
  await waitFor('bob knows carol holds it', async () => await ackedBy(bob, carol.peerId))
  assert.equal((await bob.client.groups.prune()).changes, 2, 'bob too (alice made it: she holds it)')
  assert.equal(await countKeys(alice, groupKeys.changePrefix(gid)), 2, 'the create and the checkpoint')

  // dave, no member, claims to hold it: nothing is kept of that at alice
  const hex = (h: string): Uint8Array<ArrayBuffer> => new Uint8Array(Buffer.from(h, 'hex'))
  const [sent] = await dave.client.messenger.sendEach([alice.peerId], async () => ({ groupUpdate: { changes: [], holds: [{ groupId: hex(gid), checkpoint: hex(cp) }] } }))
  assert.equal(sent?.route, 'direct', 'alice opened it (a direct delivery is acknowledged once stored)')
  assert.equal(await ackedBy(alice, dave.peerId), false, 'a non-member\'s hold note is dropped')
  assert.deepEqual(await membersOf(alice, gid), [alice.peerId, bob.peerId, carol.peerId].sort())
})

/** `ck` (the admin that makes checkpoints: the smallest PeerId) and `other`, another admin, in group 'g' with carol; then both cut off from everyone. */
async function twoAdmins (all: TestUser[]): Promise<{ ck: TestUser, other: TestUser, carol: TestUser, dave: TestUser, gid: string, reconnect: () => Promise<void> }> {
  const [alice, bob, carol, dave] = all as [TestUser, TestUser, TestUser, TestUser]
  const [ck, other] = alice.peerId < bob.peerId ? [alice, bob] : [bob, alice]
  const gid = (await ck.client.groupCreate('g', [other.name, 'carol'])).id
  await ck.client.groupPromote('g', [other.name])
  await waitFor('other is an admin', async () => (await other.client.groups.state(gid))?.admins.includes(other.peerId) === true)
  // ck makes checkpoints only once every member said that its client follows them
  for (const u of [other, carol]) await u.client.send('@g', `${u.name} is here`)
  await waitFor('ck heard from both', async () => (await ck.client.inbox()).filter(m => m.group?.id === gid).length === 2)
  const routes = { ck: ck.client.messenger.routes, other: other.client.messenger.routes }
  ck.client.messenger.useRoutes([unreachable])
  other.client.messenger.useRoutes([unreachable])
  const reconnect = async (): Promise<void> => {
    ck.client.messenger.useRoutes(routes.ck)
    other.client.messenger.useRoutes(routes.other)
    // what each queued while cut off goes now; neither syncs nor makes another change
    await ck.client.messenger.flushOutbox()
    await other.client.messenger.flushOutbox()
  }
  return { ck, other, carol, dave, gid, reconnect }
}

test('an add made concurrently with a checkpoint is stale on every member; its author makes it again on top as soon as the checkpoint arrives (no sync, no other change): all agree', async (t) => {
  const all = await users(t, () => 3)
  const { ck, other, carol, dave, gid, reconnect } = await twoAdmins(all)
  // cut apart: ck removes and re-adds carol (a checkpoint follows), other adds dave meanwhile
  await ck.client.groupRemove('g', ['carol'])
  await ck.client.groupAdd('g', ['carol'])
  const cp = (await ck.client.groups.state(gid))?.checkpoints[0]
  assert.ok(cp !== undefined, 'a checkpoint after the 3rd change')
  await other.client.groupAdd('g', ['dave'])
  await reconnect()
  // other's add is stale everywhere it meets the checkpoint; the checkpoint's arrival at other makes it again on top
  const expected = [ck.peerId, other.peerId, carol.peerId, dave.peerId].sort()
  await waitFor('all four agree', async () => {
    for (const u of all) if (JSON.stringify(await membersOf(u, gid)) !== JSON.stringify(expected)) return false
    return true
  })
  for (const u of [ck, other, carol]) assert.equal((await u.client.groups.state(gid))?.stale.length, 1, `${u.name}: the first add is stale`)
  const heads = await Promise.all(all.map(async u => JSON.stringify((await u.client.groups.state(gid))?.heads)))
  assert.equal(new Set(heads).size, 1, 'the same heads on every member')
})

test('two admins\' checkpoints race: the change made beside the one that loses is made again once, and nothing more is made', async (t) => {
  // every 1: ck makes one after each change of its own, other (not the first admin) after two
  const all = await users(t, () => 1)
  const { ck, other, dave, gid, reconnect } = await twoAdmins(all)
  // other's checkpoint after its add needs dave's client known to follow them too
  await dave.client.send(other.name, 'hello')
  await waitFor('other heard from dave', async () => (await other.client.inbox()).some(m => m.from === dave.peerId))
  await ck.client.groupRemove('g', ['carol'])
  await other.client.groupAdd('g', ['dave'])
  const cpA = (await ck.client.groups.state(gid))?.checkpoints
  const cpB = (await other.client.groups.state(gid))?.checkpoints
  assert.equal(cpA?.length, 1, 'ck made a checkpoint after its remove')
  assert.equal(cpB?.length, 1, 'other made one after its add, concurrently')
  assert.notEqual(cpA[0], cpB[0])
  await reconnect()
  const expected = [ck.peerId, other.peerId, dave.peerId].sort()
  await waitFor('ck, other and dave agree: carol out, dave in', async () => {
    for (const u of [ck, other, dave]) if (JSON.stringify(await membersOf(u, gid)) !== JSON.stringify(expected)) return false
    return true
  })
  // one checkpoint stands; the other and the change made beside it are stale, and that change was
  // made again once: the admins hold the create, the promote, the remove, the add, both
  // checkpoints and it (dave, who joined after the checkpoint that stands, folds from it)
  const counts = async (): Promise<string> => JSON.stringify(await Promise.all([ck, other].map(async u => (await u.client.groups.state(gid))?.order.length)))
  await waitFor('ck and other hold all seven changes', async () => await counts() === JSON.stringify([7, 7]))
  for (const u of [ck, other]) {
    const s = await u.client.groups.state(gid)
    assert.equal(s?.checkpoints.length, 1, `${u.name}: one checkpoint stands`)
    assert.equal(s?.stale.length, 2, `${u.name}: the other checkpoint and the change made beside it are stale`)
  }
  // quiet: nothing more follows (a run that found work would have sent it by now)
  await sleep(1500)
  assert.equal(await counts(), JSON.stringify([7, 7]), 'nothing more was made')
  const heads = await Promise.all([ck, other, dave].map(async u => JSON.stringify((await u.client.groups.state(gid))?.heads)))
  assert.equal(new Set(heads).size, 1, 'the same heads on ck, other and dave')
})

test('a change made again goes stale once more (a second checkpoint it had not seen): it is made again once, and its original is not (a member removed since stays out)', async (t) => {
  const root = await tempRoot(t)
  const overrides = { groups: { gossipAckMs: 0, checkpointEvery: 1 } }
  const all = await Promise.all(['alice', 'bob', 'carol', 'dave', 'eve'].map(async name => makeUser(t, root, name, { overrides })))
  for (let i = 0; i < all.length; i++) for (let j = i + 1; j < all.length; j++) await befriend(all[i] as TestUser, all[j] as TestUser)
  const [alice, bob, carol, dave, eve] = all as [TestUser, TestUser, TestUser, TestUser, TestUser]
  // ck signs a checkpoint after each of its changes; other signs none (no race between them here)
  const [ck, other] = alice.peerId < bob.peerId ? [alice, bob] : [bob, alice]
  await other.stop()
  await other.restart({ groups: { gossipAckMs: 0, checkpointEvery: 0 } })
  const gid = (await ck.client.groupCreate('g', [other.name, 'carol'])).id
  await ck.client.groupPromote('g', [other.name])
  await waitFor('other is an admin', async () => (await other.client.groups.state(gid))?.admins.includes(other.peerId) === true)
  // ck makes a checkpoint only once every member is known to follow them: dave's client too, once added
  for (const u of [other, carol]) await u.client.send('@g', `${u.name} is here`)
  await dave.client.send(ck.name, 'hello')
  await waitFor('ck heard from all three', async () => (await ck.client.inbox()).length === 3)
  const real = { ck: ck.client.messenger.routes, other: other.client.messenger.routes }
  ck.client.messenger.useRoutes([unreachable])
  other.client.messenger.useRoutes([unreachable])
  // cut apart: ck adds dave (a checkpoint follows); other, who has not seen it, adds dave and eve
  await ck.client.groupAdd('g', ['dave'])
  assert.equal((await ck.client.groups.state(gid))?.checkpoints.length, 1, 'ck checkpointed')
  await other.client.groupAdd('g', ['dave', 'eve'])
  // the checkpoint reaches other (not the other way): its add is stale and made again, eve alone (dave is in)
  ck.client.messenger.useRoutes(real.ck)
  await ck.client.messenger.flushOutbox()
  const remade = async (): Promise<number> => countKeys(other, groupKeys.remadePrefix(gid))
  await waitFor('other made its add again', async () => await remade() === 1)
  // ck, who has not seen that remake, removes dave and checkpoints again: the remake is stale in turn
  await ck.client.groupRemove('g', ['dave'])
  assert.equal((await ck.client.groups.state(gid))?.checkpoints.length, 2, 'ck checkpointed again')
  const held = async (u: TestUser): Promise<number> => (await u.client.groups.state(gid))?.order.length ?? 0
  await waitFor('other made a change again', async () => await held(other) === 9)
  other.client.messenger.useRoutes(real.other)
  await other.client.messenger.flushOutbox()
  // eve joins by the remakes, sent from each checkpoint in turn (in whatever order they arrive)
  const expected = [ck.peerId, other.peerId, carol.peerId, eve.peerId].sort()
  await waitFor('ck, other, carol and eve agree: eve in, dave out', async () => {
    for (const u of [ck, other, carol, eve]) if (JSON.stringify(await membersOf(u, gid)) !== JSON.stringify(expected)) return false
    return true
  })
  // the create, the promote, ck's add, checkpoint, remove and checkpoint; other's add, its remake and
  // the remake's: nine, and nothing more follows (the original add made again would add dave back)
  const counts = async (): Promise<string> => JSON.stringify(await Promise.all([ck, other].map(async u => (await u.client.groups.state(gid))?.order.length)))
  await waitFor('ck and other hold all nine changes', async () => await counts() === JSON.stringify([9, 9]))
  await sleep(1500)
  assert.equal(await counts(), JSON.stringify([9, 9]), 'nothing more was made')
  for (const u of [ck, other, carol, eve]) assert.deepEqual(await membersOf(u, gid), expected, `${u.name}: dave stays out`)
  assert.equal(await remade(), 2, 'other noted the original and the first remake as made again')
})
