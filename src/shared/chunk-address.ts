/**
 * An attachment chunk's address: a CIDv1 (raw codec, sha2-256) over its encrypted bytes. Senders
 * compute it, holders check it on every write, recipients on every read: what the address names
 * cannot be swapped by anyone in between.
 */
import { createHash } from 'node:crypto'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { create as createDigest } from 'multiformats/hashes/digest'
import { sha256 } from 'multiformats/hashes/sha2'

/** Synchronous (node:crypto): CIDv1 bytes of `bytes`. */
export function chunkCid (bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return partsCid([bytes])
}

/** The CIDv1 of `parts` joined, hashed piece by piece (no copy of the whole). */
export function partsCid (parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  const digest = createDigest(sha256.code, h.digest())
  return new Uint8Array(CID.createV1(raw.code, digest).bytes)
}

/** Whether `cid` is a well-formed CIDv1 of the raw codec with a sha2-256 multihash. */
export function isChunkCid (cid: Uint8Array): boolean {
  try {
    const c = CID.decode(cid)
    return c.version === 1 && c.code === raw.code && c.multihash.code === sha256.code
  } catch {
    return false
  }
}

/** Whether `cid` names exactly `bytes`. */
export function namesBytes (cid: Uint8Array, bytes: Uint8Array): boolean {
  return Buffer.from(chunkCid(bytes)).equals(Buffer.from(cid))
}
