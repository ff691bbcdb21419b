import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { mailboxNetwork, type MailboxNet } from '../helpers/network.js'
import { makeUser, tempRoot, type TestUser } from '../helpers/users.js'

/**
 * Bob, offline, with `n` messages from alice waiting at his replicas (k = 3 of 4 nodes, a handover
 * pass run); then back online with pages of 4, alice a contact (a contact's mail gets delivery receipts).
 */
async function awayWithMail (t: TestContext, n: number): Promise<{ net: MailboxNet, bob: TestUser }> {
  const root = await tempRoot(t)
  const net = await mailboxNetwork(t, root, 4)
  const bob = await makeUser(t, root, 'bob', { overrides: { bootstrap: net.bootstrap, mailbox: { replicas: 3 } } })
  await bob.client.publishBundles()
  await bob.stop()
  const alice = await makeUser(t, root, 'alice', { overrides: { bootstrap: net.bootstrap, mailbox: { replicas: 3 } } })
  await alice.client.contactAdd('bob', bob.peerId)
  const sent = await alice.client.messenger.sendMany('bob', Array.from({ length: n }, (_, i) => `m${i}`))
  assert.ok(sent.every(r => r.route === 'mailbox'))
  await net.handoverRound({ atOnce: true })
  await bob.restart({ bootstrap: net.bootstrap, mailbox: { replicas: 3, pageSize: 4 } })
  await bob.client.contactAdd('alice', alice.peerId)
  return { net, bob }
}

/** Resolves once `check` holds, polled every 50 ms; throws after `ms` (a generous bound, not a timing). */
async function until (check: () => boolean, ms: number, what: () => string): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what()}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

// The collect's serial part is opening pages under the messenger's lock; the network must keep it
// fed. A page that is on disk but still queueing its delivery receipts (which take the lock again,
// behind whatever waits for it) must not stop the pages after it from being fetched: before, each
// replica's two pages in flight were freed only once their receipts were queued, so the lock sat
// idle while the next pages' bodies were fetched (docs/BENCHMARKS.md, session 13).
test('a page queueing its receipts does not hold up the fetch of the pages after it; every message arrives once', async (t) => {
  const N = 24
  const { bob } = await awayWithMail(t, N) // pages of 4: six at each replica
  const messenger = bob.client.messenger
  let pages = 0
  const receiveMany = messenger.receiver.receiveMany.bind(messenger.receiver)
  messenger.receiver.receiveMany = async (...args) => { pages++; return receiveMany(...args) }
  // when the first page on disk queues its receipts, someone else has just taken the lock (a send,
  // a group's gossip): those receipts wait, and so do the opens of the pages behind it
  let release: () => void = () => {}
  const gate = new Promise<void>(resolve => { release = resolve })
  let held: Promise<unknown> | undefined
  const queueEach = messenger.sender.queueEach.bind(messenger.sender)
  messenger.sender.queueEach = async (peers, bodyFor, options = {}) => {
    if (options.receipt === true) held ??= messenger.receiveWith(async () => { await gate; return [] })
    return queueEach(peers, bodyFor, options)
  }
  const sync = bob.client.sync()
  // the pages after it are still fetched and handed over to be opened (they wait for the lock)
  const fetchedAhead = await until(() => pages >= 4, 60_000, () => `more pages fetched while the first page's receipts wait (${pages} so far)`).catch((err: unknown) => err)
  release()
  await held
  await sync
  if (fetchedAhead !== undefined) throw fetchedAhead
  const inbox = await bob.client.inbox()
  assert.deepEqual(inbox.map(m => m.text).sort(), Array.from({ length: N }, (_, i) => `m${i}`).sort())
  assert.equal(new Set(inbox.map(m => m.id)).size, N, 'each message shown once')
})

// A page counts as taken once it is on disk: its claims settle, its ack goes out and the pages
// after it come, while the delivery receipts it queues are still waiting (for the messenger's lock,
// behind the pages opened after it). Before, a replica's loop kept its six pages in flight until
// their receipts were queued, so the lock sat idle between the sixth page and the seventh
// (docs/DECISIONS.md, session 21). The sync itself still returns only once every receipt is queued.
test('pages are acknowledged and the later ones opened while the first pages\' receipts are still being queued', async (t) => {
  const N = 40
  const { net, bob } = await awayWithMail(t, N) // pages of 4: ten at each replica, more than a loop keeps in flight
  const messenger = bob.client.messenger
  // every receipt waits here (outside the lock) until released
  let release: () => void = () => {}
  const gate = new Promise<void>(resolve => { release = resolve })
  let waiting = 0
  const queueEach = messenger.sender.queueEach.bind(messenger.sender)
  messenger.sender.queueEach = async (peers, bodyFor, options = {}) => {
    if (options.receipt === true) { waiting++; await gate }
    return queueEach(peers, bodyFor, options)
  }
  let returned = false
  const sync = bob.client.sync().finally(() => { returned = true })
  const held = (): number[] => net.held(bob.peerId)
  const inbox = async (): Promise<number> => (await bob.client.inbox()).length
  let shown = 0
  const taken = await until(() => { void inbox().then(n => { shown = n }); return shown === N && held().every(c => c === 0) }, 30_000, () => `every page on disk and acknowledged while receipts wait (${shown} of ${N} in the inbox, replicas hold ${held().join(',')}, ${waiting} receipt batches waiting)`).catch((err: unknown) => err)
  const early = returned
  release()
  const result = await sync
  if (taken !== undefined) throw taken
  assert.equal(early, false, 'the sync waits for its receipts to be queued')
  // (a replica may also push some of the waiting mail to bob once he is online: not counted as the sync's)
  assert.ok(result.received <= N)
  const messages = await bob.client.inbox()
  assert.deepEqual(messages.map(m => m.text).sort(), Array.from({ length: N }, (_, i) => `m${i}`).sort())
  assert.equal(new Set(messages.map(m => m.id)).size, N, 'each message shown once')
  assert.ok(waiting > 0, 'the pages queued delivery receipts')
})

// A listing of what waits is one round trip per replica, not one per 256 ids (session 21); a node
// that predates that answers 256 ids at most, with `more`, and is listed on from there.
test('a replica lists 300 waiting ids in one answer; one that answers 256 at most is listed on; every message arrives once', async (t) => {
  const root = await tempRoot(t)
  // a burst of 300 from one sender would meet the per-sender deposit budget: raised here
  const net = await mailboxNetwork(t, root, 4, { overrides: { mailbox: { depositsPerMinute: 100_000, depositBurst: 100_000 } } })
  const bob = await makeUser(t, root, 'bob', { overrides: { bootstrap: net.bootstrap, mailbox: { replicas: 3 } } })
  const alice = await makeUser(t, root, 'alice', { overrides: { bootstrap: net.bootstrap, mailbox: { replicas: 3 } } })
  await bob.client.contactAdd('alice', alice.peerId) // a stranger's burst would meet the daily cap
  await bob.client.publishBundles()
  await bob.stop()
  await alice.client.contactAdd('bob', bob.peerId)
  const N = 300
  const sent = await alice.client.messenger.sendMany('bob', Array.from({ length: N }, (_, i) => `m${i}`))
  assert.ok(sent.every(r => r.route === 'mailbox'))
  await net.handoverRound({ atOnce: true })
  const held = net.held(bob.peerId)
  const holders = net.nodes.filter((_, i) => held[i] === N)
  assert.ok(holders.length >= 2, `at least two replicas hold every message (${held.join(',')})`)
  // listings (ids-only fetches) each node answers; the first holder answers as an older node would
  const listings = net.nodes.map(() => 0)
  net.nodes.forEach((n, i) => {
    const fetch = n.mailbox.store.fetch.bind(n.mailbox.store)
    n.mailbox.store.fetch = async (r, after, limit, now, options = {}) => {
      if (options.idsOnly === true) listings[i]++
      return fetch(r, after, n === holders[0] ? Math.min(limit, 256) : limit, now, options)
    }
  })
  await bob.restart({ bootstrap: net.bootstrap, mailbox: { replicas: 3 } })
  const r = await bob.client.sync()
  const messages = await bob.client.inbox()
  assert.deepEqual(messages.map(m => m.text).sort(), Array.from({ length: N }, (_, i) => `m${i}`).sort())
  assert.equal(new Set(messages.map(m => m.id)).size, N, 'each message shown once')
  const listed = (n: typeof net.nodes[number]): number => listings[net.nodes.indexOf(n)] ?? 0
  assert.equal(listed(holders[0] as typeof net.nodes[number]), 2, 'the older node: 256 ids, then the rest')
  // (the CI at 2e5edf0 once saw 0 here with every message received: which replica the sync missed, and why, is what the message says)
  for (const n of holders.slice(1)) assert.equal(listed(n), 1, `one listing answer for 300 ids (listings per node ${listings.join(',')}; the sync found ${r.mailboxes.found} mailboxes, collected from ${r.mailboxes.collected})`)
})
