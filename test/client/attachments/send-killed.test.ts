/**
 * `cairn send --file` killed outright (SIGKILL, in a process of its own) while it stored the
 * file's chunks at an offline recipient's mailbox replicas: the next `sync` continues the upload
 * from what the replicas acknowledged, not from zero, and the recipient saves the exact bytes.
 * (mailbox.test.ts stops the sender's client cleanly at the same point; this one gives it no
 * chance to write anything on the way down.)
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { bobAway, bobCollects } from '../../helpers/attachments.js'
import { randomFile } from '../../helpers/random-file.js'

const SEND_AND_DIE = fileURLToPath(new URL('../../helpers/send-and-die.js', import.meta.url))
const CHUNK = 64 * 1024
const CHUNKS = 21
const KILLED_AFTER = 6

test('offline, send killed by SIGKILL mid-upload: the next sync continues from the stored chunks, not from zero; the recipient saves the exact bytes', async (t) => {
  const { root, net, bob, alice } = await bobAway(t, 4, CHUNK)
  const { path, data } = await randomFile(root, 'report.pdf', (CHUNKS - 1) * CHUNK + 5)

  // alice's process is the one that dies: her client runs in a child of its own
  await alice.stop()
  const configPath = join(root, 'alice-config.json')
  await writeFile(configPath, JSON.stringify(alice.config))
  const child = spawn(process.execPath, [SEND_AND_DIE, configPath, 'bob', path, String(KILLED_AFTER)], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
  const signal = await new Promise<NodeJS.Signals | null>(resolve => child.on('exit', (_code, s) => { resolve(s) }))
  assert.equal(signal, 'SIGKILL', `the send was killed part-way (stderr: ${stderr})`)
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
  assert.equal(m.text, 'sent by a process that dies')
  const out = join(root, 'out')
  await mkdir(out)
  assert.deepEqual(await readFile((await bob.client.save(m.id, out)).path), data)
})
