/**
 * delivery.receivedPerConversation: the daily pass keeps each conversation's newest N received
 * messages and deletes the older ones as `cairn delete` does (files with them; a copy arriving
 * again is not shown). 0, the default, keeps everything.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { attachmentsDir } from '../../src/client/attachments/incoming-file.js'
import { getIncoming } from '../../src/client/attachments/incoming-store.js'
import { tapEnvelopes } from '../helpers/envelopes.js'
import { befriend, makeUser, tempRoot, type TestUser } from '../helpers/users.js'
import { waitFor } from '../helpers/wait.js'

/** What `u`'s inbox shows of each conversation, oldest first: 1:1 by sender's name, a group as `@NAME`. */
async function conversations (u: TestUser): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {}
  for (const m of await u.client.inbox()) (out[m.group === undefined ? m.fromName ?? m.from : `@${m.group.name}`] ??= []).push(m.text)
  return out
}

const texts = (prefix: string, from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${from + i}`)

test('with delivery.receivedPerConversation 5, each conversation keeps its newest 5 received messages: the older go with their files, and a copy of one arriving again is not shown; with the default, nothing goes', async (t) => {
  const root = await tempRoot(t)
  // every group message goes to each member in a 1:1 copy at once, so each can be tapped and handed over again
  const overrides = { groups: { gossipAckMs: 0 }, attachments: { chunkBytes: 64 * 1024 } }
  const alice = await makeUser(t, root, 'alice', { overrides })
  const bob = await makeUser(t, root, 'bob', { overrides: { ...overrides, delivery: { receivedPerConversation: 5 } } })
  const carol = await makeUser(t, root, 'carol', { overrides }) // the default: 0, keep everything
  await befriend(alice, bob)
  await befriend(carol, bob)
  await befriend(alice, carol)
  const fromAlice = tapEnvelopes(alice)
  const fromCarol = tapEnvelopes(carol)

  // alice → bob: a1..a8, a2 a file; carol → bob: c1..c7; alice → carol: a1..a8 as well
  const file = join(root, 'notes.bin')
  await writeFile(file, randomBytes(200 * 1024))
  for (const text of texts('a', 1, 8)) {
    if (text === 'a2') await alice.client.sendFiles('bob', [file], text)
    else await alice.client.send('bob', text)
    await alice.client.send('carol', text)
  }
  for (const text of texts('c', 1, 7)) await carol.client.send('bob', text)
  // the group: alice's g1 g3 g5 g7, carol's g2 g4 g6, each at bob before the next is sent
  await alice.client.groupCreate('trio', ['bob', 'carol'])
  for (const [i, text] of texts('g', 1, 7).entries()) {
    await (i % 2 === 0 ? alice : carol).client.send('@trio', text)
    await waitFor(`${text} at bob`, async () => (await conversations(bob))['@trio']?.length === i + 1)
  }
  await waitFor('the group\'s messages at carol', async () => (await conversations(carol))['@trio']?.length === 4)
  const fileMessage = (await bob.client.inbox()).find(m => m.text === 'a2')
  assert.equal(fileMessage?.attachment?.state, 'complete')
  assert.equal((await readdir(attachmentsDir(bob.config.dataDir))).length, 1, 'bob holds the file\'s chunks')
  assert.deepEqual(await conversations(bob), { alice: texts('a', 1, 8), carol: texts('c', 1, 7), '@trio': texts('g', 1, 7) })

  // the daily pass, run by a sync's tail (the first sync is due: no pass has run yet)
  await bob.client.sync()
  await bob.client.syncSettled()
  const newest5 = { alice: texts('a', 4, 8), carol: texts('c', 3, 7), '@trio': texts('g', 3, 7) }
  assert.deepEqual(await conversations(bob), newest5)
  // a2's file went as `cairn delete` takes it: chunk file, records and key
  assert.deepEqual(await readdir(attachmentsDir(bob.config.dataDir)), [], 'the chunk file is gone')
  assert.equal(await getIncoming(bob.client.store, alice.peerId, fileMessage?.attachment?.fileId as string), undefined)
  await assert.rejects(bob.client.save(fileMessage?.id as string, root), (e: Error & { exitCode?: number }) => e.exitCode === 2 && /unknown message/.test(e.message))

  // every envelope that reached bob, again (another replica's copies): none shown again
  // (those for carol do not open at bob)
  const again: string[] = []
  for (const e of [...fromAlice, ...fromCarol]) again.push(await bob.client.messenger.receive(e, 'mailbox').catch(() => 'refused'))
  assert.ok(again.filter(r => r === 'duplicate').length >= 8 + 7 + 7, again.join(' '))
  assert.ok(!again.includes('stored'), again.join(' '))
  assert.deepEqual(await conversations(bob), newest5)
  // on demand (the next daily pass would do the same): at the cap, nothing goes; a new message pushes the oldest out
  assert.equal(await bob.client.trimReceived(), 0)
  await carol.client.send('bob', 'c8')
  assert.equal(await bob.client.trimReceived(), 1)
  assert.deepEqual((await conversations(bob)).carol, texts('c', 4, 8))

  // carol, on the default, keeps all she received
  const before = await conversations(carol)
  assert.deepEqual(before, { alice: texts('a', 1, 8), '@trio': ['g1', 'g3', 'g5', 'g7'] })
  await carol.client.sync()
  await carol.client.syncSettled()
  assert.equal(await carol.client.trimReceived(), 0)
  assert.deepEqual(await conversations(carol), before)
})
