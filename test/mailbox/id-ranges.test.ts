/** The id-space arithmetic handover reconciliation rests on: splits, spans and fingerprints. */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { FANOUT, FULL_RANGE, fingerprint, rangeOf, SortedIds, split, type IdRange } from '../../src/mailbox/id-ranges.js'

const ids = (n: number): string[] => Array.from({ length: n }, () => randomBytes(16).toString('hex'))
const fp = (set: SortedIds): string => Buffer.from(fingerprint(set, 0, set.count).fingerprint).toString('hex')

test('a split covers its range exactly, in order, and a narrow range splits into single ids', () => {
  const parts = split(FULL_RANGE)
  assert.equal(parts.length, FANOUT)
  assert.deepEqual(parts[0]?.lower, FULL_RANGE.lower)
  assert.equal(parts.at(-1)?.upper, undefined)
  for (let i = 1; i < parts.length; i++) assert.deepEqual(parts[i - 1]?.upper, parts[i]?.lower)
  const narrow = rangeOf(Buffer.alloc(16, 0), Buffer.from('00000000000000000000000000000003', 'hex')) as IdRange
  assert.equal(split(narrow).length, 3)
})

test('a span holds exactly the ids inside the range', () => {
  const set = SortedIds.fromHex(ids(2000))
  let total = 0
  for (const part of split(FULL_RANGE)) {
    const [from, to] = set.span(part)
    for (let i = from; i < to; i++) assert.ok(Buffer.compare(set.at(i), part.lower) >= 0 && (part.upper === undefined || Buffer.compare(set.at(i), part.upper) < 0))
    total += to - from
  }
  assert.equal(total, 2000)
})

test('fingerprints: the same set gives the same one in any order, one id more or other changes it, sums wrap at 2^128', () => {
  const list = ids(5000)
  assert.equal(fp(SortedIds.fromHex(list)), fp(SortedIds.fromHex([...list].reverse())))
  assert.notEqual(fp(SortedIds.fromHex(list)), fp(SortedIds.fromHex(list.slice(1))))
  assert.notEqual(fp(SortedIds.fromHex(list)), fp(SortedIds.fromHex([...list.slice(1), ids(1)[0] as string])))
  // 2 × (2^128 − 1) ≡ (2^128 − 2) + 0 (mod 2^128): carries run through every limb and wrap
  const ones = SortedIds.fromHex(['f'.repeat(32)])
  const twice = new SortedIds(Buffer.concat([ones.bytes, ones.bytes]))
  assert.equal(fp(twice), fp(SortedIds.fromHex(['0'.repeat(32), 'f'.repeat(31) + 'e'])))
})
