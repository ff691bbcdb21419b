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
export type AttachmentState = 'waiting' | 'partial' | 'complete' | 'saved' | 'refused'

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
  /**
   * Completed by its second message before its announcement arrived (mailboxes hand mail over in
   * no guaranteed order): no message shows it yet; the announcement takes the record (recordIncoming).
   */
  unannounced?: true
  /**
   * Its chunks, each authentic, made a file other than its sender described (size or digest): they
   * were forgotten, and it is not fetched or downloaded again (the same chunks would give the same
   * file). Kept so that a restart does not fetch it again, and the inbox says so.
   */
  refused?: true
}

const N = NAMESPACES
const recordKey = (from: string, fileIdHex: string): string => `${N.attachmentIn}${from}/${fileIdHex}`
const chunkPrefix = (from: string, fileIdHex: string): string => `${N.attachmentInChunk}${from}/${fileIdHex}/`
const chunkKey = (from: string, fileIdHex: string, index: number): string => `${chunkPrefix(from, fileIdHex)}${index.toString().padStart(6, '0')}`

/** A descriptor as a record keeps it: `completes` says how it came, not what the file is. */
function encodeKept (a: Attachment): string {
  const kept: Attachment = { ...a }
  delete kept.completes
  return Buffer.from(Attachment.encode(kept)).toString('base64')
}

async function readRecord (kv: Kv, key: string): Promise<IncomingRecord | undefined> {
  const b = await kv.get(key)
  return b === undefined ? undefined : JSON.parse(dec.decode(b)) as IncomingRecord
}

/** Whether `a` describes the file `had` announced: the same name, size, type and chunk size. */
const sameFile = (a: Attachment, had: Attachment): boolean => a.name === had.name && a.size === had.size && a.mediaType === had.mediaType && a.chunkBytes === had.chunkBytes

/**
 * In the messenger's transaction, with the message that carried it. A file id seen before from this
 * sender is kept as it was, except a file its second message completed before this announcement
 * arrived (unannounced): the same key and file, it becomes this message's (its caption too).
 */
export async function recordIncoming (kv: Kv, from: string, messageId: string, a: Attachment, at: number): Promise<void> {
  const key = recordKey(from, Buffer.from(a.fileId).toString('hex'))
  const had = await readRecord(kv, key)
  if (had === undefined) {
    const r: IncomingRecord = { from, messageId, receivedAt: at, descriptor: encodeKept(a), ...(isStreamed(a) ? { streamed: true as const } : {}) }
    kv.put(key, enc.encode(JSON.stringify(r)))
    return
  }
  const d = descriptorOf(had)
  if (had.unannounced !== true || !Buffer.from(d.key).equals(Buffer.from(a.key)) || !sameFile(a, d)) return
  const r: IncomingRecord = { ...had, messageId, descriptor: encodeKept({ ...d, caption: a.caption }) }
  delete r.unannounced
  kv.put(key, enc.encode(JSON.stringify(r)))
}

/**
 * What a descriptor did to the record of a file this sender announced streamed: `completed`, it
 * brought the chunk list and digest just now (the chunks can come from mailboxes); `unchanged`, it
 * is such a file's second message but changes nothing (a copy, a descriptor that does not match);
 * `none`, there is a record of this file id but `a` is not its second message (no key match, not
 * streamed; or the announcement of a file completed before it); `unknown`, there is no record of
 * this file id from this sender.
 */
export type Completion = { outcome: 'completed', record: IncomingRecord } | { outcome: 'unchanged' | 'none' | 'unknown' }

/**
 * In the messenger's transaction: whether `a` is the second message of a file this sender announced
 * streamed (the same file id and key), which is never shown. The first time it brings the full
 * descriptor, the record takes its chunk list and digest (the chunks can then come from
 * mailboxes); the name, size, type and chunk size must be the announced ones, or it changes nothing.
 */
export async function completesStreamed (kv: Kv, from: string, a: Attachment): Promise<Completion> {
  const key = recordKey(from, Buffer.from(a.fileId).toString('hex'))
  const r = await readRecord(kv, key)
  if (r === undefined) return { outcome: 'unknown' }
  const had = descriptorOf(r)
  if (r.streamed !== true || !Buffer.from(had.key).equals(Buffer.from(a.key))) return { outcome: 'none' }
  // completed before its announcement: this is the announcement (recordIncoming), shown
  if (r.unannounced === true && isStreamed(a)) return { outcome: 'none' }
  if (isStreamed(a) || !isStreamed(had) || !sameFile(a, had)) return { outcome: 'unchanged' }
  const record: IncomingRecord = { ...r, descriptor: encodeKept({ ...a, caption: had.caption }) }
  kv.put(key, enc.encode(JSON.stringify(record)))
  return { outcome: 'completed', record }
}

/**
 * In the messenger's transaction: a file's second message (`a.completes`) opened before the message
 * that announced it, with no record of it yet. The full descriptor is kept, not shown, as a file
 * announced streamed (a direct push of it ends with ChunkEnd); its announcement, when it comes,
 * takes the record (recordIncoming) and is shown with it.
 */
export function recordUnannounced (kv: Kv, from: string, messageId: string, a: Attachment, at: number): void {
  const r: IncomingRecord = { from, messageId, receivedAt: at, descriptor: encodeKept({ ...a, caption: '' }), streamed: true, unannounced: true }
  kv.put(recordKey(from, Buffer.from(a.fileId).toString('hex')), enc.encode(JSON.stringify(r)))
}

/**
 * The records kept for an announcement that has not come (recordUnannounced), kept since before
 * `before`: it was lost, or its message deleted before its second message arrived.
 */
export async function unannouncedBefore (store: Store, before: number): Promise<IncomingRecord[]> {
  const out: IncomingRecord[] = []
  for await (const r of incomingRecords(store)) if (r.unannounced === true && r.receivedAt < before) out.push(r)
  return out
}

/** Every received file's record (one per file, far fewer than messages), in no particular order. */
export async function * incomingRecords (store: Store): AsyncGenerator<IncomingRecord> {
  for await (const { value } of store.scan(N.attachmentIn)) yield JSON.parse(dec.decode(value)) as IncomingRecord
}

/** Whether the record of `r`'s file still waits for its announcement (one may have taken it since `r` was read). */
export async function stillUnannounced (kv: Kv, r: IncomingRecord): Promise<boolean> {
  return (await readRecord(kv, recordKey(r.from, Buffer.from(descriptorOf(r).fileId).toString('hex'))))?.unannounced === true
}

export async function getIncoming (store: Store, from: string, fileIdHex: string): Promise<IncomingRecord | undefined> {
  const b = await store.get(recordKey(from, fileIdHex))
  return b === undefined ? undefined : JSON.parse(dec.decode(b)) as IncomingRecord
}

export function descriptorOf (r: IncomingRecord): Attachment {
  return Attachment.decode(Buffer.from(r.descriptor, 'base64'))
}

/** The record as given, as a write (what the message that carried it writes). */
export function recordOp (r: IncomingRecord, fileIdHex: string): StoreOp {
  return { type: 'put', key: recordKey(r.from, fileIdHex), value: enc.encode(JSON.stringify(r)) }
}

/**
 * A write of the record as stored now with `change` applied. A view of the file (IncomingFile)
 * holds a copy of its record from when it was opened, which may predate the receiver's writes (a
 * streamed file's second message describing it in full, an announcement taking its record):
 * putting that copy back would undo them, so only the fields `change` sets are the caller's.
 */
async function updateOp (store: Store, r: IncomingRecord, fileIdHex: string, change: (now: IncomingRecord) => IncomingRecord): Promise<StoreOp> {
  return recordOp(change(await getIncoming(store, r.from, fileIdHex) ?? r), fileIdHex)
}

/** The record marked as having taken chunks from mailboxes, to go in the same write as the chunk. */
export async function fromMailboxesOp (store: Store, r: IncomingRecord, fileIdHex: string): Promise<StoreOp> {
  return updateOp(store, r, fileIdHex, now => ({ ...now, fromMailboxes: true }))
}

export async function markComplete (store: Store, r: IncomingRecord, fileIdHex: string): Promise<void> {
  await store.write([await updateOp(store, r, fileIdHex, now => ({ ...now, complete: true }))])
}

/**
 * The file was saved to `path` (synced and linked): in one synced write, the record says where,
 * `also` is written (the release of its chunks at the replicas), and every chunk record goes (the chunk file is removed after it; one left by a kill, on the next open).
 */
export async function markSaved (store: Store, r: IncomingRecord, fileIdHex: string, path: string, also: StoreOp[] = []): Promise<void> {
  const ops: StoreOp[] = [await updateOp(store, r, fileIdHex, now => ({ ...now, complete: true, savedTo: path })), ...also]
  for await (const key of store.listKeys(chunkPrefix(r.from, fileIdHex))) ops.push({ type: 'del', key })
  await store.write(ops)
}

/** Its chunks made a file other than its sender described: not taken again (IncomingRecord.refused). */
export async function markRefused (store: Store, r: IncomingRecord, fileIdHex: string): Promise<void> {
  await store.write([await updateOp(store, r, fileIdHex, now => {
    const rest: IncomingRecord = { ...now, refused: true }
    delete rest.complete
    return rest
  })])
}

/** The file is no longer complete (some chunks must be fetched again). */
export async function markIncomplete (store: Store, r: IncomingRecord, fileIdHex: string): Promise<void> {
  await store.write([await updateOp(store, r, fileIdHex, now => {
    const rest = { ...now }
    delete rest.complete
    return rest
  })])
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
