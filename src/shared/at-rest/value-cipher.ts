/**
 * One value sealed with the data key: version(1) | nonce(12) | ciphertext | tag(16), the record's
 * key as associated data, so a value moved to another key (or another file) fails to open.
 * AES-256-GCM-SIV (libsignal): one cipher object per data key (6.7 µs per 1 KiB sealed, against
 * ~100 µs for node:crypto GCM's per-value set-up, STACK-NOTES §10), and a repeated random nonce
 * reveals only that two values are equal rather than the key stream. Nonces are cut from a pool of
 * random bytes filled NONCE_POOL at a time (one call to the system's CSPRNG costs ~10 µs, as much
 * as sealing a 1 KiB value); each is used once.
 */
import { randomFillSync } from 'node:crypto'
import { Aes256GcmSiv } from '@signalapp/libsignal-client'
import { AtRestDamagedError } from './errors.js'
import { KeyCipher } from './key-cipher.js'

export const VALUE_VERSION = 1
const NONCE_BYTES = 12
const TAG_BYTES = 16
export const DATA_KEY_BYTES = 32
/** What sealing adds to every value, bytes. */
export const SEAL_OVERHEAD = 1 + NONCE_BYTES + TAG_BYTES
/** Nonces drawn from the CSPRNG in one call. */
const NONCE_POOL = 256

const utf8 = new TextEncoder()

export interface ValueCipherOptions {
  /** Seal record keys too (key-cipher.ts): a data dir made or re-sealed since header version 2. */
  sealKeys?: boolean
}

export class ValueCipher {
  private readonly aead: Aes256GcmSiv
  /** The record keys' cipher, from the same data key; undefined when keys are stored plain (header version 1). */
  readonly keys: KeyCipher | undefined
  private readonly nonces = new Uint8Array(NONCE_BYTES * NONCE_POOL)
  private nextNonce = this.nonces.length

  constructor (key: Uint8Array, options: ValueCipherOptions = {}) {
    if (key.length !== DATA_KEY_BYTES) throw new RangeError(`a data key is ${DATA_KEY_BYTES} bytes`)
    this.aead = Aes256GcmSiv.new(new Uint8Array(key))
    this.keys = options.sealKeys === true ? new KeyCipher(key) : undefined
  }

  /** `binding`: what the value belongs to (its store key, or a file's role), authenticated, not stored. */
  seal (binding: string | Uint8Array, value: Uint8Array): Uint8Array {
    const nonce = this.nonce()
    // libsignal reads its arguments during the call and keeps none: views, not copies
    const sealed = this.aead.encrypt(view(value), nonce, aad(binding))
    const out = new Uint8Array(1 + NONCE_BYTES + sealed.length)
    out[0] = VALUE_VERSION
    out.set(nonce, 1)
    out.set(sealed, 1 + NONCE_BYTES)
    return out
  }

  /** A fresh random nonce: the next unused one of the pool, refilled when spent. */
  private nonce (): Uint8Array<ArrayBuffer> {
    if (this.nextNonce === this.nonces.length) {
      randomFillSync(this.nonces)
      this.nextNonce = 0
    }
    // a view: it is copied into the sealed value, and the pool's bytes are never handed out twice
    const nonce = this.nonces.subarray(this.nextNonce, this.nextNonce + NONCE_BYTES)
    this.nextNonce += NONCE_BYTES
    return nonce
  }

  /** The plaintext of a value sealed for `binding`; AtRestDamagedError if it was not (or was altered). */
  open (binding: string | Uint8Array, sealed: Uint8Array): Uint8Array {
    if (sealed.length < SEAL_OVERHEAD || sealed[0] !== VALUE_VERSION) throw new AtRestDamagedError(describe(binding), 'not a sealed value')
    try {
      return this.aead.decrypt(view(sealed.subarray(1 + NONCE_BYTES)), view(sealed.subarray(1, 1 + NONCE_BYTES)), aad(binding))
    } catch (err) {
      throw new AtRestDamagedError(describe(binding), 'authentication failed', { cause: err })
    }
  }
}

function aad (binding: string | Uint8Array): Uint8Array<ArrayBuffer> {
  return typeof binding === 'string' ? utf8.encode(binding) : view(binding)
}

/** The same bytes, typed as libsignal wants them; copied only if they live in shared memory. */
function view (bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? bytes as Uint8Array<ArrayBuffer> : new Uint8Array(bytes)
}

/** Names the record in an error without its full key (a key can carry a peer id or a contact name). */
function describe (binding: string | Uint8Array): string {
  const text = typeof binding === 'string' ? binding : new TextDecoder().decode(binding)
  return text.split('/').slice(0, 3).join('/')
}
