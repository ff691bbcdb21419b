/** PeerIds as users type them and as they travel on the wire, with typed errors for bad input. */
import { peerIdFromMultihash, peerIdFromString } from '@libp2p/peer-id'
import * as Digest from 'multiformats/hashes/digest'
import type { PeerId } from '@libp2p/interface'
import { BoundedMap } from './bounded-map.js'
import { InvalidInputError, ProtocolError } from './errors.js'

/** PeerIds parsed lately, by the text parsed (a PeerId object is immutable): the most recent few thousand. */
const PARSED_KEPT = 4096
const parsed = new BoundedMap<string, PeerId>(PARSED_KEPT)

/**
 * Parse a PeerId typed by a user; only Ed25519 PeerIds identify Cairn users. The sender parses each
 * recipient's PeerId string at its seal and again at its delivery (base58 and multihash decoding,
 * ~15 µs): a group send parses every member's twice, so the good parses are remembered.
 */
export function parsePeerId (text: string): PeerId {
  const known = parsed.get(text)
  if (known !== undefined) return known
  let id: PeerId
  try {
    id = peerIdFromString(text.trim())
  } catch {
    throw new InvalidInputError(`malformed PeerId: ${JSON.stringify(text)}`)
  }
  if (id.type !== 'Ed25519') throw new InvalidInputError(`PeerId ${text} is not an Ed25519 key; Cairn users have Ed25519 PeerIds`)
  parsed.set(text, id)
  return id
}

export function looksLikePeerId (text: string): boolean {
  // anything shaped like one is parsed as one, so a mistyped PeerId gets "malformed", not "unknown contact"
  return /^(12D3Koo|Qm)[0-9A-Za-z]{20,}$/.test(text.trim())
}

/** Decode PeerId bytes received from a peer. */
export function peerIdFromBytes (bytes: Uint8Array): PeerId {
  try {
    const id = peerIdFromMultihash(Digest.decode(bytes))
    if (id.type !== 'Ed25519') throw new Error('not Ed25519')
    return id
  } catch (err) {
    throw new ProtocolError('malformed PeerId bytes', { cause: err })
  }
}

/** Recipients' PeerId texts by their bytes (base64), the most recent few thousand. */
const texts = new BoundedMap<string, string>(PARSED_KEPT)

/**
 * `peerIdFromBytes(bytes).toString()`, remembered: a mailbox node names the recipient of every
 * envelope deposited, and decoding the key and encoding base58 was ~15 µs of each deposit's
 * JS-thread time. Only good parses are kept; bad bytes throw as `peerIdFromBytes` does.
 */
export function peerIdTextFromBytes (bytes: Uint8Array): string {
  const key = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
  const known = texts.get(key)
  if (known !== undefined) return known
  const text = peerIdFromBytes(bytes).toString()
  texts.set(key, text)
  return text
}

export function peerIdBytes (id: PeerId): Uint8Array<ArrayBuffer> {
  return new Uint8Array(id.toMultihash().bytes)
}

/** The PeerIds named by multiaddrs' `/p2p/` parts (bootstrap addresses), as text. */
export function peersOf (addrs: string[]): Set<string> {
  return new Set(addrs.map(a => a.split('/p2p/').pop() ?? '').filter(id => id !== ''))
}
