/**
 * A member that joined after a checkpoint folds from it (group-log.ts adopt), and updates reach it
 * in any order: it never goes back to an older checkpoint whose update came late, and it still
 * adopts a newer one (sent with the changes leading to it, or after it was removed and added
 * again). Real clients: the changes are signed in-process and sent to eve as group updates.
 */
import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import type { GroupChange } from '../../../proto/cairn.js'
import { signChange, verifyChange, type VerifiedChange } from '../../../src/client/groups/change.js'
import type { ChangeDistribution } from '../../../src/client/groups/change-distribution.js'
import { checkpointOp, logFor } from '../../../src/client/groups/log-compaction.js'
import { foldGroup, type GroupState } from '../../../src/client/groups/state.js'
import { waitFor } from '../../helpers/groups.js'
import { make, names, who, type Who } from '../../helpers/group-changes.js'
import { befriend, makeUser, tempRoot, type TestUser } from '../../helpers/users.js'

/** A group's create; `madeAt` tells apart groups of the same members. */
const create = async (author: Who, members: Who[], madeAt: number): Promise<VerifiedChange> =>
  verifyChange(await signChange(author.key, author.id, { groupId: new Uint8Array(0), parents: [], madeAt, create: { name: 'g', secret: new Uint8Array(32).fill(7), members: names(...members) } }))
const fold = (gid: string, changes: VerifiedChange[]): GroupState => foldGroup(gid, changes, 256) as GroupState
const asWho = (u: TestUser): Who => ({ key: u.client.identity.peerKey, id: u.client.identity.peerId, s: u.peerId })
const cp = async (author: Who, gid: string, on: VerifiedChange[], upTo: VerifiedChange[]): Promise<VerifiedChange> => make(author, gid, on, checkpointOp(fold(gid, upTo)))

/** The history of group-checkpoint.test.ts's 5-client test, made by hand: two checkpoints eve is sent from, each with its add of eve. */
async function history (a: Who, bb: Who, c: Who, d: Who, e: Who, madeAt: number): Promise<Record<string, VerifiedChange>> {
  const root = await create(a, [bb, c], madeAt)
  const gid = root.groupId
  const promote = await make(a, gid, [root], { promote: { members: names(bb) } })
  const addD = await make(a, gid, [promote], { add: { members: names(d) } })
  const k1 = await cp(a, gid, [addD], [root, promote, addD])
  const addE1 = await make(bb, gid, [k1], { add: { members: names(e) } }) // bb's add, made again on k1
  const rmD = await make(a, gid, [k1], { remove: { members: names(d), lastSeqs: [0] } })
  const k2 = await cp(a, gid, [rmD], [root, promote, addD, k1, rmD])
  const addE2 = await make(bb, gid, [k2], { add: { members: names(e) } }) // made again once more, on k2
  return { root, promote, addD, k1, addE1, rmD, k2, addE2 }
}

interface Setup { eve: TestUser, a: Who, bb: Who, c: Who, d: Who, e: Who, current: string[], send: (changes: VerifiedChange[]) => Promise<void>, holds: (gid: string, id: string) => Promise<boolean>, members: (gid: string) => Promise<string[] | undefined> }

/** Eve, the newcomer, and bob (admin bb), who sends her updates; a, c and d are signed for in-process. */
async function setup (t: TestContext): Promise<Setup> {
  const root = await tempRoot(t)
  const [bob, eve] = await Promise.all(['bob', 'eve'].map(async name => makeUser(t, root, name))) as [TestUser, TestUser]
  await befriend(bob, eve)
  const [a, c, d] = await Promise.all([who(), who(), who()])
  const bb = asWho(bob)
  const e = asWho(eve)
  const send = async (changes: VerifiedChange[]): Promise<void> => {
    await bob.client.messenger.sendEach([eve.peerId], async () => ({ groupUpdate: { changes: changes.map(ch => new Uint8Array(ch.bytes)), holds: [] } }))
  }
  const holds = async (gid: string, id: string): Promise<boolean> => { const s = await eve.client.groups.state(gid); return s !== undefined && [...s.order, ...s.waiting].includes(id) }
  const members = async (gid: string): Promise<string[] | undefined> => (await eve.client.groups.state(gid))?.members
  return { eve, a, bb, c, d, e, current: [a.s, bb.s, c.s, e.s].sort(), send, holds, members }
}

test('a newcomer sent the newer checkpoint first and the older one late keeps folding from the newer: a member removed before it stays out', async (t) => {
  const { eve, a, bb, c, d, e, current, send, holds, members } = await setup(t)
  const h = await history(a, bb, c, d, e, 1)
  const gid = h.root?.groupId as string
  await send([h.root, h.k2, h.addE2] as VerifiedChange[])
  await waitFor('eve joined at k2', async () => (await eve.client.groups.state(gid))?.base === h.k2?.id)
  assert.deepEqual(await members(gid), current)
  await send([h.root, h.k1, h.addE1] as VerifiedChange[])
  await waitFor('eve holds k1', async () => holds(gid, h.k1?.id as string))
  assert.equal((await eve.client.groups.state(gid))?.base, h.k2?.id, 'still folding from k2')
  assert.deepEqual(await members(gid), current, 'dave, removed before k2, stays out')
})

test('a newcomer that joined at the older checkpoint is sent the newer with the changes leading to it from the older (logFor), and moves on to it', async (t) => {
  const { eve, a, bb, c, d, e, current, send, members } = await setup(t)
  const h2 = await history(a, bb, c, d, e, 2)
  const gid2 = h2.root?.groupId as string
  const all = Object.values(h2)
  const state = fold(gid2, all)
  const order = state.order.map(id => all.find(ch => ch.id === id) as VerifiedChange)
  const sent = logFor(state, order, e.s, new Set([h2.k1?.id as string]))
  assert.deepEqual(sent.map(ch => ch.id), [h2.root, h2.rmD, h2.k2, h2.addE2].map(ch => ch?.id), 'sent from k2, with the removal leading to it from k1')
  assert.deepEqual(logFor(state, order, e.s).map(ch => ch.id), [h2.root, h2.k2, h2.addE2].map(ch => ch?.id), 'without k1 held: from k2 alone')
  await send([h2.root, h2.k1, h2.addE1] as VerifiedChange[])
  await waitFor('eve joined at k1', async () => (await eve.client.groups.state(gid2))?.base === h2.k1?.id)
  await send(sent)
  await waitFor('eve follows k2', async () => JSON.stringify(await members(gid2)) === JSON.stringify(current))
})

test('a member removed and added again after a checkpoint it never saw the way to adopts that checkpoint (no membership of its own to lose)', async (t) => {
  const { eve, a, bb, c, d, e, send, holds, members } = await setup(t)
  const r = await create(a, [bb, c], 3)
  const gid3 = r.groupId
  const p = await make(a, gid3, [r], { promote: { members: names(bb) } })
  const k0 = await cp(a, gid3, [p], [r, p])
  const addE = await make(a, gid3, [k0], { add: { members: names(e) } })
  const rmE = await make(a, gid3, [addE], { remove: { members: names(e), lastSeqs: [0] } })
  const addD = await make(a, gid3, [rmE], { add: { members: names(d) } })
  const k3 = await cp(a, gid3, [addD], [r, p, k0, addE, rmE, addD])
  const back: Partial<GroupChange> = { add: { members: names(e) } }
  const addAgain = await make(a, gid3, [k3], back)
  await send([r, k0, addE])
  await waitFor('eve joined at k0', async () => (await members(gid3))?.includes(e.s) === true)
  await send([rmE])
  await waitFor('eve removed', async () => (await holds(gid3, rmE.id)) && (await members(gid3))?.includes(e.s) === false)
  await send([r, k3, addAgain])
  await waitFor('eve back in, from k3', async () => (await eve.client.groups.state(gid3))?.base === k3.id)
  assert.deepEqual(await members(gid3), [a.s, bb.s, c.s, d.s, e.s].sort())
})

test('a newer checkpoint sent without the way to it waits (a member from its base keeps that base), and stands once the way arrives', async (t) => {
  const { eve, a, bb, c, d, e, current, send, members } = await setup(t)
  const h = await history(a, bb, c, d, e, 4)
  const gid = h.root?.groupId as string
  await send([h.root, h.k1, h.addE1] as VerifiedChange[])
  await waitFor('eve joined at k1', async () => (await eve.client.groups.state(gid))?.base === h.k1?.id)
  await send([h.root, h.k2, h.addE2] as VerifiedChange[])
  await waitFor('k2 held, waiting', async () => (await eve.client.groups.state(gid))?.waiting.includes(h.k2?.id as string) === true)
  assert.equal((await eve.client.groups.state(gid))?.base, h.k1?.id, 'not shown newer: k1 kept')
  assert.ok((await members(gid))?.includes(d.s), 'meanwhile eve folds from k1: dave still in')
  // the way (the removal k2 was made on): k2 follows k1 in the fold from k1, and stands there
  await send([h.rmD] as VerifiedChange[])
  await waitFor('eve follows k2', async () => JSON.stringify(await members(gid)) === JSON.stringify(current))
  assert.equal((await eve.client.groups.state(gid))?.checkpoints.at(-1), h.k2?.id)
})

test('a second sender learns the newcomer\'s checkpoint from its hold note: it then sends the way to the newer one, and the newcomer moves on to it', async (t) => {
  const root = await tempRoot(t)
  const [bob, carol, eve] = await Promise.all(['bob', 'carol', 'eve'].map(async name => makeUser(t, root, name))) as [TestUser, TestUser, TestUser]
  await befriend(carol, bob)
  await befriend(carol, eve)
  await befriend(bob, eve)
  const [a, d] = await Promise.all([who(), who()])
  const [bb, c, e] = [asWho(bob), asWho(carol), asWho(eve)]
  const h = await history(a, bb, c, d, e, 5)
  const gid = h.root?.groupId as string
  const hand = async (from: TestUser, to: TestUser, changes: Array<VerifiedChange | undefined>): Promise<void> => {
    await from.client.messenger.sendEach([to.peerId], async () => ({ groupUpdate: { changes: changes.map(ch => new Uint8Array((ch as VerifiedChange).bytes)), holds: [] } }))
  }
  // eve joins at k1 through carol; bob holds the whole history (k2, without eve, and his add of her again on it)
  await hand(carol, eve, [h.root, h.k1, h.addE1])
  await waitFor('eve joined at k1', async () => (await eve.client.groups.state(gid))?.base === h.k1?.id)
  await hand(carol, bob, Object.values(h))
  await waitFor('bob holds k2', async () => (await bob.client.groups.state(gid))?.checkpoints.at(-1) === h.k2?.id)
  const distribution = (bob.client.groups as unknown as { distribution: ChangeDistribution }).distribution
  const owed = async (): Promise<Array<string | undefined>> => ((await distribution.lacking(bob.client.store.transaction(), gid, [eve.peerId])).get(eve.peerId) ?? []).map(ch => ch.id)
  assert.deepEqual(await owed(), [h.root, h.k2, h.addE2].map(ch => ch?.id), 'bob knows of no checkpoint eve holds: k2 on, without the way')

  // eve's pass tells the members which checkpoint she holds (she never wrote to the group)
  await eve.client.groups.prune()
  await waitFor('bob knows eve holds k1', async () => (await owed()).includes(h.rmD?.id))
  assert.deepEqual(await owed(), [h.root, h.rmD, h.k2, h.addE2].map(ch => ch?.id), 'the way from k1 to k2 is owed too')
  await distribution.sendUpdates(gid, [eve.peerId])
  await waitFor('eve follows k2: dave out', async () => JSON.stringify((await eve.client.groups.state(gid))?.members) === JSON.stringify([a.s, bb.s, c.s, e.s].sort()))
  assert.equal((await eve.client.groups.state(gid))?.checkpoints.at(-1), h.k2?.id, 'k2 stands in her fold from k1')
})
