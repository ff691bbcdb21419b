/**
 * The peer store's shortcuts (src/shared/node), switched off and on in every peer of a process for
 * the benches' A/B runs: `merges`, repeated discoveries not merged again (discovery-merges.ts);
 * `reads`, a record read kept for the next reads (peer-reads.ts). Both are on in the product.
 */
import { setDiscoveryMergeSkipping } from '../../src/shared/node/discovery-merges.js'
import { setPeerReadKeeping } from '../../src/shared/node/peer-reads.js'

export type Shortcut = 'merges' | 'reads'

export function isShortcut (s: unknown): s is Shortcut { return s === 'merges' || s === 'reads' }

export function setShortcut (which: Shortcut, on: boolean): void {
  if (which === 'merges') setDiscoveryMergeSkipping(on)
  else setPeerReadKeeping(on)
}
