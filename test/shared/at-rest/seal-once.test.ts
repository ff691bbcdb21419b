/**
 * What sealing costs the receive path (at-rest/key-cipher.ts, value-cipher.ts): a record key it
 * reads and then writes (an envelope's seen mark, the sender's message id) is sealed once, and so
 * is a sender's PeerId repeated in every key about it; what lands on disk is exactly what a fresh
 * cipher makes, so the data dir reopens. Value nonces, cut from a pool, are never reused.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Aes256GcmSiv } from '@signalapp/libsignal-client'
import { ValueCipher } from '../../../src/shared/at-rest/index.js'
import { KeyCipher, plainHead, SEALED_SEGMENTS } from '../../../src/shared/at-rest/key-cipher.js'
import { NAMESPACES } from '../../../src/shared/namespaces.js'
import { Store } from '../../../src/shared/store.js'
import { tempRoot } from '../../helpers/users.js'

const utf8 = new TextEncoder()
const key32 = (): Uint8Array => new Uint8Array(32).map((_, i) => 3 * i + 1)
const PEER = '12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq'
const seenMessage = (id: string): string => `/cairn/seen-message/${PEER}/${id}`

/** Count the AES-256-GCM-SIV encryptions (key segments and values alike) while the test runs. */
function countEncryptions (t: { after: (fn: () => void) => void }): { take: () => number } {
  const proto = Aes256GcmSiv.prototype as unknown as { encrypt: (...args: unknown[]) => Uint8Array }
  const original = proto.encrypt
  let calls = 0
  proto.encrypt = function (this: unknown, ...args: unknown[]) { calls++; return original.apply(this, args) }
  t.after(() => { proto.encrypt = original })
  return { take: () => { const n = calls; calls = 0; return n } }
}

test('a key read and then written is sealed once, a repeated PeerId too; the data dir reopens with a fresh cipher', async (t) => {
  const dir = await tempRoot(t)
  const store = await Store.open(dir, { cipher: new ValueCipher(key32(), { sealKeys: true }) })
  const encryptions = countEncryptions(t)
  // the receive path: is this message id new? (an uncached get) then, in the batch, mark it
  assert.equal(await store.get(seenMessage('aa01')), undefined)
  assert.equal(encryptions.take(), 2, 'the first sealing of a key: its two segments')
  await store.write([{ type: 'put', key: seenMessage('aa01'), value: utf8.encode('1') }])
  assert.equal(encryptions.take(), 1, 'the write seals the value only: the key was sealed by the read')
  await store.write([{ type: 'put', key: seenMessage('aa02'), value: utf8.encode('2') }])
  assert.equal(encryptions.take(), 2, 'the same sender\'s next key: its new segment and the value')
  await store.close()

  // on disk: what a fresh cipher reads (nothing remembered across opens)
  const again = await Store.open(dir, { cipher: new ValueCipher(key32(), { sealKeys: true }) })
  t.after(async () => { await again.close() })
  assert.deepEqual(await again.get(seenMessage('aa01')), utf8.encode('1'))
  assert.deepEqual(await again.get(seenMessage('aa02')), utf8.encode('2'))
  const listed: string[] = []
  for await (const { key } of again.list(`/cairn/seen-message/${PEER}/`)) listed.push(key)
  assert.deepEqual(listed, [seenMessage('aa01'), seenMessage('aa02')])
})

test('the remembered segments are bounded: past SEALED_SEGMENTS the oldest is sealed again, to the same stored key', (t) => {
  const keys = new KeyCipher(key32())
  const fresh = new KeyCipher(key32())
  const first = keys.seal('/cairn/seen/first')
  for (let i = 0; i < SEALED_SEGMENTS; i++) keys.seal(`/cairn/seen/${i}`)
  const encryptions = countEncryptions(t)
  keys.seal(`/cairn/seen/${SEALED_SEGMENTS - 1}`)
  assert.equal(encryptions.take(), 0, 'a recent segment is remembered')
  assert.equal(keys.seal('/cairn/seen/first'), first)
  assert.equal(encryptions.take(), 1, 'the oldest was forgotten')
  assert.equal(fresh.seal('/cairn/seen/first'), first)
  assert.equal(keys.open(first), '/cairn/seen/first')
})

test('a key keeps its own namespace plain, the longest one it is under, and only that', () => {
  const keys = new KeyCipher(key32())
  for (const ns of Object.values(NAMESPACES)) {
    const key = `${ns}${PEER}/aa01`
    if (ns.startsWith(NAMESPACES.mailbox)) { assert.equal(plainHead(key), key, `${ns}: the mailbox's keys stay plain`); continue }
    const longest = Object.values(NAMESPACES).filter(n => key.startsWith(n)).sort((a, b) => b.length - a.length)[0]
    assert.equal(plainHead(key), longest, key)
    const stored = keys.seal(key)
    assert.ok(stored.startsWith(ns) && !stored.includes(PEER), `${key}: sealed after its namespace`)
    assert.equal(keys.open(stored), key)
  }
  // not a namespace: /cairn/ alone stays plain; libp2p's keys keep their first segment
  assert.equal(plainHead(`/cairn/unknown/${PEER}`), '/cairn/')
  assert.equal(plainHead(`/cairn/signal/unknown/${PEER}`), NAMESPACES.signal)
  assert.equal(plainHead(`/peers/${PEER}`), '/peers/')
})

test('value nonces are never reused across pool refills, and every value opens', () => {
  const cipher = new ValueCipher(key32())
  const nonces = new Set<string>()
  for (let i = 0; i < 1000; i++) {
    const binding = `/cairn/inbox/${i}`
    const sealed = cipher.seal(binding, utf8.encode(`value ${i}`))
    nonces.add(Buffer.from(sealed.subarray(1, 13)).toString('hex'))
    assert.deepEqual(cipher.open(binding, sealed), utf8.encode(`value ${i}`))
  }
  assert.equal(nonces.size, 1000)
})
