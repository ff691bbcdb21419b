/**
 * The store copy behind every conversion of a data dir (encrypt-data-dir.ts, decrypt-data-dir.ts):
 * a new LevelDB filled from the current one, in durable batches, resumable.
 */
import { Store, type Entry, type StoreOp } from '../store.js'
import { crashPoint } from './conversion.js'
import type { ValueCipher } from './value-cipher.js'

/** A batch of the copy: one durable write (fsync) each. */
const BATCH_VALUES = 64
const BATCH_BYTES = 1024 * 1024

/**
 * Make the copy at `path` (sealed under `cipher`; plain without one) hold exactly what `source`
 * holds (the store as it is, plain or opened under its data key): a walk of the source, looking
 * each batch of its keys up in the copy and writing what is missing or differs, then a walk of the
 * copy deleting what the source no longer has. Neither walk needs the two stores to share a key
 * order (sealed keys have none in common: at-rest/key-cipher.ts). A re-run after a kill keeps
 * what the killed run copied, and whatever commands ran on the data dir in between (it stays
 * usable, and they may have written) is caught up.
 */
export async function copyStore (source: Store, path: string, cipher: ValueCipher | undefined): Promise<{ copied: number, resumedFrom: number }> {
  const copy = await Store.open(path, { cipher })
  try {
    let copied = 0
    let resumedFrom = 0
    let ops: StoreOp[] = []
    let bytes = 0
    const flush = async (): Promise<void> => {
      await copy.write(ops)
      copied += ops.filter(op => op.type === 'put').length
      ops = []
      bytes = 0
      crashPoint('copied', copied)
    }
    const add = async (op: StoreOp): Promise<void> => {
      ops.push(op)
      bytes += op.key.length + (op.type === 'put' ? op.value.length : 0)
      if (ops.length >= BATCH_VALUES || bytes >= BATCH_BYTES) await flush()
    }
    let pending: Entry[] = []
    const compare = async (): Promise<void> => {
      const theirs = await copy.getMany(pending.map(e => e.key))
      const batch = pending
      pending = []
      for (const [i, { key, value }] of batch.entries()) {
        const there = theirs[i]
        if (there !== undefined && Buffer.from(there).equals(value)) resumedFrom++
        else await add({ type: 'put', key, value })
      }
    }
    for await (const entry of source.scan('')) {
      pending.push(entry)
      if (pending.length >= BATCH_VALUES) await compare()
    }
    await compare()
    let keys: string[] = []
    const prune = async (): Promise<void> => {
      const ours = await source.getMany(keys)
      for (const [i, key] of keys.entries()) if (ours[i] === undefined) await add({ type: 'del', key })
      keys = []
    }
    for await (const key of copy.scanKeys('')) {
      keys.push(key)
      if (keys.length >= BATCH_VALUES) await prune()
    }
    await prune()
    if (ops.length > 0) await flush()
    return { copied, resumedFrom }
  } finally {
    await copy.close()
  }
}
