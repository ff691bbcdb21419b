/**
 * A file announced streamed whose push broke, its chunks gone to the recipient's mailboxes with the
 * full descriptor in a second, unshown message (the completing message): the recipient's daemon
 * fetches it by itself, the recipient shows one message whichever of the two it opens first, and
 * the sender does not list the second among the messages it sent.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { listOutgoing, outgoingDescriptor } from '../../../src/client/attachments/outgoing-store.js'
import type { MailboxNet } from '../../helpers/network.js'
import type { TestUser } from '../../helpers/users.js'
import { connectedPair, type StreamedPair as Pair } from './streamed-pair.js'
import { randomFile } from '../../helpers/random-file.js'

const CHUNK = 64 * 1024

/** The file goes announced streamed; bob goes away after its third chunk: the rest goes to his mailboxes. */
async function brokenPush (p: Pair, data: Buffer): Promise<string> {
  const path = join(p.root, 'notes.bin')
  await writeFile(path, data)
  let seen = 0
  let gone: Promise<void> | undefined
  const [sent] = await p.alice.client.sendFiles('bob', [path], 'for later', { onProgress: (x) => { if (x.stage === 'sending' && ++seen === 3) gone ??= p.bob.stop() } })
  await gone
  assert.equal(sent?.route, 'mailbox')
  const rec = (await listOutgoing(p.alice.client.store)).find(r => outgoingDescriptor(r).name === 'notes.bin')
  assert.ok(rec?.streamed === true && rec.completionSent === true && rec.state === 'stored')
  return sent.id
}

const chunkReads = (net: MailboxNet): number => net.nodes.reduce((s, n) => s + n.mailbox.chunks.reads, 0)

/** Bob's message showing notes.bin, once its file is `state` (up to 10 s). */
async function untilState (bob: TestUser, state: string): Promise<string | undefined> {
  for (let i = 0; i < 100; i++) {
    const m = (await bob.client.inbox()).find(x => x.attachment?.name === 'notes.bin')
    if (m?.attachment?.state === state) return m.id
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  return undefined
}

test('streamed, fallen back to mailboxes: the completing message makes the recipient\'s daemon fetch the file, with no save', async (t) => {
  const p = await connectedPair(t, CHUNK)
  const data = randomBytes(20 * CHUNK + 5)
  await brokenPush(p, data)

  await p.bob.restart()
  p.bob.client.attachments.autoFetch.start() // as the daemon does
  const before = chunkReads(p.net)
  await p.bob.client.sync()
  const id = await untilState(p.bob, 'complete')
  assert.ok(id !== undefined, 'fetched by the daemon once the completing message came')
  assert.ok(chunkReads(p.net) > before, 'from the mailboxes')
  const reads = chunkReads(p.net)
  const out = join(p.root, 'out')
  await mkdir(out)
  assert.deepEqual(await readFile((await p.bob.client.save(id, out)).path), data)
  assert.equal(chunkReads(p.net), reads, 'save fetched nothing more')
})

test('streamed, fallen back to mailboxes: the completing message is not in the sender\'s sent log', async (t) => {
  const p = await connectedPair(t, CHUNK)
  const announced = await brokenPush(p, randomBytes(20 * CHUNK + 5))
  assert.deepEqual((await p.alice.client.sent()).map(s => s.id).sort(), [p.hi, announced].sort())
})

test('streamed: the completing message opened before the announcement shows nothing; the announcement then shows one message, whose file the daemon fetches and save writes', async (t) => {
  const p = await connectedPair(t, CHUNK)
  const { alice, bob } = p
  const { path, data } = await randomFile(p.root, 'notes.bin', 20 * CHUNK + 5)
  // the announcement goes streamed (connected) but waits in alice's outbox: no route for now
  const routes = alice.client.messenger.routes
  alice.client.messenger.useRoutes([])
  const [sent] = await alice.client.sendFiles('bob', [path], 'for later')
  assert.equal(sent?.route, 'outbox')
  const rec = (await listOutgoing(alice.client.store)).find(r => outgoingDescriptor(r).name === 'notes.bin')
  assert.ok(rec?.streamed === true)
  // bob gone: the resume's push fails, the completing message is queued, the chunks go to his mailboxes
  await bob.stop()
  await alice.client.attachments.resume()
  const after = (await listOutgoing(alice.client.store)).find(r => r.fileIdHex === rec.fileIdHex)
  assert.ok(after?.completionSent === true && after.state === 'stored')
  alice.client.messenger.useRoutes(routes)
  const completing = (await alice.client.messenger.pending()).filter(e => e.id !== sent.id)
  assert.equal(completing.length, 1)

  // the completing message reaches bob's mailboxes, and bob, first
  assert.equal(await alice.client.messenger.flushOutbox({ only: new Set(completing.map(e => e.id)) }), 1)
  await bob.restart()
  bob.client.attachments.autoFetch.start()
  await bob.client.sync()
  assert.deepEqual((await bob.client.inbox()).map(m => m.text), ['hi'], 'nothing shown for the completing message')

  // then the announcement, from his mailboxes too
  assert.equal(await alice.client.messenger.flushOutbox(), 1)
  await bob.client.sync() // (or pushed to him by a replica before it)
  const id = await untilState(bob, 'complete')
  assert.ok(id !== undefined, 'fetched by the daemon')
  const inbox = await bob.client.inbox()
  assert.deepEqual(inbox.map(m => [m.text, m.attachment?.name]), [['hi', undefined], ['for later', 'notes.bin']], 'one message, with its caption and its file')
  assert.equal(inbox[1]?.id, sent.id, 'the sender\'s message id')
  const out = join(p.root, 'out')
  await mkdir(out)
  assert.deepEqual(await readFile((await bob.client.save(id, out)).path), data)
})
