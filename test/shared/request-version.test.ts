/**
 * Request versions are checked (issue 11): a request in a version this node does not speak is
 * refused with BAD_REQUEST naming the versions it does speak, and is not acted on — a deposit is
 * not stored, a bundle request hands out no prekey. The same request in version 1 is served.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { DirectRequest, DirectResponse, DirectStatus, MailboxRequest, MailboxResponse, MailboxStatus } from '../../proto/cairn.js'
import type { OperatorNode } from '../../src/mailbox/operator-node.js'
import { systemClock } from '../../src/shared/clock.js'
import { peerIdBytes } from '../../src/shared/peer-id.js'
import { DIRECT_PROTOCOL, MAILBOX_PROTOCOL } from '../../src/shared/protocols/ids.js'
import { request } from '../../src/shared/protocols/rpc.js'
import { boundEnvelope } from '../helpers/envelopes.js'
import { mailboxNetwork } from '../helpers/network.js'
import { rawPeer } from '../helpers/raw-peer.js'
import { makeUser, tempRoot } from '../helpers/users.js'

const opts = { maxBytes: 1 << 20, timeoutMs: 10_000, clock: systemClock }

test('a request in an unspoken version is refused as BAD_REQUEST naming the versions spoken, and changes nothing', async (t) => {
  const root = await tempRoot(t)
  const net = await mailboxNetwork(t, root, 1)
  const box = net.nodes[0] as OperatorNode
  const peer = await rawPeer(t, root)
  const boxAddr = multiaddr(box.addresses()[0] as string)
  const recipient = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
  const deposit = (version: number): MailboxRequest => ({ version, deposit: { envelope: boundEnvelope({ recipient: peerIdBytes(recipient), sealed: new Uint8Array(randomBytes(300)) }) } })

  const refused = await request(peer, boxAddr, MAILBOX_PROTOCOL, deposit(2), { req: MailboxRequest, res: MailboxResponse }, opts)
  assert.equal(refused.status, MailboxStatus.MAILBOX_BAD_REQUEST)
  assert.match(refused.detail, /request version 2; this node speaks 1/)
  assert.equal(box.mailbox.store.usageOf(recipient.toString()).count, 0, 'nothing stored')

  const served = await request(peer, boxAddr, MAILBOX_PROTOCOL, deposit(1), { req: MailboxRequest, res: MailboxResponse }, opts)
  assert.equal(served.status, MailboxStatus.MAILBOX_OK)
  assert.equal(box.mailbox.store.usageOf(recipient.toString()).count, 1)

  // the direct protocol: a bundle request in version 2 hands out no prekey; in version 1 it does
  const bob = await makeUser(t, root, 'bob', { overrides: { bootstrap: net.bootstrap } })
  const bobAddr = multiaddr(bob.address)
  const ask = async (version: number): Promise<DirectResponse> => request(peer, bobAddr, DIRECT_PROTOCOL, { version, takeBundle: { recipient: peerIdBytes(bob.client.identity.peerId) } }, { req: DirectRequest, res: DirectResponse }, opts)
  const no = await ask(2)
  assert.equal(no.status, DirectStatus.DIRECT_BAD_REQUEST)
  assert.match(no.detail, /request version 2; this node speaks 1/)
  assert.equal(no.bundle, undefined)
  const yes = await ask(1)
  assert.equal(yes.status, DirectStatus.DIRECT_OK)
  assert.ok(yes.bundle !== undefined && yes.bundle.preKeys.length === 1, 'version 1 gets a bundle with one one-time prekey')
})
