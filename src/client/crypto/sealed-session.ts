/**
 * Double Ratchet sessions wrapped in sealed sender, with self-issued sender certificates: each user
 * is its own trust root, and libsignal binds the certificate's key to the key that sealed the
 * message, so a certificate naming someone else cannot be forged without their identity key.
 */
import {
  CiphertextMessageType, ContentHint, Direction, ErrorCode, KEMPublicKey, LibSignalErrorBase, PreKeyBundle as SignalBundle, PreKeySignalMessage,
  ProtocolAddress, PublicKey, SenderCertificate, ServerCertificate, SignalMessage, UnidentifiedSenderMessageContent,
  processPreKeyBundle, sealedSenderDecryptToUsmc, sealedSenderEncrypt, signalDecrypt,
  signalDecryptPreKey, signalEncrypt, type CiphertextMessage, type IdentityKeyPair
} from '@signalapp/libsignal-client'
import type { PreKeyBundle } from '../../../proto/cairn.js'
import { UnidentifiedSenderContent } from '../../../proto/usmc.js'
import { BoundedMap } from '../../shared/bounded-map.js'
import { CairnError, ProtocolError, UntrustedIdentityError } from '../../shared/errors.js'
import { keys, type Kv } from './kv.js'
import { signalStores } from './signal-stores.js'

const ab = (b: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(b)
const DAY = 24 * 3600 * 1000
/**
 * How long a sender certificate we issue is valid: nothing sealed under it opens after that. Renewed
 * when less than CERT_RENEW_BELOW is left, which is longer than mail waits at a mailbox (14 days by
 * default); mail that waited in the outbox longer than that is sealed again (outbox.ts).
 */
export const CERT_LIFETIME = 60 * DAY
const CERT_RENEW_BELOW = 30 * DAY
/** Sender certificates remembered as checked (a sender's stays the same for weeks; a burst of mail repeats a few). */
const CHECKED_CERTS = 1024

export const DEVICE_ID = 1

export function addressOf (peerId: string): ProtocolAddress {
  return ProtocolAddress.new(peerId, DEVICE_ID)
}

/** A sealed message could not be opened: tampered, replayed, or not for us. */
export class UndecryptableError extends CairnError {
  readonly duplicate: boolean
  constructor (message: string, options: { cause?: unknown, duplicate?: boolean } = {}) {
    super('PROTOCOL', message, { cause: options.cause })
    this.duplicate = options.duplicate ?? false
    this.name = 'UndecryptableError'
  }
}

/**
 * A sealed group part whose certificate's key is not the identity key we hold for the
 * PeerId it names (or we hold none): it carries no identity certificate to vouch for a new key.
 */
export class UnboundSenderError extends CairnError {
  constructor (message: string) {
    super('PROTOCOL', message)
    this.name = 'UnboundSenderError'
  }
}

export interface OpenedMessage {
  /** The sender's PeerId, as its certificate claims; the caller must still bind it (see Messenger). */
  sender: string
  senderKey: PublicKey
  /** The identity key the user had accepted for this sender before this message, if any. */
  previouslyAccepted: PublicKey | null
  plaintext: Uint8Array
  /**
   * Set for a sealed group part: `plaintext` is then the sender's sender-key ciphertext
   * (not a Content), still to be opened with the group's chains, and this is the group it names.
   * The sender is already bound: its key is the one we hold for it.
   */
  groupId?: Uint8Array
}

/** A 1:1 message as sealed, and what it takes to seal the same message again under a newer certificate. */
export interface SealedMessage {
  sealed: Uint8Array<ArrayBuffer>
  /** The content inside the seal (libsignal's UnidentifiedSenderMessageContent, serialized): the ratchet message and our certificate. */
  inner: Uint8Array
  /** When the sender certificate inside expires: the recipient opens nothing sealed under it after that. */
  certExpires: number
}

export class SealedSession {
  private cert?: { value: SenderCertificate, expires: number }
  /**
   * Sender certificates whose signatures checked out: serialized bytes (base64) → expiry. A
   * certificate is self-signed by the key it certifies, so whether it is valid at a time depends on
   * its bytes and that time alone: the same bytes need their two signatures checked only once.
   */
  private readonly checkedCerts = new BoundedMap<string, number>(CHECKED_CERTS)

  constructor (private readonly me: { peerId: string, identity: IdentityKeyPair, registrationId: number }) {}

  private stores (kv: Kv): ReturnType<typeof signalStores> {
    return signalStores(kv, this.me.identity, this.me.registrationId)
  }

  /** Whether a session with `peer` can carry a message at `now` (libsignal drops one whose first message went unanswered for 30 days). */
  async hasSession (kv: Kv, peer: string, now: number): Promise<boolean> {
    const record = await this.stores(kv).sessions.getSession(addressOf(peer))
    return record?.hasCurrentState(new Date(now)) ?? false
  }

  /**
   * Per peer, whether a sealed group part can be made for it now: a session with it, and the
   * identity key that session holds is the one the user accepted (a changed key blocks sending).
   */
  async sealableFor (kv: Kv, peers: string[], now: number): Promise<boolean[]> {
    const s = this.stores(kv)
    const out: boolean[] = []
    for (const p of peers) {
      const address = addressOf(p)
      const current = (await s.sessions.getSession(address))?.hasCurrentState(new Date(now)) ?? false
      const seen = current ? await s.identities.getIdentity(address) : null
      out.push(seen !== null && await s.identities.isTrustedIdentity(address, seen, Direction.Sending))
    }
    return out
  }

  /** PQXDH from a verified bundle; takes the first one-time prekeys it holds, if any. */
  async startSession (kv: Kv, peer: string, bundle: PreKeyBundle, now: number): Promise<void> {
    const s = this.stores(kv)
    const pk = bundle.preKeys[0]
    const kyber = bundle.kyberPreKeys[0] ?? bundle.lastResortKyberPreKey
    const spk = bundle.signedPreKey
    if (spk === undefined || kyber === undefined || bundle.certificate === undefined) throw new ProtocolError('incomplete prekey bundle')
    const signalBundle = SignalBundle.new(
      bundle.registrationId, bundle.deviceId,
      pk?.id ?? null, pk === undefined ? null : PublicKey.deserialize(ab(pk.publicKey)),
      spk.id, PublicKey.deserialize(ab(spk.publicKey)), ab(spk.signature),
      PublicKey.deserialize(ab(bundle.certificate.identityKey)),
      kyber.id, KEMPublicKey.deserialize(ab(kyber.publicKey)), ab(kyber.signature))
    try {
      await processPreKeyBundle(signalBundle, addressOf(peer), addressOf(this.me.peerId), s.sessions, s.identities, new Date(now))
    } catch (err) {
      if (LibSignalErrorBase.is(err, ErrorCode.UntrustedIdentity)) throw new UntrustedIdentityError(peer)
      throw err
    }
  }

  /** `plaintext` on the session with `peer`, sealed under our current sender certificate. */
  async seal (kv: Kv, peer: string, plaintext: Uint8Array, now: number): Promise<SealedMessage> {
    const s = this.stores(kv)
    try {
      const message = await signalEncrypt(ab(plaintext), addressOf(peer), addressOf(this.me.peerId), s.sessions, s.identities, new Date(now))
      const cert = this.senderCertificate(now)
      const content = UnidentifiedSenderMessageContent.new(message, cert, ContentHint.Default, null)
      return { sealed: await sealedSenderEncrypt(content, addressOf(peer), s.identities), inner: content.serialize(), certExpires: cert.expiration() }
    } catch (err) {
      if (LibSignalErrorBase.is(err, ErrorCode.UntrustedIdentity)) throw new UntrustedIdentityError(peer)
      throw err
    }
  }

  /**
   * `inner` (from `seal`) sealed again under our current certificate: the same ratchet message,
   * which still opens once and in its chain's place, for mail that waited until the certificate it
   * was sealed under would expire before its recipient could collect it.
   */
  async reseal (kv: Kv, peer: string, inner: Uint8Array, now: number): Promise<Omit<SealedMessage, 'inner'>> {
    const cert = this.senderCertificate(now)
    let content: UnidentifiedSenderMessageContent
    try {
      content = UnidentifiedSenderMessageContent.deserialize(ab(UnidentifiedSenderContent.encode({ ...UnidentifiedSenderContent.decode(inner), senderCertificate: cert.serialize() })))
    } catch (err) {
      throw new ProtocolError('not a sealed message\'s content', { cause: err })
    }
    if (content.msgType() !== CiphertextMessageType.PreKey && content.msgType() !== CiphertextMessageType.Whisper) throw new ProtocolError(`not a 1:1 ratchet message (type ${content.msgType()})`)
    return { sealed: await sealedSenderEncrypt(content, addressOf(peer), this.stores(kv).identities), certExpires: cert.expiration() }
  }

  /** When a certificate issued now would expire (the current one, or the one that would replace it). */
  certificateExpiry (now: number): number {
    return this.senderCertificate(now).expiration()
  }

  async open (kv: Kv, sealed: Uint8Array, now: number): Promise<OpenedMessage> {
    const s = this.stores(kv)
    let usmc
    try {
      usmc = await sealedSenderDecryptToUsmc(ab(sealed), s.identities)
    } catch (err) {
      throw new UndecryptableError('sealed envelope does not open', { cause: err })
    }
    const cert = usmc.senderCertificate()
    const sender = cert.senderUuid()
    const senderKey = cert.key()
    if (!this.certificateValid(cert, senderKey, now)) throw new UndecryptableError('sender certificate is expired or not self-signed')
    const address = ProtocolAddress.new(sender, cert.senderDeviceId())
    const accepted = await kv.get(keys.acceptedIdentity(sender))
    if (usmc.msgType() === CiphertextMessageType.SenderKey) {
      // no Content, so no identity certificate: the sender must be the one we already know, by the
      // key we accepted and the key its session holds
      const sessionKey = await s.identities.getIdentity(address)
      if (accepted === undefined || sessionKey === null || !PublicKey.deserialize(ab(accepted)).equals(senderKey) || !sessionKey.equals(senderKey)) {
        throw new UnboundSenderError(`group part from ${sender}: its key is not the one held for that PeerId`)
      }
      const groupId = usmc.groupId()
      if (groupId === null) throw new UndecryptableError('sender-key part names no group')
      return { sender, senderKey, previouslyAccepted: senderKey, plaintext: usmc.contents(), groupId }
    }
    let plaintext: Uint8Array
    try {
      plaintext = usmc.msgType() === CiphertextMessageType.PreKey
        ? await signalDecryptPreKey(PreKeySignalMessage.deserialize(usmc.contents()), address, addressOf(this.me.peerId), s.sessions, s.identities, s.preKeys, s.signedPreKeys, s.kyberPreKeys)
        : await signalDecrypt(SignalMessage.deserialize(usmc.contents()), address, addressOf(this.me.peerId), s.sessions, s.identities)
    } catch (err) {
      const duplicate = LibSignalErrorBase.is(err, ErrorCode.DuplicatedMessage)
      throw new UndecryptableError(duplicate ? 'replayed message' : 'message does not decrypt', { cause: err, duplicate })
    }
    const sessionKey = await s.identities.getIdentity(address)
    if (sessionKey === null || !sessionKey.equals(senderKey)) throw new UndecryptableError('sender certificate key differs from the session identity')
    return { sender, senderKey, previouslyAccepted: accepted === undefined ? null : PublicKey.deserialize(ab(accepted)), plaintext }
  }

  /**
   * Seal one sender-key ciphertext for each of `peers`, a sealed sender (v1) seal per peer: a part
   * per peer, opening only with that peer's identity key and sharing no bytes with another peer's.
   * Every peer needs the identity key the user accepted for it (sealableFor); no session is
   * advanced. `groupId` rides inside, sealed. Not one v2 seal for all (its parts share their
   * ephemeral key and ciphertext, which would let a holder of two members' mail link them), nor a
   * v2 seal per member (it costs ~2× a v1 seal and reads the session; docs/DECISIONS.md).
   */
  async sealForMembers (kv: Kv, peers: string[], senderKeyCiphertext: CiphertextMessage, groupId: Uint8Array, now: number): Promise<Map<string, Uint8Array<ArrayBuffer>>> {
    const s = this.stores(kv)
    const content = UnidentifiedSenderMessageContent.new(senderKeyCiphertext, this.senderCertificate(now), ContentHint.Default, ab(groupId))
    const out = new Map<string, Uint8Array<ArrayBuffer>>()
    for (const peer of peers) {
      try {
        out.set(peer, await sealedSenderEncrypt(content, addressOf(peer), s.identities))
      } catch (err) {
        if (LibSignalErrorBase.is(err, ErrorCode.UntrustedIdentity)) throw new UntrustedIdentityError(peer)
        throw err
      }
    }
    return out
  }

  /** `cert.validate(senderKey, now)`, the signatures checked once per certificate (checkedCerts); `senderKey` is `cert.key()`. */
  private certificateValid (cert: SenderCertificate, senderKey: PublicKey, now: number): boolean {
    const bytes = Buffer.from(cert.serialize()).toString('base64')
    const expires = this.checkedCerts.get(bytes)
    // libsignal's own rule: valid up to and including the expiry
    if (expires !== undefined) return now <= expires
    if (!cert.validate(senderKey, now)) return false
    this.checkedCerts.set(bytes, cert.expiration())
    return true
  }

  private senderCertificate (now: number): SenderCertificate {
    if (this.cert === undefined || this.cert.expires - now < CERT_RENEW_BELOW) {
      const server = ServerCertificate.new(1, this.me.identity.publicKey, this.me.identity.privateKey)
      const expires = now + CERT_LIFETIME
      this.cert = { value: SenderCertificate.new(this.me.peerId, null, DEVICE_ID, this.me.identity.publicKey, expires, server, this.me.identity.privateKey), expires }
    }
    return this.cert.value
  }
}
