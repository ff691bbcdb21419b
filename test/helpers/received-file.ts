/** A described file and a store to receive it into, for the attachment unit suites. */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import type { Attachment } from '../../proto/cairn.js'
import { checkFiles } from '../../src/client/attachments/file-check.js'
import { describeFile } from '../../src/client/attachments/file-chunks.js'
import { IncomingFile } from '../../src/client/attachments/incoming-file.js'
import type { IncomingRecord } from '../../src/client/attachments/incoming-store.js'
import { encodeDescriptor } from '../../src/client/attachments/outgoing-store.js'
import { Store } from '../../src/shared/store.js'
import { randomFile } from './random-file.js'
import { tempRoot } from './users.js'

export interface ReceivedFileSetup { root: string, path: string, data: Buffer, d: Attachment, store: Store, record: IncomingRecord, incoming: () => Promise<IncomingFile> }

/** `size` random bytes in a file named `name`, described in chunks of `chunkBytes`, as alice's attachment to us. */
export async function receivedFileSetup (t: TestContext, size: number, chunkBytes: number, name: string): Promise<ReceivedFileSetup> {
  const root = await tempRoot(t)
  const { path, data } = await randomFile(root, name, size)
  const [file] = await checkFiles([path], 1 << 30, 1 << 30)
  assert.ok(file !== undefined)
  const d = await describeFile(file, chunkBytes)
  const store = await Store.open(join(root, 'store'))
  t.after(async () => { await store.close() })
  const record: IncomingRecord = { from: 'alice', messageId: 'm1', receivedAt: 1, descriptor: encodeDescriptor(d) }
  return { root, path, data, d, store, record, incoming: async () => IncomingFile.open(store, root, record) }
}

/** A received file's plaintext, read back through its chunks. */
export async function plaintextOf (inc: IncomingFile): Promise<Buffer> {
  const parts: Buffer[] = []
  for await (const b of inc.plaintext()) parts.push(b)
  return Buffer.concat(parts)
}
