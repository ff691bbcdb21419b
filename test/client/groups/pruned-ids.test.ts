/**
 * The ids of the changes pruned here (group-store.ts): one record per batch, each written once;
 * a store holding the list of the layout before them (one record, rewritten whole at each prune)
 * is read as it was and moved into a batch by the next write.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { changeId, signChange } from '../../../src/client/groups/change.js'
import { getPruned, groupKeys } from '../../../src/client/groups/group-store.js'
import { countKeys, waitFor } from '../../helpers/groups.js'
import { befriend, makeUser, tempRoot, type TestUser } from '../../helpers/users.js'

const hex = (h: string): Uint8Array<ArrayBuffer> => new Uint8Array(Buffer.from(h, 'hex'))

async function records (u: TestUser, gid: string): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  for await (const { key, value } of u.client.store.list(groupKeys.prunedPrefix(gid))) out.set(key, Buffer.from(value).toString('hex'))
  return out
}

test('pruned ids: a store in the old one-record layout is read after the change, its list moved by the next write; each prune writes only its own batch', async (t) => {
  const root = await tempRoot(t)
  const [alice, bob] = await Promise.all(['alice', 'bob'].map(async name => makeUser(t, root, name))) as [TestUser, TestUser]
  await befriend(alice, bob)
  const gid = (await alice.client.groupCreate('g', ['bob'])).id
  await waitFor('bob knows the group', async () => (await bob.client.groups.state(gid)) !== undefined)
  // alice's store as the layout before wrote it: every id pruned, sorted, in one record
  const old = [0, 1, 2].map(() => randomBytes(32).toString('hex')).sort()
  const tx = alice.client.store.transaction()
  tx.put(groupKeys.prunedList(gid), new Uint8Array(Buffer.concat(old.map(id => Buffer.from(id, 'hex')))))
  await tx.commit()
  await alice.stop()
  await alice.restart()
  assert.deepEqual([...(await getPruned(alice.client.store, gid)).ids].sort(), old, 'read as before')
  const changesBefore = await countKeys(alice, groupKeys.changePrefix(gid))

  // bob sends a change made on history alice pruned (in the old list): recognised, void, not stored
  const stale = async (parent: string): Promise<string> => {
    const bytes = await signChange(bob.client.identity.peerKey, bob.client.identity.peerId, { groupId: hex(gid), parents: [hex(parent)], madeAt: Date.now(), leave: { lastSeq: 0 } })
    await bob.client.messenger.sendEach([alice.peerId], async () => ({ groupUpdate: { changes: [new Uint8Array(bytes)], holds: [] } }))
    return changeId(bytes)
  }
  const first = await stale(old[1] as string)
  await waitFor('alice recognised it', async () => (await getPruned(alice.client.store, gid)).ids.has(first))
  assert.equal(await alice.client.store.get(groupKeys.prunedList(gid)), undefined, 'the old list is gone')
  const afterFirst = await records(alice, gid)
  assert.deepEqual([...afterFirst.values()].sort(), [old.join(''), first].sort(), 'two batches: the old list, moved, and the new id')

  // a change naming that one: its own batch; the others are not written again
  const second = await stale(first)
  await waitFor('alice recognised the second', async () => (await getPruned(alice.client.store, gid)).ids.has(second))
  const afterSecond = await records(alice, gid)
  assert.equal(afterSecond.size, 3)
  for (const [key, value] of afterFirst) assert.equal(afterSecond.get(key), value, 'an earlier batch is left as it was')
  assert.equal(await countKeys(alice, groupKeys.changePrefix(gid)), changesBefore, 'neither stored')
  assert.ok((await alice.client.groups.state(gid))?.members.includes(bob.peerId), 'bob is still a member: both leaves void')

  // read back from the batches alone after a restart
  await alice.stop()
  await alice.restart()
  assert.deepEqual([...(await getPruned(alice.client.store, gid)).ids].sort(), [...old, first, second].sort())
})
