/**
 * The filter of ids a mailbox may hold (src/mailbox/held-filter.ts) only ever saves reads: an id
 * listed by the store or added after its write is never ruled out, also across a rebuild that
 * runs while ids are being added; and a deposit of a fresh id reads nothing, while a held or
 * tombstoned one (also after a restart) is still found a duplicate. A clean stop saves the
 * filter, so the next open lists nothing; a crash leaves none saved, and the open lists the ids.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test, type TestContext } from 'node:test'
import type { Envelope } from '../../proto/cairn.js'
import { HeldFilter } from '../../src/mailbox/held-filter.js'
import { signAck } from '../../src/shared/ack-signature.js'
import { Store } from '../../src/shared/store.js'
import { boundEnvelope } from '../helpers/envelopes.js'
import { openBox, recipient, type Box, type Recipient } from '../helpers/mailbox-box.js'

const id = (): string => randomBytes(16).toString('hex')
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/** A mailbox store with its filter built, a recipient, and fresh 300-byte envelopes for it. */
async function boxFor (t: TestContext): Promise<{ box: Box, now: number, bob: Recipient, env: () => Envelope }> {
  const box = await openBox(t)
  await box.mailbox.heldFilterBuilt
  const now = box.clock.now()
  const bob = await recipient()
  const env = (): Envelope => boundEnvelope({ recipient: bob.bytes, sealed: new Uint8Array(randomBytes(300)), createdAt: now, expiresAt: now + 3600_000 })
  return { box, now, bob, env }
}

test('no id written is ever ruled out: listed at the build, added later, or added while a rebuild reads the store', async () => {
  const listed = Array.from({ length: 1000 }, id)
  let held = [...listed]
  // the store's ids as a scan lists them; `gate.pause` holds a scan halfway, as a slow disk would
  const gate: { pause?: Promise<void> } = {}
  const filter = new HeldFilter(async function * () {
    const snapshot = [...held]
    for (const [n, i] of snapshot.entries()) {
      if (n === snapshot.length >> 1 && gate.pause !== undefined) await gate.pause
      yield i
    }
  })
  filter.build()
  await filter.built
  assert.ok(listed.every(i => filter.mayHold(i)), 'every id listed at the build')

  const added: string[] = []
  const add = (n: number): void => {
    for (let j = 0; j < n; j++) {
      const i = id()
      added.push(i)
      held.push(i) // the write is applied, then the id added
      filter.add(i)
    }
  }
  add(5000)
  assert.ok(added.every(i => filter.mayHold(i)), 'every id added after its write')

  // fill the filter to its capacity (65,536 ids): the next add starts a rebuild, held at its half
  let release = (): void => {}
  gate.pause = new Promise<void>(resolve => { release = resolve })
  held = [...listed] // the rest were acked and swept meanwhile
  const before = added.length
  for (let j = before; j < 65_536 - 1000; j++) { const i = id(); added.push(i); filter.add(i) }
  add(2000) // during the rebuild's scan: in neither its snapshot nor, yet, the store's list
  release()
  await new Promise(resolve => { setImmediate(resolve) })
  await new Promise(resolve => { setImmediate(resolve) })
  const during = added.slice(-2000)
  assert.ok(during.every(i => filter.mayHold(i)), 'ids added during the rebuild are in the new filter')
  assert.ok(listed.every(i => filter.mayHold(i)), 'and everything the store lists')

  // the rebuilt filter dropped the ids the store no longer holds, and rules out most fresh ids
  const dropped = added.slice(0, before).filter(i => filter.mayHold(i)).length
  assert.ok(dropped < before * 0.05, `${dropped} of ${before} swept ids still "maybe" after the rebuild`)
  const fresh = Array.from({ length: 10_000 }, id).filter(i => filter.mayHold(i)).length
  assert.ok(fresh < 500, `${fresh} of 10,000 fresh ids were a "maybe"`)
  assert.equal(filter.mayHold('not an id'), true, 'what it cannot read it does not rule out')
})

test('a fresh deposit reads nothing from the store; a held or tombstoned id is still a duplicate, also after a restart', async (t) => {
  const { box, now, bob, env } = await boxFor(t)
  const countReads = (): { reads: () => number } => {
    const store = (box.mailbox as unknown as { store: Store }).store
    const getMany = store.getMany.bind(store)
    let n = 0
    store.getMany = async (keys) => { n += keys.length; return getMany(keys) }
    return { reads: () => n }
  }
  let counter = countReads()
  const fresh = Array.from({ length: 50 }, env)
  const results = await Promise.all(fresh.map(async e => box.mailbox.deposit(e, now)))
  assert.ok(results.every(r => r === 'stored'))
  assert.equal(counter.reads(), 0, 'fresh ids: no read of what is held')

  const acked = fresh[0] as Envelope
  const held = fresh[1] as Envelope
  assert.deepEqual(await box.mailbox.ack(bob.id, [{ id: hex(acked.id), signature: await signAck(bob.key, bob.peer, acked.id) }], now), { removed: 1, refused: 0 })
  assert.equal(await box.mailbox.deposit(held, now), 'duplicate')
  assert.equal(await box.mailbox.deposit(acked, now), 'duplicate', 'a late copy of acked mail')

  await box.reopen()
  await box.mailbox.heldFilterBuilt
  counter = countReads()
  assert.equal(await box.mailbox.deposit(held, now), 'duplicate', 'held, after a restart')
  assert.equal(await box.mailbox.deposit(acked, now), 'duplicate', 'tombstoned, after a restart')
  assert.equal(await box.mailbox.deposit(env(), now), 'stored')
  assert.equal(counter.reads(), 4, 'only the two known ids were read (envelope and tombstone key each)')
  assert.deepEqual(box.mailbox.usageOf(bob.id), { count: 50, bytes: 50 * 300 })
})

test('a clean stop saves the filter: the next open lists nothing, and a crash after it lists the ids again', async (t) => {
  // every listing of keys, whichever store object makes it (reopen swaps them)
  let scans = 0
  const scanKeys = Store.prototype.scanKeys
  t.after(() => { Store.prototype.scanKeys = scanKeys })
  Store.prototype.scanKeys = function (this: Store, prefix: string) { scans++; return scanKeys.call(this, prefix) }

  const box = await openBox(t)
  await box.mailbox.heldFilterBuilt
  assert.equal(scans, 1, 'a new store is listed once')
  const now = box.clock.now()
  const bob = await recipient()
  const env = (): Envelope => boundEnvelope({ recipient: bob.bytes, sealed: new Uint8Array(randomBytes(300)), createdAt: now, expiresAt: now + 3600_000 })
  const sent = Array.from({ length: 20 }, env)
  for (const e of sent) assert.equal(await box.mailbox.deposit(e, now), 'stored')
  const acked = sent[0] as Envelope
  await box.mailbox.ack(bob.id, [{ id: hex(acked.id), signature: await signAck(bob.key, bob.peer, acked.id) }], now)

  // a clean stop: nothing is written after the filter is saved
  const stopping = box.mailbox
  await box.reopen({ clean: true })
  await assert.rejects(stopping.deposit(env(), now), /stopping/, 'a deposit after the stop is refused')
  const other = sent[1] as Envelope
  await assert.rejects(stopping.ack(bob.id, [{ id: hex(other.id), signature: await signAck(bob.key, bob.peer, other.id) }], now), /stopping/)
  await box.mailbox.heldFilterBuilt
  assert.equal(scans, 1, 'the saved filter was taken: nothing listed at the open after a clean stop')
  assert.equal(await box.mailbox.deposit(other, now), 'duplicate', 'held, known from the saved filter')
  assert.equal(await box.mailbox.deposit(acked, now), 'duplicate', 'tombstoned, known from the saved filter')

  // a crash now: the open removed the saved filter, so the next open lists the ids again, and
  // finds one written after the saved filter was taken (a stale filter would miss it: stored twice)
  const late = env()
  assert.equal(await box.mailbox.deposit(late, now), 'stored')
  await box.reopen()
  await box.mailbox.heldFilterBuilt
  assert.equal(scans, 2, 'listed again after a crash')
  assert.equal(await box.mailbox.deposit(late, now), 'duplicate', 'written after the open, found after the crash')
  assert.deepEqual(box.mailbox.usageOf(bob.id), { count: 20, bytes: 20 * 300 })
})

test('a mailbox store stopped and opened again in place takes deposits and acks again, with what it held still known', async (t) => {
  const { box, now, bob, env } = await boxFor(t)
  const before = env()
  assert.equal(await box.mailbox.deposit(before, now), 'stored')
  await box.mailbox.close()
  await assert.rejects(box.mailbox.deposit(env(), now), /stopping/)
  await box.mailbox.open() // the same object: Mailbox.start after Mailbox.stop
  await box.mailbox.heldFilterBuilt
  assert.equal(await box.mailbox.deposit(env(), now), 'stored', 'a deposit after the restart is taken')
  assert.equal(await box.mailbox.deposit(before, now), 'duplicate', 'what it held before the stop is still known')
  await box.mailbox.ack(bob.id, [{ id: hex(before.id), signature: await signAck(bob.key, bob.peer, before.id) }], now)
  assert.equal(await box.mailbox.deposit(before, now), 'duplicate', 'acked after the restart: tombstoned')
})
