/**
 * Issue 10: every protobuf decoder in proto/cairn.ts, fuzzed. Whatever a peer sends, a decoder
 * returns or throws an Error (no hang, no other throw), and what it returns encodes again to the
 * same message, except that a string field carrying bytes that are not UTF-8 (protons decodes
 * them to lone surrogates) may come back with U+FFFD in their place (counted as "ill-formed"). FUZZ_RUNS inputs per decoder (npm test: 1,000; `npm run fuzz`: 100,000); a failure
 * prints fast-check's seed and path to replay it (FUZZ_SEED).
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isDeepStrictEqual } from 'node:util'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import fc from 'fast-check'
import { decoderInput, messageCodecs } from '../helpers/protobuf-arbitraries.js'

const RUNS = Number(process.env.FUZZ_RUNS ?? 1000)
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED)
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
const heapMiB = (): number => { gc(); return process.memoryUsage().heapUsed / 2 ** 20 }

const codecs = messageCodecs()

/** `v` with every string made well-formed UTF-16 (lone surrogates become U+FFFD, as encoding does). */
function wellFormed (v: unknown): unknown {
  if (typeof v === 'string') return v.toWellFormed()
  if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return v
  if (Array.isArray(v)) return v.map(wellFormed)
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, wellFormed(x)]))
}

test('proto/cairn.ts has message decoders to fuzz', () => {
  assert.ok(codecs.length >= 20, `found ${codecs.length}`)
  assert.ok(codecs.some(c => c.name === 'MailboxRequest') && codecs.some(c => c.name === 'DirectRequest'))
})

for (const codec of codecs) {
  test(`${codec.name}.decode: ${RUNS} inputs return or throw an Error; what decodes encodes again`, () => {
    const heap = heapMiB()
    let accepted = 0
    let illFormed = 0
    let slowest = 0
    const started = Date.now()
    fc.assert(fc.property(decoderInput(codec), (bytes) => {
      const t0 = performance.now()
      let decoded: unknown
      try {
        decoded = codec.decode(bytes)
      } catch (err) {
        assert.ok(err instanceof Error, `threw a non-Error: ${String(err)}`)
        return
      } finally {
        slowest = Math.max(slowest, performance.now() - t0)
      }
      accepted++
      const again = codec.decode(codec.encode(decoded))
      if (isDeepStrictEqual(again, decoded)) return
      // protons writes a short string byte by byte (lone surrogates kept) and a long one natively
      // (U+FFFD): either is the same message for a well-formed string
      illFormed++
      assert.deepStrictEqual(wellFormed(again), wellFormed(decoded), 'decode(encode(decoded)) is decoded')
    }), { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) })
    const grown = heapMiB() - heap
    console.log(`fuzz ${codec.name}: ${RUNS} inputs, ${accepted} decoded (${illFormed} with ill-formed strings), ${Date.now() - started} ms, slowest ${slowest.toFixed(2)} ms, heap +${grown.toFixed(1)} MiB`)
    // generous: a shared CI machine pauses for GC and neighbours; a hang is minutes
    assert.ok(slowest < 5000, `one input took ${slowest} ms to decode`)
    assert.ok(grown < 64, `heap grew ${grown.toFixed(1)} MiB`)
  })
}
