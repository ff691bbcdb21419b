import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { randomBytes } from 'node:crypto'
import { Content } from '../../proto/cairn.js'
import { SealedSession } from '../../src/client/crypto/sealed-session.js'
import { RejectedEnvelopeError } from '../../src/client/messenger.js'
import { CairnError } from '../../src/shared/errors.js'
import { parsePeerId, peerIdBytes } from '../../src/shared/peer-id.js'
import { befriend, makeUser, tempRoot } from '../helpers/users.js'
import { boundEnvelope } from '../helpers/envelopes.js'

test('a contact whose identity key changes: sending is refused, naming them, until the user accepts the new key', async (t) => {
  const root = await tempRoot(t)
  const alice = await makeUser(t, root, 'alice')
  const bob = await makeUser(t, root, 'bob')
  await befriend(alice, bob)
  await alice.client.send('bob', 'hi bob')
  await bob.client.send('alice', 'hi alice')
  const before = await alice.client.contactVerify('bob', true)
  assert.equal(before.trust, 'verified')

  // bob reinstalls: same PeerId, new Signal identity, same address
  const port = bob.address.split('/tcp/')[1]?.split('/')[0]
  const peerKey = bob.client.identity.peerKey
  await bob.stop()
  const bob2 = await makeUser(t, root, 'bob', { dataDir: join(root, 'bob-reinstalled'), peerKey, overrides: { listen: [`/ip4/127.0.0.1/tcp/${port}`] } })
  assert.equal(bob2.peerId, bob.peerId)
  await bob2.client.contactAdd('alice', alice.address)
  assert.equal((await bob2.client.send('alice', 'it is me, new phone')).route, 'direct')

  // alice got the message, and now sees the change
  assert.equal((await alice.client.inbox()).at(-1)?.text, 'it is me, new phone')
  assert.equal((await alice.client.contactList()).find(c => c.name === 'bob')?.trust, 'changed')
  await assert.rejects(alice.client.send('bob', 'are you really bob?'), (err: unknown) =>
    CairnError.is(err, 'UNTRUSTED_IDENTITY') && err.message.includes('"bob"'))
  assert.equal((await alice.client.messenger.pending()).length, 0, 'a refused message is not queued either')
  // a group's copy to bob is not refused (the others get theirs): it waits, and says why
  await alice.client.groupCreate('pals', ['bob'])
  const sent = await alice.client.send('@pals', 'group hello')
  const view = (await alice.client.sent()).find(v => v.id === sent.id)
  assert.deepEqual(view?.waiting, { [bob.peerId]: 'identity' })
  assert.equal((await alice.client.status()).outboxWaiting.identity, 2, 'the group\'s creation and its message wait for the key')

  const after = await alice.client.contactAccept('bob')
  assert.equal(after.trust, 'unverified', 'the accepted new key is not verified yet')
  assert.notEqual(after.safetyNumber, before.safetyNumber)
  assert.equal((await alice.client.send('bob', 'ok, welcome back')).route, 'direct')
  assert.equal((await bob2.client.inbox()).at(-1)?.text, 'ok, welcome back')
  // accepted: the waiting copies are sealed and go with the next flush
  await alice.client.messenger.flushOutbox()
  assert.deepEqual((await alice.client.messenger.pending()).map(e => e.waiting ?? 'none'), [], 'the outbox is empty')
  assert.ok((await bob2.client.inbox()).some(m => m.text === 'group hello' && m.group?.name === 'pals'), 'bob has the group message')
})

test('a forged sender certificate naming a contact is refused, and a stranger arrives as themselves', async (t) => {
  const root = await tempRoot(t)
  const alice = await makeUser(t, root, 'alice')
  const bob = await makeUser(t, root, 'bob')
  const mallory = await makeUser(t, root, 'mallory')
  await befriend(alice, bob)
  await alice.client.send('bob', 'hi')
  await bob.client.send('alice', 'hi back')

  // mallory seals with her own identity key but names bob's PeerId as the sender; she cannot make
  // bob's PeerId key vouch for her key, so she can only attach her own identity certificate
  const forger = new SealedSession({ peerId: bob.peerId, identity: mallory.client.identity.signal, registrationId: mallory.client.identity.registrationId })
  const tx = mallory.client.store.transaction()
  await forger.startSession(tx, alice.peerId, await alice.client.messenger.bundleForSender(), Date.now())
  const id = randomBytes(16)
  const content = Content.encode({ version: 1, id, sentAt: Date.now(), seq: 1, senderCertificate: mallory.client.identity.certificate, text: { body: 'bob here, new number' } })
  const { sealed } = await forger.seal(tx, alice.peerId, content, Date.now())
  const envelope = boundEnvelope({ recipient: peerIdBytes(parsePeerId(alice.peerId)), sealed, expiresAt: Date.now() + 60_000 })
  await assert.rejects(alice.client.messenger.receive(envelope, 'direct'), (err: Error) => err instanceof RejectedEnvelopeError && err.reason === 'untrusted-sender')
  assert.equal((await alice.client.inbox()).length, 1)
  assert.equal((await alice.client.contactList()).find(c => c.name === 'bob')?.trust, 'unverified', 'bob is not marked changed')

  // under her own name, mallory's message arrives, attributed to mallory
  await mallory.client.contactAdd('alice', alice.address)
  assert.equal((await mallory.client.send('alice', 'hello, I am mallory')).route, 'direct')
  const got = (await alice.client.inbox()).at(-1)
  assert.equal(got?.from, mallory.peerId)
  assert.equal(got?.fromName, null)
})
