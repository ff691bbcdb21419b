/**
 * Record keys sealed at rest: what a thief reading the LevelDB files of an encrypted data dir sees
 * of a key is its namespace (`/cairn/inbox/`, libp2p's `/peers/`), never a contact's name or
 * PeerId, a group id or a message id. Each segment after the namespace is sealed on its own and
 * deterministically (AES-256-GCM-SIV, a fixed nonce, the namespace and the segment's position as
 * associated data, under a key derived from the data key): the same plaintext key always maps to
 * the same stored key, so an exact lookup stays one LevelDB get, and a prefix made of whole
 * segments maps to a stored prefix, so listing it stays one range scan. What is lost is key order
 * within a namespace and partial-segment prefixes: the Store and the libp2p view put those back
 * (store.ts, encrypted-datastore.ts). Segments are padded to 16 bytes before sealing, so a stored
 * segment shows only its plaintext's length rounded up to 16. The mailbox's own records
 * (`/cairn/mbx/`) stay plain: its paging of mail and its handover reconcile ranges of envelope ids
 * in key order (docs/DECISIONS.md).
 *
 * Sealing is deterministic, so the segments sealed last are remembered (SEALED_SEGMENTS, in memory
 * only, like the Store's read cache of plaintext records): a key the receive path reads and then
 * writes (an envelope's seen mark, the sender's message id), or a sender's PeerId repeated in every
 * key about it, is sealed once rather than at each use (docs/DECISIONS.md). They are kept in two
 * generations (a lookup that finds a segment in the older one moves it to the newer; the older is
 * dropped whole when the newer is full), not in a strict least-recently-used Map: once full, its
 * front deletes and first-key reads made a key with one new segment cost 17–30 µs, ~6–10 µs of it
 * the AES-256-GCM-SIV call (V8 skips a Map's deleted slots until it rehashes); 8–12 µs now.
 */
import { createHmac } from 'node:crypto'
import { Aes256GcmSiv } from '@signalapp/libsignal-client'
import { NAMESPACES } from '../namespaces.js'
import { AtRestDamagedError } from './errors.js'

const LABEL = 'cairn/at-rest/record-keys'
const NONCE = new Uint8Array(12)
const BLOCK = 16
const CAIRN = '/cairn/'
/** How many sealed segments a KeyCipher remembers at most (recently used): ~150 bytes each. */
export const SEALED_SEGMENTS = 4096
/** Segments per generation: the newer is dropped into the older's place when it holds this many. */
const GENERATION = SEALED_SEGMENTS / 2
/** Cairn's namespaces, longest first: a key's namespace is the longest one it starts with. */
const CAIRN_NAMESPACES: readonly string[] = [...Object.values(NAMESPACES)].sort((a, b) => b.length - a.length)
/** Keys left plain, whole: the mailbox's records, ordered by envelope id. */
const PLAIN = [NAMESPACES.mailbox]
/**
 * Every namespace is one or two segments under `/cairn/`, so a key's namespace is its first two
 * segments or its first one, whichever is a namespace: two lookups in a set rather than a test of
 * every namespace (a few µs a key, and every read and write seals one).
 */
const NAMESPACE_SET: ReadonlySet<string> = new Set(CAIRN_NAMESPACES)
const SHALLOW = CAIRN_NAMESPACES.every(n => n.startsWith(CAIRN) && n.endsWith('/') && n.slice(CAIRN.length, -1).split('/').length <= 2)

function cairnNamespace (key: string): string {
  if (!SHALLOW) return CAIRN_NAMESPACES.find(n => key.startsWith(n)) ?? CAIRN
  const first = key.indexOf('/', CAIRN.length)
  if (first < 0) return CAIRN
  const second = key.indexOf('/', first + 1)
  if (second >= 0) {
    const two = key.slice(0, second + 1)
    if (NAMESPACE_SET.has(two)) return two
  }
  const one = key.slice(0, first + 1)
  return NAMESPACE_SET.has(one) ? one : CAIRN
}

const utf8 = new TextEncoder()
const text = new TextDecoder('utf-8', { fatal: true })

/**
 * The plain head of a key (its namespace, with the trailing '/'), or the whole key when it stays
 * plain. Applies alike to a plaintext key and to its stored form: the head is never sealed, and a
 * sealed segment (43 characters or more of base64url) is never a namespace's name.
 */
export function plainHead (key: string): string {
  if (PLAIN.some(p => key.startsWith(p))) return key
  if (key.startsWith(CAIRN)) return cairnNamespace(key)
  // libp2p's records: the first segment ('/peers/', '/dht/'); a key of one segment stays as it is
  const slash = key.indexOf('/', 1)
  return key.startsWith('/') && slash > 0 ? key.slice(0, slash + 1) : key
}

/** Whether every key under `prefix` is stored plain (so LevelDB still orders them). */
export function keptPlain (prefix: string): boolean {
  return PLAIN.some(p => prefix.startsWith(p))
}

export class KeyCipher {
  private readonly aead: Aes256GcmSiv
  /** `head#index/segment` → its sealed form: the newer generation, then the older one. */
  private sealedSegments = new Map<string, string>()
  private olderSegments = new Map<string, string>()
  /** The associated data of each (namespace, position), encoded once. */
  private readonly aads = new Map<string, Uint8Array<ArrayBuffer>>()

  constructor (dataKey: Uint8Array) {
    const key = createHmac('sha256', dataKey).update(LABEL).digest()
    this.aead = Aes256GcmSiv.new(new Uint8Array(key))
    key.fill(0)
  }

  /** The stored form of a plaintext key. */
  seal (key: string): string {
    const head = plainHead(key)
    if (head.length === key.length) return key
    return head + key.slice(head.length).split('/').map((s, i) => this.sealSegment(head, i, s)).join('/')
  }

  /** The plaintext key of a stored one; AtRestDamagedError if a segment does not open. */
  open (stored: string): string {
    const head = plainHead(stored)
    if (head.length === stored.length) return stored
    return head + stored.slice(head.length).split('/').map((s, i) => this.openSegment(head, i, s)).join('/')
  }

  /**
   * Where to scan for the keys starting with `prefix`: `stored`, the stored form of its whole
   * segments, and `exact`, whether every key under `stored` starts with `prefix` (otherwise the
   * prefix ends inside a segment, and the scan's keys need filtering once opened).
   */
  prefix (prefix: string): { stored: string, exact: boolean } {
    const head = plainHead(prefix)
    if (head.length === prefix.length) return { stored: prefix, exact: true }
    const cut = prefix.lastIndexOf('/') + 1
    // a prefix that ends inside the namespace's next segment ('/cairn/in', '/dht/prov'): the namespace
    if (cut <= head.length) return { stored: head, exact: false }
    return { stored: this.seal(prefix.slice(0, cut - 1)) + '/', exact: cut === prefix.length }
  }

  private sealSegment (head: string, index: number, segment: string): string {
    const id = `${head}#${index}/${segment}`
    const known = this.sealedSegments.get(id)
    if (known !== undefined) return known
    const older = this.olderSegments.get(id)
    const sealed = older ?? this.sealNew(head, index, segment)
    this.remember(id, sealed)
    return sealed
  }

  private sealNew (head: string, index: number, segment: string): string {
    const bytes = utf8.encode(segment)
    const padded = new Uint8Array((Math.floor(bytes.length / BLOCK) + 1) * BLOCK)
    padded.set(bytes)
    padded[bytes.length] = 0x80 // ISO/IEC 7816-4: 0x80, then zeros
    return Buffer.from(this.aead.encrypt(padded, NONCE, this.aad(head, index))).toString('base64url')
  }

  /** Into the newer generation; a full one becomes the older (the older is forgotten). */
  private remember (id: string, sealed: string): void {
    if (this.sealedSegments.size >= GENERATION) {
      this.olderSegments = this.sealedSegments
      this.sealedSegments = new Map()
    }
    this.sealedSegments.set(id, sealed)
  }

  private aad (head: string, index: number): Uint8Array<ArrayBuffer> {
    const id = `${head}#${index}`
    let out = this.aads.get(id)
    if (out === undefined) {
      out = utf8.encode(id)
      // heads are few (the namespaces), positions too: no bound needed beyond a sanity cap
      if (this.aads.size < 1024) this.aads.set(id, out)
    }
    return out
  }

  private openSegment (head: string, index: number, sealed: string): string {
    let padded: Uint8Array
    try {
      padded = this.aead.decrypt(new Uint8Array(Buffer.from(sealed, 'base64url')), NONCE, this.aad(head, index))
    } catch (err) {
      throw new AtRestDamagedError(`key ${head}…`, 'a key segment fails authentication', { cause: err })
    }
    const end = padded.lastIndexOf(0x80)
    if (end < 0 || padded.subarray(end + 1).some(b => b !== 0)) throw new AtRestDamagedError(`key ${head}…`, 'bad key padding')
    return text.decode(padded.subarray(0, end))
  }
}
