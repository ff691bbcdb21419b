import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { mailboxNetwork, type MailboxNet } from '../helpers/network.js'
import { makeUser, tempRoot, type TestUser } from '../helpers/users.js'

/** Peak growth of this process's memory while `work` runs, sampled every 100 ms (MiB). */
async function peakGrowth<T> (work: Promise<T>): Promise<{ result: T, rss: number, external: number, arrayBuffers: number }> {
  const base = process.memoryUsage()
  const peak = { rss: 0, external: 0, arrayBuffers: 0 }
  const sample = (): void => {
    const m = process.memoryUsage()
    peak.rss = Math.max(peak.rss, m.rss - base.rss)
    peak.external = Math.max(peak.external, m.external - base.external)
    peak.arrayBuffers = Math.max(peak.arrayBuffers, m.arrayBuffers - base.arrayBuffers)
  }
  const timer = setInterval(sample, 100)
  try {
    const result = await work
    sample()
    const mib = (n: number): number => Math.round(n / 2 ** 20)
    return { result, rss: mib(peak.rss), external: mib(peak.external), arrayBuffers: mib(peak.arrayBuffers) }
  } finally {
    clearInterval(timer)
  }
}

/** Bob away with four messages from Alice at his replicas (6 mailbox nodes, a handover round run). */
async function awayWithFour (t: TestContext): Promise<{ net: MailboxNet, bob: TestUser }> {
  const root = await tempRoot(t)
  const net = await mailboxNetwork(t, root, 6)
  const bob = await makeUser(t, root, 'bob', { overrides: { bootstrap: net.bootstrap } })
  await bob.client.publishBundles()
  await bob.stop()
  const alice = await makeUser(t, root, 'alice', { overrides: { bootstrap: net.bootstrap } })
  await alice.client.contactAdd('bob', bob.peerId)
  for (let i = 0; i < 4; i++) assert.equal((await alice.client.send('bob', `m${i}`)).route, 'mailbox')
  await net.handoverRound()
  return { net, bob }
}

test('a replica that resets every ack is listed a bounded number of times, and B\'s sync returns', async (t) => {
  const { net, bob } = await awayWithFour(t)
  const resetter = net.nodes.find(n => n.mailbox.store.usageOf(bob.peerId).count > 0)
  assert.ok(resetter !== undefined, 'a replica holds the mail')
  // it lists and serves bodies as any replica does, but resets the stream of every ack (what a
  // connection cut at that moment looks like to B): nothing B does there ever completes, and each
  // new attempt finds every listed id in B's inbox already
  let listings = 0
  const list = resetter.mailbox.store.fetch.bind(resetter.mailbox.store)
  resetter.mailbox.store.fetch = async (...args) => { listings++; return list(...args) }
  resetter.mailbox.store.ack = async () => { throw Object.assign(new Error('stream reset'), { name: 'AbortError' }) }

  await bob.restart({ bootstrap: net.bootstrap, delivery: { collectGraceMs: 2000 } })
  const started = Date.now()
  let timer: NodeJS.Timeout | undefined
  const cut = new Promise<'hostage'>(resolve => { timer = setTimeout(() => { resolve('hostage') }, 60_000) })
  const { result, rss, external, arrayBuffers } = await peakGrowth(Promise.race([bob.client.sync(), cut]))
  clearTimeout(timer)
  const after = Date.now() - started
  t.diagnostic(`sync ${result === 'hostage' ? 'still running' : 'returned'} after ${after} ms; ${listings} listings at the resetting replica; peak growth rss ${rss} MiB, external ${external} MiB, arrayBuffers ${arrayBuffers} MiB`)
  if (result === 'hostage') await bob.stop() // ends the collection (and the loop) before the nodes stop
  assert.notEqual(result, 'hostage', `sync still running after ${after} ms (${listings} listings at the resetting replica)`)
  assert.deepEqual((await bob.client.inbox()).map(m => m.text), ['m0', 'm1', 'm2', 'm3'])
  // usually 1: the acks go on in the sync's tail, and a failed one fails no attempt (before, four:
  // one attempt that got the mail in, then three that moved nothing forward). The bound is the
  // collector's own: each attempt adds an id, or is one of at most three fruitless ones in a row,
  // so 3 × (4 ids + 1) whatever a loaded machine's timeouts add (without it: ~1,900 a minute)
  assert.ok(listings <= 15, `${listings} listings at the resetting replica`)
})

test('a replica that holds back its answer to every ack does not hold up the sync: the mail is in the inbox, and deleted there once the ack is answered', async (t) => {
  const { net, bob } = await awayWithFour(t)
  const holders = net.nodes.filter(n => n.mailbox.store.usageOf(bob.peerId).count > 0)
  assert.ok(holders.length > 0, 'a replica holds the mail')
  // every holder takes the ack (the tombstones are signed by Bob) but answers only when let go
  let letGo = (): void => {}
  const held = new Promise<void>(resolve => { letGo = resolve })
  let acks = 0
  for (const n of holders) {
    const ack = n.mailbox.store.ack.bind(n.mailbox.store)
    n.mailbox.store.ack = async (...args) => { acks++; await held; return ack(...args) }
  }
  t.after(letGo) // Bob's stop waits for the acks of his last sync
  // a request waits this long for an answer: the sync must not wait for the acks' answers at all
  await bob.restart({ bootstrap: net.bootstrap, delivery: { mailboxTimeoutMs: 120_000 } })
  let timer: NodeJS.Timeout | undefined
  const cut = new Promise<'hostage'>(resolve => { timer = setTimeout(() => { resolve('hostage') }, 60_000) })
  const result = await Promise.race([bob.client.sync(), cut])
  clearTimeout(timer)
  if (result === 'hostage') assert.fail('the sync waited for acks its replicas hold back')
  assert.equal(result.received, 4)
  assert.deepEqual((await bob.client.inbox()).map(m => m.text), ['m0', 'm1', 'm2', 'm3'])
  assert.ok(acks > 0, 'the acks were sent')
  assert.ok(holders.every(n => n.mailbox.store.usageOf(bob.peerId).count === 4), 'nothing is deleted before its ack is answered')
  letGo()
  await bob.client.syncSettled()
  assert.deepEqual(holders.map(n => n.mailbox.store.usageOf(bob.peerId).count), holders.map(() => 0), 'acknowledged mail deleted at every holder')
})
