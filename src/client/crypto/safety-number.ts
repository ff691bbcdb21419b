/** Safety numbers: 60 digits both sides compute alike from both identities (libsignal Fingerprint). */
import { Fingerprint, type PublicKey } from '@signalapp/libsignal-client'

const ITERATIONS = 5200
const VERSION = 2
const enc = new TextEncoder()

export function safetyNumber (local: { peerId: string, key: PublicKey }, remote: { peerId: string, key: PublicKey }): string {
  const fp = Fingerprint.new(ITERATIONS, VERSION, enc.encode(local.peerId), local.key, enc.encode(remote.peerId), remote.key)
  const digits = fp.displayableFingerprint().toString()
  return digits.match(/.{1,5}/g)?.join(' ') ?? digits
}

/** A short fingerprint of one's own identity key, for `cairn id`. */
export function keyFingerprint (key: PublicKey): string {
  return Buffer.from(key.serialize()).subarray(1, 17).toString('hex').match(/.{4}/g)?.join(':') ?? ''
}
