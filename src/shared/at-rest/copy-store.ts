/**
 * The store copy behind every conversion of a data dir (encrypt-data-dir.ts, decrypt-data-dir.ts):
 * a new LevelDB filled from the current one in key order, in durable batches, resumable.
 */
import { Store, type StoreOp } from '../store.js'
import { crashPoint } from './conversion.js'
import type { ValueCipher } from './value-cipher.js'

/** A batch of the copy: one durable write (fsync) each. */
const BATCH_VALUES = 64
const BATCH_BYTES = 1024 * 1024

/**
 * Make the copy at `path` (sealed under `cipher`; plain without one) hold exactly what `source`
 * holds (the store as it is, plain or opened under its data key): one ordered walk of both,
 * comparing plaintexts, writing what is missing or differs and deleting what the source no
 * longer has. A re-run after a kill keeps what the killed run copied, and whatever commands ran on
 * the data dir in between (it stays usable, and they may have written) is caught up.
 */
export async function copyStore (source: Store, path: string, cipher: ValueCipher | undefined): Promise<{ copied: number, resumedFrom: number }> {
  const copy = await Store.open(path, { cipher })
  try {
    const theirs = copy.list('')[Symbol.asyncIterator]()
    let next = await theirs.next()
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
    for await (const { key, value } of source.list('')) {
      // LevelDB's order: the keys' UTF-8 bytes
      while (next.done !== true && Buffer.compare(Buffer.from(next.value.key), Buffer.from(key)) < 0) {
        await add({ type: 'del', key: next.value.key })
        next = await theirs.next()
      }
      if (next.done !== true && next.value.key === key) {
        const same = Buffer.from(next.value.value).equals(value)
        next = await theirs.next()
        if (same) { resumedFrom++; continue }
      }
      await add({ type: 'put', key, value })
    }
    for (; next.done !== true; next = await theirs.next()) await add({ type: 'del', key: next.value.key })
    if (ops.length > 0) await flush()
    return { copied, resumedFrom }
  } finally {
    await copy.close()
  }
}
