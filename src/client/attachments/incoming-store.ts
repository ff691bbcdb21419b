/**
 * Attachments received: the descriptor (with its key: the store is 0600, as the inbox is), keyed by
 * sender and file id so no sender's ids can shadow another's, and one record per chunk that is on
 * disk. A chunk's record is written only after its bytes were synced to the partial file.
 */
import { Attachment } from '../../../proto/cairn.js'
import { NAMESPACES } from '../../shared/namespaces.js'
import type { Store, StoreOp } from '../../shared/store.js'
import { dec, enc, type Kv } from '../crypto/kv.js'
import { isStreamed } from './descriptor.js'

/** `saved`: written where the user asked, checked, and the received chunks removed (DECISIONS.md). */
export type AttachmentState = 'waiting' | 'partial' | 'complete' | 'saved'

export interface IncomingRecord {
  from: string
  messageId: string
  receivedAt: number
  /** base64 of the encoded Attachment */
  descriptor: string
  /** Set once every chunk is on disk and the whole file matched its digest. */
  complete?: boolean
  /** Where `save` wrote the file; set with its chunk records removed, before its chunk file is. */
  savedTo?: string
  /** Some chunks were fetched from mailbox replicas: once saved, they are released there (chunk-release.ts). */
  fromMailboxes?: true
  /**
   * Announced streamed (no chunk list, no digest: descriptor.ts isStreamed): a direct push of it
   * ends with ChunkEnd, whatever the descriptor became since (a second message may complete it).
   */
  streamed?: true
}

const N = NAMESPACES
const recordKey = (from: string, fileIdHex: string): string => `${N.attachmentIn}${from}/${fileIdHex}`
const chunkPrefix = (from: string, fileIdHex: string): string => `${N.attachmentInChunk}${from}/${fileIdHex}/`
const chunkKey = (from: string, fileIdHex: string, index: number): string => `${chunkPrefix(from, fileIdHex)}${index.toString().padStart(6, '0')}`

/** In the messenger's transaction, with the message that carried it; a file id seen before from this sender is kept as it was. */
export async function recordIncoming (kv: Kv, from: string, messageId: string, a: Attachment, at: number): Promise<void> {
  const key = recordKey(from, Buffer.from(a.fileId).toString('hex'))
  if (await kv.get(key) !== undefined) return
  const r: IncomingRecord = { from, messageId, receivedAt: at, descriptor: Buffer.from(Attachment.encode(a)).toString('base64'), ...(isStreamed(a) ? { streamed: true as const } : {}) }
  kv.put(key, enc.encode(JSON.stringify(r)))
}

/**
 * In the messenger's transaction: whether `a` is the second message of a file this sender announced
 * streamed (the same file id and key), which is never shown. The first time it brings the full
 * descriptor, the record takes its chunk list and digest (the chunks can then come from
 * mailboxes); the name, size, type and chunk size must be the announced ones, or it changes nothing.
 */
export async function completesStreamed (kv: Kv, from: string, a: Attachment): Promise<boolean> {
  const key = recordKey(from, Buffer.from(a.fileId).toString('hex'))
  const b = await kv.get(key)
  if (b === undefined) return false
  const r = JSON.parse(dec.decode(b)) as IncomingRecord
  const had = descriptorOf(r)
  if (r.streamed !== true || !Buffer.from(had.key).equals(Buffer.from(a.key))) return false
  if (isStreamed(a) || !isStreamed(had)) return true
  if (a.name !== had.name || a.size !== had.size || a.mediaType !== had.mediaType || a.chunkBytes !== had.chunkBytes) return true
  const full: Attachment = { ...a, caption: had.caption }
  kv.put(key, enc.encode(JSON.stringify({ ...r, descriptor: Buffer.from(Attachment.encode(full)).toString('base64') })))
  return true
}

export async function getIncoming (store: Store, from: string, fileIdHex: string): Promise<IncomingRecord | undefined> {
  const b = await store.get(recordKey(from, fileIdHex))
  return b === undefined ? undefined : JSON.parse(dec.decode(b)) as IncomingRecord
}

export function descriptorOf (r: IncomingRecord): Attachment {
  return Attachment.decode(Buffer.from(r.descriptor, 'base64'))
}

/** The record as it is now, to go in the same write as a change it must travel with. */
export function recordOp (r: IncomingRecord, fileIdHex: string): StoreOp {
  return { type: 'put', key: recordKey(r.from, fileIdHex), value: enc.encode(JSON.stringify(r)) }
}

export async function markComplete (store: Store, r: IncomingRecord, fileIdHex: string): Promise<void> {
  await store.write([{ type: 'put', key: recordKey(r.from, fileIdHex), value: enc.encode(JSON.stringify({ ...r, complete: true })) }])
}

/**
 * The file was saved to `path` (synced and linked): in one synced write, the record says where,
 * `also` is written (the release of its chunks at the replicas), and every chunk record goes (the chunk file is removed after it; one left by a kill, on the next open).
 */
export async function markSaved (store: Store, r: IncomingRecord, fileIdHex: string, path: string, also: StoreOp[] = []): Promise<void> {
  const ops: StoreOp[] = [{ type: 'put', key: recordKey(r.from, fileIdHex), value: enc.encode(JSON.stringify({ ...r, complete: true, savedTo: path })) }, ...also]
  for await (const key of store.listKeys(chunkPrefix(r.from, fileIdHex))) ops.push({ type: 'del', key })
  await store.write(ops)
}

/** The file is no longer complete (some chunks must be fetched again). */
export async function markIncomplete (store: Store, r: IncomingRecord, fileIdHex: string): Promise<void> {
  const rest = { ...r }
  delete rest.complete
  await store.write([{ type: 'put', key: recordKey(r.from, fileIdHex), value: enc.encode(JSON.stringify(rest)) }])
}

/** What forgets a received file (its message was deleted): its record, with the key, and its chunk records. */
export async function forgetIncomingOps (store: Store, from: string, fileIdHex: string): Promise<StoreOp[]> {
  const ops: StoreOp[] = [{ type: 'del', key: recordKey(from, fileIdHex) }]
  for await (const key of store.listKeys(chunkPrefix(from, fileIdHex))) ops.push({ type: 'del', key })
  return ops
}

/** The chunk indexes recorded as on disk. */
export async function storedChunks (store: Store, from: string, fileIdHex: string): Promise<Set<number>> {
  const prefix = chunkPrefix(from, fileIdHex)
  const out = new Set<number>()
  for await (const key of store.listKeys(prefix)) out.add(Number(key.slice(prefix.length)))
  return out
}

export function chunkStoredOp (from: string, fileIdHex: string, index: number): StoreOp {
  return { type: 'put', key: chunkKey(from, fileIdHex, index), value: new Uint8Array() }
}

/**
 * Forget every chunk (the assembled file failed its digest: start again from the network), or only
 * the chunks `indexes` (they no longer matched their addresses).
 */
export async function forgetChunks (store: Store, from: string, fileIdHex: string, indexes?: number[]): Promise<void> {
  const ops: StoreOp[] = []
  if (indexes !== undefined) for (const i of indexes) ops.push({ type: 'del', key: chunkKey(from, fileIdHex, i) })
  else for await (const key of store.listKeys(chunkPrefix(from, fileIdHex))) ops.push({ type: 'del', key })
  await store.write(ops)
}
