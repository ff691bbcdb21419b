import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { Envelope, type Attachment } from '../../../proto/cairn.js'
import type { ContentBody } from '../../../src/client/messenger.js'
import { waitFor } from '../../helpers/groups.js'
import { wrapDeliveries } from '../../helpers/routes.js'
import { mailboxNetwork } from '../../helpers/network.js'
import { randomFile } from '../../helpers/random-file.js'
import { befriend, makeUser, tempRoot, type TestUser } from '../../helpers/users.js'

const CHUNK = 64 * 1024
const hex = (b: Uint8Array | undefined): string => Buffer.from(b ?? []).toString('hex')

/** Every file descriptor `u` announces, by recipient: what each member is handed. */
function tapDescriptors (u: TestUser): Map<string, Attachment> {
  const seen = new Map<string, Attachment>()
  const m = u.client.messenger
  const real = m.sendEach.bind(m)
  m.sendEach = async (peers, bodyFor, options) => real(peers, async (tx, peer) => {
    const body: ContentBody = await bodyFor(tx, peer)
    if (body.attachment !== undefined) seen.set(peer, body.attachment)
    return body
  }, options)
  return seen
}

test('a file sent to a group: each member gets its own copy (directly when online, else at its mailboxes), shown in the group, saved byte-exact; one sent record with a state per member; no two copies share a key or a chunk', async (t) => {
  const root = await tempRoot(t)
  const net = await mailboxNetwork(t, root, 3, { overrides: { mailbox: { replicas: 3 } } })
  const overrides = { bootstrap: net.bootstrap, mailbox: { replicas: 3 }, attachments: { chunkBytes: CHUNK, replicas: 3 } }
  const [alice, bob, carol, dave] = await Promise.all(['alice', 'bob', 'carol', 'dave'].map(async name => makeUser(t, root, name, { overrides }))) as [TestUser, TestUser, TestUser, TestUser]
  for (const u of [alice, bob, carol, dave]) await u.client.publishBundles()
  await befriend(alice, bob)
  await alice.client.contactAdd('carol', carol.peerId) // carol and dave never met bob
  await alice.client.contactAdd('dave', dave.peerId)
  await carol.stop()
  await dave.stop()

  // a few 1:1 messages first: the file's copy to bob is numbered in their conversation, well past the group's
  for (const text of ['hi', 'are you coming?', 'bring boots']) await alice.client.send('bob', text)
  const g = await alice.client.groupCreate('trip', ['bob', 'carol', 'dave'])
  await alice.client.send('@trip', 'before')
  const announced = tapDescriptors(alice)
  const { path, data } = await randomFile(root, 'route.gpx', 2 * CHUNK + 7)
  const shownOnTheLine = new Set<string>()
  const results = await alice.client.sendFiles('@trip', [path], 'the route', { onProgress: (p) => shownOnTheLine.add(`${p.stage} ${p.name}`) })
  // each member's pass has a status line of its own (its rate its own)
  assert.deepEqual([...shownOnTheLine].filter(l => l.startsWith('sending')).sort(), [1, 2, 3].map(k => `sending route.gpx (member ${k} of 3)`))
  await alice.client.send('@trip', 'after')
  const [r] = results
  assert.equal(results.length, 1)
  assert.equal(r?.error, undefined)
  assert.deepEqual(Object.fromEntries(Object.entries(r?.members ?? {}).map(([p, x]) => [p, x.route])), { [bob.peerId]: 'direct', [carol.peerId]: 'mailbox', [dave.peerId]: 'mailbox' })
  assert.equal(r?.route, 'mailbox', 'not every member got it directly')
  assert.ok((r?.replicas ?? 0) >= 2, `stored at ${r?.replicas} replicas at least for each offline member`)

  // every copy names the group; none shares a key, a file id or a chunk address with another
  const copies = [bob, carol, dave].map(u => announced.get(u.peerId))
  assert.ok(copies.every(d => hex(d?.groupId) === g.id))
  assert.equal(new Set(copies.map(d => hex(d?.key))).size, 3)
  assert.equal(new Set(copies.map(d => hex(d?.fileId))).size, 3)
  const addresses = copies.flatMap(d => (d?.chunks ?? []).map(hex))
  assert.equal(addresses.length, 6, 'carol\'s and dave\'s copies list their 3 chunks (bob\'s went streamed)')
  assert.equal(new Set(addresses).size, 6, 'two members\' holders see unrelated chunks')

  // bob, online: the file between alice's two group messages, in the group, and no gap counted
  // (its number is of alice's 1:1 conversation with bob, not of her group messages)
  const inGroup = async (u: TestUser): Promise<Array<[string, string | null, number]>> =>
    (await u.client.inbox()).filter(m => m.group?.id === g.id).map(m => [m.text, m.attachment?.name ?? null, m.gapBefore ?? 0])
  assert.deepEqual(await inGroup(bob), [['before', null, 0], ['the route', 'route.gpx', 0], ['after', null, 0]])
  const out = join(root, 'out')
  await mkdir(out)
  const bobs = (await bob.client.inbox()).find(m => m.attachment !== undefined)
  assert.ok(bobs !== undefined)
  assert.notEqual(bobs.id, r?.id, 'each copy has an id of its own: no member learns another\'s')
  assert.deepEqual(await readFile((await bob.client.save(bobs.id, join(out))).path), data)

  // alice sees one record for the file, as for a group message: a state per member
  const record = await alice.client.messenger.sentOne(r?.id as string)
  assert.deepEqual(record?.group, { id: g.id, name: 'trip' })
  assert.equal(record?.text, 'the route')
  assert.deepEqual(Object.keys(record?.recipients ?? {}).sort(), [bob.peerId, carol.peerId, dave.peerId].sort())
  assert.equal(record?.recipients[bob.peerId]?.state, 'delivered')
  assert.equal(record?.recipients[carol.peerId]?.state, 'stored')

  // carol comes back: the group, its messages and the file in one sync, whatever their order
  await net.handoverRound({ atOnce: true })
  await carol.restart(overrides)
  await carol.client.sync()
  assert.deepEqual(await inGroup(carol), [['before', null, 0], ['the route', 'route.gpx', 0], ['after', null, 0]])
  const carols = (await carol.client.inbox()).find(m => m.attachment !== undefined)
  assert.ok(carols !== undefined && carols.id !== bobs.id && carols.id !== r?.id)
  const carolOut = join(root, 'carol-out')
  await mkdir(carolOut)
  assert.deepEqual(await readFile((await carol.client.save(carols.id, carolOut)).path), data)
  // her delivery receipt names her copy's id, and moves her state in alice's one record
  await waitFor('carol\'s receipt', async () => (await alice.client.messenger.sentOne(r?.id as string))?.recipients[carol.peerId]?.state === 'delivered')
})

test('a file that names a group before its receiver knows the sender there is shown in the group once the change arrives; one from a peer that was no member when it sent never is, even once added', async (t) => {
  const root = await tempRoot(t)
  const overrides = { attachments: { chunkBytes: CHUNK } }
  const [alice, bob, dave, mallory] = await Promise.all(['alice', 'bob', 'dave', 'mallory'].map(async name => makeUser(t, root, name, { overrides }))) as [TestUser, TestUser, TestUser, TestUser]
  await befriend(alice, bob)
  await befriend(alice, dave)
  await befriend(mallory, bob)
  await befriend(alice, mallory)
  const g = await alice.client.groupCreate('g', ['bob'])
  for (const u of [alice, bob, dave]) delete u.client.groups.publisher // no gossip: only 1:1 copies

  // alice adds dave; the change is held back from him, so her file to the group reaches him first
  const held: Envelope[] = []
  let holding = true
  wrapDeliveries(alice, async (next, e, peer, o) => {
    if (!holding || peer.toString() !== dave.peerId) return next(e, peer, o)
    held.push(Envelope.decode(Envelope.encode(e)))
    return { ok: true }
  })
  await alice.client.groupAdd('g', ['dave'])
  holding = false
  assert.ok(held.length > 0)
  const { path, data } = await randomFile(root, 'a.bin', CHUNK + 1)
  const [r] = await alice.client.sendFiles('@g', [path], 'for all')
  assert.deepEqual(Object.fromEntries(Object.entries(r?.members ?? {}).map(([p, x]) => [p, x.route])), { [bob.peerId]: 'direct', [dave.peerId]: 'direct' })
  const early = (await dave.client.inbox()).find(m => m.text === 'for all')
  assert.equal(early?.attachment?.name, 'a.bin')
  assert.equal(early?.group, undefined, 'a group dave does not know yet: shown as alice\'s own message for now')
  for (const e of held) await dave.client.messenger.receive(e, 'mailbox')
  const late = (await dave.client.inbox()).find(m => m.id === early?.id)
  assert.deepEqual(late?.group, { id: g.id, name: 'g' }, 'the change that adds dave brings the file into the group')
  assert.equal(late?.groupClaim, undefined)
  const out = join(root, 'out')
  await mkdir(out)
  assert.deepEqual(await readFile((await dave.client.save(late?.id as string, out)).path), data)

  // mallory is no member: her files naming the group stay her own messages, whatever changes come
  // later, her own addition included: one names no membership (bob holds the group: no member
  // then), one names changes nobody made (they never come)
  const m = mallory.client.messenger
  const send = m.send.bind(m)
  let heads: Uint8Array<ArrayBuffer>[] = []
  m.send = async (to, text, o = {}) => send(to, text, o.attachment === undefined ? o : { ...o, attachment: { ...o.attachment, groupId: new Uint8Array(Buffer.from(g.id, 'hex')), groupHeads: heads } })
  const [forged] = await mallory.client.sendFiles('bob', [path], 'from the group, honest')
  heads = [new Uint8Array(randomBytes(32))]
  const [waiting] = await mallory.client.sendFiles('bob', [path], 'from the group later, honest')
  await alice.client.send('@g', 'a later message')
  await alice.client.groupAdd('g', ['mallory'])
  await waitFor('bob knows mallory as a member', async () => (await bob.client.groupInfo('g')).members.some(x => x.peerId === mallory.peerId))
  await alice.client.send('@g', 'after mallory joined')
  const bobs = await bob.client.inbox()
  for (const f of [forged, waiting]) {
    const shown = bobs.find(x => x.id === f?.id)
    assert.equal(shown?.from, mallory.peerId)
    assert.equal(shown?.group, undefined, 'nobody puts a file into a group it was not a member of when it sent it')
  }
  assert.deepEqual(bobs.find(x => x.id === waiting?.id)?.groupClaim?.heads.length, 1, 'still waiting for a change that never comes')
  assert.deepEqual(bobs.filter(x => x.group?.id === g.id).map(x => x.text).sort(), ['a later message', 'after mallory joined', 'for all'])
})
