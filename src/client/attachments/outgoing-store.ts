/**
 * Attachments sent: the file's path and descriptor (with its key; the store is 0600), the message
 * that announced it, and how far its chunks got, so a killed `send` continues where it stopped.
 * Written before the message leaves: a descriptor is never announced without a way to serve it.
 */
import { Attachment } from '../../../proto/cairn.js'
import { NAMESPACES } from '../../shared/namespaces.js'
import type { Store } from '../../shared/store.js'
import { dec, enc, type Kv } from '../crypto/kv.js'

export type OutgoingState = 'announcing' | 'sending' | 'delivered' | 'stored' | 'failed'

export interface OutgoingRecord {
  fileIdHex: string
  to: string
  path: string
  createdAt: number
  descriptor: string
  /**
   * base64 of every chunk's GCM tag, in order (file-chunks.ts: each chunk produced again is checked
   * by its tag, not hashed again); absent in a record written before session 12.
   */
  tags?: string
  /** Announced streamed (session 21): a direct push ends with ChunkEnd; tags and a full descriptor only once described (index.ts describeStreamed). */
  streamed?: true
  /** Streamed, then bound for mailboxes: the full descriptor went in a second message. */
  completionSent?: true
  /** The announcing message's id, once sealed. */
  messageId?: string
  state: OutgoingState
  /** Mailbox route: chunks [0, uploaded) are stored at `replicas` replicas at least. */
  uploaded: number
  replicas?: number
  lastError?: string
}

const key = (fileIdHex: string): string => `${NAMESPACES.attachmentOut}${fileIdHex}`
const progressKey = (fileIdHex: string): string => `${NAMESPACES.attachmentOutProgress}${fileIdHex}`

/** The whole record (its state changed); the upload's separate progress goes into it, and its own key with it. */
export async function putOutgoing (store: Store, r: OutgoingRecord): Promise<void> {
  await store.write([{ type: 'put', key: key(r.fileIdHex), value: enc.encode(JSON.stringify(r)) }, { type: 'del', key: progressKey(r.fileIdHex) }])
}

/** A new record, written in `kv` with the message that announces it (a file to a group: index.ts sendToGroup). */
export function putNewOutgoing (kv: Pick<Kv, 'put'>, r: OutgoingRecord): void {
  kv.put(key(r.fileIdHex), enc.encode(JSON.stringify(r)))
}

/**
 * A mailbox upload stored chunks [0, uploaded): a few bytes under their own key, not the record
 * (the descriptor lists every chunk address and the record every tag: ~76 KiB for 1 GiB, which
 * rewritten after each of its ~1,100 chunks cost ~80 MB of store writes).
 */
export async function putUploaded (store: Store, fileIdHex: string, uploaded: number): Promise<void> {
  await store.write([{ type: 'put', key: progressKey(fileIdHex), value: enc.encode(String(uploaded)) }])
}

export async function listOutgoing (store: Store): Promise<OutgoingRecord[]> {
  const out: OutgoingRecord[] = []
  for await (const { value } of store.list(NAMESPACES.attachmentOut)) out.push(JSON.parse(dec.decode(value)) as OutgoingRecord)
  for (const r of out) {
    const progress = await store.get(progressKey(r.fileIdHex))
    if (progress !== undefined) r.uploaded = Math.max(r.uploaded, Number(dec.decode(progress)))
  }
  return out
}

export function outgoingDescriptor (r: OutgoingRecord): Attachment {
  return Attachment.decode(Buffer.from(r.descriptor, 'base64'))
}

/** The kept chunk tags, or undefined (a record from before they were kept: FileChunks checks addresses). */
export function outgoingTags (r: OutgoingRecord): Buffer | undefined {
  return r.tags === undefined ? undefined : Buffer.from(r.tags, 'base64')
}

export function encodeDescriptor (a: Attachment): string {
  return Buffer.from(Attachment.encode(a)).toString('base64')
}
