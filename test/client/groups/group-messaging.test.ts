import assert from 'node:assert/strict'
import { test } from 'node:test'
import { randomBytes } from 'node:crypto'
import { Envelope, GroupGossip, GroupPayload } from '../../../proto/cairn.js'
import type { DeliveryRoute } from '../../../src/client/delivery.js'
import type { ContentBody } from '../../../src/client/messenger.js'
import { getSenderState } from '../../../src/client/groups/group-store.js'
import * as senderKeys from '../../../src/client/groups/sender-keys.js'
import { createLogger } from '../../../src/shared/logger.js'
import { mailboxNetwork } from '../../helpers/network.js'
import { befriend, makeUser, tempRoot, type TestUser } from '../../helpers/users.js'

const groupTexts = async (u: TestUser, group: string): Promise<string[]> =>
  (await u.client.inbox()).filter(m => m.group?.name === group).map(m => m.text).sort()

/**
 * Record every group ciphertext `u` sends, in 1:1 copies or published on the group's topic: what a
 * subscriber to the topic, or a holder of a copy, would see.
 */
function tapCiphertexts (u: TestUser): Uint8Array[] {
  const seen: Uint8Array[] = []
  const note = (ct: Uint8Array | undefined): void => { if (ct !== undefined && !seen.some(s => Buffer.compare(s, ct) === 0)) seen.push(ct) }
  const m = u.client.messenger
  const real = m.sendEach.bind(m)
  m.sendEach = async (peers, bodyFor, options) => real(peers, async (tx, peer) => {
    const body: ContentBody = await bodyFor(tx, peer)
    note(body.groupMessage?.ciphertext)
    return body
  }, options)
  const pubsub = (u.client.node?.services as unknown as { pubsub: { publish: (topic: string, data: Uint8Array) => Promise<unknown> } }).pubsub
  const publish = pubsub.publish.bind(pubsub)
  pubsub.publish = async (topic, data) => { note(GroupGossip.decode(data).ciphertext); return await publish(topic, data) }
  return seen
}

test('three members, one offline: each gets every group message exactly once (direct or mailbox); never-met members start sessions from bundles', async (t) => {
  const root = await tempRoot(t)
  const net = await mailboxNetwork(t, root, 3, { overrides: { mailbox: { replicas: 3 } } })
  const overrides = { bootstrap: net.bootstrap, mailbox: { replicas: 3 } }
  const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map(async name => makeUser(t, root, name, { overrides }))) as [TestUser, TestUser, TestUser]
  for (const u of [alice, bob, carol]) await u.client.publishBundles()
  await befriend(alice, bob)
  await alice.client.contactAdd('carol', carol.peerId) // bob and carol never met
  await carol.stop()

  const created = await alice.client.groupCreate('trio', ['bob', 'carol'])
  assert.deepEqual(created.members.map(m => m.peerId).sort(), [alice.peerId, bob.peerId, carol.peerId].sort())
  const a1 = await alice.client.send('@trio', 'alice 1')
  assert.equal(a1.route, 'mailbox', 'carol is offline')
  assert.deepEqual((await bob.client.groupInfo('trio')).members.length, 3, 'bob learnt the group with the first envelope')
  const b1 = await bob.client.send('@trio', 'bob 1')
  assert.equal((b1 as { members?: Record<string, string> }).members?.[carol.peerId], 'mailbox')
  await alice.client.send('@trio', 'alice 2')
  assert.deepEqual(await groupTexts(bob, 'trio'), ['alice 1', 'alice 2'])
  assert.deepEqual(await groupTexts(alice, 'trio'), ['bob 1'])

  await net.handoverRound({ atOnce: true })
  await carol.restart(overrides)
  await carol.client.sync()
  assert.deepEqual(await groupTexts(carol, 'trio'), ['alice 1', 'alice 2', 'bob 1'])
  const inbox = await carol.client.inbox()
  assert.ok(inbox.every(m => m.route === 'mailbox' && m.group?.id === created.id))
  assert.equal((await carol.client.sync()).received, 0, 'nothing again')
  assert.equal((await carol.client.inbox()).length, 3)

  // carol, back online, writes to both (bob she never met: his bundle comes from his mailboxes)
  const c1 = await carol.client.send('@trio', 'carol 1')
  assert.ok(['direct', 'mailbox'].includes(c1.route))
  await bob.client.sync()
  await alice.client.sync()
  assert.deepEqual(await groupTexts(alice, 'trio'), ['bob 1', 'carol 1'])
  assert.deepEqual(await groupTexts(bob, 'trio'), ['alice 1', 'alice 2', 'carol 1'])
  // every member agrees on the group
  const views = await Promise.all([alice, bob, carol].map(async u => u.client.groupInfo('trio')))
  assert.ok(views.every(v => JSON.stringify(v.members.map(m => [m.peerId, m.admin])) === JSON.stringify(views[0]?.members.map(m => [m.peerId, m.admin]))))
})

test('a removed member that keeps its old keys decrypts nothing sent after its removal, by the remover or any other member, and what it still sends is dropped and logged', async (t) => {
  const root = await tempRoot(t)
  const bobsLog: Array<{ msg: string, sender?: string }> = []
  const log = createLogger('debug', {}, { write: (line: string) => { bobsLog.push(JSON.parse(line) as { msg: string }) } })
  const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map(async name => makeUser(t, root, name, name === 'bob' ? { log } : {}))) as [TestUser, TestUser, TestUser]
  await befriend(alice, bob)
  await befriend(alice, carol)
  await befriend(bob, carol)
  const tap = tapCiphertexts(alice)
  const bobsTap = tapCiphertexts(bob)
  await alice.client.groupCreate('g', ['bob', 'carol'])
  await alice.client.send('@g', 'before')
  await carol.client.send('@g', 'carol before')
  await bob.client.send('@g', 'bob before')
  assert.deepEqual(await groupTexts(carol, 'g'), ['before', 'bob before'].sort())
  assert.deepEqual(await groupTexts(bob, 'g'), ['before', 'carol before'])
  const carolsOldChain = await getSenderState(carol.client.store.transaction(), (await carol.client.groupInfo('g')).id)
  assert.ok(carolsOldChain !== undefined)

  await alice.client.groupRemove('g', ['carol'])
  assert.equal((await carol.client.groupInfo('g')).me.member, false, 'carol was told')
  await assert.rejects(carol.client.send('@g', 'still here?'), { name: 'NotGroupMemberError' })
  await alice.client.send('@g', 'after')
  await bob.client.send('@g', 'bob after')
  assert.deepEqual(await groupTexts(bob, 'g'), ['after', 'before', 'carol before'])
  assert.deepEqual(await groupTexts(alice, 'g'), ['bob after', 'bob before', 'carol before'])
  assert.deepEqual(await groupTexts(carol, 'g'), ['before', 'bob before'].sort())

  // carol kept her store (every sender key she was given) and sees the ciphertexts on the wire:
  // neither the remover's (alice) nor another remaining member's (bob) opens for her; both rotated
  for (const [who, seen] of [[alice, tap], [bob, bobsTap]] as const) {
    assert.equal(seen.length, 2, `${who.name} sent two group messages`)
    await assert.rejects(senderKeys.decrypt(carol.client.store.transaction(), who.peerId, seen[1] as Uint8Array), `${who.name}'s message after the removal`)
    // the old ciphertext still opened for her chain position: the failure is the new chain, not a bad tap
    const beforeAgain = await senderKeys.decrypt(carol.client.store.transaction(), who.peerId, seen[0] as Uint8Array)
    assert.equal(beforeAgain, undefined, `a replay of ${who.name}'s message she already opened`)
  }

  // carol signs with her old chain and sends over her sessions anyway: members drop it
  const forged = await carol.client.messenger.sendEach([alice.peerId, bob.peerId], async (tx) => {
    const { GroupPayload } = await import('../../../proto/cairn.js')
    const gid = Buffer.from((await carol.client.groupInfo('g')).id, 'hex')
    const payload = GroupPayload.encode({ groupId: gid, id: new Uint8Array(16).fill(9), seq: 99, sentAt: Date.now(), heads: [], text: 'carol after removal' })
    return { groupMessage: { groupId: gid, distribution: new Uint8Array(Buffer.from(Object.values(carolsOldChain.given)[0] as string, 'base64')), ciphertext: new Uint8Array(await senderKeys.encrypt(tx, carol.peerId, carolsOldChain.distributionId, payload)), changes: [] } }
  })
  assert.ok(forged.every(r => r.route === 'direct'))
  assert.deepEqual(await groupTexts(bob, 'g'), ['after', 'before', 'carol before'])
  assert.deepEqual(await groupTexts(alice, 'g'), ['bob after', 'bob before', 'carol before'])
  // dropped, and said so in the log (never the text)
  const dropped = bobsLog.filter(l => l.msg === 'group message from a non-member dropped')
  assert.deepEqual(dropped.map(l => l.sender), [carol.peerId])
  assert.ok(!bobsLog.some(l => JSON.stringify(l).includes('carol after removal')), 'no plaintext in the log')

  // group info shows our safety state with each member; a blocked member's group messages are dropped
  const info = await bob.client.groupInfo('g')
  assert.deepEqual(info.members.map(m => [m.peerId, m.trust]).sort(), [[alice.peerId, 'unverified'], [bob.peerId, null]].sort())
  await bob.client.contactBlock('alice')
  await alice.client.send('@g', 'while blocked')
  assert.deepEqual(await groupTexts(bob, 'g'), ['after', 'before', 'carol before'])
})

test('membership changes delivered out of order through a mailbox converge; group errors name what is wrong', async (t) => {
  const root = await tempRoot(t)
  const net = await mailboxNetwork(t, root, 3, { overrides: { mailbox: { replicas: 3 } } })
  const overrides = { bootstrap: net.bootstrap, mailbox: { replicas: 3 } }
  const [alice, bob, carol, dave] = await Promise.all(['alice', 'bob', 'carol', 'dave'].map(async name => makeUser(t, root, name, { overrides }))) as [TestUser, TestUser, TestUser, TestUser]
  for (const u of [alice, bob, carol, dave]) await u.client.publishBundles()
  for (const u of [bob, carol, dave]) await befriend(alice, u)
  await dave.stop()
  await alice.client.groupCreate('club', ['bob', 'dave'])
  await alice.client.groupAdd('club', ['carol'])
  await alice.client.groupPromote('club', ['bob'])
  await bob.client.groupRemove('club', [carol.peerId])
  await alice.client.send('@club', 'hello dave')
  await bob.client.send('@club', 'hi from bob')
  await net.handoverRound({ atOnce: true })
  await dave.restart(overrides)
  await dave.client.sync() // envelopes open in id order: not the order they were made in
  await alice.client.sync()
  const views = await Promise.all([alice, bob, dave].map(async u => u.client.groupInfo('club')))
  const expected = [alice.peerId, bob.peerId, dave.peerId].sort()
  for (const v of views) {
    assert.deepEqual(v.members.map(m => m.peerId).sort(), expected)
    assert.deepEqual(v.members.filter(m => m.admin).map(m => m.peerId).sort(), [alice.peerId, bob.peerId].sort())
  }
  assert.deepEqual(await groupTexts(dave, 'club'), ['hello dave', 'hi from bob'])
  assert.equal((await carol.client.groupInfo('club')).me.member, false)

  await assert.rejects(alice.client.send('@nope', 'x'), { name: 'UnknownGroupError', exitCode: 2 })
  await assert.rejects(dave.client.groupAdd('club', [alice.peerId]), { name: 'NotGroupAdminError', exitCode: 2 })
  await assert.rejects(carol.client.send('@club', 'x'), { name: 'NotGroupMemberError', exitCode: 2 })
  await assert.rejects(alice.client.groupAdd('club', ['zed']), { name: 'UnknownContactError', exitCode: 2 })
  const before = (await alice.client.groupInfo('club')).changes
  await assert.rejects(alice.client.groupRemove('club', [carol.peerId]), { name: 'NotGroupMemberError' })
  assert.equal((await alice.client.groupInfo('club')).changes, before, 'a refused change changes nothing')
})

test('a new member opens nothing sent before it joined; a message that never arrives shows as a gap, not skipped', async (t) => {
  const root = await tempRoot(t)
  // every message goes in 1:1 copies (tapped below; none is skipped for the topic: group-gossip-only.test.ts)
  const always = { overrides: { groups: { gossipAckMs: 0 } } }
  const [alice, bob, dave] = await Promise.all(['alice', 'bob', 'dave'].map(async name => makeUser(t, root, name, always))) as [TestUser, TestUser, TestUser]
  await befriend(alice, bob)
  await befriend(alice, dave)
  const tap = tapCiphertexts(alice)
  await alice.client.groupCreate('g', ['bob'])
  await alice.client.send('@g', 'one')
  // the second never reaches bob: its envelope is dropped on the way, and it is not gossiped
  const routes = alice.client.messenger.routes
  const publisher = alice.client.groups.publisher
  alice.client.messenger.useRoutes([{ name: 'direct', deliver: async () => ({ ok: true }), takeBundle: async () => undefined }])
  delete alice.client.groups.publisher
  await alice.client.send('@g', 'two (lost)')
  alice.client.messenger.useRoutes(routes)
  alice.client.groups.publisher = publisher
  await alice.client.send('@g', 'three')
  const inbox = (await bob.client.inbox()).filter(m => m.group !== undefined)
  assert.deepEqual(inbox.map(m => [m.text, m.seq, m.gapBefore]), [['one', 1, undefined], ['three', 3, 1]])

  await alice.client.groupAdd('g', ['dave'])
  await alice.client.send('@g', 'four, with dave')
  assert.deepEqual(await groupTexts(dave, 'g'), ['four, with dave'])
  // libsignal answers "old counter" (or no state): never a plaintext
  for (const ct of tap.slice(0, 3)) assert.equal(await senderKeys.decrypt(dave.client.store.transaction(), alice.peerId, ct).catch(() => undefined), undefined, 'dave cannot open what came before his chain position')
  assert.equal(tap.length, 4)
  assert.ok(await senderKeys.decrypt(dave.client.store.transaction(), alice.peerId, tap[3] as Uint8Array) === undefined, 'the one he was sent he opened already')

  // dave leaves: alice learns it, her next message is on a new chain he cannot open
  const left = await dave.client.groupLeave('g')
  assert.equal(left.me.member, false)
  assert.deepEqual((await alice.client.groupInfo('g')).members.map(m => m.peerId).sort(), [alice.peerId, bob.peerId].sort())
  await assert.rejects(dave.client.send('@g', 'x'), { name: 'NotGroupMemberError' })
  await alice.client.send('@g', 'five, without dave')
  assert.deepEqual(await groupTexts(dave, 'g'), ['four, with dave'])
  assert.deepEqual((await bob.client.inbox()).filter(m => m.group !== undefined).map(m => m.text), ['one', 'three', 'four, with dave', 'five, without dave'])
  await assert.rejects(senderKeys.decrypt(dave.client.store.transaction(), alice.peerId, tap[4] as Uint8Array))
})

test('a history larger than an envelope reaches a new member in several envelopes; nothing is refused as too large', async (t) => {
  const root = await tempRoot(t)
  const overrides = { limits: { envelopeBytes: 8192, textBytes: 4096 } }
  const [alice, bob, dave] = await Promise.all(['alice', 'bob', 'dave'].map(async name => makeUser(t, root, name, { overrides }))) as [TestUser, TestUser, TestUser]
  await befriend(alice, bob)
  await befriend(alice, dave)
  await befriend(bob, dave)
  await alice.client.groupCreate('big', ['bob'])
  for (let i = 0; i < 60; i++) await alice.client.groupPromote('big', ['bob']) // ~14 KB of history
  await alice.client.groupAdd('big', ['dave'])
  assert.equal((await dave.client.groupInfo('big')).changes, 62)
  const text = 'y'.repeat(3500) // leaves no room for changes beside it
  await alice.client.groupPromote('big', ['dave'])
  await bob.client.send('@big', text) // bob has never sent dave anything: the whole history follows the message
  assert.deepEqual((await dave.client.inbox()).map(m => m.text.length), [3500])
  const views = await Promise.all([alice, bob, dave].map(async u => u.client.groupInfo('big')))
  assert.ok(views.every(v => v.changes === 63 && v.members.every(m => m.admin)))
})

test('a message that names membership its recipient lacks waits (across a restart) and is shown once the change arrives', async (t) => {
  const root = await tempRoot(t)
  const [alice, dave] = await Promise.all(['alice', 'dave'].map(async name => makeUser(t, root, name))) as [TestUser, TestUser]
  await befriend(alice, dave)
  await alice.client.groupCreate('g', ['dave'])
  const captured: Envelope[] = []
  const real = alice.client.messenger.routes
  delete alice.client.groups.publisher // no gossip: only the captured envelopes can reach dave
  alice.client.messenger.useRoutes([{ name: 'direct', deliver: async (e) => { captured.push(Envelope.decode(Envelope.encode(e))); return { ok: true } }, takeBundle: async () => undefined }])
  await alice.client.groupPromote('g', ['dave']) // the update carrying this change...
  await alice.client.send('@g', 'names the promotion') // ...and a message whose heads include it
  alice.client.messenger.useRoutes(real)
  assert.equal(captured.length, 2)
  const [update, message] = captured as [Envelope, Envelope]
  assert.equal(await dave.client.messenger.receive(message, 'mailbox'), 'stored')
  assert.deepEqual(await groupTexts(dave, 'g'), [], 'parked: dave does not know the change it names yet')
  await dave.stop()
  await dave.restart()
  assert.equal(await dave.client.messenger.receive(update, 'mailbox'), 'stored')
  assert.deepEqual(await groupTexts(dave, 'g'), ['names the promotion'])
  assert.equal((await dave.client.groupInfo('g')).me.admin, true)
  assert.equal(await dave.client.messenger.receive(message, 'mailbox'), 'duplicate')
})

test('a message in flight when its sender is removed is still shown; a former member adds nothing past what the removal vouches for', async (t) => {
  const root = await tempRoot(t)
  const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map(async name => makeUser(t, root, name))) as [TestUser, TestUser, TestUser]
  await befriend(alice, bob)
  await befriend(alice, carol)
  await befriend(bob, carol)
  const created = await alice.client.groupCreate('g', ['bob', 'carol'])
  await bob.client.send('@g', 'settled') // sessions and chains in place
  // bob's next message reaches alice at once; carol's copy is held up (a mailbox she has not collected)
  const held: Envelope[] = []
  const real = bob.client.messenger.routes
  delete bob.client.groups.publisher
  bob.client.messenger.useRoutes([{
    name: 'direct',
    deliver: async (e, to, options) => {
      if (to.toString() !== carol.peerId) return await (real[0] as DeliveryRoute).deliver(e, to, options)
      held.push(Envelope.decode(Envelope.encode(e)))
      return { ok: true }
    },
    takeBundle: async () => undefined
  }])
  await bob.client.send('@g', 'in flight')
  bob.client.messenger.useRoutes(real)
  assert.equal(held.length, 1)
  assert.deepEqual(await groupTexts(alice, 'g'), ['in flight', 'settled'])
  const headsBefore = (await bob.client.groups.state(created.id))?.heads
  const bobsChain = await getSenderState(bob.client.store.transaction(), created.id)
  assert.ok(bobsChain !== undefined && headsBefore !== undefined)

  await alice.client.groupRemove('g', ['bob'])
  assert.equal((await carol.client.groupInfo('g')).members.some(m => m.peerId === bob.peerId), false, 'carol knows bob was removed')
  assert.equal(await carol.client.messenger.receive(held[0] as Envelope, 'mailbox'), 'stored')
  assert.deepEqual(await groupTexts(carol, 'g'), ['in flight', 'settled'], 'sent before the removal: shown')

  // bob, removed, writes with his old chain and the heads he had before: a new number past the bound, and a spent one
  const gid = Buffer.from(created.id, 'hex')
  for (const [seq, text] of [[3, 'past the bound'], [2, 'a spent number']] as const) {
    const [sent] = await bob.client.messenger.sendEach([carol.peerId], async (tx) => {
      const payload = GroupPayload.encode({ groupId: gid, id: randomBytes(16), seq, sentAt: Date.now(), heads: headsBefore.map(h => Buffer.from(h, 'hex')), text })
      return { groupMessage: { groupId: gid, distribution: new Uint8Array(Buffer.from(bobsChain.given[carol.peerId] as string, 'base64')), ciphertext: new Uint8Array(await senderKeys.encrypt(tx, bob.peerId, bobsChain.distributionId, payload)), changes: [] } }
    })
    assert.equal(sent?.route, 'direct')
  }
  assert.deepEqual(await groupTexts(carol, 'g'), ['in flight', 'settled'])
})
