import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Envelope } from '../../proto/cairn.js'
import { deletedSeqOps } from '../../src/client/inbox.js'
import { NAMESPACES } from '../../src/shared/namespaces.js'
import { countKeys, waitFor } from '../helpers/groups.js'
import { befriend, makeUser, tempRoot, type TestUser } from '../helpers/users.js'

/** What bob's inbox shows of the group: each message's number and its gap count. */
const shown = async (u: TestUser): Promise<Array<[number, number | undefined]>> =>
  (await u.client.inbox()).filter(m => m.group !== undefined).map(m => [m.seq, m.gapBefore])

/**
 * What the reader should see, from what was sent: each held number, and how many numbers below it
 * (above the nearest one received, held or deleted) never came. The first held is not flagged.
 */
function expected (received: Set<number>, deleted: Set<number>): Array<[number, number | undefined]> {
  const all = [...received].sort((a, b) => a - b)
  return all.filter(s => !deleted.has(s)).map(s => {
    const below = all.filter(r => r < s)
    const missing = below.length === 0 ? 0 : s - (below.at(-1) as number) - 1
    return [s, missing > 0 ? missing : undefined]
  })
}

test('deleting most of a group sender\'s messages keeps few deleted numbers (one per held message, per hole, and one per sender), and the inbox shows the same gaps: a real loss still shows, a late copy into a hole shows none', async (t) => {
  const root = await tempRoot(t)
  // every message goes in 1:1 copies, so one can be kept from bob (group-messaging.test.ts)
  const always = { overrides: { groups: { gossipAckMs: 0 } } }
  const alice = await makeUser(t, root, 'alice', always)
  const bob = await makeUser(t, root, 'bob', always)
  await befriend(alice, bob)
  const gid = (await alice.client.groupCreate('g', ['bob'])).id
  const deletedKeys = async (): Promise<number> => countKeys(bob, NAMESPACES.inboxDeleted)

  // alice's messages 1..40; 15 never reaches bob, 35 reaches him only at the end (a late copy)
  const ids = new Map<number, string>()
  const late: Envelope[] = []
  const routes = alice.client.messenger.routes
  const publisher = alice.client.groups.publisher
  for (let seq = 1; seq <= 40; seq++) {
    const lost = seq === 15 || seq === 35
    if (lost) {
      alice.client.messenger.useRoutes([{ name: 'direct', deliver: async (e) => { if (seq === 35) late.push(e); return { ok: true } }, takeBundle: async () => undefined }])
      delete alice.client.groups.publisher
    }
    ids.set(seq, (await alice.client.send('@g', `m${seq}`)).id)
    if (lost) {
      alice.client.messenger.useRoutes(routes)
      alice.client.groups.publisher = publisher
    }
  }
  const received = new Set([...ids.keys()].filter(s => s !== 15 && s !== 35))
  await waitFor('bob holds the 38 that came', async () => (await shown(bob)).length === 38)
  assert.ok(late.length > 0)

  const deleted = new Set<number>()
  const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i)
  // the bound: a deleted number per held message, per hole in what came, and the highest
  const bound = (): number => (received.size - deleted.size) + 1 + 1
  for (const seqs of [range(2, 9), [...range(11, 14), ...range(17, 20)], [...range(22, 34), ...range(36, 38)], [40]]) {
    assert.equal((await bob.client.deleteMessages(seqs.map(s => ids.get(s) as string))).count, seqs.length)
    for (const s of seqs) deleted.add(s)
    assert.deepEqual(await shown(bob), expected(received, deleted))
    const n = await deletedKeys()
    assert.ok(n <= bound(), `${n} deleted numbers kept for ${received.size - deleted.size} held messages (at most ${bound()})`)
  }
  // 1 10 16 21 39 held; 16 shows the real loss of 15
  assert.deepEqual(await shown(bob), [[1, undefined], [10, undefined], [16, 1], [21, undefined], [39, undefined]])
  assert.equal(await deletedKeys(), 6, '9, 14, 20, 38 (below held ones), 34 (below the hole at 35), 40 (the highest)')

  // alice's next message counts from 40, deleted: no false gap
  ids.set(41, (await alice.client.send('@g', 'm41')).id)
  received.add(41)
  await waitFor('m41 at bob', async () => (await shown(bob)).length === 6)
  assert.deepEqual(await shown(bob), expected(received, deleted))

  // 35 comes late: 34 was received (and deleted), so nothing shows missing before it
  for (const e of late) await bob.client.messenger.receive(e, 'mailbox')
  received.add(35)
  assert.deepEqual(await shown(bob), expected(received, deleted))
  assert.deepEqual((await shown(bob)).find(([s]) => s === 35), [35, undefined])
  // 41 deleted: 40 goes with it, 41 is the highest now
  await bob.client.deleteMessages([ids.get(41) as string])
  deleted.add(41)
  assert.equal(await deletedKeys(), 6, '9, 14, 20, 34, 38 (below held ones), 41 (the highest)')

  // numbers an earlier version kept (every deleted one): the periodic pass drops those no count reads
  const tx = bob.client.store.transaction()
  for (const op of deletedSeqOps(range(2, 8).map(seq => ({ group: gid, from: alice.peerId, seq })), [], Date.now())) if (op.type === 'put') tx.put(op.key, op.value)
  await tx.commit()
  const before = await deletedKeys()
  assert.equal(await bob.client.pruneDeletedSeqs(), 7)
  assert.equal(await deletedKeys(), before - 7)
  assert.deepEqual(await shown(bob), expected(received, deleted))

  // bob leaves: nothing more comes, so only the numbers below held messages stay (41 goes)
  await bob.client.groupLeave('g')
  assert.equal(await deletedKeys(), 5)
  assert.deepEqual(await shown(bob), expected(received, deleted))
  // and none once the group's messages are all deleted
  await bob.client.deleteConversation(`@${gid}`, false)
  assert.deepEqual(await shown(bob), [])
  assert.equal(await deletedKeys(), 0)
})
