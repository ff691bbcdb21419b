import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { DirectRequest, DirectResponse, DirectStatus, Envelope, PreKeyBundle } from '../../proto/cairn.js'
import type { DeliveryRoute } from '../../src/client/delivery.js'
import { RejectedEnvelopeError } from '../../src/client/messenger.js'
import { CairnError } from '../../src/shared/errors.js'
import { parsePeerId, peerIdBytes } from '../../src/shared/peer-id.js'
import { DIRECT_PROTOCOL } from '../../src/shared/protocols/ids.js'
import { frame, rawPeer, sendRaw } from '../helpers/raw-peer.js'
import { befriend, makeUser, tempRoot } from '../helpers/users.js'
import { boundEnvelope } from '../helpers/envelopes.js'

/** Everything under a prefix of a user's store, to show that bad input changed nothing. */
async function snapshot (user: { client: { store: { list: (p: string) => AsyncGenerator<{ key: string, value: Uint8Array }> } } }): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  for await (const { key, value } of user.client.store.list('/cairn/')) out.set(key, Buffer.from(value).toString('hex'))
  return out
}

test('garbage on /cairn/direct gets an error answer or a reset; the node keeps serving and its store is untouched', async (t) => {
  const root = await tempRoot(t)
  const alice = await makeUser(t, root, 'alice')
  const bob = await makeUser(t, root, 'bob')
  await befriend(alice, bob)
  assert.equal((await alice.client.send('bob', 'first')).route, 'direct')
  const before = await snapshot(bob)
  const raw = await rawPeer(t, root)
  const status = (a: { frame?: Uint8Array }): DirectStatus | undefined => a.frame === undefined ? undefined : DirectResponse.decode(a.frame).status

  // a frame that is not protobuf
  const malformed = await sendRaw(raw, bob.address, DIRECT_PROTOCOL, frame(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01])))
  assert.equal(status(malformed), DirectStatus.DIRECT_BAD_REQUEST)
  // a length prefix over the limit (96 KiB by default)
  const oversized = await sendRaw(raw, bob.address, DIRECT_PROTOCOL, frame(new Uint8Array(200 * 1024)))
  assert.ok(oversized.refused || status(oversized) === DirectStatus.DIRECT_TOO_LARGE, 'oversized frame refused')
  // unframed random bytes
  for (let i = 0; i < 5; i++) {
    const r = await sendRaw(raw, bob.address, DIRECT_PROTOCOL, randomBytes(1024))
    assert.ok(r.refused || status(r) !== DirectStatus.DIRECT_OK, 'random bytes never accepted')
  }
  // a well-formed envelope whose ciphertext is random
  const bogus = DirectRequest.encode({ version: 1, deliver: boundEnvelope({ recipient: peerIdBytes(parsePeerId(bob.peerId)), sealed: new Uint8Array(randomBytes(600)) }) })
  assert.equal(status(await sendRaw(raw, bob.address, DIRECT_PROTOCOL, frame(bogus))), DirectStatus.DIRECT_UNDECRYPTABLE)
  // an envelope for someone else
  const notBob = DirectRequest.encode({ version: 1, deliver: boundEnvelope({ recipient: peerIdBytes(parsePeerId(alice.peerId)), sealed: new Uint8Array(randomBytes(600)) }) })
  assert.equal(status(await sendRaw(raw, bob.address, DIRECT_PROTOCOL, frame(notBob))), DirectStatus.DIRECT_WRONG_RECIPIENT)

  assert.deepEqual(await snapshot(bob), before, 'bad input wrote nothing')
  assert.equal((await alice.client.send('bob', 'still here?')).route, 'direct')
  assert.deepEqual((await bob.client.inbox()).map(m => m.text), ['first', 'still here?'])
})

test('a tampered ciphertext is refused and the genuine one still decrypts afterwards', async (t) => {
  const root = await tempRoot(t)
  const alice = await makeUser(t, root, 'alice')
  const bob = await makeUser(t, root, 'bob')
  await befriend(alice, bob)
  await alice.client.send('bob', 'hello')
  const real = alice.client.messenger.routes[0] as DeliveryRoute
  const captured: Envelope[] = []
  alice.client.messenger.useRoutes([{ name: 'direct', takeBundle: real.takeBundle.bind(real), deliver: async (e) => { captured.push(Envelope.decode(Envelope.encode(e))); return { ok: false, code: 'unreachable', error: 'held' } } }])
  await alice.client.send('bob', 'genuine')
  const genuine = captured[0] as Envelope
  const before = await snapshot(bob)
  // byte 0 is sealed sender's version byte (0x11): libsignal reads only its high nibble, so the
  // low bit is not covered by any MAC (the plaintext is unchanged); flip a version bit there instead
  for (const [offset, bit] of [[0, 0x40], [1, 1], [10, 1], [Math.floor(genuine.sealed.length / 2), 1], [genuine.sealed.length - 1, 1]] as const) {
    const sealed = new Uint8Array(genuine.sealed)
    sealed[offset] = (sealed[offset] as number) ^ bit
    // under its own (bound) id, so what refuses it is the cryptography, not the id check
    await assert.rejects(bob.client.messenger.receive(boundEnvelope({ ...genuine, sealed, id: undefined }), 'direct'), (err: Error) => err instanceof RejectedEnvelopeError && err.reason === 'undecryptable', `flip at ${offset} of ${sealed.length}`)
  }
  // the id is bound to the content: the same ciphertext under another id is refused too
  await assert.rejects(bob.client.messenger.receive({ ...genuine, id: new Uint8Array(randomBytes(16)) }, 'direct'), /does not match its content/)
  assert.deepEqual(await snapshot(bob), before)
  assert.equal(await bob.client.messenger.receive(genuine, 'direct'), 'stored')
  assert.deepEqual((await bob.client.inbox()).map(m => m.text), ['hello', 'genuine'])
})

test('a bundle whose identity certificate does not verify is refused before any session starts', async (t) => {
  const root = await tempRoot(t)
  const alice = await makeUser(t, root, 'alice')
  const bob = await makeUser(t, root, 'bob')
  await befriend(alice, bob)
  const real = alice.client.messenger.routes[0] as DeliveryRoute
  const tamper = async (mutate: (b: PreKeyBundle) => void): Promise<void> => {
    alice.client.messenger.useRoutes([{
      name: 'direct',
      deliver: real.deliver.bind(real),
      takeBundle: async (peer, o) => {
        const b = await real.takeBundle(peer, o)
        assert.ok(b !== undefined)
        const copy = PreKeyBundle.decode(PreKeyBundle.encode(b))
        mutate(copy)
        return copy
      }
    }])
    const before = await snapshot(alice)
    await assert.rejects(alice.client.send('bob', 'secret'), (err: unknown) => CairnError.is(err, 'BAD_SIGNATURE'))
    assert.deepEqual(await snapshot(alice), before, 'nothing stored, no session')
  }
  await tamper(b => { (b.certificate as { signature: Uint8Array }).signature[3] ^= 1 })
  await tamper(b => { (b.signedPreKey as { signature: Uint8Array }).signature[0] ^= 1 })
  await tamper(b => { (b.lastResortKyberPreKey as { signature: Uint8Array }).signature[5] ^= 1 })
  // a valid certificate, but for someone else (carol vouches for her own key, not bob's)
  const carol = await makeUser(t, root, 'carol')
  await tamper(b => { b.certificate = carol.client.identity.certificate })
  alice.client.messenger.useRoutes([real])
  assert.equal((await alice.client.send('bob', 'now for real')).route, 'direct')
})

test('bad user input gets a typed error with exit code 2 and changes nothing', async (t) => {
  const root = await tempRoot(t)
  const alice = await makeUser(t, root, 'alice')
  const bob = await makeUser(t, root, 'bob')
  await befriend(alice, bob)
  const before = await snapshot(alice)
  const expect = async (p: Promise<unknown>, code: string): Promise<void> => {
    await assert.rejects(p, (err: unknown) => CairnError.is(err) && err.code === code && err.exitCode === 2)
  }
  await expect(alice.client.send('nobody', 'hi'), 'UNKNOWN_CONTACT')
  await expect(alice.client.send('12D3KooWnotAPeerIdAtAllxxxxxxxxxxxx', 'hi'), 'INVALID_INPUT')
  await expect(alice.client.contactAdd('dave', 'not-a-peer-id'), 'INVALID_INPUT')
  await expect(alice.client.contactAdd('dave', '/ip4/127.0.0.1/tcp/1'), 'INVALID_INPUT')
  await expect(alice.client.contactAdd('bob', bob.peerId), 'INVALID_INPUT')
  await expect(alice.client.contactAdd('x y', bob.peerId), 'INVALID_INPUT')
  await expect(alice.client.send('bob', 'x'.repeat(70 * 1024)), 'MESSAGE_TOO_LARGE')
  assert.deepEqual(await snapshot(alice), before)
})
