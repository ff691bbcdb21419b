/**
 * A file sent through mailboxes, as the attachment tests set it up: `nodes` mailbox nodes (k = 3),
 * bob with his bundles published and gone offline, alice with bob as a contact; and bob coming back
 * to collect the message that announced the file.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import type { InboxView } from '../../src/client/api.js'
import type { FileSendResult } from '../../src/client/attachments/index.js'
import { mailboxNetwork, type MailboxNet } from './network.js'
import { befriend, makeUser, tempRoot, type TestUser } from './users.js'

export interface BobAway { root: string, net: MailboxNet, bob: TestUser, alice: TestUser }

export async function bobAway (t: TestContext, nodes: number, chunkBytes: number, options: { passphrases?: true } = {}): Promise<BobAway> {
  const root = await tempRoot(t)
  const net = await mailboxNetwork(t, root, nodes, { overrides: { mailbox: { replicas: 3 } } })
  const overrides = { bootstrap: net.bootstrap, mailbox: { replicas: 3 }, attachments: { chunkBytes, replicas: 3 } }
  const bob = await makeUser(t, root, 'bob', { overrides, ...(options.passphrases === true ? { passphrase: 'bob passphrase' } : {}) })
  await bob.client.publishBundles()
  await bob.stop()
  const alice = await makeUser(t, root, 'alice', { overrides, ...(options.passphrases === true ? { passphrase: 'alice passphrase' } : {}) })
  await alice.client.contactAdd('bob', bob.peerId)
  return { root, net, bob, alice }
}

/** Bob back online: alice a contact, one sync that receives the file's message; that message. */
export async function bobCollects (bob: TestUser, alice: TestUser): Promise<InboxView & { attachment: NonNullable<InboxView['attachment']> }> {
  await bob.restart()
  await bob.client.contactAdd('alice', alice.peerId)
  assert.equal((await bob.client.sync()).received, 1)
  const [m] = await bob.client.inbox()
  assert.ok(m?.attachment !== undefined)
  return m as InboxView & { attachment: NonNullable<InboxView['attachment']> }
}

/** alice and bob connected directly, no mailboxes (a broken push waits for the sender's resume), one message sent directly. */
export async function directPair (t: TestContext, chunkBytes: number, limits: { requestTimeoutMs?: number } = {}): Promise<{ root: string, alice: TestUser, bob: TestUser }> {
  const root = await tempRoot(t)
  const overrides = { attachments: { chunkBytes }, delivery: { mailboxTimeoutMs: 1500 }, limits }
  const alice = await makeUser(t, root, 'alice', { overrides })
  const bob = await makeUser(t, root, 'bob', { overrides })
  await befriend(alice, bob)
  assert.equal((await alice.client.send('bob', 'hi')).route, 'direct')
  return { root, alice, bob }
}

/**
 * A send of one file whose chunks did not go (a push broken by the test, and no mailbox took them):
 * the message went, the call resolves, and the file's result says why. The record stays, to resume.
 */
export async function chunksNotSent (sending: Promise<FileSendResult[]>): Promise<FileSendResult & { error: string }> {
  const [r, ...more] = await sending
  assert.equal(more.length, 0)
  assert.ok(r?.error !== undefined, `the file's chunks went (${r?.route ?? 'no result'}), but the test broke them`)
  return { ...r, error: r.error }
}

/**
 * `u` restarted as its daemon starts (with `overrides`): background fetches on, then what was
 * waiting asked for again (AutoFetch.resumeWaiting); returns how many of each were.
 */
export async function startAsDaemon (u: TestUser, overrides: Parameters<TestUser['restart']>[0]): Promise<{ downloads: number, fetches: number }> {
  await u.restart(overrides)
  u.client.attachments.autoFetch.start()
  return u.client.attachments.autoFetch.resumeWaiting()
}

/** The file's message at bob, waiting up to 30 s for it. */
export async function fileAt (bob: TestUser, name: string): Promise<{ id: string, state: string | undefined }> {
  for (let i = 0; i < 300; i++) {
    const m = (await bob.client.inbox()).find(x => x.attachment?.name === name)
    if (m !== undefined) return { id: m.id, state: m.attachment?.state }
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  throw new Error(`${name} never reached bob`)
}

/**
 * `u`'s client in a child process of its own instead (u stopped first, its config written under
 * `root`): `node SCRIPT CONFIG_JSON ...args`, which must die by SIGKILL part-way (save-and-die.ts,
 * send-and-die.ts). Asserts it did.
 */
export async function killedInChild (u: TestUser, root: string, script: string, args: string[]): Promise<void> {
  await u.stop()
  const configPath = join(root, `${u.name}-config.json`)
  await writeFile(configPath, JSON.stringify(u.config))
  const child = spawn(process.execPath, [script, configPath, ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
  const signal = await new Promise<NodeJS.Signals | null>(resolve => child.on('exit', (_code, s) => { resolve(s) }))
  assert.equal(signal, 'SIGKILL', `${u.name}'s process was killed part-way (stderr: ${stderr})`)
}
