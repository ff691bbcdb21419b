/**
 * The lost numbers' records (a parked message dropped unshown: the reader's gap) are pruned by the
 * periodic pass (lost-seqs.ts): a horizon after the gap was shown, a horizon after their sender
 * left the group (or after the loss, for a sender never a member), at once when we leave, and
 * beyond a bound per group; a member's whose gap was never shown is kept.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { groupKeys, lostSeqRecord, markLost, putLostSeq } from '../../../src/client/groups/group-store.js'
import { MARK_MARGIN_MS } from '../../../src/client/groups/group-service.js'
import { MAX_LOST_PER_GROUP } from '../../../src/client/groups/lost-seqs.js'
import { waitFor } from '../../helpers/groups.js'
import { befriend, makeUser, tempRoot, type TestUser } from '../../helpers/users.js'

test('lost numbers\' records: gone a horizon after the gap was shown or the sender left, at once when we leave, beyond the bound; kept otherwise', async (t) => {
  const root = await tempRoot(t)
  const [alice, bob, carol, dave] = await Promise.all(['alice', 'bob', 'carol', 'dave'].map(async name =>
    makeUser(t, root, name))) as [TestUser, TestUser, TestUser, TestUser]
  for (const [a, b] of [[alice, bob], [alice, carol], [alice, dave], [bob, dave], [carol, dave], [bob, carol]] as Array<[TestUser, TestUser]>) await befriend(a, b)
  const gid = (await alice.client.groupCreate('g', ['bob', 'carol', 'dave'])).id
  await waitFor('dave knows the group', async () => (await dave.client.groups.state(gid)) !== undefined)
  const store = dave.client.store
  const records = async (): Promise<Map<string, ReturnType<typeof lostSeqRecord>>> => {
    const prefix = `${groupKeys.lostSeqPrefix}${gid}/`
    const out = new Map<string, ReturnType<typeof lostSeqRecord>>()
    for await (const { key, value } of store.list(prefix)) out.set(key.slice(prefix.length), lostSeqRecord(value))
    return out
  }
  const senders = async (): Promise<string[]> => [...(await records()).keys()].filter(s => !s.startsWith('x')).sort()
  // what the parking writes when it drops a message of each unshown: alice's, bob's, carol's and a stranger's
  const stranger = '12D3KooWStrangerStrangerStrangerStrangerStrangerStr'
  const tx = store.transaction()
  for (const [sender, seq] of [[alice.peerId, 1], [bob.peerId, 3], [carol.peerId, 5], [stranger, 2]] as Array<[string, number]>) await markLost(tx, gid, sender, seq, Date.now())
  await tx.commit()
  const all = [alice.peerId, bob.peerId, carol.peerId, stranger].sort()

  await dave.client.groups.prune()
  assert.deepEqual(await senders(), all, 'the first pass keeps every one: members, and a stranger within its horizon')

  // bob is removed; alice's messages above her lost number are shown at dave (the gap is on screen)
  await alice.client.groupRemove('g', ['bob'])
  await alice.client.send('@g', 'one')
  await alice.client.send('@g', 'two')
  await waitFor('dave shows alice\'s two and bob is out', async () =>
    (await dave.client.inbox()).filter(m => m.group?.id === gid).length === 2 && (await dave.client.groups.state(gid))?.members.includes(bob.peerId) === false)
  const stampedAt = Date.now()
  await dave.client.groups.prune()
  const stamped = await records()
  assert.deepEqual(await senders(), all, 'a pass right after: still all (bob went just now; the gap was just shown)')
  assert.ok((stamped.get(alice.peerId)?.shownAt ?? 0) >= stampedAt, 'alice\'s gap stamped shown')
  assert.equal(stamped.get(carol.peerId)?.shownAt, undefined, 'carol\'s gap was never shown')

  // a pass past the horizon: alice's shown gap, bob's (gone for a horizon) and the stranger's go; carol's stays
  const later = Date.now() + dave.config.delivery.ttlMs + MARK_MARGIN_MS + 60_000
  const counts = await dave.client.groups.prune(later)
  assert.equal(counts.lost, 3)
  assert.deepEqual(await senders(), [carol.peerId], 'a member whose gap was never shown keeps its record')

  // the bound: the oldest losses go first
  const carolAt = (await records()).get(carol.peerId)?.at ?? 0
  const bound = store.transaction()
  for (let i = 0; i < MAX_LOST_PER_GROUP; i++) putLostSeq(bound, gid, `x${String(i).padStart(5, '0')}`, { seq: 1, at: carolAt + 1 + i })
  putLostSeq(bound, gid, 'x-oldest', { seq: 1, at: carolAt - 1 })
  await bound.commit()
  await dave.client.groups.prune()
  const left = await records()
  assert.equal(left.size, MAX_LOST_PER_GROUP)
  assert.ok(!left.has('x-oldest') && left.has('x00000'), 'the two oldest went (carol\'s was the second)')
  assert.equal(left.has(carol.peerId), false)

  // we leave the group: every record of it goes at once
  await dave.client.groupLeave('g')
  assert.equal((await records()).size, 0)
})
