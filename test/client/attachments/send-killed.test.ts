/**
 * `cairn send --file` killed outright (SIGKILL, in a process of its own) part-way: while it stored
 * the file's chunks at an offline recipient's mailbox replicas, the next `sync` continues the
 * upload from what the replicas acknowledged, not from zero; while it streamed them to an online
 * recipient, the restarted sender's resume finishes the file directly. Either way the recipient
 * saves the exact bytes. (mailbox.test.ts and streamed.test.ts stop the sender's client cleanly, or
 * write the record a kill would leave; here the process gets no chance to write on the way down.)
 */
import assert from 'node:assert/strict'
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { bobAway, bobCollects, directPair, fileAt, killedInChild } from '../../helpers/attachments.js'
import { randomFile } from '../../helpers/random-file.js'
import { waitFor } from '../../helpers/wait.js'

const SEND_AND_DIE = fileURLToPath(new URL('../../helpers/send-and-die.js', import.meta.url))
const CHUNK = 64 * 1024
const CHUNKS = 21
const KILLED_AFTER = 6

test('offline, send killed by SIGKILL mid-upload: the next sync continues from the stored chunks, not from zero; the recipient saves the exact bytes', async (t) => {
  const { root, net, bob, alice } = await bobAway(t, 4, CHUNK)
  const { path, data } = await randomFile(root, 'report.pdf', (CHUNKS - 1) * CHUNK + 5)
  await killedInChild(alice, root, SEND_AND_DIE, ['bob', path, String(KILLED_AFTER)])
  const putsBefore = net.nodes.reduce((s, n) => s + n.mailbox.chunks.puts, 0)
  assert.ok(putsBefore >= KILLED_AFTER, `chunks were stored before the kill (${putsBefore} puts)`)

  await alice.restart()
  await alice.client.sync()
  const puts = net.nodes.reduce((s, n) => s + n.mailbox.chunks.puts, 0) - putsBefore
  t.diagnostic(`chunk puts: ${putsBefore} before the kill, ${puts} after the restart`)
  // from chunk KILLED_AFTER: 15 chunks × 3 replicas; from zero it would be 63. A little slack for
  // puts in flight at the kill and acknowledged to nobody (the replicas count every put they are asked for)
  assert.ok(puts <= (CHUNKS - KILLED_AFTER) * 3 + 6, `resumed upload asked for ${puts} chunk writes (from zero: ${CHUNKS * 3})`)
  assert.ok(puts > 0, 'the rest of the file was uploaded after the restart')

  const m = await bobCollects(bob, alice)
  assert.equal(m.attachment.name, 'report.pdf')
  const out = join(root, 'out')
  await mkdir(out)
  assert.deepEqual(await readFile((await bob.client.save(m.id, out)).path), data)
})

test('direct, send killed by SIGKILL mid-stream: the restarted sender\'s resume finishes the file at the online recipient, who saves the exact bytes', async (t) => {
  const { root, alice, bob } = await directPair(t, CHUNK)
  const { path, data } = await randomFile(root, 'talk.mp4', (CHUNKS - 1) * CHUNK + 5)
  await killedInChild(alice, root, SEND_AND_DIE, ['bob', path, String(KILLED_AFTER)])
  const m = await fileAt(bob, 'talk.mp4')
  assert.notEqual(m.state, 'complete', 'the stream was cut before its end')
  const held = (await bob.client.attachments.incoming(m.id)).heldCount
  assert.ok(held >= 1 && held < CHUNKS, `bob holds part of the file (${held} of ${CHUNKS} chunks)`)
  t.diagnostic(`bob held ${held} of ${CHUNKS} chunks when alice's process died`)

  await alice.restart()
  assert.ok(await alice.client.attachments.resume() >= 1, 'the killed send is resumed')
  await waitFor('bob holds the whole file', async () => (await fileAt(bob, 'talk.mp4')).state === 'complete')
  assert.deepEqual((await bob.client.inbox()).filter(x => x.attachment?.name === 'talk.mp4').length, 1, 'one message for the file')
  const out = join(root, 'out')
  await mkdir(out)
  assert.deepEqual(await readFile((await bob.client.save(m.id, out)).path), data)
})
