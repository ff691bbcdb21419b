import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import type { Envelope } from '../../proto/cairn.js'
import { attachmentsDir } from '../../src/client/attachments/incoming-file.js'
import { getIncoming } from '../../src/client/attachments/incoming-store.js'
import { recordMessage } from '../../src/client/inbox.js'
import { paths } from '../../src/shared/data-dir.js'
import { filesHolding } from '../helpers/files.js'
import { befriend, makeUser, tempRoot, type TestUser } from '../helpers/users.js'
import { waitFor } from '../helpers/wait.js'

/** `u`'s routes, keeping a copy of every envelope they hand over: what a mailbox replica or a resend would bring again. */
function tapEnvelopes (u: TestUser): Envelope[] {
  const out: Envelope[] = []
  u.client.messenger.useRoutes(u.client.messenger.routes.map(r => ({
    name: r.name,
    takeBundle: r.takeBundle.bind(r),
    deliver: async (e, peer, o) => { out.push(e); return r.deliver(e, peer, o) }
  })))
  return out
}

/**
 * The files of `u`'s store that hold `text`'s middle: LevelDB compresses its table blocks (snappy),
 * and the first or last bytes of a text can go into a reference back to the same bytes earlier in
 * the block (a text's last character and the `","sentAt` after it, say); the middle of a random
 * text of a wide alphabet has no such twin, so it is kept as it is.
 */
const holding = (u: TestUser, text: string): string[] => filesHolding(paths.store(u.config.dataDir), Buffer.from(text.slice(4, -4)))

test('a deleted message is gone for good: not shown again when a copy of it arrives, its text gone from the LevelDB files; the sender deletes its sent record too', async (t) => {
  const root = await tempRoot(t)
  const alice = await makeUser(t, root, 'alice')
  const bob = await makeUser(t, root, 'bob')
  await befriend(alice, bob)
  const copies = tapEnvelopes(alice)
  const secret = `secret ${randomBytes(24).toString('base64url')}`
  const kept = `kept ${randomBytes(24).toString('base64url')}`
  const gone = await alice.client.send('bob', secret)
  await alice.client.send('bob', kept)
  assert.deepEqual((await bob.client.inbox()).map(m => m.text), [secret, kept])
  assert.ok(holding(bob, secret).length > 0, 'the text is in bob\'s store before')

  assert.deepEqual(await bob.client.deleteMessages([gone.id]), { deleted: [{ id: gone.id, outgoing: false }], count: 1 })
  assert.deepEqual((await bob.client.inbox()).map(m => m.text), [kept])
  assert.deepEqual(holding(bob, secret), [], 'no LevelDB file holds the deleted text')
  assert.ok(holding(bob, kept).length > 0, 'the search finds what was not deleted')

  // the same envelope again, as another replica's copy would come: a duplicate, not shown
  const copy = copies[0] as Envelope
  assert.equal(await bob.client.messenger.receive(copy, 'mailbox'), 'duplicate')
  assert.deepEqual((await bob.client.inbox()).map(m => m.text), [kept])
  // and after a restart (the deletion was on disk when it returned)
  await bob.stop()
  await bob.restart()
  assert.equal(await bob.client.messenger.receive(copy, 'mailbox'), 'duplicate')
  assert.deepEqual((await bob.client.inbox()).map(m => m.text), [kept])

  // the sender's side: its record of the message, and the text with it
  assert.deepEqual(await alice.client.deleteMessages([gone.id]), { deleted: [{ id: gone.id, outgoing: true }], count: 1 })
  assert.deepEqual((await alice.client.sent()).map(v => v.text), [kept])
  assert.deepEqual(holding(alice, secret), [])
})

test('unknown and ambiguous ids: exit 2 naming the id, nothing deleted; a conversation by name takes both directions and nothing else', async (t) => {
  const root = await tempRoot(t)
  const alice = await makeUser(t, root, 'alice')
  const bob = await makeUser(t, root, 'bob')
  const carol = await makeUser(t, root, 'carol')
  await befriend(alice, bob)
  await befriend(carol, bob)
  const a1 = await alice.client.send('bob', 'a1')
  await bob.client.send('alice', 'b1')
  await carol.client.send('bob', 'c1')
  const before = (await bob.client.inbox()).map(m => m.text)

  await assert.rejects(bob.client.deleteMessages([a1.id, 'ffff']), (e: Error & { exitCode?: number }) => e.exitCode === 2 && /unknown message ffff/.test(e.message))
  // a second message under the same id, as another sender may choose: which one is meant cannot be told
  const tx = bob.client.store.transaction()
  recordMessage(tx, { id: a1.id, from: carol.peerId, text: 'same id', sentAt: Date.now(), seq: 9, receivedAt: Date.now(), route: 'direct' }, 'ee'.repeat(32))
  await tx.commit()
  await assert.rejects(bob.client.deleteMessages([a1.id]), (e: Error & { exitCode?: number }) => e.exitCode === 2 && e.message.includes(`message id ${a1.id} is ambiguous`))
  assert.deepEqual((await bob.client.inbox()).map(m => m.text).sort(), [...before, 'same id'].sort(), 'nothing deleted')
  await assert.rejects(bob.client.deleteConversation('dave', false), (e: Error & { exitCode?: number }) => e.exitCode === 2 && /unknown contact "dave"/.test(e.message))

  const planned = await bob.client.deleteConversation('alice', true)
  assert.equal(planned.count, 2)
  assert.equal((await bob.client.inbox()).length, 3, 'a dry run deletes nothing')
  const r = await bob.client.deleteConversation('alice', false)
  assert.deepEqual(r.deleted.map(d => d.outgoing).sort(), [false, true])
  assert.deepEqual((await bob.client.inbox()).map(m => m.text).sort(), ['c1', 'same id'])
  assert.deepEqual(await bob.client.sent(), [])
})

test('a deleted group message leaves no false gap before its sender\'s next; a copy of it is not shown again (an encrypted data dir: its records\' keys are sealed)', async (t) => {
  const root = await tempRoot(t)
  const alice = await makeUser(t, root, 'alice')
  const bob = await makeUser(t, root, 'bob', { passphrase: 'bob\'s passphrase' })
  await befriend(alice, bob)
  const copies = tapEnvelopes(alice)
  await alice.client.groupCreate('duo', ['bob'])
  await alice.client.send('@duo', 'g1')
  const g2 = await alice.client.send('@duo', 'g2')
  const gaps = async (): Promise<Array<[string, number | undefined]>> => (await bob.client.inbox()).filter(m => m.group !== undefined).map(m => [m.text, m.gapBefore])
  // a member that holds alice's chain may get it by the group's topic alone, after the send returns
  await waitFor('g2 at bob', async () => (await gaps()).length === 2)
  const g2copies = copies.length
  await bob.client.deleteMessages([g2.id])
  await alice.client.send('@duo', 'g3')
  await waitFor('g3 at bob', async () => (await gaps()).length === 2)
  assert.deepEqual(await gaps(), [['g1', undefined], ['g3', undefined]])
  // every envelope that carried g2 (and anything before it) again: nothing shown twice
  for (const e of copies.slice(0, g2copies)) await bob.client.messenger.receive(e, 'mailbox').catch(() => {})
  assert.deepEqual(await gaps(), [['g1', undefined], ['g3', undefined]])

  // the whole group, both directions
  await bob.client.send('@duo', 'from bob')
  const all = await bob.client.deleteConversation('@duo', false)
  assert.deepEqual(all.deleted.map(d => d.outgoing).sort(), [false, false, true])
  assert.deepEqual(await bob.client.sent(), [])
  assert.deepEqual(await gaps(), [])
})

test('a received file goes with its message: chunk file, records and key; `save` of it is then an unknown message', async (t) => {
  const root = await tempRoot(t)
  const overrides = { attachments: { chunkBytes: 64 * 1024 } }
  const alice = await makeUser(t, root, 'alice', { overrides })
  const bob = await makeUser(t, root, 'bob', { overrides })
  await befriend(alice, bob)
  const path = join(root, 'notes.txt')
  await writeFile(path, randomBytes(300 * 1024))
  const [sent] = await alice.client.sendFiles('bob', [path], 'the notes')
  const [m] = await bob.client.inbox()
  assert.equal(m?.attachment?.state, 'complete')
  const record = await getIncoming(bob.client.store, alice.peerId, m?.attachment?.fileId as string)
  assert.ok(record !== undefined)
  assert.equal((await readdir(attachmentsDir(bob.config.dataDir))).length, 1)

  await bob.client.deleteMessages([sent?.id as string])
  assert.deepEqual(await bob.client.inbox(), [])
  assert.deepEqual(await readdir(attachmentsDir(bob.config.dataDir)), [], 'the chunk file is gone')
  // nothing of it in any file of the data dir: not its descriptor (with the file's key); and, once
  // LevelDB has rewritten its MANIFEST (the next open), which keeps the compacted files' first and last keys, not its id either
  assert.deepEqual(filesHolding(bob.config.dataDir, Buffer.from(record.descriptor)), [])
  await bob.stop()
  await bob.restart()
  assert.deepEqual(filesHolding(bob.config.dataDir, Buffer.from(m?.attachment?.fileId as string)), [])
  await assert.rejects(bob.client.save(sent?.id as string, root), (e: Error & { exitCode?: number }) => e.exitCode === 2 && /unknown message/.test(e.message))
})
