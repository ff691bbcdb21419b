/**
 * The peer store's shortcuts (src/shared/node), switched off and on in every peer of a process for
 * the benches' A/B runs: `merges`, repeated discoveries not merged again (repeated-merges.ts);
 * `reads`, a record read kept for the next reads (peer-reads.ts); `all`, both. Both are on in the product.
 */
import { setRepeatedMergeSkipping } from '../../src/shared/node/repeated-merges.js'
import { setPeerReadKeeping } from '../../src/shared/node/peer-reads.js'

export type Shortcut = 'merges' | 'reads' | 'all'

export function isShortcut (s: unknown): s is Shortcut { return s === 'merges' || s === 'reads' || s === 'all' }

export function setShortcut (which: Shortcut, on: boolean): void {
  if (which !== 'reads') setRepeatedMergeSkipping(on)
  if (which !== 'merges') setPeerReadKeeping(on)
}
