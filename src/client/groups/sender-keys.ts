/**
 * libsignal sender keys over the store (KvSenderKeyStore, in the caller's transaction): one chain
 * per (sender, distribution id). A member's chain is started once and replaced by a new one (a new
 * distribution id) when anyone leaves, so a former member's copy of the old chain opens nothing
 * sent afterwards. Distribution messages are made once per member per chain and re-sent as the
 * same bytes: libsignal keeps an existing chain state when it sees them again, so a resend never
 * rewinds it (and a later, further-advanced one never hides earlier messages).
 */
import { randomUUID } from 'node:crypto'
import {
  ErrorCode, type CiphertextMessage, LibSignalErrorBase, SenderKeyDistributionMessage, SenderKeyMessage, groupDecrypt, groupEncrypt, processSenderKeyDistributionMessage
} from '@signalapp/libsignal-client'
import { keys, type Kv } from '../crypto/kv.js'
import { addressOf } from '../crypto/sealed-session.js'
import { KvSenderKeyStore } from '../crypto/signal-stores.js'

const ab = (b: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(b)

/** Start a fresh chain for `me`; returns its distribution id. */
export async function startChain (kv: Kv, me: string): Promise<string> {
  const distributionId = randomUUID()
  await SenderKeyDistributionMessage.create(addressOf(me), distributionId, new KvSenderKeyStore(kv))
  return distributionId
}

/** Delete `sender`'s chain `distributionId` (rotated out, or its group left). */
export function forget (kv: Kv, sender: string, distributionId: string): void {
  kv.delete(keys.senderKey(sender, addressOf(sender).deviceId(), distributionId))
}

/** A distribution message for `me`'s chain at its current position (opens messages from the next one on). */
export async function distribution (kv: Kv, me: string, distributionId: string): Promise<Uint8Array> {
  return (await SenderKeyDistributionMessage.create(addressOf(me), distributionId, new KvSenderKeyStore(kv))).serialize()
}

export async function encrypt (kv: Kv, me: string, distributionId: string, plaintext: Uint8Array): Promise<Uint8Array> {
  return (await encryptMessage(kv, me, distributionId, plaintext)).serialize()
}

/** As `encrypt`, as libsignal's message object (what a sealed part's seal takes). */
export async function encryptMessage (kv: Kv, me: string, distributionId: string, plaintext: Uint8Array): Promise<CiphertextMessage> {
  return groupEncrypt(addressOf(me), distributionId, new KvSenderKeyStore(kv), ab(plaintext))
}

/** Take `sender`'s distribution message (it came over `sender`'s own 1:1 session); returns its distribution id. */
export async function accept (kv: Kv, sender: string, bytes: Uint8Array): Promise<string> {
  const message = SenderKeyDistributionMessage.deserialize(ab(bytes))
  await processSenderKeyDistributionMessage(addressOf(sender), message, new KvSenderKeyStore(kv))
  return message.distributionId()
}

/** The distribution id a group ciphertext names, or undefined when it is not one. */
export function distributionIdOf (ciphertext: Uint8Array): string | undefined {
  try { return SenderKeyMessage.deserialize(ab(ciphertext)).distributionId() } catch { return undefined }
}

/** Decrypt one of `sender`'s group messages; undefined for a replay (already opened). */
export async function decrypt (kv: Kv, sender: string, ciphertext: Uint8Array): Promise<Uint8Array | undefined> {
  try {
    return await groupDecrypt(addressOf(sender), new KvSenderKeyStore(kv), ab(ciphertext))
  } catch (err) {
    if (LibSignalErrorBase.is(err, ErrorCode.DuplicatedMessage)) return undefined
    throw err
  }
}
