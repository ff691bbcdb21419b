/**
 * Message text through protons' decoder, which patches/protons-runtime+7.1.2.patch sends through
 * TextDecoder above 64 bytes: what a user typed comes back exactly, whatever its length or script,
 * a leading byte-order mark included (TextDecoder drops one unless told to keep it).
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Content } from '../../proto/cairn.js'

const decoded = (body: string): string | undefined => Content.decode(Content.encode({
  version: 2, id: new Uint8Array(16), sentAt: 1, seq: 1, features: 0, text: { body }
})).text?.body

test('message text comes back exactly, short and long, in any script, a leading BOM kept', () => {
  const samples = [
    '',
    'hi',
    'x'.repeat(64), // the last length decoded by protons' own loop
    'x'.repeat(65), // the first by TextDecoder
    'héllo wörld — ünïcödé '.repeat(50),
    '日本語のテキスト、'.repeat(120),
    '🏔️ cairn 🪨 '.repeat(100), // surrogate pairs, a variation selector
    '\uFEFF' + 'a byte-order mark first, then more than sixty-four bytes of ordinary text',
    '\uFEFF'
  ]
  for (const s of samples) assert.equal(decoded(s), s, `${s.length} UTF-16 units starting ${JSON.stringify(s.slice(0, 12))}`)
})
