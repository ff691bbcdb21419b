import { NAMESPACES } from '../../shared/namespaces.js'
/** The key/value surface the Signal stores need: a Transaction (reads see its own writes). */
export interface Kv {
  get: (key: string) => Promise<Uint8Array | undefined>
  /** Several keys at once (one trip to the store for those not written here). */
  getMany: (keys: string[]) => Promise<Array<Uint8Array | undefined>>
  put: (key: string, value: Uint8Array) => void
  delete: (key: string) => void
}

/** A Kv that is committed as a whole (a store Transaction): work to start once its writes are durable. */
export interface CommittingKv extends Kv {
  /** `fn` is called once the writes are durable; dropped with a rollback past it or a failed commit. Starts work, never waits for it. */
  afterCommit: (fn: () => void) => void
  /** `fn` undoes a change made in memory with these writes: called by a rollback past it or a failed commit. */
  onUndo: (fn: () => void) => void
}

const S = NAMESPACES.signal

export const keys = {
  session: (name: string, device: number) => `${S}session/${name}.${device}`,
  /** The remote identity key the user accepted (trusts for sending). */
  acceptedIdentity: (name: string) => `${S}identity/accepted/${name}`,
  /** The remote identity key last seen in a bundle or message. */
  seenIdentity: (name: string) => `${S}identity/seen/${name}`,
  preKey: (id: number) => `${S}prekey/${pad(id)}`,
  preKeyPrefix: `${S}prekey/`,
  /** Marks a one-time prekey as handed out (to a sender or a mailbox), so it is never given twice. */
  preKeyGiven: (id: number) => `${S}prekey-given/${pad(id)}`,
  signedPreKey: (id: number) => `${S}spk/${pad(id)}`,
  kyberPreKey: (id: number) => `${S}kyber/${pad(id)}`,
  kyberPreKeyPrefix: `${S}kyber/`,
  kyberGiven: (id: number) => `${S}kyber-given/${pad(id)}`,
  kyberLastResort: (id: number) => `${S}kyber-last-resort/${pad(id)}`,
  kyberBaseKeyUsed: (id: number, spkId: number, baseKeyHex: string) => `${S}kyber-used/${pad(id)}/${pad(spkId)}/${baseKeyHex}`,
  senderKey: (name: string, device: number, distributionId: string) => `${NAMESPACES.signalSenderKey}${name}.${device}/${distributionId}`,
  meta: (name: string) => `${NAMESPACES.meta}${name}`
}

/** Fixed-width ids so that key order is numeric order. */
export function pad (n: number): string {
  return n.toString(16).padStart(8, '0')
}

export const enc = new TextEncoder()
export const dec = new TextDecoder()

export function encodeNumber (n: number): Uint8Array {
  return enc.encode(String(n))
}

export function decodeNumber (bytes: Uint8Array | undefined, fallback: number): number {
  return bytes === undefined ? fallback : Number(dec.decode(bytes))
}
