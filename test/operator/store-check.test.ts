/**
 * Store upkeep: the format version record and its migration hook (in order, resumable, never a
 * downgrade), and `cairn mailbox --check` on a store MailboxStore really wrote — healthy as
 * written, and each kind of damage found and named when records are broken behind its back.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { CairnClient } from '../../src/client/client.js'
import { MailboxStore } from '../../src/mailbox/index.js'
import { checkStore, ensureStoreVersion, STORE_VERSION, STORE_VERSION_KEY, type Migration } from '../../src/mailbox/store-check.js'
import { signAck } from '../../src/shared/ack-signature.js'
import { paths } from '../../src/shared/data-dir.js'
import { silentLogger } from '../../src/shared/logger.js'
import { peerIdBytes } from '../../src/shared/peer-id.js'
import { Store } from '../../src/shared/store.js'
import { cairn } from '../helpers/cli.js'
import { tempRoot, testConfig } from '../helpers/users.js'
import { boundEnvelope } from '../helpers/envelopes.js'

const enc = new TextEncoder()
const rand = (n: number): Uint8Array<ArrayBuffer> => new Uint8Array(randomBytes(n))

async function openStore (t: TestContext, dir: string): Promise<Store> {
  const store = await Store.open(paths.store(dir))
  t.after(async () => { await store.close() })
  return store
}

test('the store version: recorded on a new store, migrations run in order and resume, a newer store is refused', async (t) => {
  const root = await tempRoot(t, 'cairn-op-store-')
  const store = await openStore(t, root)
  assert.deepEqual(await ensureStoreVersion(store), { from: 1, to: STORE_VERSION })
  assert.equal(new TextDecoder().decode(await store.get(STORE_VERSION_KEY)), String(STORE_VERSION))

  const ran: string[] = []
  let failOnce = true
  const migrations: Migration[] = [
    { from: 1, describe: 'one to two', run: async (s) => { ran.push('1>2'); await s.write([{ type: 'put', key: '/cairn/test/two', value: enc.encode('x') }]) } },
    { from: 2, describe: 'two to three', run: async () => { ran.push('2>3'); if (failOnce) { failOnce = false; throw new Error('power cut') } } }
  ]
  await assert.rejects(ensureStoreVersion(store, { migrations, target: 3 }), /power cut/)
  assert.equal(new TextDecoder().decode(await store.get(STORE_VERSION_KEY)), '2', 'the finished step is recorded')
  assert.deepEqual(await ensureStoreVersion(store, { migrations, target: 3 }), { from: 2, to: 3 })
  assert.deepEqual(ran, ['1>2', '2>3', '2>3'], 'the interrupted step runs again, the finished one does not')
  await assert.rejects(ensureStoreVersion(store, { migrations, target: 4 }), /no migration from store format version 3/)
  await assert.rejects(ensureStoreVersion(store, { target: 2 }), /newer than this cairn understands/)
})

test('a node refuses to start on a store from a newer cairn (exit 1, the data untouched)', async (t) => {
  const dataDir = await tempRoot(t, 'cairn-op-store-')
  const store = await Store.open(paths.store(dataDir))
  await store.write([{ type: 'put', key: STORE_VERSION_KEY, value: enc.encode(String(STORE_VERSION + 1)) }])
  await store.close()
  const run = await cairn(['mailbox', '--json', '--listen', '/ip4/127.0.0.1/tcp/0'], { env: { CAIRN_DATA_DIR: dataDir } })
  assert.equal(run.code, 1, run.stderr)
  assert.match(run.stderr, /format version 2, newer than this cairn understands/)
  assert.equal(run.stdout, '')
})

/** A store MailboxStore wrote: mail for two recipients, one ack (signed), one real bundle. */
async function populated (t: TestContext, dataDir: string): Promise<{ store: Store, bob: string, carol: string }> {
  const config = testConfig(dataDir)
  const store = await openStore(t, dataDir)
  await ensureStoreVersion(store)
  const mailbox = new MailboxStore({ store }, config)
  await mailbox.open()
  const bobKey = await generateKeyPair('Ed25519')
  const bob = peerIdFromPrivateKey(bobKey)
  const carol = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
  const now = Date.now()
  const ids: Uint8Array[] = []
  for (const to of [bob, bob, bob, carol]) {
    const env = boundEnvelope({ recipient: peerIdBytes(to), sealed: rand(200), createdAt: now, expiresAt: now + 3600_000 })
    ids.push(env.id)
    assert.equal(await mailbox.deposit(env, now), 'stored')
  }
  const acked = ids[0] as Uint8Array
  assert.equal((await mailbox.ack(bob.toString(), [{ id: Buffer.from(acked).toString('hex'), signature: await signAck(bobKey, bob, acked) }], now)).removed, 1)
  // a real bundle needs a real Signal identity
  const userConfig = testConfig(join(dataDir, 'bundle-owner'))
  await CairnClient.init(userConfig)
  const owner = await CairnClient.open({ config: userConfig, log: silentLogger(), network: false })
  t.after(async () => { await owner.stop() })
  await mailbox.putBundle(owner.identity.peerId.toString(), await owner.messenger.bundleShare({ preKeys: 2, kyberPreKeys: 1 }))
  return { store, bob: bob.toString(), carol: carol.toString() }
}

test('--check: a store as MailboxStore wrote it is healthy; each kind of damage is found and named', async (t) => {
  const dataDir = await tempRoot(t, 'cairn-op-store-')
  const { store, bob, carol } = await populated(t, dataDir)
  const healthy = await checkStore(store, Date.now())
  assert.equal(healthy.healthy, true, JSON.stringify(healthy.problems))
  assert.deepEqual({ envelopes: healthy.envelopes, bytes: healthy.bytes, recipients: healthy.recipients, tombstones: healthy.tombstones, bundles: healthy.bundles, version: healthy.version },
    { envelopes: 3, bytes: 600, recipients: 2, tombstones: 1, bundles: 1, version: STORE_VERSION })
  assert.equal(healthy.expiryEntries, 4, 'three envelopes and one tombstone are indexed')

  const P = '/cairn/mbx/'
  const envKeys: string[] = []
  for await (const key of store.listKeys(`${P}env/${bob}/`)) envKeys.push(key)
  const tombKey = (await (async () => { for await (const key of store.listKeys(`${P}tomb/`)) return key })()) as string
  const expOf = async (suffix: string): Promise<string> => { for await (const key of store.listKeys(`${P}exp/`)) if (key.includes(suffix)) return key; throw new Error('no such expiry entry') }
  const bundleKey = (await (async () => { for await (const key of store.listKeys(`${P}bundle/`)) return key })()) as string
  await store.write([
    { type: 'put', key: `${P}usage/${carol}`, value: enc.encode(JSON.stringify({ count: 5, bytes: 1000 })) }, // counter drift
    { type: 'del', key: await expOf(`${(envKeys[0] as string).split('/').at(-1) as string}/e`) }, // an envelope the sweep would never drop
    { type: 'put', key: `${P}exp/000000000000001/${bob}/${'ab'.repeat(16)}/e`, value: new Uint8Array() }, // dangling index entry
    // an envelope that does not decode: an endless varint (40 random bytes once decoded, as a record for no one)
    { type: 'put', key: envKeys[1] as string, value: new Uint8Array(40).fill(0xff) },
    { type: 'put', key: tombKey, value: enc.encode(JSON.stringify({ expiresAt: 1, signature: '00'.repeat(64) })) }, // forged, and off its index
    { type: 'put', key: `${P}bundle/${bob}`, value: (await store.get(bundleKey)) as Uint8Array } // someone else's bundle under bob
  ])
  const damaged = await checkStore(store, Date.now())
  assert.equal(damaged.healthy, false)
  assert.deepEqual(Object.keys(damaged.problemCounts).sort(), ['bundle', 'envelope', 'expiry-index', 'tombstone', 'usage'])
  const about = (kind: string, pattern: RegExp): void => { assert.ok(damaged.problems.some(p => p.kind === kind && pattern.test(p.detail)), `${kind} ${pattern}: ${JSON.stringify(damaged.problems)}`) }
  about('usage', /counter says 5 envelopes \/ 1000 bytes; the store holds 1 \/ 200/)
  about('expiry-index', /no expiry entry/)
  about('expiry-index', /points at a missing envelope/)
  about('envelope', /does not decode/)
  about('tombstone', /not the owner's/)
  about('bundle', /does not verify/)
  await store.close()

  // the same through the binary, as an operator runs it on a stopped node
  const text = await cairn(['mailbox', '--check'], { env: { CAIRN_DATA_DIR: dataDir } })
  assert.equal(text.code, 1, text.stderr)
  assert.match(text.stdout, /problems: .*usage/)
  assert.match(text.stderr, /has problems/)
  const json = await cairn(['mailbox', '--check', '--json'], { env: { CAIRN_DATA_DIR: dataDir } })
  assert.equal(json.code, 1)
  assert.equal((JSON.parse(json.stdout) as { healthy: boolean }).healthy, false)
  const missing = await cairn(['mailbox', '--check'], { env: { CAIRN_DATA_DIR: join(dataDir, 'nope') } })
  assert.equal(missing.code, 2, 'a data dir with no store is a usage error, not an empty healthy store')
  assert.match(missing.stderr, /no store at/)
})
