/**
 * Message text through protons' decoder, which patches/protons-runtime+7.1.2.patch sends through
 * TextDecoder: what a user typed comes back exactly, whatever its length or script, a leading
 * byte-order mark included (TextDecoder drops one unless told to keep it); and bytes that are not
 * UTF-8 decode to a well-formed string (U+FFFD for what does not decode) that encodes and decodes
 * again to itself.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isDeepStrictEqual } from 'node:util'
import { Content, Text } from '../../proto/cairn.js'

const decoded = (body: string): string | undefined => Content.decode(Content.encode({
  version: 2, id: new Uint8Array(16), sentAt: 1, seq: 1, features: 0, text: { body }
})).text?.body

test('message text comes back exactly, short and long, in any script, a leading BOM kept', () => {
  const samples = [
    '',
    'hi',
    'x'.repeat(64),
    'x'.repeat(65),
    'héllo wörld — ünïcödé '.repeat(50),
    '日本語のテキスト、'.repeat(120),
    '🏔️ cairn 🪨 '.repeat(100), // surrogate pairs, a variation selector
    '\uFEFF' + 'a byte-order mark first, then more than sixty-four bytes of ordinary text',
    '\uFEFF'
  ]
  for (const s of samples) assert.equal(decoded(s), s, `${s.length} UTF-16 units starting ${JSON.stringify(s.slice(0, 12))}`)
})

test('bytes that are not UTF-8 decode to a well-formed string, stable through encode and decode', () => {
  // fast-check's counterexample from the decoder fuzz (test/fuzz/decoders.test.ts) when long and
  // short strings took different decoders: field 1 repeated, lone continuation bytes, overlong forms
  const fuzzed = Uint8Array.from([13, 15, 0, 0, 0, 10, 67, 9, 0, 0, 0, 0, 0, 0, 128, 0, 10, 14, 64, 128, 128, 128, 128, 128, 128, 128, 128, 1, 8, 1, 8, 0, 10, 40, 192, 159, 136, 128, 1, 134, 140, 224, 243, 163, 52, 8, 244, 145, 231, 236, 254, 255, 146, 128, 1, 8, 0, 8, 255, 255, 255, 255, 15, 10, 9, 0, 0, 0, 0, 194, 0, 0, 0, 129, 10, 5, 245, 0, 0, 0, 129, 10, 0])
  const short = Uint8Array.from([10, 6, 0x61, 0xed, 0xa0, 0x80, 0xff, 0x62]) // an encoded surrogate and a stray byte
  for (const bytes of [fuzzed, short]) {
    const once = Text.decode(bytes)
    assert.ok(once.body.isWellFormed(), 'no lone surrogates')
    assert.ok(isDeepStrictEqual(Text.decode(Text.encode(once)), once), 'what decodes encodes and decodes again to itself')
  }
  assert.equal(Text.decode(short).body, 'a\uFFFD\uFFFD\uFFFD\uFFFDb')
})
