/**
 * Envelope ids are derived from what they name: the first 16 bytes of SHA-256 over a domain tag,
 * the envelope version, the recipient and the sealed bytes. Every holder and the recipient check
 * it, so nobody can put their own envelope under someone else's id: a stranger who learns a
 * pending id cannot have the genuine copy taken for a duplicate (and deleted everywhere with the
 * recipient's own signed ack), and a replica cannot swap a body under a genuine id unnoticed.
 * The expiry is left out: holders cap it, and a holder that shortens it only drops its own copy.
 */
import { createHash } from 'node:crypto'

export const ENVELOPE_ID_BYTES = 16
const TAG = Buffer.from('cairn/envelope-id/v2')

export function envelopeId (env: { version: number, recipient: Uint8Array, sealed: Uint8Array }): Uint8Array<ArrayBuffer> {
  const h = createHash('sha256').update(TAG).update(Buffer.from([env.version & 0xff]))
  const len = Buffer.alloc(4)
  len.writeUInt32BE(env.recipient.length)
  h.update(len).update(env.recipient).update(env.sealed)
  return new Uint8Array(h.digest().subarray(0, ENVELOPE_ID_BYTES))
}

/** Whether an envelope's id is the one its recipient and sealed bytes give. */
export function hasBoundId (env: { version: number, id: Uint8Array, recipient: Uint8Array, sealed: Uint8Array }): boolean {
  return env.id.length === ENVELOPE_ID_BYTES && Buffer.from(envelopeId(env)).equals(Buffer.from(env.id))
}
