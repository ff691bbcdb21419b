import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { CiphertextMessageType, IdentityKeyStore, ProtocolAddress, sealedSenderDecryptToUsmc, sealedSenderMultiRecipientEncrypt, type IdentityChange, type IdentityKeyPair, type PrivateKey, type PublicKey, type SessionStore } from '@signalapp/libsignal-client'
import SealedSenderMultiRecipientMessage from '@signalapp/libsignal-client/dist/SealedSenderMultiRecipientMessage.js'
import { Envelope, GroupPayload } from '../../../proto/cairn.js'
import type { DeliveryRoute } from '../../../src/client/delivery.js'
import { SealedSession } from '../../../src/client/crypto/sealed-session.js'
import { signalStores } from '../../../src/client/crypto/signal-stores.js'
import { groupTopic, type TopicPubSub } from '../../../src/client/groups/group-gossip.js'
import type { GroupSendResult } from '../../../src/client/groups/group-service.js'
import { getSenderState } from '../../../src/client/groups/group-store.js'
import * as senderKeys from '../../../src/client/groups/sender-keys.js'
import { systemClock, type Clock } from '../../../src/shared/clock.js'
import { envelopeId } from '../../../src/shared/envelope-id.js'
import { holdsChain, unreachable, waitFor } from '../../helpers/groups.js'
import { mailboxNetwork } from '../../helpers/network.js'
import { befriend, makeUser, tempRoot, type TestUser } from '../../helpers/users.js'

const DAY = 24 * 3600_000
const pubsubOf = (u: TestUser): TopicPubSub => (u.client.node?.services as unknown as { pubsub: TopicPubSub }).pubsub

/** Only our own identity key: all that opening a seal's outer layer asks for. */
class OwnKey extends IdentityKeyStore {
  constructor (private readonly me: IdentityKeyPair) { super() }
  async getIdentityKey (): Promise<PrivateKey> { return this.me.privateKey }
  async getLocalRegistrationId (): Promise<number> { throw new Error('not asked for') }
  async saveIdentity (): Promise<IdentityChange> { throw new Error('not asked for') }
  async isTrustedIdentity (): Promise<boolean> { throw new Error('not asked for') }
  async getIdentity (): Promise<PublicKey | null> { throw new Error('not asked for') }
}

/**
 * What `u`'s envelopes carry, as `u` opens their seals (the outer layer only: no session moves):
 * 'part' for a group part (a sender-key message alone), '1:1' for a ratchet message. A holder
 * cannot tell them apart: both seals are sealed sender v1 (first byte 0x11), checked here too.
 */
async function kinds (u: TestUser, envelopes: Envelope[] | undefined): Promise<string[]> {
  return Promise.all((envelopes ?? []).map(async e => {
    assert.equal(e.sealed[0], 0x11, 'a sealed sender v1 seal, whatever it carries')
    const usmc = await sealedSenderDecryptToUsmc(e.sealed, new OwnKey(u.client.identity.signal))
    return usmc.msgType() === CiphertextMessageType.SenderKey ? 'part' : '1:1'
  }))
}

/**
 * `u`'s routes, recording every envelope handed to them per recipient (once, whichever routes tried
 * it); envelopes for `hold` fail (not delivered); for `offline`, the direct route fails at once (no
 * dial to wait out); envelopes for `gate.peers` wait for `gate.open`.
 */
function tapRoutes (u: TestUser, routes: readonly DeliveryRoute[], options: { hold?: string, offline?: string, gate?: { peers: string[], open: Promise<void> } } = {}): Map<string, Envelope[]> {
  const seen = new Map<string, Envelope[]>()
  u.client.messenger.useRoutes(routes.map(r => ({
    name: r.name,
    takeBundle: r.takeBundle.bind(r),
    deliver: async (e, peer, o) => {
      const mine = seen.get(peer.toString()) ?? []
      if (!mine.some(m => Buffer.compare(m.id, e.id) === 0)) seen.set(peer.toString(), [...mine, e]) // one envelope, tried by each route
      if (peer.toString() === options.hold) return { ok: false, code: 'unreachable', error: 'held' }
      if (peer.toString() === options.offline && r.name === 'direct') return { ok: false, code: 'offline', error: 'offline' }
      if (options.gate?.peers.includes(peer.toString()) === true) await options.gate.open
      return r.deliver(e, peer, o)
    }
  })))
  return seen
}

/** Whether `a` and `b` have any `n`-byte run in common. */
function sharesWindow (a: Uint8Array, b: Uint8Array, n: number): boolean {
  const seen = new Set<string>()
  for (let i = 0; i + n <= a.length; i++) seen.add(Buffer.from(a.subarray(i, i + n)).toString('hex'))
  for (let i = 0; i + n <= b.length; i++) if (seen.has(Buffer.from(b.subarray(i, i + n)).toString('hex'))) return true
  return false
}

/**
 * alice and bob in a group of two, parts on: bob opens them and holds alice's chain (alice's
 * first message gave it, his reply said he opens parts), and is off the topic, so what he sees of
 * each message of alice's is its part or its 1:1 copy alone.
 */
async function partsPair (t: TestContext): Promise<{ alice: TestUser, bob: TestUser, g: { id: string } }> {
  const root = await tempRoot(t)
  const overrides = { groups: { gossipAckMs: 0, sealedParts: true } }
  const [alice, bob] = await Promise.all(['alice', 'bob'].map(async name => makeUser(t, root, name, { overrides }))) as [TestUser, TestUser]
  await befriend(alice, bob)
  const g = await alice.client.groupCreate('g', ['bob'])
  await alice.client.send('@g', 'first')
  await bob.client.send('alice', 'hi')
  await waitFor('bob holds alice\'s chain', async () => holdsChain(alice, g.id, bob.peerId))
  const state = await alice.client.groups.state(g.id)
  assert.ok(state !== undefined)
  const topic = groupTopic(state.secret)
  pubsubOf(bob).unsubscribe(topic)
  await waitFor('alice sees bob unsubscribed', () => !pubsubOf(alice).getSubscribers(topic).map(String).includes(bob.peerId))
  return { alice, bob, g }
}

const fromAlice = async (u: TestUser, alice: TestUser, text: string): Promise<Array<{ seq: number, route: string }>> =>
  (await u.client.inbox()).filter(m => m.group !== undefined && m.from === alice.peerId && m.text === text).map(m => ({ seq: m.seq, route: m.route }))

test('sealed group parts: an online and an offline member get a part (shown once, right sender and seq, beside its gossip copy); a member without the capability gets a 1:1 copy', async (t) => {
  const root = await tempRoot(t)
  const net = await mailboxNetwork(t, root, 3, { overrides: { mailbox: { replicas: 3 } } })
  // every member gets a copy whatever gossip does: the part and the gossip copy of one message meet
  const overrides = { bootstrap: net.bootstrap, mailbox: { replicas: 3 }, groups: { gossipAckMs: 0, sealedParts: true } }
  const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map(async name => makeUser(t, root, name, { overrides }))) as [TestUser, TestUser, TestUser]
  // dave's client does not open sealed parts (as an older one): it never says it does
  const dave = await makeUser(t, root, 'dave', { overrides: { ...overrides, groups: { gossipAckMs: 0, sealedParts: false } } })
  for (const u of [alice, bob, carol, dave]) await u.client.publishBundles()
  for (const u of [bob, carol, dave]) await befriend(alice, u)
  const g = await alice.client.groupCreate('v2', ['bob', 'carol', 'dave'])
  await alice.client.send('@v2', 'first') // a new chain: 1:1 copies carrying it
  for (const u of [bob, carol, dave]) await u.client.send('alice', `hi from ${u.name}`) // what each client opens
  for (const u of [bob, carol, dave]) await waitFor(`${u.name} holds alice's chain`, async () => holdsChain(alice, g.id, u.peerId))
  const state = await alice.client.groups.state(g.id)
  assert.ok(state !== undefined)
  const topic = groupTopic(state.secret)
  await waitFor('bob and dave subscribed', () => pubsubOf(alice).getSubscribers(topic).map(String).filter(p => p === bob.peerId || p === dave.peerId).length === 2)
  await carol.stop()

  // alice's copies to bob and dave held until both saw the message by gossip; carol's part goes to her mailboxes
  const routes = alice.client.messenger.routes
  let open!: () => void
  const tap = tapRoutes(alice, routes, { offline: carol.peerId, gate: { peers: [bob.peerId, dave.peerId], open: new Promise<void>(resolve => { open = resolve }) } })
  const sending = alice.client.send('@v2', 'second')
  await waitFor('bob and dave got it by gossip', async () => (await fromAlice(bob, alice, 'second')).length === 1 && (await fromAlice(dave, alice, 'second')).length === 1)
  open()
  const second = await sending as GroupSendResult
  assert.deepEqual([bob, carol, dave].map(u => second.members[u.peerId]), ['direct', 'mailbox', 'direct'])
  assert.deepEqual(await Promise.all([bob, carol, dave].map(async u => kinds(u, tap.get(u.peerId)))), [['part'], ['part'], ['1:1']], 'parts for bob and carol, a 1:1 copy for dave')
  const [partB, partC] = [tap.get(bob.peerId)?.[0]?.sealed, tap.get(carol.peerId)?.[0]?.sealed]
  assert.ok(partB !== undefined && partC !== undefined)
  assert.ok(!sharesWindow(partB, partC, 16), 'two members\' parts of one message share no bytes a holder of both could link them by')
  assert.ok((tap.get(bob.peerId)?.[0]?.sealed.length ?? Infinity) < (tap.get(dave.peerId)?.[0]?.sealed.length ?? 0), `a part (${tap.get(bob.peerId)?.[0]?.sealed.length} B) is smaller than a 1:1 copy (${tap.get(dave.peerId)?.[0]?.sealed.length} B)`)
  assert.deepEqual(await fromAlice(bob, alice, 'second'), [{ seq: 2, route: 'gossip' }], 'shown once, though its part was opened too')

  // bob leaves the topic: the next message reaches him by its part alone, directly
  pubsubOf(bob).unsubscribe(topic)
  await waitFor('alice sees bob unsubscribed', () => !pubsubOf(alice).getSubscribers(topic).map(String).includes(bob.peerId))
  const third = await alice.client.send('@v2', 'third') as GroupSendResult
  assert.equal(third.members[bob.peerId], 'direct')
  assert.equal(third.members[carol.peerId], 'mailbox')
  assert.deepEqual(await kinds(bob, tap.get(bob.peerId)), ['part', 'part'])
  assert.deepEqual(await fromAlice(bob, alice, 'third'), [{ seq: 3, route: 'direct' }])

  // carol, offline for both, collects her parts from her mailboxes: each shown once, then receipted
  await net.handoverRound({ atOnce: true })
  await carol.restart(overrides)
  await carol.client.sync()
  assert.deepEqual(await fromAlice(carol, alice, 'second'), [{ seq: 2, route: 'mailbox' }])
  assert.deepEqual(await fromAlice(carol, alice, 'third'), [{ seq: 3, route: 'mailbox' }])
  assert.equal((await carol.client.sync()).received, 0, 'nothing again')
  await waitFor('alice sees carol\'s delivery receipt', async () => (await alice.client.messenger.deliveries.get(third.id))?.recipients[carol.peerId]?.state === 'delivered')
})

test('sealed group parts: a tampered part, and a part whose certificate names a member under another key, are refused and change nothing', async (t) => {
  const root = await tempRoot(t)
  const overrides = { groups: { gossipAckMs: 0, sealedParts: true } }
  const [alice, bob, mallory] = await Promise.all(['alice', 'bob', 'mallory'].map(async name => makeUser(t, root, name, { overrides }))) as [TestUser, TestUser, TestUser]
  await befriend(alice, bob)
  await befriend(alice, mallory)
  await befriend(bob, mallory)
  const g = await alice.client.groupCreate('g', ['bob', 'mallory'])
  await alice.client.send('@g', 'first')
  for (const u of [bob, mallory]) await u.client.send('alice', 'hi')
  await mallory.client.send('bob', 'hi bob') // mallory's session with bob
  for (const u of [bob, mallory]) await waitFor(`${u.name} holds alice's chain`, async () => holdsChain(alice, g.id, u.peerId))
  // bob off the topic: what he sees of the next message is its part alone
  const state = await alice.client.groups.state(g.id)
  assert.ok(state !== undefined)
  const topic = groupTopic(state.secret)
  pubsubOf(bob).unsubscribe(topic)
  await waitFor('alice sees bob unsubscribed', () => !pubsubOf(alice).getSubscribers(topic).map(String).includes(bob.peerId))

  const routes = alice.client.messenger.routes
  const tap = tapRoutes(alice, routes, { hold: bob.peerId })
  const second = await alice.client.send('@g', 'second') as GroupSendResult
  assert.equal(second.members[bob.peerId], 'outbox')
  const part = tap.get(bob.peerId)?.[0]
  assert.ok(part !== undefined)
  assert.deepEqual(await kinds(bob, [part]), ['part'])
  const before = await bob.client.inbox()
  const rebound = (sealed: Uint8Array<ArrayBuffer>): Envelope => ({ ...part, sealed, id: envelopeId({ version: part.version, recipient: part.recipient, sealed }) })

  // a byte of the part changed (its envelope id made to match): it does not open
  const tampered = new Uint8Array(part.sealed)
  tampered[tampered.length - 40] = (tampered[tampered.length - 40] as number) ^ 1
  await assert.rejects(bob.client.messenger.receive(rebound(tampered), 'direct'), { name: 'RejectedEnvelopeError', reason: 'undecryptable' })

  // mallory seals a part under her own key with a certificate naming alice: bob holds another key for alice
  const forger = new SealedSession({ peerId: alice.peerId, identity: mallory.client.identity.signal, registrationId: mallory.client.identity.registrationId })
  const tx = mallory.client.store.transaction()
  const chain = await senderKeys.startChain(tx, mallory.peerId)
  const payload = GroupPayload.encode({ groupId: Buffer.from(g.id, 'hex'), id: new Uint8Array(16).fill(7), seq: 2, sentAt: Date.now(), heads: state.heads.map(h => Buffer.from(h, 'hex')), text: 'alice, forged' })
  const forged = (await forger.sealForMembers(tx, [bob.peerId], await senderKeys.encryptMessage(tx, mallory.peerId, chain, payload), Buffer.from(g.id, 'hex'), Date.now())).get(bob.peerId)
  assert.ok(forged !== undefined)
  await assert.rejects(bob.client.messenger.receive(rebound(forged), 'direct'), { name: 'RejectedEnvelopeError', reason: 'untrusted-sender' })
  assert.deepEqual(await bob.client.inbox(), before, 'nothing shown')

  // the genuine part still opens: the refusals took no step of alice's chain and marked nothing seen
  assert.equal(await bob.client.messenger.receive(part, 'direct'), 'stored')
  assert.deepEqual((await bob.client.inbox()).filter(m => m.from === alice.peerId).map(m => [m.text, m.seq, m.route]), [['first', 1, 'direct'], ['second', 2, 'direct']])
  // the part that did not go waited as its 1:1 copy: it goes now, and is not shown again
  alice.client.messenger.useRoutes(routes)
  assert.ok(await alice.client.messenger.flushOutbox() >= 1, 'the copy left the outbox')
  await waitFor('alice\'s outbox empty', async () => (await alice.client.messenger.pending()).length === 0)
  assert.equal((await bob.client.inbox()).filter(m => m.text === 'second').length, 1)
})

test('sealed group parts: a part sealed as clients of sessions 12 to 54 sealed it (sealed sender v2, one recipient) still opens, shown once', async (t) => {
  const { alice, bob, g } = await partsPair(t)
  const tap = tapRoutes(alice, alice.client.messenger.routes, { hold: bob.peerId })
  await alice.client.send('@g', 'second')
  const part = tap.get(bob.peerId)?.[0]
  assert.ok(part !== undefined)
  assert.deepEqual(await kinds(bob, [part]), ['part'])

  // the same content (alice's certificate, the group id, the sender-key message) sealed the old way:
  // libsignal names a multi-recipient seal's recipients only by ServiceId, mapped back to bob here
  const usmc = await sealedSenderDecryptToUsmc(part.sealed, new OwnKey(bob.client.identity.signal))
  const serviceId = '6a1b3c4d-0000-8000-8000-000000000001'
  const asBob = (a: ProtocolAddress): ProtocolAddress => a.name() === serviceId ? ProtocolAddress.new(bob.peerId, a.deviceId()) : a
  const s = signalStores(alice.client.store.transaction(), alice.client.identity.signal, alice.client.identity.registrationId)
  const identityStore = Object.assign(Object.create(s.identities) as IdentityKeyStore, { getIdentity: async (a: ProtocolAddress) => s.identities.getIdentity(asBob(a)) })
  const sessionStore = Object.assign(Object.create(s.sessions) as SessionStore, { getExistingSessions: async (as: ProtocolAddress[]) => s.sessions.getExistingSessions(as.map(asBob)) })
  const sent = new SealedSenderMultiRecipientMessage(await sealedSenderMultiRecipientEncrypt({ content: usmc, recipients: [ProtocolAddress.new(serviceId, 1)], identityStore, sessionStore }))
  const v2 = sent.messageForRecipient(sent.recipientsByServiceIdString()[serviceId] as never)
  assert.equal(v2[0], 0x22, 'a sealed sender v2 ReceivedMessage')
  const old: Envelope = { ...part, sealed: v2, id: envelopeId({ version: part.version, recipient: part.recipient, sealed: v2 }) }
  assert.equal(await bob.client.messenger.receive(old, 'direct'), 'stored')
  assert.deepEqual((await bob.client.inbox()).filter(m => m.group?.id === g.id).map(m => [m.text, m.seq]), [['first', 1], ['second', 2]])
  // its v1 twin is the same message: not shown again
  await bob.client.messenger.receive(part, 'direct').catch(() => undefined)
  assert.equal((await bob.client.inbox()).filter(m => m.text === 'second').length, 1)
})

test('sealed group parts: a part its member cannot open (refused directly, or waiting in the outbox while the member lost the chain) ends as its 1:1 copy, shown once, and the outbox empties', async (t) => {
  const { alice, bob, g } = await partsPair(t)
  // bob's store loses alice's chain (as the prune pass deletes one, or a restore from an older backup)
  const chain = (await getSenderState(alice.client.store.transaction(), g.id))?.distributionId
  assert.ok(chain !== undefined)
  const loseChain = async (): Promise<void> => {
    const tx = bob.client.store.transaction()
    senderKeys.forget(tx, alice.peerId, chain)
    await tx.commit()
  }
  const shown = async (text: string): Promise<Array<[string, string]>> =>
    (await bob.client.inbox()).filter(m => m.group?.id === g.id && m.text === text).map(m => [m.from, m.route])
  const routes = alice.client.messenger.routes
  // what alice still owes bob (a delivery receipt for his hi) gone first: the tap sees only what follows
  await waitFor('alice\'s outbox empty', async () => (await alice.client.messenger.pending()).length === 0)
  const tap = tapRoutes(alice, routes)

  // refused directly: the part is answered UNDECRYPTABLE, and its 1:1 copy (with the chain) goes at once
  await loseChain()
  const one = await alice.client.send('@g', 'one') as GroupSendResult
  assert.equal(one.members[bob.peerId], 'direct')
  assert.deepEqual(await kinds(bob, tap.get(bob.peerId)), ['part', '1:1'], 'the part, then its 1:1 copy')
  await waitFor('bob shows it', async () => (await shown('one')).length > 0)
  assert.deepEqual(await shown('one'), [[alice.peerId, 'direct']])
  assert.equal((await alice.client.messenger.pending()).length, 0, 'nothing left in alice\'s outbox')

  // waiting in the outbox while bob loses the chain again: what waits is the 1:1 copy
  alice.client.messenger.useRoutes([unreachable])
  assert.equal((await alice.client.send('@g', 'two')).route, 'outbox')
  await loseChain()
  const tap2 = tapRoutes(alice, routes)
  await alice.client.messenger.flushOutbox()
  await waitFor('alice\'s outbox empty', async () => (await alice.client.messenger.pending()).length === 0)
  assert.deepEqual(await kinds(bob, tap2.get(bob.peerId)), ['1:1'], 'its 1:1 copy only')
  assert.deepEqual(await shown('two'), [[alice.peerId, 'direct']])
  assert.deepEqual((await bob.client.inbox()).filter(m => m.group?.id === g.id).map(m => m.text), ['first', 'one', 'two'], 'each shown once')
})

test('sealed group parts: a part sealed before its sender was removed, collected after the member\'s prune pass, still opens', async (t) => {
  const root = await tempRoot(t)
  const overrides = { groups: { gossipAckMs: 0, sealedParts: true } }
  // alice removes carol 16 days from now (by her clock) and bob prunes then: the 1:1 copy that gave
  // him carol's chain is old by then, as in a group where carol sent him only parts for weeks
  let offset = 0
  const clock: Clock = { ...systemClock, now: () => Date.now() + offset }
  const alice = await makeUser(t, root, 'alice', { overrides, clock })
  const [bob, carol] = await Promise.all(['bob', 'carol'].map(async name => makeUser(t, root, name, { overrides }))) as [TestUser, TestUser]
  await befriend(alice, bob)
  await befriend(alice, carol)
  await befriend(bob, carol)
  const g = await alice.client.groupCreate('g', ['bob', 'carol'])
  await waitFor('carol is in the group', async () => (await carol.client.groups.list()).length === 1)
  await carol.client.send('@g', 'first')
  await bob.client.send('carol', 'hi') // carol learns that bob's client opens parts
  await waitFor('bob holds carol\'s chain', async () => holdsChain(carol, g.id, bob.peerId))
  const state = await alice.client.groups.state(g.id)
  assert.ok(state !== undefined)
  pubsubOf(bob).unsubscribe(groupTopic(state.secret))
  await waitFor('carol sees bob unsubscribed', () => !pubsubOf(carol).getSubscribers(groupTopic(state.secret)).map(String).includes(bob.peerId))
  await waitFor('carol\'s outbox empty', async () => (await carol.client.messenger.pending()).length === 0)

  // carol's part for bob goes to his mailboxes (taken here, handed to him later); alice gets hers
  const routes = carol.client.messenger.routes
  const atMailbox: Envelope[] = []
  carol.client.messenger.useRoutes(routes.map(r => ({
    name: r.name,
    takeBundle: r.takeBundle.bind(r),
    deliver: async (e, peer, o) => {
      if (peer.toString() !== bob.peerId) return r.deliver(e, peer, o)
      if (r.name === 'direct') return { ok: false, code: 'offline', error: 'bob is away' }
      atMailbox.push(e)
      return { ok: true, replicas: 3 }
    }
  })))
  await carol.client.send('@g', 'before removal')
  assert.deepEqual(await kinds(bob, atMailbox), ['part'], 'one part, at bob\'s mailboxes')
  await waitFor('alice shows it', async () => (await alice.client.inbox()).some(m => m.text === 'before removal'))

  // alice removes carol (her removal vouches for the message); bob learns it, then runs his pass
  offset = 16 * DAY
  await alice.client.groupRemove('g', ['carol'])
  await waitFor('bob sees carol removed', async () => !(await bob.client.groupInfo('g')).members.some(m => m.peerId === carol.peerId))
  await bob.client.groups.prune(Date.now() + 16 * DAY)
  // the part arrives after the pass: carol's chain must still be there to open it
  for (const e of atMailbox) await bob.client.messenger.receive(e, 'mailbox')
  assert.deepEqual((await bob.client.inbox()).filter(m => m.from === carol.peerId).map(m => m.text), ['first', 'before removal'])
})
