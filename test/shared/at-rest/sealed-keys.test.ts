/**
 * Record keys sealed at rest (at-rest/key-cipher.ts): on disk a key shows its namespace and
 * nothing after it, except the mailbox's own records; through the Store and libp2p's datastore
 * every read, list and query answers exactly as it does on a plain store holding the same records
 * (order, `after`, `limit`, `reverse`, prefixes that end inside a segment). A data dir encrypted
 * before keys were (header version 1) still opens, and `--rotate-key` seals its keys.
 */
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { Key } from 'interface-datastore'
import { AtRestDamagedError, createDataKey, headerPath, rotateDataKey, unlockDataKey, ValueCipher } from '../../../src/shared/at-rest/index.js'
import { ensureDataDir, paths } from '../../../src/shared/data-dir.js'
import { Store } from '../../../src/shared/store.js'
import { tempRoot } from '../../helpers/users.js'

const utf8 = new TextEncoder()
const text = new TextDecoder()
const CHEAP = { memoryKiB: 8 * 1024, iterations: 1 }
const key32 = (): Uint8Array => new Uint8Array(32).map((_, i) => 7 * i)
const PEER = '12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq'

/** Records of every shape Cairn writes, identifiers included, and a mailbox's. */
const RECORDS: Array<[string, string]> = [
  ['/cairn/contact/name/bob-the-builder', 'c1'],
  ['/cairn/contact/name/alice', 'c2'],
  ['/cairn/contact/name/ålice-ü', 'c3'],
  [`/cairn/contact/peer/${PEER}`, 'c4'],
  [`/cairn/signal/session/${PEER}.1`, 's1'],
  ['/cairn/signal/prekey/0000000001', 'p1'],
  ['/cairn/signal/prekey/0000000002', 'p2'],
  [`/cairn/inbox/000001700000000-${PEER}-aa01`, 'i1'],
  [`/cairn/inbox/000001700000005-${PEER}-aa02`, 'i2'],
  ['/cairn/outbox/000001700000001-bb01', 'o1'],
  ['/cairn/outbox/000001700000002-bb02', 'o2'],
  ['/cairn/group/index/g-secret-1', 'g1'],
  ['/cairn/group/g-secret-1/change/ch1', 'g2'],
  [`/cairn/group/g-secret-1/seq/${PEER}/0000000000000003`, 'g3'],
  [`/cairn/group/g-secret-1/seq/${PEER}/0000000000000010`, 'g4'],
  ['/cairn/stranger-quota/2026-12-01/total', 'q1'],
  ['/cairn/stranger-quota/2026-12-02/total', 'q2'],
  ['/cairn/meta/store-version', 'm1'],
  ['/cairn/mbx/env/rcpt01/0001', 'e1'],
  ['/cairn/mbx/env/rcpt01/0002', 'e2']
]
const IDENTIFIERS = ['bob-the-builder', 'alice', PEER, 'aa01', 'bb01', 'g-secret-1', 'ch1', 'store-version', 'prekey', '2026-12-01']

async function filled (dir: string, cipher: ValueCipher | undefined): Promise<Store> {
  const store = await Store.open(dir, { cipher })
  await store.write(RECORDS.map(([key, value]) => ({ type: 'put', key, value: utf8.encode(value) })))
  for (const name of ['a', 'b', 'c']) await store.datastore.put(new Key(`/peers/${name}${PEER}`), utf8.encode(`peer ${name}`))
  for (const cid of ['bafy1', 'bafy12']) await store.datastore.put(new Key(`/dht/provider/${cid}/${PEER}`), utf8.encode(cid))
  return store
}

async function listing (store: Store, prefix: string, options: { after?: string, limit?: number, reverse?: boolean } = {}): Promise<string[]> {
  const out: string[] = []
  for await (const { key, value } of store.list(prefix, options)) out.push(`${key}=${text.decode(value)}`)
  return out
}

async function keysOf (store: Store, prefix: string): Promise<string[]> {
  const out: string[] = []
  for await (const key of store.listKeys(prefix)) out.push(key)
  return out
}

async function queried (store: Store, prefix: string, limit?: number): Promise<string[]> {
  const out: string[] = []
  for await (const p of store.datastore.query({ prefix, limit })) out.push(`${p.key.toString()}=${text.decode(p.value)}`)
  for await (const k of store.datastore.queryKeys({ prefix })) out.push(k.toString())
  return out
}

test('sealed keys: on disk only namespaces show (and the mailbox\'s records); reads, lists and queries answer as on a plain store', async (t) => {
  const root = await tempRoot(t)
  const sealed = await filled(join(root, 'sealed'), new ValueCipher(key32(), { sealKeys: true }))
  const plain = await filled(join(root, 'plain'), undefined)
  t.after(async () => { await sealed.close(); await plain.close() })

  for (const [key, value] of RECORDS) assert.equal(text.decode(await sealed.get(key)), value, key)
  assert.deepEqual((await sealed.getMany(RECORDS.map(([k]) => k))).map(v => text.decode(v)), RECORDS.map(([, v]) => v))
  assert.equal(await sealed.has('/cairn/contact/name/nobody'), false)
  const cases: Array<[string, { after?: string, limit?: number, reverse?: boolean }?]> = [
    [''], ['/cairn/'], ['/cairn/contact/'], ['/cairn/contact/name/'], ['/cairn/contact/name/al'], ['/cairn/in'], ['/cairn/signal/'],
    ['/cairn/inbox/', { limit: 1 }], ['/cairn/inbox/', { reverse: true, limit: 1 }], ['/cairn/outbox/', { after: '/cairn/outbox/000001700000001-bb01' }],
    [`/cairn/group/g-secret-1/seq/${PEER}/`], ['/cairn/stranger-quota/'], ['/cairn/mbx/env/rcpt01/', { after: '/cairn/mbx/env/rcpt01/0001', limit: 1 }], ['/peers/'], ['/dht/provider/bafy1']
  ]
  for (const [prefix, options] of cases) {
    assert.deepEqual(await listing(sealed, prefix, options), await listing(plain, prefix, options), `list ${prefix} ${JSON.stringify(options)}`)
    if (options === undefined) assert.deepEqual(await keysOf(sealed, prefix), await keysOf(plain, prefix), `listKeys ${prefix}`)
  }
  for (const prefix of ['/peers/', '/peers', '/dht/provider/bafy1', '/dht/provider/bafy1/', '']) {
    assert.deepEqual(await queried(sealed, prefix), await queried(plain, prefix), `query ${prefix}`)
    assert.deepEqual(await queried(sealed, prefix, 1), await queried(plain, prefix, 1), `query ${prefix}, limit 1`)
  }
  assert.equal(text.decode(await sealed.datastore.get(new Key(`/peers/b${PEER}`))), 'peer b')
  assert.equal(await sealed.datastore.has(new Key(`/peers/z${PEER}`)), false)
  await sealed.datastore.delete(new Key(`/peers/b${PEER}`))
  assert.equal(await sealed.datastore.has(new Key(`/peers/b${PEER}`)), false)
  const scanned: string[] = []
  for await (const { key } of sealed.scan('/cairn/contact/')) scanned.push(key)
  assert.deepEqual(scanned.sort(), (await keysOf(plain, '/cairn/contact/')).sort())
  await sealed.close()

  const raw = await Store.open(join(root, 'sealed')) // no cipher: the keys as LevelDB holds them
  const stored = await keysOf(raw, '')
  await raw.close()
  for (const id of IDENTIFIERS) assert.deepEqual(stored.filter(k => k.includes(id) && !k.startsWith('/cairn/mbx/')), [], `${id} is in no stored key`)
  assert.ok(stored.includes('/cairn/mbx/env/rcpt01/0001'), 'the mailbox\'s keys stay plain')
  for (const ns of ['/cairn/contact/', '/cairn/inbox/', '/cairn/signal/session/', '/peers/', '/dht/']) assert.ok(stored.some(k => k.startsWith(ns)), `${ns} shows`)
  assert.ok(stored.every(k => !k.includes('=') && !k.includes('+')), 'base64url, no padding')
})

test('a sealed key altered on disk fails to open with AtRestDamagedError, naming only its namespace', async (t) => {
  const dir = join(await tempRoot(t), 'store')
  let store = await filled(dir, new ValueCipher(key32(), { sealKeys: true }))
  await store.close()
  store = await Store.open(dir)
  const victim = (await keysOf(store, '/cairn/contact/'))[0] as string
  const value = await store.get(victim) as Uint8Array
  const at = victim.lastIndexOf('/') + 5
  const altered = victim.slice(0, at) + (victim[at] === 'A' ? 'B' : 'A') + victim.slice(at + 1)
  await store.write([{ type: 'del', key: victim }, { type: 'put', key: altered, value }])
  await store.close()
  store = await Store.open(dir, { cipher: new ValueCipher(key32(), { sealKeys: true }) })
  t.after(async () => { await store.close() })
  await assert.rejects(listing(store, '/cairn/contact/'), (err: Error) => err instanceof AtRestDamagedError && err.message.includes('/cairn/contact/') && !err.message.includes('bob'))
})

test('a data dir encrypted before keys were (header version 1) opens with plain keys; --rotate-key seals them', async (t) => {
  const dataDir = join(await tempRoot(t), 'old')
  ensureDataDir(dataDir)
  const passphrase = utf8.encode('old passphrase')
  await createDataKey(dataDir, passphrase, CHEAP)
  const header = JSON.parse(readFileSync(headerPath(dataDir), 'utf8')) as { version: number }
  assert.equal(header.version, 2, 'a new data dir seals its keys')
  writeFileSync(headerPath(dataDir), JSON.stringify({ ...header, version: 1 }))
  const old = await unlockDataKey(dataDir, passphrase) as ValueCipher
  assert.equal(old.keys, undefined)
  let store = await filled(paths.store(dataDir), old)
  await store.close()

  store = await Store.open(paths.store(dataDir), { cipher: old })
  assert.ok((await keysOf(store, '/cairn/contact/name/')).includes('/cairn/contact/name/alice'))
  assert.deepEqual(await listing(store, '/cairn/outbox/'), ['/cairn/outbox/000001700000001-bb01=o1', '/cairn/outbox/000001700000002-bb02=o2'])
  await store.close()

  await rotateDataKey(dataDir, passphrase)
  assert.equal((JSON.parse(readFileSync(headerPath(dataDir), 'utf8')) as { version: number }).version, 2)
  const rotated = await unlockDataKey(dataDir, passphrase) as ValueCipher
  assert.notEqual(rotated.keys, undefined)
  store = await Store.open(paths.store(dataDir), { cipher: rotated })
  const plainCopy = await filled(join(dataDir, '..', 'plain'), undefined)
  t.after(async () => { await store.close(); await plainCopy.close() })
  assert.deepEqual(await listing(store, ''), await listing(plainCopy, ''))
  await store.close()
  const raw = await Store.open(paths.store(dataDir))
  const stored = await keysOf(raw, '/cairn/contact/')
  await raw.close()
  assert.ok(stored.length === 4 && stored.every(k => !k.includes('alice') && !k.includes('name')), 'contact keys sealed after the rotation')

  writeFileSync(headerPath(dataDir), JSON.stringify({ ...header, version: 3 }))
  await assert.rejects(unlockDataKey(dataDir, passphrase), AtRestDamagedError)
})
