/** The key/value surface the Signal stores need: a Transaction (reads see its own writes). */
export interface Kv {
  get: (key: string) => Promise<Uint8Array | undefined>
  put: (key: string, value: Uint8Array) => void
  delete: (key: string) => void
}

export const keys = {
  session: (name: string, device: number) => `/cairn/signal/session/${name}.${device}`,
  /** The remote identity key the user accepted (trusts for sending). */
  acceptedIdentity: (name: string) => `/cairn/signal/identity/accepted/${name}`,
  /** The remote identity key last seen in a bundle or message. */
  seenIdentity: (name: string) => `/cairn/signal/identity/seen/${name}`,
  preKey: (id: number) => `/cairn/signal/prekey/${pad(id)}`,
  preKeyPrefix: '/cairn/signal/prekey/',
  /** Marks a one-time prekey as handed out (to a sender or a mailbox), so it is never given twice. */
  preKeyGiven: (id: number) => `/cairn/signal/prekey-given/${pad(id)}`,
  signedPreKey: (id: number) => `/cairn/signal/spk/${pad(id)}`,
  kyberPreKey: (id: number) => `/cairn/signal/kyber/${pad(id)}`,
  kyberPreKeyPrefix: '/cairn/signal/kyber/',
  kyberGiven: (id: number) => `/cairn/signal/kyber-given/${pad(id)}`,
  kyberLastResort: (id: number) => `/cairn/signal/kyber-last-resort/${pad(id)}`,
  kyberBaseKeyUsed: (id: number, spkId: number, baseKeyHex: string) => `/cairn/signal/kyber-used/${pad(id)}/${pad(spkId)}/${baseKeyHex}`,
  senderKey: (name: string, device: number, distributionId: string) => `/cairn/signal/sender-key/${name}.${device}/${distributionId}`,
  meta: (name: string) => `/cairn/meta/${name}`
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
