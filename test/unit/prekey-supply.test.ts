/** Unit: the prekey supply on a real store and real libsignal keys, time moved by hand. */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import test from 'node:test'
import { PreKeySupply } from '../../src/client/crypto/prekey-supply.js'
import { availablePreKeys } from '../../src/client/crypto/prekeys.js'
import { createIdentity } from '../../src/client/identity.js'
import { ManualClock } from '../../src/shared/clock.js'
import { resolveConfig } from '../../src/shared/config.js'
import { silentLogger } from '../../src/shared/logger.js'
import { Mutex } from '../../src/shared/mutex.js'
import { Store } from '../../src/shared/store.js'

const DAY = 86_400_000

async function supply (t: import('node:test').TestContext) {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-unit-prekeys-'))
  const config = resolveConfig([{ dataDir: dir, delivery: { oneTimePreKeys: 6, oneTimeKyberPreKeys: 2 } }])
  const store = await Store.open(join(dir, 'store'))
  t.after(async () => { await store.close(); await rm(dir, { recursive: true, force: true }) })
  const clock = new ManualClock(Date.UTC(2026, 0, 1), { timers: 'manual' })
  const identity = await createIdentity(dir, store, config, clock.now())
  return { store, clock, supply: new PreKeySupply({ store, identity, clock, log: silentLogger(), lock: new Mutex() }, { delivery: config.delivery }) }
}

test('each one-time prekey is handed out once, and the supply is topped up below half', async (t) => {
  const s = await supply(t)
  const seen = new Set<number>()
  for (let i = 0; i < 10; i++) {
    const bundle = await s.supply.share({ preKeys: 1, kyberPreKeys: 1 })
    assert.equal(bundle.preKeys.length, 1)
    const id = bundle.preKeys[0]?.id as number
    assert.ok(!seen.has(id), `prekey ${id} handed out twice`)
    seen.add(id)
  }
  const left = await availablePreKeys(s.store.transaction())
  assert.ok(left.preKeys >= 3, `supply topped up (${left.preKeys} left)`)
})

test('the signed prekey rotates once it is due, not before', async (t) => {
  const s = await supply(t)
  assert.equal(await s.supply.rotateIfDue(), false)
  const before = (await s.supply.share({ preKeys: 0, kyberPreKeys: 0 })).signedPreKey?.id
  s.clock.advance(7 * DAY - 1)
  assert.equal(await s.supply.rotateIfDue(), false)
  s.clock.advance(1)
  assert.equal(await s.supply.rotateIfDue(), true)
  const after = (await s.supply.share({ preKeys: 0, kyberPreKeys: 0 })).signedPreKey?.id
  assert.notEqual(after, before)
})
