/**
 * Batched deposits (issue 12): a store batch gives each envelope the outcome a single deposit
 * would, in one durable write; concurrent single deposits are grouped; a deposit_batch request
 * answers one status per envelope, typed as a single deposit's; a sender cuts batches to fit the
 * frame limit and falls back to single deposits at a node without batches; a burst of messages to
 * an offline contact is sealed in groups, deposited in batches, and arrives whole.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { Envelope, MailboxRequest, MailboxStatus, type MailboxResponse } from '../../proto/cairn.js'
import { cutBatches, depositBatchAt } from '../../src/client/mailbox/deposit-batch.js'
import { askMailbox } from '../../src/client/mailbox/mailbox-rpc.js'
import { MailboxRefusal } from '../../src/mailbox/index.js'
import { signAck } from '../../src/shared/ack-signature.js'
import type { CairnNode } from '../../src/shared/node/create-node.js'
import { boundEnvelope } from '../helpers/envelopes.js'
import { openBox, recipient } from '../helpers/mailbox-box.js'
import { mailboxNetwork } from '../helpers/network.js'
import { makeUser, tempRoot, testConfig } from '../helpers/users.js'
import { systemClock } from '../../src/shared/clock.js'

const rand = (n: number): Uint8Array<ArrayBuffer> => new Uint8Array(randomBytes(n))
const reasonOf = (o: unknown): string => o instanceof MailboxRefusal ? o.reason : String(o)

test('a store batch: each envelope gets the outcome a single deposit would, all in one durable write', async (t) => {
  const box = await openBox(t, { maxEnvelopesPerRecipient: 3 })
  const now = box.clock.now()
  const bob = await recipient()
  const carol = await recipient()
  const env = (o: Partial<Envelope> = {}): Envelope => boundEnvelope({ recipient: bob.bytes, sealed: rand(200), createdAt: now, expiresAt: now + 3600_000, ...o })
  const acked = env()
  assert.equal(await box.mailbox.deposit(acked, now), 'stored')
  await box.mailbox.ack(bob.id, [{ id: Buffer.from(acked.id).toString('hex'), signature: await signAck(bob.key, bob.peer, acked.id) }], now)
  const held = env()
  assert.equal(await box.mailbox.deposit(held, now), 'stored')

  const fresh = [env(), env(), env()]
  const batch = [
    fresh[0] as Envelope,
    held, // held already
    acked, // tombstoned
    fresh[0] as Envelope, // twice in one batch
    { ...env(), id: rand(16) }, // id not bound to its bytes
    env({ sealed: rand(64 * 1024 + 1) }), // too large
    env({ expiresAt: now - 1 }), // expired
    boundEnvelope({ recipient: rand(5), sealed: rand(200), createdAt: now, expiresAt: now + 3600_000 }), // malformed recipient
    fresh[1] as Envelope,
    fresh[2] as Envelope, // bob's fourth: over his quota of 3
    boundEnvelope({ recipient: carol.bytes, sealed: rand(100), createdAt: now, expiresAt: now + 3600_000 }) // carol's quota is her own
  ]
  const inner = (box.mailbox as unknown as { store: { write: (ops: unknown[]) => Promise<void> } }).store
  const write = inner.write.bind(inner)
  let writes = 0
  inner.write = async (ops) => { writes++; await write(ops) }
  const out = await box.mailbox.depositMany(batch, now)
  assert.deepEqual(out.map(reasonOf), ['stored', 'duplicate', 'duplicate', 'duplicate', 'bad-request', 'too-large', 'expired', 'bad-request', 'stored', 'quota-exceeded', 'stored'])
  assert.equal(writes, 1, 'one batch, one fsync')
  assert.deepEqual(box.mailbox.usageOf(bob.id), { count: 3, bytes: 600 })
  assert.equal(box.mailbox.usageOf(carol.id).count, 1)

  // what the batch acknowledged is on disk, usage included
  const reopened = await box.reopen()
  assert.deepEqual(reopened.usageOf(bob.id), { count: 3, bytes: 600 })
  assert.equal((await reopened.ids(bob.id)).length, 3)
})

test('concurrent single deposits are committed in shared groups, each still answered on its own', async (t) => {
  const box = await openBox(t)
  const now = box.clock.now()
  const bob = await recipient()
  const inner = (box.mailbox as unknown as { store: { write: (ops: unknown[]) => Promise<void> } }).store
  const write = inner.write.bind(inner)
  let writes = 0
  inner.write = async (ops) => { writes++; await write(ops) }
  const envs = Array.from({ length: 200 }, () => boundEnvelope({ recipient: bob.bytes, sealed: rand(100), createdAt: now, expiresAt: now + 3600_000 }))
  const results = await Promise.all([...envs, envs[0] as Envelope].map(async e => box.mailbox.deposit(e, now)))
  assert.equal(results.filter(r => r === 'stored').length, 200)
  assert.equal(results.filter(r => r === 'duplicate').length, 1)
  assert.ok(writes < 20, `200 deposits in ${writes} writes`)
  await assert.rejects(box.mailbox.deposit({ ...envs[1] as Envelope, id: rand(16) }, now), (err: unknown) => err instanceof MailboxRefusal && err.reason === 'bad-request')
  assert.equal((await box.reopen()).usageOf(bob.id).count, 200)
})

test('deposits made in one turn share one fsync, and each is answered only once its own batch is on disk', async (t) => {
  const box = await openBox(t)
  const now = box.clock.now()
  const bob = await recipient()
  // the LevelDB under the store: which envelope keys a finished (synced) batch carried
  const db = (box.mailbox as unknown as { store: { db: { batch: (ops: Array<{ key: string }>, o: { sync: boolean }) => Promise<void> } } }).store.db
  const batch = db.batch.bind(db)
  const onDisk = new Set<string>()
  const batches: number[] = []
  db.batch = async (ops, o) => {
    await batch(ops, o)
    assert.equal(o.sync, true)
    batches.push(ops.filter(op => op.key.includes('/mbx/env/')).length)
    for (const op of ops) onDisk.add(op.key)
  }
  const round = async (n: number): Promise<void> => {
    const envs = Array.from({ length: n }, () => boundEnvelope({ recipient: bob.bytes, sealed: rand(100), createdAt: now, expiresAt: now + 3600_000 }))
    await Promise.all(envs.map(async e => {
      assert.equal(await box.mailbox.deposit(e, now), 'stored')
      const id = Buffer.from(e.id).toString('hex')
      assert.ok([...onDisk].some(k => k.endsWith(`/${bob.id}/${id}`)), 'answered before its batch was on disk')
    }))
  }
  await round(64)
  assert.deepEqual(batches, [64], '64 deposits made together: one batch (a first deposit that went alone made it 1 + 63)')
  // callers that come back as soon as they are answered: their next deposits share a batch again
  batches.length = 0
  let left = 64 * 4
  await Promise.all(Array.from({ length: 64 }, async () => { while (left-- > 0) await round(1) }))
  assert.deepEqual(batches, [64, 64, 64, 64], 'a closed loop of 64 callers keeps full batches')
})

test('batches are cut to fit the frame limit and 256 envelopes; an old node gets single deposits', async () => {
  const to = rand(38)
  const envs = Array.from({ length: 600 }, () => boundEnvelope({ recipient: to, sealed: rand(1000) }))
  const byCount = cutBatches(envs, 10 * 1024 * 1024)
  assert.deepEqual(byCount.map(b => b.length), [256, 256, 88])
  const bySize = cutBatches(envs, 100_000)
  assert.ok(bySize.every(b => MailboxRequest.encode({ version: 1, depositBatch: { envelopes: b } }).length <= 100_000))
  assert.equal(bySize.flat().length, 600)
  assert.equal(cutBatches([boundEnvelope({ recipient: to, sealed: rand(5000) })], 100).length, 1, 'one envelope always goes')

  const asked: string[] = []
  const old = async (req: Omit<MailboxRequest, 'version'>): Promise<MailboxResponse> => {
    asked.push(req.depositBatch !== undefined ? 'batch' : 'single')
    const status = req.depositBatch !== undefined ? MailboxStatus.MAILBOX_BAD_REQUEST : MailboxStatus.MAILBOX_OK
    return { status, detail: '', envelopes: [], more: false, wanted: [], tombstones: [], deposited: [] }
  }
  assert.deepEqual(await depositBatchAt(old, envs.slice(0, 3)), [true, true, true])
  assert.deepEqual(asked, ['batch', 'single', 'single', 'single'])
})

test('deposit_batch over the network: one typed status per envelope; rate limits and responsibility apply per envelope', async (t) => {
  const root = await tempRoot(t)
  const net = await mailboxNetwork(t, root, 3, { overrides: { mailbox: { depositBurst: 6, depositsPerMinute: 6 } } })
  const alice = await makeUser(t, root, 'alice', { overrides: { bootstrap: net.bootstrap } })
  const node = alice.client.node as CairnNode
  const target = net.nodes[0]
  assert.ok(target !== undefined)
  const bob = await recipient()
  const env = (o: Partial<Envelope> = {}): Envelope => boundEnvelope({ recipient: bob.bytes, sealed: rand(300), ...o })
  const good = [env(), env(), env()]
  const batch = [good[0] as Envelope, env({ sealed: rand(64 * 1024 + 1) }), good[1] as Envelope, good[0] as Envelope, env({ expiresAt: Date.now() - 1 }), good[2] as Envelope, env(), env()]
  const res = await askMailbox(node, testConfig(root), target.node.peerId, { depositBatch: { envelopes: batch } }, { clock: systemClock })
  assert.equal(res.status, MailboxStatus.MAILBOX_OK)
  const { MAILBOX_OK, MAILBOX_TOO_LARGE, MAILBOX_DUPLICATE, MAILBOX_EXPIRED, MAILBOX_RATE_LIMITED } = MailboxStatus
  // the burst of 6 covers the first six envelopes; the seventh and eighth are over it
  assert.deepEqual(res.deposited.map(d => d.status), [MAILBOX_OK, MAILBOX_TOO_LARGE, MAILBOX_OK, MAILBOX_DUPLICATE, MAILBOX_EXPIRED, MAILBOX_OK, MAILBOX_RATE_LIMITED, MAILBOX_RATE_LIMITED])
  assert.match(res.deposited[1]?.detail ?? '', /limit/)
  assert.deepEqual((await target.mailbox.store.ids(bob.id)).sort(), good.map(e => Buffer.from(e.id).toString('hex')).sort())
  assert.equal((await askMailbox(node, testConfig(root), target.node.peerId, { depositBatch: { envelopes: [] } }, { clock: systemClock })).status, MailboxStatus.MAILBOX_BAD_REQUEST, 'an empty batch')
})

test('a burst to an offline contact is sealed in groups, deposited in batches, and arrives whole; a flush sends what was queued', async (t) => {
  const root = await tempRoot(t)
  const net = await mailboxNetwork(t, root, 4, { overrides: { mailbox: { replicas: 3 } } })
  const overrides = { bootstrap: net.bootstrap, mailbox: { replicas: 3 } }
  const bob = await makeUser(t, root, 'bob', { overrides })
  await bob.client.publishBundles()
  await bob.stop()
  const alice = await makeUser(t, root, 'alice', { overrides })
  await alice.client.contactAdd('bob', bob.peerId)
  const batches = net.nodes.map(n => n.mailbox.metrics.deposits.stored)
  const N = 150
  const results = await alice.client.messenger.sendMany('bob', Array.from({ length: N }, (_, i) => `burst ${i}`))
  assert.equal(results.length, N)
  assert.ok(results.every(r => r.route === 'mailbox' && (r.replicas ?? 0) >= 1), JSON.stringify(results.find(r => r.route !== 'mailbox')))
  assert.equal((await alice.client.messenger.pending()).length, 0, 'the outbox is empty')
  assert.ok(net.nodes.reduce((n, node, i) => n + node.mailbox.metrics.deposits.stored - (batches[i] ?? 0), 0) >= N * 3, 'each message at k replicas')

  // queued while no route worked, then flushed in groups
  const routes = alice.client.messenger.routes
  alice.client.messenger.useRoutes([])
  const queued = await alice.client.messenger.sendMany('bob', ['queued 0', 'queued 1', 'queued 2'])
  assert.deepEqual(queued.map(r => r.route), ['outbox', 'outbox', 'outbox'])
  assert.equal((await alice.client.messenger.pending()).length, 3)
  alice.client.messenger.useRoutes(routes)
  assert.equal(await alice.client.messenger.flushOutbox(), 3)
  assert.equal((await alice.client.messenger.pending()).length, 0)

  await bob.restart({ bootstrap: net.bootstrap, mailbox: { replicas: 3 } })
  await bob.client.contactAdd('alice', alice.peerId) // a stranger's burst would meet the daily cap
  assert.equal((await bob.client.sync()).received, N + 3)
  const inbox = await bob.client.inbox()
  assert.deepEqual(inbox.map(m => m.text), [...Array.from({ length: N }, (_, i) => `burst ${i}`), 'queued 0', 'queued 1', 'queued 2'])
})
