import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import type { Envelope } from '../../proto/cairn.js'
import { attachmentsDir } from '../../src/client/attachments/incoming-file.js'
import { getIncoming } from '../../src/client/attachments/incoming-store.js'
import { recordMessage, type InboxMessage } from '../../src/client/inbox.js'
import { systemClock, type Clock } from '../../src/shared/clock.js'
import type { ConfigLayer } from '../../src/shared/config.js'
import { paths } from '../../src/shared/data-dir.js'
import { tapEnvelopes } from '../helpers/envelopes.js'
import { filesHolding } from '../helpers/files.js'
import { befriend, makeUser, tempRoot, type TestUser } from '../helpers/users.js'
import { waitFor } from '../helpers/wait.js'

/** The files of `u`'s store that hold `text` (or a run of it: helpers/files.ts says why). */
const holding = (u: TestUser, text: string): string[] => filesHolding(paths.store(u.config.dataDir), Buffer.from(text))

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

test('ids as typed: the whole id or its first 8+ hex digits, in any case; a short, non-hex, unknown or ambiguous one is exit 2 naming it, nothing deleted; a conversation by name takes both directions and nothing else', async (t) => {
  const root = await tempRoot(t)
  const alice = await makeUser(t, root, 'alice')
  const bob = await makeUser(t, root, 'bob')
  const carol = await makeUser(t, root, 'carol')
  await befriend(alice, bob)
  await befriend(carol, bob)
  const a1 = await alice.client.send('bob', 'a1')
  const b1 = await bob.client.send('alice', 'b1')
  const c1 = await carol.client.send('bob', 'c1')
  const texts = async (): Promise<string[]> => (await bob.client.inbox()).map(m => m.text).sort()
  const refused = (why: RegExp) => (e: Error & { exitCode?: number }) => e.exitCode === 2 && why.test(e.message) && e.message.endsWith('nothing was deleted')

  await assert.rejects(bob.client.deleteMessages([a1.id, 'ffff']), refused(/^"ffff" is too short: give at least the first 8 hex digits of a message id/))
  await assert.rejects(bob.client.deleteMessages([a1.id, 'a1-text!']), refused(/^"a1-text!" is not a message id/))
  await assert.rejects(bob.client.deleteMessages([a1.id, `${a1.id}0`]), refused(/is not a message id/))
  await assert.rejects(bob.client.deleteMessages([a1.id, 'ffffffff']), refused(/^unknown message ffffffff/))
  // another sender's id may start as one here does (ids are the sender's to choose): that prefix names neither
  const twin = `${a1.id.slice(0, 10)}${a1.id[10] === '0' ? '1' : '0'}${a1.id.slice(11)}`
  const when = Date.now()
  const record = async (m: InboxMessage, envelopeIdHex: string): Promise<void> => {
    const tx = bob.client.store.transaction()
    recordMessage(tx, m, envelopeIdHex)
    await tx.commit()
  }
  await record({ id: twin, from: carol.peerId, text: 'twin', sentAt: when, seq: 8, receivedAt: when, route: 'direct' }, 'dd'.repeat(32))
  const before = await texts()
  await assert.rejects(bob.client.deleteMessages([a1.id.slice(0, 8)]), (e: Error & { exitCode?: number }) => {
    assert.equal(e.exitCode, 2)
    assert.match(e.message, new RegExp(`^message id ${a1.id.slice(0, 8)} is ambiguous: 2 messages have ids that start so: `))
    // each by the digits that tell it from the others, with who sent it and when
    assert.match(e.message, new RegExp(`${a1.id.slice(0, 11)} \\(from alice, \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\)`))
    assert.ok(e.message.includes(`${twin.slice(0, 11)} (from carol, `), e.message)
    assert.match(e.message, /give more of its digits; nothing was deleted$/)
    return true
  })
  // a second message under the very same id: which one is meant cannot be told by any prefix
  await record({ id: a1.id, from: carol.peerId, text: 'same id', sentAt: when, seq: 9, receivedAt: when, route: 'direct' }, 'ee'.repeat(32))
  await assert.rejects(bob.client.deleteMessages([a1.id]), refused(new RegExp(`^message id ${a1.id} is ambiguous: 2 messages have this very id: `)))
  assert.deepEqual(await texts(), [...before, 'same id'].sort(), 'nothing deleted')
  await assert.rejects(bob.client.deleteConversation('dave', false), (e: Error & { exitCode?: number }) => e.exitCode === 2 && /unknown contact "dave"/.test(e.message))

  // a received and a sent message by their short ids, one of them in upper case and named twice
  const byShort = await bob.client.deleteMessages([c1.id.slice(0, 8).toUpperCase(), b1.id.slice(0, 8), c1.id])
  assert.deepEqual(byShort, { deleted: [{ id: c1.id, outgoing: false }, { id: b1.id, outgoing: true }], count: 2 })
  assert.deepEqual(await texts(), ['a1', 'same id', 'twin'])
  assert.deepEqual(await bob.client.sent(), [])
  // the twin by the digits the refusal showed, with the '#' inbox and chat put before a short id
  await assert.rejects(bob.client.deleteMessages([`##${twin.slice(0, 11)}`]), refused(/is not a message id/))
  assert.equal((await bob.client.deleteMessages([`#${twin.slice(0, 11)}`])).count, 1)
  assert.deepEqual(await texts(), ['a1', 'same id'])

  await bob.client.send('alice', 'b2')
  const planned = await bob.client.deleteConversation('alice', true)
  assert.equal(planned.count, 2)
  assert.equal((await bob.client.inbox()).length, 2, 'a dry run deletes nothing')
  const r = await bob.client.deleteConversation('alice', false)
  assert.deepEqual(r.deleted.map(d => d.outgoing).sort(), [false, true])
  assert.deepEqual(await texts(), ['same id'])
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

/**
 * Alice and bob on one clock that can be moved on, alice's routes delivering every envelope but
 * (while `answer(false)` holds) answering as if they had not: the acknowledgement lost, so the entry stays in her
 * outbox. `delivered`: the ids of the envelopes that reached bob.
 */
async function ackLost (t: TestContext, overrides: ConfigLayer = {}): Promise<{ alice: TestUser, bob: TestUser, later: (ms: number) => void, delivered: string[], answer: (acknowledged: boolean) => void }> {
  const root = await tempRoot(t)
  let offset = 0
  const clock: Clock = { ...systemClock, now: () => Date.now() + offset }
  const alice = await makeUser(t, root, 'alice', { clock, overrides })
  const bob = await makeUser(t, root, 'bob', { clock, overrides })
  await befriend(alice, bob)
  let lost = false
  const delivered: string[] = []
  alice.client.messenger.useRoutes(alice.client.messenger.routes.map(r => ({
    name: r.name,
    takeBundle: r.takeBundle.bind(r),
    deliver: async (e, peer, o) => {
      const result = await r.deliver(e, peer, o)
      if (peer.toString() === bob.peerId) delivered.push(`${Buffer.from(e.id).toString('hex')} ${result.ok ? 'taken' : result.error}`)
      return lost ? { ok: false, code: 'unreachable', error: 'the acknowledgement was lost' } : result
    }
  })))
  return { alice, bob, later: (ms) => { offset += ms }, delivered, answer: (acknowledged) => { lost = !acknowledged } }
}

// alice's entry waits 47 days: the certificate it was sealed under (60 days) would not outlive an
// envelope leaving then (the mail TTL, 14 days), so it is sealed again (outbox.ts needsNewSeal)
const LONG_WAIT_MS = 47 * 24 * 3600_000

test('a re-sealed resend of a deleted message (a new envelope after a long wait in the sender\'s outbox) is not shown again', async (t) => {
  const { alice, bob, later, delivered, answer } = await ackLost(t)
  answer(false)
  const gone = await alice.client.send('bob', 'sent once, deleted')
  assert.equal(gone.route, 'outbox', 'alice heard no acknowledgement')
  assert.deepEqual((await bob.client.inbox()).map(m => m.text), ['sent once, deleted'])
  await bob.client.deleteMessages([gone.id])
  assert.deepEqual(await bob.client.inbox(), [])

  later(LONG_WAIT_MS)
  answer(true)
  const first = [...delivered]
  await alice.client.messenger.flushOutbox()
  const again = delivered.filter(id => !first.includes(id))
  assert.equal(again.length, 1, `bob was handed the message again once, in a new envelope, and took it: ${again.join(', ')}`)
  assert.ok(!first.some(d => d.split(' ')[0] === again[0]?.split(' ')[0]) && again[0]?.endsWith(' taken'), again[0])
  assert.deepEqual(await bob.client.inbox(), [], 'and did not show it')
  assert.deepEqual(await alice.client.messenger.pending(), [], 'bob acknowledged it as a duplicate: it left alice\'s outbox')
})

test('a group message\'s 1:1 copy, re-sealed after a long wait, is not shown again once deleted; the next message shows no gap', async (t) => {
  // every message goes to bob in its own envelope at once (no waiting for the topic)
  const { alice, bob, later, delivered, answer } = await ackLost(t, { groups: { gossipAckMs: 0 } })
  await alice.client.groupCreate('duo', ['bob'])
  await alice.client.send('@duo', 'g1')
  const texts = async (): Promise<Array<[string, number | undefined]>> => (await bob.client.inbox()).map(m => [m.text, m.gapBefore])
  await waitFor('g1 at bob', async () => (await texts()).length === 1)
  answer(false)
  const g2 = await alice.client.send('@duo', 'g2, deleted')
  await waitFor('g2 at bob', async () => (await texts()).length === 2)
  // the part went and was not acknowledged, so its 1:1 copy went too (a duplicate at bob): that copy waits in alice's outbox
  await waitFor('g2\'s copy in alice\'s outbox', async () => (await alice.client.messenger.pending()).some(e => e.inner !== undefined))
  await bob.client.deleteMessages([g2.id])
  assert.deepEqual(await texts(), [['g1', undefined]])

  later(LONG_WAIT_MS)
  answer(true)
  const first = [...delivered]
  await alice.client.messenger.flushOutbox()
  const again = delivered.filter(d => !first.includes(d))
  assert.ok(again.length > 0 && again.every(d => d.endsWith(' taken')), `bob took the copy sealed again: ${again.join(', ')}`)
  assert.deepEqual(await texts(), [['g1', undefined]], 'and did not show it')
  assert.deepEqual(await alice.client.messenger.pending(), [])
  await alice.client.send('@duo', 'g3')
  await waitFor('g3 at bob', async () => (await texts()).length === 2)
  assert.deepEqual(await texts(), [['g1', undefined], ['g3', undefined]])
})
