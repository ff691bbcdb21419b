import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { pino } from 'pino'
import { SenderPolicy } from '../../../src/client/senders/index.js'
import { QUOTA_PREFIX, todaysCounts } from '../../../src/client/senders/stranger-quota.js'
import { ManualClock } from '../../../src/shared/clock.js'
import { Store } from '../../../src/shared/store.js'
import { tempRoot } from '../../helpers/users.js'

const DAY = 24 * 3600 * 1000

interface Bench { store: Store, policy: SenderPolicy, logs: Array<Record<string, unknown>>, contacts: Set<string>, blocked: Set<string>, reopen: () => Promise<void> }

/** A policy over a real store, with contacts and the block list as plain sets and the log captured. */
async function bench (t: TestContext, limits = { perStranger: 2, total: 3 }): Promise<Bench> {
  const path = join(await tempRoot(t), 'store')
  const logs: Array<Record<string, unknown>> = []
  const log = pino({ level: 'info' }, { write: (line: string) => { logs.push(JSON.parse(line) as Record<string, unknown>) } })
  const contacts = new Set<string>()
  const blocked = new Set<string>()
  const make = (store: Store): SenderPolicy => new SenderPolicy({ limits }, {
    contacts: { byPeerId: async p => contacts.has(p) ? { name: p, peerId: p, addresses: [], addedAt: 0 } : undefined, isBlocked: async p => blocked.has(p) },
    store,
    log
  })
  const b: Bench = { store: await Store.open(path), policy: undefined as unknown as SenderPolicy, logs, contacts, blocked, reopen: async () => {} }
  b.policy = make(b.store)
  b.reopen = async () => { await b.store.close(); b.store = await Store.open(path); b.policy = make(b.store) }
  t.after(async () => { await b.store.close() })
  return b
}

/** Ask the policy about one message, in its own committed transaction (as the messenger does). */
async function admits (b: Bench, sender: string, now: number, id = 'id'): Promise<boolean> {
  const tx = b.store.transaction()
  const ok = await b.policy.admits(tx, sender, id, now)
  await tx.commit()
  return ok
}

async function quotaKeys (store: Store): Promise<string[]> {
  const keys: string[] = []
  for await (const k of store.listKeys(QUOTA_PREFIX)) keys.push(k)
  return keys
}

test('strangers: N a day each and M in total; contacts never capped; the counts survive a restart', async (t) => {
  const b = await bench(t)
  const clock = new ManualClock(Date.UTC(2026, 11, 1, 10))
  b.contacts.add('alice')
  const first: boolean[] = []
  for (let i = 0; i < 3; i++) first.push(await admits(b, 'mallory', clock.now())) // one at a time, as under the messenger's lock
  assert.deepEqual(first, [true, true, false])
  await b.reopen()
  assert.equal(await admits(b, 'mallory', clock.now()), false, 'still over the cap after a restart')
  assert.equal(await admits(b, 'eve', clock.now()), true, 'the third stranger message of the day')
  assert.equal(await admits(b, 'trudy', clock.now()), false, 'the total is reached')
  for (let i = 0; i < 50; i++) assert.equal(await admits(b, 'alice', clock.now()), true)
  assert.deepEqual(await todaysCounts(b.store.transaction(), clock.now()), { blocked: 0, strangerCap: 3, strangersAdmitted: 3 })
  const dropped = b.logs.filter(l => l.reason === 'stranger-cap')
  assert.equal(dropped.length, 3)
  assert.deepEqual(Object.keys(dropped[0] ?? {}).filter(k => !['level', 'time', 'pid', 'hostname', 'msg', 'component'].includes(k)).sort(), ['droppedToday', 'id', 'peer', 'reason'], 'who, which envelope and why; never the text')
  assert.equal(dropped[0]?.level, 30, 'info')

  clock.advance(DAY)
  assert.equal(await admits(b, 'mallory', clock.now()), true, 'a new day, a new allowance')
})

test('a blocked peer is dropped, contact or not, and counted', async (t) => {
  const b = await bench(t)
  const now = Date.UTC(2026, 11, 1, 10)
  b.contacts.add('alice')
  b.blocked.add('alice')
  b.blocked.add('mallory')
  assert.equal(await admits(b, 'alice', now), false)
  assert.equal(await admits(b, 'mallory', now), false)
  assert.deepEqual(await todaysCounts(b.store.transaction(), now), { blocked: 2, strangerCap: 0, strangersAdmitted: 0 })
  assert.deepEqual(b.logs.map(l => [l.peer, l.reason, l.msg]), [['alice', 'blocked', 'message from a blocked peer dropped'], ['mallory', 'blocked', 'message from a blocked peer dropped']])
})

test('the counters stay small under a flood of strangers, and earlier days are deleted', async (t) => {
  const b = await bench(t, { perStranger: 2, total: 5 })
  const clock = new ManualClock(Date.UTC(2026, 11, 1, 23))
  for (let i = 0; i < 300; i++) await admits(b, `stranger-${i}`, clock.now())
  const day1 = await quotaKeys(b.store)
  assert.ok(day1.length <= 5 + 3, `one key per admitted stranger and three more: ${day1.length}`)
  clock.advance(2 * 3600 * 1000) // past midnight
  await admits(b, 'stranger-0', clock.now())
  const day2 = await quotaKeys(b.store)
  assert.ok(day2.every(k => k.startsWith(`${QUOTA_PREFIX}2026-12-02/`)), day2.join(' '))
})
