/**
 * The set-up the streamed-attachment tests share: alice and bob, contacts, connected (a first
 * message went direct), bob's replicas among 4 mailbox nodes, files cut into `chunkBytes` chunks.
 */
import assert from 'node:assert/strict'
import type { TestContext } from 'node:test'
import { mailboxNetwork, type MailboxNet } from '../../helpers/network.js'
import { befriend, makeUser, tempRoot, type TestUser } from '../../helpers/users.js'

export interface StreamedPair { root: string, net: MailboxNet, alice: TestUser, bob: TestUser, hi: string }

export async function connectedPair (t: TestContext, chunkBytes: number): Promise<StreamedPair> {
  const root = await tempRoot(t)
  const net = await mailboxNetwork(t, root, 4, { overrides: { mailbox: { replicas: 3 } } })
  const overrides = { bootstrap: net.bootstrap, mailbox: { replicas: 3 }, attachments: { chunkBytes, replicas: 3 } }
  const bob = await makeUser(t, root, 'bob', { overrides })
  await bob.client.publishBundles()
  const alice = await makeUser(t, root, 'alice', { overrides })
  await befriend(alice, bob)
  const hi = await alice.client.send('bob', 'hi')
  assert.equal(hi.route, 'direct')
  return { root, net, alice, bob, hi: hi.id }
}
