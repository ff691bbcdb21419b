/**
 * Encryption at rest, unit by unit: the sealed value format, the data key's header (wrong
 * passphrase, passphrase change, a tampered header), the Store and libp2p's datastore over it.
 */
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { Key } from 'interface-datastore'
import { changePassphrase, createDataKey, headerPath, unlockDataKey, ValueCipher, AtRestDamagedError, WrongPassphraseError, SEAL_OVERHEAD } from '../../../src/shared/at-rest/index.js'
import { ensureDataDir } from '../../../src/shared/data-dir.js'
import { Store } from '../../../src/shared/store.js'
import { tempRoot } from '../../helpers/users.js'

const utf8 = new TextEncoder()
/** Cheap argon2id for tests (the floor a header may carry); the CLI uses the defaults. */
const CHEAP = { memoryKiB: 8 * 1024, iterations: 1 }
const key32 = (): Uint8Array => new Uint8Array(32).map((_, i) => i)

test('a sealed value opens only under its own key and only unaltered', () => {
  const cipher = new ValueCipher(key32())
  const value = utf8.encode('meet at the old mill at noon')
  const sealed = cipher.seal('/cairn/inbox/1', value)
  assert.equal(sealed.length, value.length + SEAL_OVERHEAD)
  assert.equal(sealed[0], 1, 'version byte')
  assert.ok(!Buffer.from(sealed).includes(Buffer.from('old mill')), 'no plaintext in the sealed value')
  assert.deepEqual(cipher.open('/cairn/inbox/1', sealed), value)
  assert.notDeepEqual(cipher.seal('/cairn/inbox/1', value), sealed, 'a fresh nonce per seal')
  assert.throws(() => cipher.open('/cairn/inbox/2', sealed), AtRestDamagedError, 'moved to another key')
  const flipped = new Uint8Array(sealed)
  flipped[20] = (flipped[20] as number) ^ 1
  assert.throws(() => cipher.open('/cairn/inbox/1', flipped), AtRestDamagedError, 'altered')
  assert.throws(() => new ValueCipher(new Uint8Array(32).fill(9)).open('/cairn/inbox/1', sealed), AtRestDamagedError, 'another data key')
  assert.throws(() => cipher.open('/cairn/inbox/1', value), AtRestDamagedError, 'a plain value')
})

test('data key: a wrong passphrase is refused; a passphrase change keeps the data key and rewrites only the header', async (t) => {
  const dir = join(await tempRoot(t), 'data')
  ensureDataDir(dir)
  const first = await createDataKey(dir, utf8.encode('first'), CHEAP)
  const sealed = first.seal('/cairn/contact/name/bob', utf8.encode('bob'))
  await assert.rejects(createDataKey(dir, utf8.encode('first'), CHEAP), /already encrypted/)
  await assert.rejects(unlockDataKey(dir, utf8.encode('frist')), WrongPassphraseError)
  const before = readFileSync(headerPath(dir), 'utf8')
  await assert.rejects(changePassphrase(dir, utf8.encode('wrong'), utf8.encode('second')), WrongPassphraseError)
  assert.equal(readFileSync(headerPath(dir), 'utf8'), before, 'a refused change leaves the header as it was')
  await changePassphrase(dir, utf8.encode('first'), utf8.encode('second'))
  const after = JSON.parse(readFileSync(headerPath(dir), 'utf8')) as { kdf: { salt: string } }
  assert.notEqual(after.kdf.salt, (JSON.parse(before) as { kdf: { salt: string } }).kdf.salt, 'a fresh salt')
  await assert.rejects(unlockDataKey(dir, utf8.encode('first')), WrongPassphraseError)
  const again = await unlockDataKey(dir, utf8.encode('second'))
  assert.ok(again !== undefined)
  assert.equal(new TextDecoder().decode(again.open('/cairn/contact/name/bob', sealed)), 'bob', 'the same data key')
  assert.equal(await unlockDataKey(join(dir, 'elsewhere'), utf8.encode('x')), undefined, 'a data dir without a header is plain')
})

test('a header weakened to cheap argon2id, or with another check value, is refused', async (t) => {
  const dir = join(await tempRoot(t), 'data')
  ensureDataDir(dir)
  await createDataKey(dir, utf8.encode('pw'), CHEAP)
  const header = JSON.parse(readFileSync(headerPath(dir), 'utf8')) as { kdf: { memoryKiB: number }, check: string }
  writeFileSync(headerPath(dir), JSON.stringify({ ...header, kdf: { ...header.kdf, memoryKiB: 64 } }))
  await assert.rejects(unlockDataKey(dir, utf8.encode('pw')), /memoryKiB 64 is outside/)
  writeFileSync(headerPath(dir), JSON.stringify({ ...header, check: Buffer.alloc(32).toString('base64') }))
  await assert.rejects(unlockDataKey(dir, utf8.encode('pw')), /fails its check value/)
})

test('an encrypted Store: values on disk are sealed, Cairn and libp2p read them back, queries filter opened values', async (t) => {
  const dir = join(await tempRoot(t), 'store')
  const cipher = new ValueCipher(key32())
  let store = await Store.open(dir, { cipher })
  await store.write([{ type: 'put', key: '/cairn/inbox/0001', value: utf8.encode('plaintext one') }, { type: 'put', key: '/cairn/contact/name/bob', value: utf8.encode('plaintext two') }])
  await store.datastore.put(new Key('/peers/a'), utf8.encode('plaintext three'))
  await store.datastore.put(new Key('/peers/b'), utf8.encode('plaintext four'))
  const batch = store.datastore.batch()
  batch.put(new Key('/peers/c'), utf8.encode('plaintext five'))
  await batch.commit()
  const cached = await store.get('/cairn/contact/name/bob')
  assert.equal(new TextDecoder().decode(cached), 'plaintext two')
  await store.close()

  store = await Store.open(dir) // plain: what is really on disk
  for (const key of ['/cairn/inbox/0001', '/cairn/contact/name/bob', '/peers/a', '/peers/c']) {
    const raw = await store.get(key)
    assert.ok(raw !== undefined && raw[0] === 1 && !Buffer.from(raw).includes(Buffer.from('plaintext')), `${key} is sealed on disk`)
  }
  await store.close()

  store = await Store.open(dir, { cipher })
  t.after(async () => { await store.close() })
  // several at once, from disk (a cached key and one that is not): opened like a single read, and
  // what the cache kept is plaintext too
  const many = await store.getMany(['/cairn/contact/name/bob', '/cairn/inbox/0001', '/cairn/inbox/none'])
  assert.deepEqual(many.map(v => v === undefined ? undefined : new TextDecoder().decode(v)), ['plaintext two', 'plaintext one', undefined])
  assert.equal(new TextDecoder().decode(await store.get('/cairn/contact/name/bob')), 'plaintext two')
  assert.equal(new TextDecoder().decode(await store.get('/cairn/inbox/0001')), 'plaintext one')
  const listed = []
  for await (const e of store.list('/cairn/')) listed.push(new TextDecoder().decode(e.value))
  assert.deepEqual(listed, ['plaintext two', 'plaintext one'])
  assert.equal(new TextDecoder().decode(await store.datastore.get(new Key('/peers/b'))), 'plaintext four')
  const found = []
  for await (const p of store.datastore.query({ prefix: '/peers', filters: [p => new TextDecoder().decode(p.value).includes('f')], orders: [(a, b) => a.key.toString() < b.key.toString() ? 1 : -1], limit: 5 })) found.push(p.key.toString())
  assert.deepEqual(found, ['/peers/c', '/peers/b'])
  const keys = []
  for await (const k of store.datastore.queryKeys({ prefix: '/peers' })) keys.push(k.toString())
  assert.deepEqual(keys, ['/peers/a', '/peers/b', '/peers/c'])
})
