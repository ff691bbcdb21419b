/**
 * libsignal's stores over a Kv (a store Transaction), so that one operation's ratchet, identity
 * and prekey updates commit together with whatever else it writes, or not at all.
 */
import {
  Direction, IdentityChange, IdentityKeyStore, KyberPreKeyRecord, KyberPreKeyStore, PreKeyRecord, PreKeyStore,
  PublicKey, SenderKeyRecord, SenderKeyStore, SessionRecord, SessionStore, SignedPreKeyRecord, SignedPreKeyStore,
  ProtocolAddress, type IdentityKeyPair, type PrivateKey
} from '@signalapp/libsignal-client'
import { keys, type Kv } from './kv.js'

const ab = (b: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(b)

/**
 * The session records a Kv (a transaction) last saved or read, with the bytes it holds for each:
 * opening a page of one sender's mail reads back the record the message before saved, and a seal
 * reads the record its session check just read, and each gets the object itself rather than
 * parsing it again. Only while the Kv still holds the same bytes: a rollback puts older ones
 * back, and those are parsed.
 */
const saved = new WeakMap<Kv, Map<string, { bytes: Uint8Array, record: SessionRecord }>>()

/**
 * Let `to` start with the session records `from` parsed (a read-only look-up made just before, in
 * its own Kv): each is still used only while `to` holds the same bytes. A group send checks every
 * member's session before taking the crypto lock, then again in its transaction: once parsed.
 */
export function carrySessions (from: Kv, to: Kv): void {
  const records = saved.get(from)
  if (records !== undefined && !saved.has(to)) saved.set(to, new Map(records))
}

export class KvSessionStore extends SessionStore {
  constructor (private readonly kv: Kv) { super() }
  async saveSession (address: ProtocolAddress, record: SessionRecord): Promise<void> {
    const key = keys.session(address.name(), address.deviceId())
    const bytes = record.serialize()
    this.kv.put(key, bytes)
    let records = saved.get(this.kv)
    if (records === undefined) { records = new Map(); saved.set(this.kv, records) }
    records.set(key, { bytes, record })
  }

  async getSession (address: ProtocolAddress): Promise<SessionRecord | null> {
    const key = keys.session(address.name(), address.deviceId())
    const b = await this.kv.get(key)
    if (b === undefined) return null
    let records = saved.get(this.kv)
    const last = records?.get(key)
    // libsignal copies a record it is given and saves a new one: the object is never changed in place
    // a read from the store is a fresh copy: the same bytes, compared (microseconds; parsing costs far more)
    if (last !== undefined && (last.bytes === b || Buffer.compare(last.bytes, b) === 0)) return last.record
    const record = SessionRecord.deserialize(ab(b))
    if (records === undefined) { records = new Map(); saved.set(this.kv, records) }
    records.set(key, { bytes: b, record })
    return record
  }

  async getExistingSessions (addresses: ProtocolAddress[]): Promise<SessionRecord[]> {
    const out: SessionRecord[] = []
    for (const a of addresses) {
      const s = await this.getSession(a)
      if (s === null) throw new Error(`no session for ${a.name()}.${a.deviceId()}`)
      out.push(s)
    }
    return out
  }
}

/**
 * Remote identities are kept twice: the key last seen, and the key the user accepted. Sending
 * trusts only the accepted key (first use accepts), so a changed key blocks sending until the user
 * accepts it; receiving always proceeds (the change is surfaced, the message is not lost).
 */
export class KvIdentityStore extends IdentityKeyStore {
  constructor (private readonly kv: Kv, private readonly identity: IdentityKeyPair, private readonly registrationId: number) { super() }
  async getIdentityKey (): Promise<PrivateKey> { return this.identity.privateKey }
  /**
   * The pair we hold. libsignal's default derives the public key from the private one (a scalar
   * multiplication, ~30 µs) at every seal that asks for it: each 1:1 seal and each v2 part.
   */
  override async getIdentityKeyPair (): Promise<IdentityKeyPair> { return this.identity }
  async getLocalRegistrationId (): Promise<number> { return this.registrationId }

  async saveIdentity (address: ProtocolAddress, key: PublicKey): Promise<IdentityChange> {
    const name = address.name()
    const bytes = key.serialize()
    const seen = await this.kv.get(keys.seenIdentity(name))
    if (await this.kv.get(keys.acceptedIdentity(name)) === undefined) this.kv.put(keys.acceptedIdentity(name), bytes)
    // libsignal saves the sender's key with every message it opens: the same bytes, nearly always
    // (compared as bytes, not parsed; a key's serialization is canonical)
    if (seen !== undefined && Buffer.from(seen.buffer, seen.byteOffset, seen.byteLength).equals(bytes)) return IdentityChange.NewOrUnchanged
    this.kv.put(keys.seenIdentity(name), bytes)
    return seen !== undefined ? IdentityChange.ReplacedExisting : IdentityChange.NewOrUnchanged
  }

  async isTrustedIdentity (address: ProtocolAddress, key: PublicKey, direction: Direction): Promise<boolean> {
    if (direction === Direction.Receiving) return true
    const accepted = await this.kv.get(keys.acceptedIdentity(address.name()))
    return accepted === undefined || PublicKey.deserialize(ab(accepted)).equals(key)
  }

  async getIdentity (address: ProtocolAddress): Promise<PublicKey | null> {
    const b = await this.kv.get(keys.seenIdentity(address.name()))
    return b === undefined ? null : PublicKey.deserialize(ab(b))
  }
}

export class KvPreKeyStore extends PreKeyStore {
  constructor (private readonly kv: Kv) { super() }
  async savePreKey (id: number, record: PreKeyRecord): Promise<void> { this.kv.put(keys.preKey(id), record.serialize()) }
  async getPreKey (id: number): Promise<PreKeyRecord> {
    const b = await this.kv.get(keys.preKey(id))
    if (b === undefined) throw new Error(`one-time prekey ${id} is unknown or already used`)
    return PreKeyRecord.deserialize(ab(b))
  }

  async removePreKey (id: number): Promise<void> {
    this.kv.delete(keys.preKey(id))
    this.kv.delete(keys.preKeyGiven(id))
  }
}

export class KvSignedPreKeyStore extends SignedPreKeyStore {
  constructor (private readonly kv: Kv) { super() }
  async saveSignedPreKey (id: number, record: SignedPreKeyRecord): Promise<void> { this.kv.put(keys.signedPreKey(id), record.serialize()) }
  async getSignedPreKey (id: number): Promise<SignedPreKeyRecord> {
    const b = await this.kv.get(keys.signedPreKey(id))
    if (b === undefined) throw new Error(`signed prekey ${id} is unknown`)
    return SignedPreKeyRecord.deserialize(ab(b))
  }
}

export class KvKyberPreKeyStore extends KyberPreKeyStore {
  constructor (private readonly kv: Kv) { super() }
  async saveKyberPreKey (id: number, record: KyberPreKeyRecord): Promise<void> { this.kv.put(keys.kyberPreKey(id), record.serialize()) }
  async getKyberPreKey (id: number): Promise<KyberPreKeyRecord> {
    const b = await this.kv.get(keys.kyberPreKey(id))
    if (b === undefined) throw new Error(`Kyber prekey ${id} is unknown or already used`)
    return KyberPreKeyRecord.deserialize(ab(b))
  }

  /** One-time Kyber keys are deleted; the last-resort key stays, but refuses a replayed base key. */
  async markKyberPreKeyUsed (id: number, signedPreKeyId: number, baseKey: PublicKey): Promise<void> {
    if (await this.kv.get(keys.kyberLastResort(id)) === undefined) {
      this.kv.delete(keys.kyberPreKey(id))
      this.kv.delete(keys.kyberGiven(id))
      return
    }
    const used = keys.kyberBaseKeyUsed(id, signedPreKeyId, Buffer.from(baseKey.serialize()).toString('hex'))
    if (await this.kv.get(used) !== undefined) throw new Error('last-resort Kyber prekey reused with the same base key (replay)')
    this.kv.put(used, new Uint8Array([1]))
  }
}

export class KvSenderKeyStore extends SenderKeyStore {
  constructor (private readonly kv: Kv) { super() }
  async saveSenderKey (sender: ProtocolAddress, distributionId: string, record: SenderKeyRecord): Promise<void> {
    this.kv.put(keys.senderKey(sender.name(), sender.deviceId(), distributionId), record.serialize())
  }

  async getSenderKey (sender: ProtocolAddress, distributionId: string): Promise<SenderKeyRecord | null> {
    const b = await this.kv.get(keys.senderKey(sender.name(), sender.deviceId(), distributionId))
    return b === undefined ? null : SenderKeyRecord.deserialize(ab(b))
  }
}

export interface SignalStores {
  sessions: KvSessionStore
  identities: KvIdentityStore
  preKeys: KvPreKeyStore
  signedPreKeys: KvSignedPreKeyStore
  kyberPreKeys: KvKyberPreKeyStore
}

export function signalStores (kv: Kv, identity: IdentityKeyPair, registrationId: number): SignalStores {
  return {
    sessions: new KvSessionStore(kv),
    identities: new KvIdentityStore(kv, identity, registrationId),
    preKeys: new KvPreKeyStore(kv),
    signedPreKeys: new KvSignedPreKeyStore(kv),
    kyberPreKeys: new KvKyberPreKeyStore(kv)
  }
}

