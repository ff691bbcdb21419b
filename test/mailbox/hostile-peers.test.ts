/**
 * Attacks by hostile peers on the mailbox protocol, each driven by a peer that answers and asks
 * whatever it likes (test/helpers/hostile-mailbox-peer.ts): freezing someone's prekey bundle with a
 * forgery dated far ahead, serving forged bundles, parking its own message under a pending
 * envelope id, filling a node's disk, taking the handover budget, draining one-time prekeys and
 * reading tombstones through offers (a stranger's offer is answered on a deposit's terms). Each was
 * possible before (proto/README.md, issue 10) and each test fails without its defence.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { test } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import { Content, DirectRequest, DirectResponse, DirectStatus, MailboxStatus, PreKeyBundle, Receipt, type Envelope } from '../../proto/cairn.js'
import { takeBundle } from '../../src/client/crypto/prekeys.js'
import { askMailbox } from '../../src/client/mailbox/mailbox-rpc.js'
import type { CairnNode } from '../../src/shared/node/create-node.js'
import { SealedSession } from '../../src/client/crypto/sealed-session.js'
import { ManualClock, systemClock } from '../../src/shared/clock.js'
import { Responsibility } from '../../src/mailbox/responsibility.js'
import type { OperatorNode } from '../../src/mailbox/operator-node.js'
import { signAck } from '../../src/shared/ack-signature.js'
import { BUNDLE_CLOCK_SKEW_MS, verifyBundle } from '../../src/shared/bundle.js'
import { keys } from '../../src/client/crypto/kv.js'
import { parsePeerId, peerIdBytes } from '../../src/shared/peer-id.js'
import { mailboxKey, rankByDistance } from '../../src/shared/placement.js'
import { DIRECT_PROTOCOL } from '../../src/shared/protocols/ids.js'
import { request } from '../../src/shared/protocols/rpc.js'
import { chunkCid } from '../../src/shared/chunk-address.js'
import { boundEnvelope } from '../helpers/envelopes.js'
import { hostilePeer } from '../helpers/hostile-mailbox-peer.js'
import { recipient } from '../helpers/mailbox-box.js'
import { mailboxNetwork } from '../helpers/network.js'
import { makeUser, tempRoot, testConfig } from '../helpers/users.js'

const { MAILBOX_OK, MAILBOX_RATE_LIMITED, MAILBOX_NOT_RESPONSIBLE, MAILBOX_NODE_FULL, MAILBOX_BAD_REQUEST } = MailboxStatus
const rand = (n: number): Uint8Array<ArrayBuffer> => new Uint8Array(randomBytes(n))
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

test('a forged bundle dated far ahead, offered by any peer, neither freezes the owner\'s bundle nor breaks first contact', async (t) => {
  const root = await tempRoot(t)
  const net = await mailboxNetwork(t, root, 3)
  const bob = await makeUser(t, root, 'bob', { overrides: { bootstrap: net.bootstrap } })
  assert.equal((await bob.client.publishBundles()).published, 3)
  await bob.stop()
  const bobBytes = peerIdBytes(parsePeerId(bob.peerId))

  // a peer that passes for a holder takes Bob's genuine bundle and re-dates and renumbers it
  const mallory = await hostilePeer(t, root, net.bootstrap, { dhtServer: true })
  const genuine = await mallory.ask((net.nodes[0] as OperatorNode).node.peerId, { takeBundle: { recipient: bobBytes } })
  assert.ok(genuine.bundle !== undefined)
  // two forgeries: dated as far ahead as a number goes, and dated just ahead (within clock skew)
  // with the signed prekey renumbered, which only the owner's signature over the bundle exposes
  const forge = (publishedAt: number): PreKeyBundle => {
    const b = PreKeyBundle.decode(PreKeyBundle.encode(genuine.bundle as PreKeyBundle))
    b.publishedAt = publishedAt
    ;(b.signedPreKey as { id: number }).id = 0xabcde
    return { ...b, preKeys: [], kyberPreKeys: [] }
  }
  for (const bundle of [forge(Number.MAX_SAFE_INTEGER), forge(Date.now() + 60_000)]) {
    for (const n of net.nodes) await mallory.ask(n.node.peerId, { offer: { recipient: bobBytes, ids: [], tombstones: [], bundle } })
  }
  for (const n of net.nodes) {
    const held = await n.mailbox.store.getBundle(bob.peerId)
    assert.ok(held !== undefined && held.publishedAt < Date.now() + BUNDLE_CLOCK_SKEW_MS, 'the forgery was not merged')
    assert.notEqual(held.signedPreKey?.id, 0xabcde, 'the renumbered forgery was not merged')
    await verifyBundle(held, parsePeerId(bob.peerId))
  }

  // Bob's own publication is what replicas keep
  await bob.restart()
  assert.equal((await bob.client.publishBundles({ force: true })).published, 3)
  for (const n of net.nodes) assert.equal((await n.mailbox.store.getBundle(bob.peerId))?.signedPreKey?.id, (await bob.client.messenger.bundleShare({ preKeys: 0, kyberPreKeys: 0 })).signedPreKey?.id)
  await bob.stop()

  // a stranger writes to offline Bob from a replica's bundle, and Bob reads it
  const alice = await makeUser(t, root, 'alice', { overrides: { bootstrap: net.bootstrap } })
  assert.equal((await alice.client.send(bob.peerId, 'first contact')).route, 'mailbox')
  await bob.restart()
  assert.equal((await bob.client.sync()).received, 1)
  assert.deepEqual((await bob.client.inbox()).map(m => m.text), ['first contact'])
})

test('the owner\'s bundle dated in the future is refused; a replica serving a forged bundle is passed over for the next', async (t) => {
  const root = await tempRoot(t)
  const net = await mailboxNetwork(t, root, 3)
  const bob = await makeUser(t, root, 'bob', { overrides: { bootstrap: net.bootstrap } })
  assert.equal((await bob.client.publishBundles()).published, 3)
  const ahead = await takeBundle(bob.client.store.transaction(), bob.client.messenger.owner(), { preKeys: 1, kyberPreKeys: 1 }, Date.now() + 24 * 3600_000)
  const res = await askMailbox(bob.client.node as CairnNode, testConfig(root), (net.nodes[0] as OperatorNode).node.peerId, { putBundle: { bundle: ahead } }, { clock: systemClock })
  assert.equal(res.status, MAILBOX_BAD_REQUEST, res.detail)
  await bob.stop()

  // two of the three replicas (the first two Alice will ask) hold a bundle Bob never signed
  const ranked = rankByDistance(mailboxKey(parsePeerId(bob.peerId)), net.nodes.map(n => n.node.peerId))
  const byId = new Map(net.nodes.map(n => [n.node.peerId.toString(), n]))
  for (const peer of ranked.slice(0, 2)) {
    const n = byId.get(peer.toString()) as OperatorNode
    const held = await n.mailbox.store.getBundle(bob.peerId) as PreKeyBundle
    ;(held.signedPreKey as { id: number }).id += 7
    await n.mailbox.store.putBundle(bob.peerId, held)
  }
  const alice = await makeUser(t, root, 'alice', { overrides: { bootstrap: net.bootstrap } })
  assert.equal((await alice.client.send(bob.peerId, 'despite two bad replicas')).route, 'mailbox')
  await bob.restart()
  assert.equal((await bob.client.sync()).received, 1)
  assert.deepEqual((await bob.client.inbox()).map(m => m.text), ['despite two bad replicas'])
})

test('a stranger who learns a pending envelope id cannot put its own message under it and have the genuine one acknowledged away', async (t) => {
  const root = await tempRoot(t)
  const net = await mailboxNetwork(t, root, 3)
  const overrides = { bootstrap: net.bootstrap }
  const bob = await makeUser(t, root, 'bob', { overrides })
  assert.equal((await bob.client.publishBundles()).published, 3)
  const bobBundle = await bob.client.messenger.bundleForSender()
  await bob.stop()
  const alice = await makeUser(t, root, 'alice', { overrides })
  await alice.client.contactAdd('bob', bob.peerId)
  assert.equal((await alice.client.send('bob', 'the genuine message')).route, 'mailbox')
  // every holder sees pending ids
  const [pending] = await (net.nodes[0] as OperatorNode).mailbox.store.ids(bob.peerId)
  assert.ok(pending !== undefined)
  const stolenId = new Uint8Array(Buffer.from(pending, 'hex'))

  // Mallory seals a valid message of her own (a receipt) to Bob and names it with that id, inside and out
  const mallory = await makeUser(t, root, 'mallory', { overrides })
  const session = new SealedSession({ peerId: mallory.peerId, identity: mallory.client.identity.signal, registrationId: mallory.client.identity.registrationId })
  const tx = mallory.client.store.transaction()
  await session.startSession(tx, bob.peerId, bobBundle, Date.now())
  const content = Content.encode({ version: 1, id: stolenId, sentAt: Date.now(), seq: 1, senderCertificate: mallory.client.identity.certificate, receipt: { kind: Receipt.Kind.DELIVERED, ids: [] } })
  const { sealed } = await session.seal(tx, bob.peerId, content, Date.now())
  await tx.commit()
  const shadow: Envelope = { ...boundEnvelope({ recipient: peerIdBytes(parsePeerId(bob.peerId)), sealed }), id: stolenId }

  // holders refuse it, and so does Bob when it comes straight to him
  for (const n of net.nodes) {
    const r = await askMailbox(mallory.client.node as CairnNode, mallory.config, n.node.peerId, { deposit: { envelope: shadow } }, { clock: systemClock })
    assert.equal(r.status, MAILBOX_BAD_REQUEST, r.detail)
  }
  await bob.restart()
  const direct = await request(mallory.client.node as CairnNode, multiaddr(bob.address), DIRECT_PROTOCOL, { version: 1, deliver: shadow }, { req: DirectRequest, res: DirectResponse }, { maxBytes: 1 << 17, timeoutMs: 10_000, clock: systemClock })
  assert.notEqual(direct.status, DirectStatus.DIRECT_OK)
  assert.notEqual(direct.status, DirectStatus.DIRECT_DUPLICATE)

  // Bob's next sync brings the genuine message
  assert.equal((await bob.client.sync()).received, 1)
  assert.deepEqual((await bob.client.inbox()).map(m => m.text), ['the genuine message'])
})

test('a node stores only for recipients it is plausibly a replica of, under a node-wide byte cap and a byte budget per peer; the handover budget is for replica peers only', async (t) => {
  const root = await tempRoot(t)
  // k = 1 with one place of slack: each node is responsible for about a third of recipients
  const mailbox = { replicas: 1, placementSlack: 1, depositBurst: 5, depositsPerMinute: 5, maxTotalBytes: 40_000, depositBytesPerMinute: 25_000 }
  const net = await mailboxNetwork(t, root, 6, { overrides: { mailbox } })
  const target = net.nodes[0] as OperatorNode
  // the judgements below are the target's own view: wait until its routing table knows the other nodes
  const tableSize = (): number => (target.node.services.dht as unknown as { routingTable: { size: number } }).routingTable.size
  const settle = async (size: number): Promise<void> => {
    for (let i = 0; i < 50 && tableSize() < size; i++) { await net.warm(); await new Promise(resolve => setTimeout(resolve, 200)) }
    assert.ok(tableSize() >= size, `the target's routing table holds ${tableSize()} peers, not ${size}`)
  }
  await settle(net.nodes.length - 1)
  const view = new Responsibility({ node: target.node, now: () => Date.now() }, testConfig(root, { mailbox }))
  const pick = async (want: (r: Awaited<ReturnType<typeof recipient>>) => Promise<boolean>): Promise<Awaited<ReturnType<typeof recipient>>> => {
    for (let i = 0; i < 500; i++) {
      const r = await recipient()
      if (await want(r)) return r
    }
    throw new Error(`no such recipient in 500 tries (routing table of ${tableSize()} peers)`)
  }
  const far = await pick(async r => !await view.holds(r.peer))
  // a DHT server outside the replica sets of five recipients the target holds, even counted twice
  // as wide. The holder and the five are chosen together, before the holder joins, so its joining
  // moves the target out of none of their windows: some layouts of seven ids leave almost no
  // recipient near the target and far from a given holder (a holder chosen first, at random, once
  // left none in 500 tries; so did five recipients chosen first, for 2000 holders).
  const chosen = async (): Promise<{ holderKey: Awaited<ReturnType<typeof generateKeyPair>>, nears: Array<Awaited<ReturnType<typeof recipient>>> }> => {
    for (let tries = 0; tries < 50; tries++) {
      const holderKey = await generateKeyPair('Ed25519')
      const id = peerIdFromPrivateKey(holderKey)
      const nears = []
      for (let i = 0; i < 200 && nears.length < 5; i++) {
        const r = await recipient()
        if (await view.holds(r.peer) && !await view.isReplica(r.peer, id, 2)) nears.push(r)
      }
      if (nears.length === 5) return { holderKey, nears }
    }
    throw new Error(`no holder with five such recipients in 50 tries (routing table of ${tableSize()} peers)`)
  }
  const { holderKey, nears } = await chosen()
  const holder = await hostilePeer(t, root, net.bootstrap, { dhtServer: true, privateKey: holderKey })
  await settle(net.nodes.length)
  // judged afresh (judgements are cached) with the holder in the routing table
  const now = new Responsibility({ node: target.node, now: () => Date.now() }, testConfig(root, { mailbox }))
  assert.equal(await now.holds(far.peer), false)
  for (const r of nears) assert.ok(await now.holds(r.peer) && !await now.isReplica(r.peer, holder.peerId, 2), 'the target holds the near recipients; the holder is no replica of theirs')
  const stranger = async (): Promise<Awaited<ReturnType<typeof hostilePeer>>> => hostilePeer(t, root, [target.addresses()[0] as string])

  await t.test('mail for a recipient far from this node: MAILBOX_NOT_RESPONSIBLE, nothing stored', async () => {
    const s = await stranger()
    const res = await s.ask(target.node.peerId, { deposit: { envelope: boundEnvelope({ recipient: far.bytes, sealed: rand(300) }) } })
    assert.equal(res.status, MAILBOX_NOT_RESPONSIBLE, res.detail)
    assert.deepEqual(target.mailbox.store.usageOf(far.id), { count: 0, bytes: 0 })
    assert.equal(target.mailbox.metrics.rejections['not-responsible'], 1)
  })

  await t.test('bytes per peer: past its budget a peer gets MAILBOX_RATE_LIMITED; past the node\'s cap everyone gets MAILBOX_NODE_FULL', async () => {
    const a = await stranger()
    const statuses = []
    for (let i = 0; i < 3; i++) statuses.push((await a.ask(target.node.peerId, { deposit: { envelope: boundEnvelope({ recipient: (nears[i] ?? far).bytes, sealed: rand(10_000) }) } })).status)
    assert.deepEqual(statuses, [MAILBOX_OK, MAILBOX_OK, MAILBOX_RATE_LIMITED])
    const b = await stranger()
    for (let i = 0; i < 2; i++) assert.equal((await b.ask(target.node.peerId, { deposit: { envelope: boundEnvelope({ recipient: (nears[3] ?? far).bytes, sealed: rand(9_000) }) } })).status, MAILBOX_OK)
    const c = await stranger()
    const full = await c.ask(target.node.peerId, { deposit: { envelope: boundEnvelope({ recipient: (nears[4] ?? far).bytes, sealed: rand(5_000) }) } })
    assert.equal(full.status, MAILBOX_NODE_FULL, full.detail)
    assert.ok(target.mailbox.store.heldBytes <= 40_000, `held ${target.mailbox.store.heldBytes}`)
    assert.equal(target.mailbox.metrics.rejections['node-full'], 1)
    // an acknowledged write frees room: the cap counts what is held now
    const r = nears[3] as Awaited<ReturnType<typeof recipient>>
    const ids = await target.mailbox.store.ids(r.id)
    await target.mailbox.store.ack(r.id, await Promise.all(ids.map(async id => ({ id, signature: await signAck(r.key, r.peer, Buffer.from(id, 'hex')) }))), Date.now())
    assert.equal((await c.ask(target.node.peerId, { deposit: { envelope: boundEnvelope({ recipient: (nears[4] ?? far).bytes, sealed: rand(5_000) }) } })).status, MAILBOX_OK)
  })

  await t.test('a DHT server outside the recipient\'s replica set gets the deposit budget for handover, not the bulk one', async () => {
    const to = nears[0] as Awaited<ReturnType<typeof recipient>>
    const batch = Array.from({ length: 8 }, () => boundEnvelope({ recipient: to.bytes, sealed: rand(200) }))
    const before = target.mailbox.store.usageOf(to.id).count
    const res = await holder.ask(target.node.peerId, { handover: { envelopes: batch } })
    assert.equal(res.status, MAILBOX_RATE_LIMITED, res.detail)
    assert.ok(target.mailbox.store.usageOf(to.id).count - before <= 5, 'no more than the deposit burst')
  })

  await t.test('a stranger\'s offer is taken on a deposit\'s terms: no tombstones learnt, only ids a deposit would take asked for, the deposit budget spent; no reconciliation', async () => {
    const to = nears[1] as Awaited<ReturnType<typeof recipient>>
    const env = boundEnvelope({ recipient: to.bytes, sealed: rand(100) })
    await target.mailbox.store.deposit(env, Date.now())
    await target.mailbox.store.ack(to.id, [{ id: hex(env.id), signature: await signAck(to.key, to.peer, env.id) }], Date.now())
    const s = await stranger()
    const unknown = rand(16)
    const res = await s.ask(target.node.peerId, { offer: { recipient: to.bytes, ids: [env.id, unknown], tombstones: [] } })
    assert.equal(res.status, MAILBOX_OK, res.detail)
    assert.deepEqual(res.tombstones, [], 'the acknowledgement is not shown to a stranger')
    assert.deepEqual(res.wanted.map(hex), [hex(unknown)], 'asked only for the id a deposit would take')
    const statuses = []
    for (let i = 0; i < 5; i++) statuses.push((await s.ask(target.node.peerId, { offer: { recipient: to.bytes, ids: [unknown], tombstones: [] } })).status)
    assert.deepEqual(statuses, [MAILBOX_OK, MAILBOX_OK, MAILBOX_OK, MAILBOX_OK, MAILBOX_RATE_LIMITED], 'the deposit burst (5) bounds a stranger\'s offers')
    const round = await holder.ask(target.node.peerId, { reconcile: { recipient: to.bytes, ranges: [], bundlePublishedAt: 0 } })
    assert.equal(round.status, MAILBOX_NOT_RESPONSIBLE, round.detail)
    assert.equal(round.reconcile, undefined)
  })

  await t.test('a stranger\'s chunk offer likewise: only the chunk ids a put would store asked for, the deposit budget spent; no chunk reconciliation', async () => {
    const to = nears[2] as Awaited<ReturnType<typeof recipient>>
    const data = rand(2000)
    const cid = chunkCid(data)
    assert.equal(await target.mailbox.chunks.put(to.id, cid, data, Date.now() + 3600_000, Date.now()), 'stored')
    const heldId = cid.subarray(4, 20) // a chunk's id: the first 16 bytes of its address's digest
    const s = await stranger()
    // a malformed offer (an id that is not 16 bytes) is refused, naming what is wrong, and stores nothing
    const bad = await s.ask(target.node.peerId, { offerChunks: { recipient: to.bytes, ids: [rand(15)] } })
    assert.equal(bad.status, MAILBOX_BAD_REQUEST, bad.detail)
    assert.match(bad.detail, /16 bytes/)
    assert.equal(target.mailbox.chunks.bytesOf(to.id), data.length, 'only the chunk put before')
    const unknown = rand(16)
    const res = await s.ask(target.node.peerId, { offerChunks: { recipient: to.bytes, ids: [heldId, unknown] } })
    assert.equal(res.status, MAILBOX_OK, res.detail)
    assert.deepEqual(res.wanted.map(hex), [hex(unknown)], 'asked only for the chunk it lacks')
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push((await s.ask(target.node.peerId, { offerChunks: { recipient: to.bytes, ids: [unknown] } })).status)
    // the malformed offer cost its request too, as junk deposits do
    assert.deepEqual(statuses, [MAILBOX_OK, MAILBOX_OK, MAILBOX_OK, MAILBOX_RATE_LIMITED], 'the deposit burst (5) bounds a stranger\'s chunk offers')
    const round = await holder.ask(target.node.peerId, { reconcileChunks: { recipient: to.bytes, ranges: [] } })
    assert.equal(round.status, MAILBOX_NOT_RESPONSIBLE, round.detail)
    assert.equal(round.reconcile, undefined)
  })
})

test('one-time prekeys cannot be drained: take_bundle is limited per peer, one-time prekeys per recipient; unused ones expire at the owner', async (t) => {
  const root = await tempRoot(t)
  const net = await mailboxNetwork(t, root, 3)
  const bob = await makeUser(t, root, 'bob', { overrides: { bootstrap: net.bootstrap } })
  assert.equal((await bob.client.publishBundles()).published, 3)
  const target = net.nodes[0] as OperatorNode
  const bobBytes = peerIdBytes(parsePeerId(bob.peerId))
  const held = (await target.mailbox.store.getBundle(bob.peerId))?.preKeys.length ?? 0
  assert.ok(held >= 20, `replica holds ${held} one-time prekeys`)

  const drainer = await hostilePeer(t, root, [target.addresses()[0] as string])
  const statuses: MailboxStatus[] = []
  for (let i = 0; i < 40; i++) statuses.push((await drainer.ask(target.node.peerId, { takeBundle: { recipient: bobBytes } })).status)
  assert.equal(statuses.filter(s => s === MAILBOX_OK).length, 10, 'the per-peer allowance')
  assert.equal(statuses.filter(s => s === MAILBOX_RATE_LIMITED).length, 30)
  // many identities: each gets a bundle, but one-time prekeys only up to the recipient's hourly allowance
  const many = await Promise.all(Array.from({ length: 15 }, async () => hostilePeer(t, root, [target.addresses()[0] as string])))
  for (const p of many) assert.equal((await p.ask(target.node.peerId, { takeBundle: { recipient: bobBytes } })).status, MAILBOX_OK)
  assert.equal(target.mailbox.metrics.oneTimePreKeysHandedOut, 20, 'no more than oneTimePreKeysPerHour')
  assert.equal(target.mailbox.metrics.bundlesTaken, 25)
})

test('asked directly, a user hands out no more one-time prekeys per hour than its replicas would, however many identities ask', async (t) => {
  const root = await tempRoot(t)
  const bob = await makeUser(t, root, 'bob')
  const askers = await Promise.all(Array.from({ length: 25 }, async () => hostilePeer(t, root, [bob.address])))
  let withOneTime = 0
  for (const a of askers) {
    const res = await request(a.node, multiaddr(bob.address), DIRECT_PROTOCOL, { version: 1, takeBundle: {} }, { req: DirectRequest, res: DirectResponse }, { maxBytes: 1 << 17, timeoutMs: 10_000, clock: systemClock })
    assert.equal(res.status, DirectStatus.DIRECT_OK, 'each asker still gets a bundle')
    await verifyBundle(res.bundle as PreKeyBundle, parsePeerId(bob.peerId))
    if ((res.bundle?.preKeys.length ?? 0) > 0) withOneTime++
  }
  assert.equal(withOneTime, 20, 'mailbox.oneTimePreKeysPerHour')
})

test('one-time prekeys handed out and never used are deleted after their expiry', async (t) => {
  const root = await tempRoot(t)
  const clock = new ManualClock(Date.now())
  const bob = await makeUser(t, root, 'bob', { clock })
  const share = await bob.client.messenger.bundleShare({ preKeys: 5, kyberPreKeys: 2 })
  const present = async (): Promise<number> => {
    let n = 0
    for (const k of share.preKeys) if (await bob.client.store.get(keys.preKey(k.id)) !== undefined) n++
    for (const k of share.kyberPreKeys) if (await bob.client.store.get(keys.kyberPreKey(k.id)) !== undefined) n++
    return n
  }
  assert.equal(await present(), 7)
  clock.advance(29 * 24 * 3600_000)
  await bob.client.messenger.rotatePreKeysIfDue()
  assert.equal(await present(), 7, 'kept while mail sealed to them may still arrive')
  clock.advance(2 * 24 * 3600_000)
  await bob.client.messenger.rotatePreKeysIfDue()
  assert.equal(await present(), 0, 'deleted once past the expiry')
  // and the supply is what it was: replacements come with the usual top-up
  const next = await bob.client.messenger.bundleShare({ preKeys: 5, kyberPreKeys: 2 })
  assert.equal(next.preKeys.length, 5)
})
