import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { redundantDeletedSeqs } from '../../src/client/deleted-seqs.js'
import { withGaps } from '../../src/client/groups/gaps.js'
import type { InboxMessage } from '../../src/client/inbox.js'

const msg = (from: string, seq: number): InboxMessage => ({ id: `${from}${seq}`, from, text: '', sentAt: seq, seq, receivedAt: seq, route: 'direct', group: { id: 'g', name: 'g' } })
const gapsOf = (ms: InboxMessage[], deleted: Array<{ from: string, seq: number }>): Array<[string, number | undefined]> =>
  withGaps(ms, deleted.map(d => ({ group: 'g', ...d }))).map(m => [m.id, m.gapBefore])

test('a deleted number counts as held: no gap for it; numbers that never came still show, also next to a deleted one', () => {
  assert.deepEqual(gapsOf([msg('a', 1), msg('a', 3)], []), [['a1', undefined], ['a3', 1]], 'without the deletion, 2 looks missing')
  assert.deepEqual(gapsOf([msg('a', 1), msg('a', 3)], [{ from: 'a', seq: 2 }]), [['a1', undefined], ['a3', undefined]])
  assert.deepEqual(gapsOf([msg('a', 1), msg('a', 5)], [{ from: 'a', seq: 2 }]), [['a1', undefined], ['a5', 2]], '3 and 4 never came')
  assert.deepEqual(gapsOf([msg('a', 4)], [{ from: 'a', seq: 1 }]), [['a4', 2]], 'the deleted first message still anchors the count')
  assert.deepEqual(gapsOf([msg('a', 1), msg('b', 3)], [{ from: 'b', seq: 2 }]), [['a1', undefined], ['b3', undefined]], 'per sender')
})

test('dropping the deleted numbers deleted-seqs.ts calls redundant changes no gap count: now, or after any message still to come arrives', () => {
  fc.assert(fc.property(
    fc.uniqueArray(fc.integer({ min: 1, max: 40 }), { maxLength: 30 }),
    fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }),
    fc.integer({ min: 1, max: 45 }),
    (received, deletedFlags, arriving) => {
      const deleted = received.filter((_, i) => deletedFlags[i] === true).map(seq => ({ group: 'g', from: 'a', seq }))
      const held = received.filter((_, i) => deletedFlags[i] !== true).map(seq => msg('a', seq))
      const kept = (ds: typeof deleted): typeof deleted => {
        const gone = new Set(redundantDeletedSeqs(held.map(m => ({ group: 'g', from: m.from, seq: m.seq })), ds, () => true).map(d => d.seq))
        return ds.filter(d => !gone.has(d.seq))
      }
      const pruned = kept(deleted)
      assert.deepEqual(withGaps(held, pruned), withGaps(held, deleted))
      if (received.includes(arriving)) return // a number received comes no more
      const after = [...held, msg('a', arriving)]
      assert.deepEqual(withGaps(after, pruned), withGaps(after, deleted))
    }
  ))
})
