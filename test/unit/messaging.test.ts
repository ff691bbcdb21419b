/**
 * Unit: the Sender's send policy and the Receiver's refusals, two messengers on real stores with
 * real libsignal keys, joined by stub routes instead of a network; time moved by hand.
 * (The loopback suites test the same parts over real libp2p: test/client/messaging.test.ts.)
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import test, { type TestContext } from 'node:test'
import type { PeerId } from '@libp2p/interface'
import { SenderCertificate, SessionRecord } from '@signalapp/libsignal-client'
import { Envelope } from '../../proto/cairn.js'
import { Contacts } from '../../src/client/contacts.js'
import type { DeliveryResult, DeliveryRoute } from '../../src/client/delivery.js'
import { createIdentity, loadIdentity } from '../../src/client/identity.js'
import { Messenger, RejectedEnvelopeError } from '../../src/client/messenger.js'
import { ManualClock } from '../../src/shared/clock.js'
import { resolveConfig, type CairnConfig } from '../../src/shared/config.js'
import { envelopeId } from '../../src/shared/envelope-id.js'
import { CairnError } from '../../src/shared/errors.js'
import { silentLogger } from '../../src/shared/logger.js'
import { Store } from '../../src/shared/store.js'

const DAY = 86_400_000

interface Party { name: string, dir: string, store: Store, messenger: Messenger, peerId: string, clock: ManualClock, config: CairnConfig }

async function party (t: TestContext, root: string, name: string, overrides: Partial<CairnConfig['delivery']> = {}): Promise<Party> {
  const dir = join(root, name)
  const config = resolveConfig([{ dataDir: dir, delivery: { oneTimePreKeys: 4, oneTimeKyberPreKeys: 2, ...overrides } }])
  const store = await Store.open(join(dir, 'store'))
  t.after(async () => { await store.close() })
  // starts at the real time: libsignal's encrypt reads the system clock itself (a session whose
  // start is over 30 days from it is "not found"), so simulated time stays near real time
  const clock = new ManualClock(Date.now(), { timers: 'manual' })
  const identity = await createIdentity(dir, store, config, clock.now())
  const messenger = new Messenger({ identity, store, contacts: new Contacts(store), config, clock, log: silentLogger() })
  return { name, dir, store, messenger, peerId: identity.peerId.toString(), clock, config }
}

/** alice knows bob as a contact; bob takes anyone's mail (no sender gate). */
async function pair (t: TestContext, overrides: Partial<CairnConfig['delivery']> = {}): Promise<{ alice: Party, bob: Party }> {
  const root = await mkdtemp(join(tmpdir(), 'cairn-unit-messaging-'))
  t.after(async () => { await rm(root, { recursive: true, force: true }) })
  const [alice, bob] = await Promise.all([party(t, root, 'alice', overrides), party(t, root, 'bob')])
  await new Contacts(alice.store).add('bob', bob.peerId, [], alice.clock.now())
  return { alice, bob }
}

/** A route that records what it was asked and answers as told; `to` (if any) receives what it delivers. */
function stubRoute (name: 'direct' | 'mailbox', answer: (e: Envelope) => Promise<DeliveryResult>, bundles?: Party): DeliveryRoute & { delivered: Envelope[], asked: number, bundlesTaken: number } {
  const route = {
    name,
    delivered: [] as Envelope[],
    asked: 0,
    bundlesTaken: 0,
    deliver: async (e: Envelope, _to: PeerId): Promise<DeliveryResult> => {
      route.asked++
      const result = await answer(e)
      if (result.ok) route.delivered.push(Envelope.decode(Envelope.encode(e)))
      return result
    },
    takeBundle: async () => {
      if (bundles === undefined) return undefined
      route.bundlesTaken++
      return bundles.messenger.bundleForSender()
    }
  }
  return route
}

const offline = async (): Promise<DeliveryResult> => ({ ok: false, code: 'offline', error: 'stub: offline' })
/** Delivers into `to`'s receiver, as a direct route would: ok only once it is on disk there. */
const into = (to: Party) => async (e: Envelope): Promise<DeliveryResult> => { await to.messenger.receive(e, 'direct'); return { ok: true } }
const texts = async (p: Party): Promise<string[]> => (await p.messenger.inbox()).map(m => m.text)

test('a send goes by the first route that delivers; a route that fails passes it to the next', async (t) => {
  const { alice, bob } = await pair(t)
  const direct = stubRoute('direct', offline, bob)
  const mailbox = stubRoute('mailbox', into(bob), bob)
  alice.messenger.useRoutes([direct, mailbox])
  const result = await alice.messenger.send('bob', 'hello bob')
  assert.equal(result.route, 'mailbox')
  assert.equal(direct.asked, 1, 'the direct route was tried first')
  assert.equal(mailbox.delivered.length, 1)
  assert.deepEqual(await texts(bob), ['hello bob'])
  assert.deepEqual(await alice.messenger.pending(), [], 'nothing left in the outbox')

  // with the direct route working again, it is the one used, and the mailbox is not asked
  const direct2 = stubRoute('direct', into(bob), bob)
  alice.messenger.useRoutes([direct2, mailbox])
  assert.equal((await alice.messenger.send('bob', 'second')).route, 'direct')
  assert.equal(mailbox.asked, 1)
  assert.deepEqual((await texts(bob)).sort(), ['hello bob', 'second'])
})

test('when no route delivers, the message waits in the outbox on disk, and a later flush delivers it once', async (t) => {
  const { alice, bob } = await pair(t)
  alice.messenger.useRoutes([stubRoute('direct', offline, bob), stubRoute('mailbox', async () => ({ ok: false, code: 'not-stored', error: 'stub: refused' }), bob)])
  const result = await alice.messenger.send('bob', 'wait for me')
  assert.equal(result.route, 'outbox')
  const pending = await alice.messenger.pending()
  assert.equal(pending.length, 1)
  assert.equal(pending[0]?.id, result.id)

  // the outbox is on disk: a messenger opened afresh on the same store sees it
  await alice.store.close()
  const reopened = await Store.open(join(alice.dir, 'store'))
  t.after(async () => { await reopened.close() })
  const again = new Messenger({ identity: await loadIdentity(alice.dir, reopened), store: reopened, contacts: new Contacts(reopened), config: alice.config, clock: alice.clock, log: silentLogger() })
  assert.deepEqual((await again.pending()).map(e => e.id), [result.id])

  const mailbox = stubRoute('mailbox', into(bob), bob)
  again.useRoutes([mailbox])
  assert.equal(await again.flushOutbox(), 1)
  assert.equal(await again.flushOutbox(), 0, 'a second flush has nothing to send')
  assert.deepEqual(await again.pending(), [])
  assert.equal(mailbox.delivered.length, 1)
  assert.deepEqual(await texts(bob), ['wait for me'])
})

test('bad input to send is a typed error and queues nothing: too large, an unknown contact', async (t) => {
  const { alice, bob } = await pair(t)
  const route = stubRoute('direct', into(bob), bob)
  alice.messenger.useRoutes([route])
  const tooLarge = 'x'.repeat(alice.config.limits.textBytes + 1)
  await assert.rejects(alice.messenger.send('bob', tooLarge), (err: unknown) => err instanceof CairnError && err.code === 'MESSAGE_TOO_LARGE' && err.exitCode === 2)
  await assert.rejects(alice.messenger.send('carol', 'hi'), (err: unknown) => err instanceof CairnError && err.code === 'UNKNOWN_CONTACT')
  assert.equal(route.asked, 0, 'no route was asked')
  assert.equal(route.bundlesTaken, 0, 'no bundle was taken')
  assert.deepEqual(await alice.messenger.pending(), [])
  // exactly at the limit is fine
  assert.equal((await alice.messenger.send('bob', 'x'.repeat(alice.config.limits.textBytes))).route, 'direct')
})

test('past delivery.maxMessagesPerSession the sender starts a fresh session from a new bundle, and everything still opens', async (t) => {
  const { alice, bob } = await pair(t, { maxMessagesPerSession: 3 })
  const held = stubRoute('mailbox', async () => ({ ok: true, replicas: 3 }), bob)
  alice.messenger.useRoutes([held])
  for (let i = 0; i < 7; i++) await alice.messenger.send('bob', `m${i}`)
  assert.equal(held.bundlesTaken, 3, 'sessions start at messages 1, 4 and 7')
  // opened newest first, as a replica might hand them over
  for (const e of [...held.delivered].reverse()) assert.equal(await bob.messenger.receive(e, 'mailbox'), 'stored')
  assert.deepEqual((await texts(bob)).sort(), ['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6'])
})

/** Envelopes alice sealed for bob, captured on their way (nothing delivered yet). */
async function sealedForBob (t: TestContext, n: number, overrides: Partial<CairnConfig['delivery']> = {}): Promise<{ alice: Party, bob: Party, envelopes: Envelope[] }> {
  const { alice, bob } = await pair(t, overrides)
  const capture = stubRoute('mailbox', async () => ({ ok: true, replicas: 3 }), bob)
  alice.messenger.useRoutes([capture])
  for (let i = 0; i < n; i++) await alice.messenger.send('bob', `sealed ${i}`)
  return { alice, bob, envelopes: capture.delivered }
}

const rejected = (reason: RejectedEnvelopeError['reason']) => (err: unknown): boolean => {
  assert.ok(err instanceof RejectedEnvelopeError, `a RejectedEnvelopeError, not ${String(err)}`)
  assert.equal(err.reason, reason)
  return true
}

test('the receiver shows an envelope once however often it comes, by any route', async (t) => {
  const { bob, envelopes: [e] } = await sealedForBob(t, 1)
  assert.ok(e !== undefined)
  assert.equal(await bob.messenger.receive(e, 'direct'), 'stored')
  assert.equal(await bob.messenger.receive(e, 'direct'), 'duplicate')
  assert.equal(await bob.messenger.receive(e, 'mailbox'), 'duplicate')
  const [again] = await bob.messenger.receiveMany([e, e], 'mailbox')
  assert.equal(again, 'duplicate')
  assert.deepEqual(await texts(bob), ['sealed 0'])
})

test('the receiver refuses what is tampered with, too large, for someone else or expired, and shows nothing of it', async (t) => {
  const { alice, bob, envelopes } = await sealedForBob(t, 4)
  const [a, b, c, d] = envelopes as [Envelope, Envelope, Envelope, Envelope]

  // a flipped byte in the sealed body: the id no longer names it
  const flipped = { ...a, sealed: Uint8Array.from(a.sealed) }
  flipped.sealed[flipped.sealed.length - 10] ^= 1
  await assert.rejects(bob.messenger.receive(flipped, 'mailbox'), rejected('bad-request'))

  // a body swapped in under its own (matching) id, sealed for bob by no one: does not open
  const forged = { ...b, sealed: Uint8Array.from(b.sealed).reverse() }
  forged.id = envelopeId(forged)
  await assert.rejects(bob.messenger.receive(forged, 'mailbox'), rejected('undecryptable'))

  await assert.rejects(bob.messenger.receive({ ...c, sealed: new Uint8Array(bob.config.limits.envelopeBytes + 1) }, 'mailbox'), rejected('too-large'))
  // alice is not the recipient of what she sealed for bob
  await assert.rejects(alice.messenger.receive(c, 'direct'), rejected('wrong-recipient'))

  assert.deepEqual(await texts(bob), [], 'nothing shown')
  // none of it was taken for seen: the genuine envelopes still open
  assert.equal(await bob.messenger.receive(a, 'mailbox'), 'stored')
  assert.equal(await bob.messenger.receive(b, 'mailbox'), 'stored')
  assert.equal(await bob.messenger.receive(c, 'mailbox'), 'stored')

  // past the sender's TTL (14 days) a genuine envelope is refused too
  bob.clock.advance(15 * DAY)
  await assert.rejects(bob.messenger.receive(d, 'mailbox'), rejected('expired'))
  assert.deepEqual((await texts(bob)).sort(), ['sealed 0', 'sealed 1', 'sealed 2'])
})

test('a page of one sender\'s mail parses the session record once, and what it commits opens the next message', async (t) => {
  const { bob, envelopes } = await sealedForBob(t, 8)
  // the first starts bob's session, which is on disk from then on
  assert.equal(await bob.messenger.receive(envelopes[0] as Envelope, 'mailbox'), 'stored')
  const page = envelopes.slice(1, 7)
  // a body nobody sealed (refused before any ratchet step) and a repeat, amid the page
  const forged = { ...(page[2] as Envelope), sealed: Uint8Array.from((page[2] as Envelope).sealed).reverse() }
  forged.id = envelopeId(forged)
  const parses = t.mock.method(SessionRecord, 'deserialize')
  const statuses = await bob.messenger.receiveMany([...page.slice(0, 3), forged, page[1] as Envelope, ...page.slice(3)], 'mailbox')
  assert.deepEqual(statuses.map(s => s instanceof RejectedEnvelopeError ? s.reason : s), ['stored', 'stored', 'stored', 'undecryptable', 'duplicate', 'stored', 'stored', 'stored'])
  assert.equal(parses.mock.callCount(), 1, 'each message after the first reads back the record the one before saved')
  // the record on disk is the one the page's last message left: the next opens from it
  assert.equal(await bob.messenger.receive(envelopes[7] as Envelope, 'mailbox'), 'stored')
  assert.deepEqual((await texts(bob)).sort(), Array.from({ length: 8 }, (_, i) => `sealed ${i}`))
})

test('a sender certificate\'s signatures are checked once, and a checked certificate is still refused once it has expired', async (t) => {
  // alice's envelopes outlive her certificate (60 days): only the certificate's expiry can refuse the last
  const { bob, envelopes } = await sealedForBob(t, 4, { ttlMs: 100 * DAY })
  const checks = t.mock.method(SenderCertificate.prototype, 'validate')
  assert.deepEqual(await bob.messenger.receiveMany(envelopes.slice(0, 3), 'mailbox'), ['stored', 'stored', 'stored'])
  assert.equal(checks.mock.callCount(), 1, 'one certificate, its signatures checked once')
  bob.clock.advance(61 * DAY)
  await assert.rejects(bob.messenger.receive(envelopes[3] as Envelope, 'mailbox'), rejected('undecryptable'))
  assert.deepEqual((await texts(bob)).sort(), ['sealed 0', 'sealed 1', 'sealed 2'], 'the expired one shows nothing')
})
