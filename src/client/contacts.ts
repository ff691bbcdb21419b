/**
 * The contact book: names for PeerIds, known addresses, and trust. Trust is derived from the
 * identity keys the Signal store keeps: `changed` when the key last seen differs from the one the
 * user accepted (sending is blocked), `verified` when the user confirmed the safety number of the
 * key now accepted, `unverified` otherwise (and `new` before any key is known).
 *
 * The block list lives here too, keyed by PeerId: a blocked peer need not be a contact (strangers
 * are blocked by PeerId), and removing a contact does not unblock it.
 */
import { PublicKey } from '@signalapp/libsignal-client'
import { InvalidInputError, UnknownContactError } from '../shared/errors.js'
import { looksLikePeerId, parsePeerId } from '../shared/peer-id.js'
import type { Store } from '../shared/store.js'
import { dec, enc, keys } from './crypto/kv.js'
import { NAMESPACES } from '../shared/namespaces.js'

export type TrustState = 'new' | 'unverified' | 'verified' | 'changed'

export interface Contact {
  name: string
  peerId: string
  addresses: string[]
  addedAt: number
  /** Hex of the identity key whose safety number the user confirmed. */
  verifiedKey?: string
}

export interface ContactView extends Contact {
  trust: TrustState
  /** Messages from this peer are dropped on arrival (`cairn contact block`). */
  blocked: boolean
}

export interface BlockedPeer {
  peerId: string
  blockedAt: number
}

/** What `block` and `unblock` did: `changed` is false when the peer already was (or was not) blocked. */
export interface BlockChange {
  peerId: string
  /** The contact's name, when the peer is one. */
  name: string | null
  blocked: boolean
  changed: boolean
}

const byName = (name: string): string => `${NAMESPACES.contact}name/${name}`
const byPeer = (peerId: string): string => `${NAMESPACES.contact}peer/${peerId}`
const BLOCKED = `${NAMESPACES.contact}blocked/`
const blockedKey = (peerId: string): string => BLOCKED + peerId
const NAME = /^[\p{L}\p{N}_.-]{1,64}$/u

export class Contacts {
  constructor (private readonly store: Store) {}

  async add (name: string, peerIdText: string, addresses: string[], now: number): Promise<Contact> {
    if (!NAME.test(name) || looksLikePeerId(name)) throw new InvalidInputError(`bad contact name ${JSON.stringify(name)}: use 1-64 letters, digits, '_', '.' or '-', not a PeerId`)
    const peerId = parsePeerId(peerIdText).toString()
    if (await this.store.has(byName(name))) throw new InvalidInputError(`contact "${name}" already exists`)
    const existing = await this.store.get(byPeer(peerId))
    if (existing !== undefined) throw new InvalidInputError(`${peerId} is already a contact, named "${dec.decode(existing)}"`)
    const contact: Contact = { name, peerId, addresses, addedAt: now }
    await this.store.write([
      { type: 'put', key: byName(name), value: enc.encode(JSON.stringify(contact)) },
      { type: 'put', key: byPeer(peerId), value: enc.encode(name) }
    ])
    return contact
  }

  async remove (name: string): Promise<void> {
    const c = await this.get(name)
    await this.store.write([{ type: 'del', key: byName(name) }, { type: 'del', key: byPeer(c.peerId) }])
  }

  async get (name: string): Promise<Contact> {
    const b = await this.store.get(byName(name))
    if (b === undefined) throw new UnknownContactError(name)
    return JSON.parse(dec.decode(b)) as Contact
  }

  async byPeerId (peerId: string): Promise<Contact | undefined> {
    const name = await this.store.get(byPeer(peerId))
    return name === undefined ? undefined : this.get(dec.decode(name))
  }

  /** A contact name or a PeerId, as `send TO` takes it. */
  async resolve (to: string): Promise<{ peerId: string, contact?: Contact }> {
    if (looksLikePeerId(to)) {
      const peerId = parsePeerId(to).toString()
      const contact = await this.byPeerId(peerId)
      return contact === undefined ? { peerId } : { peerId, contact }
    }
    const contact = await this.get(to)
    return { peerId: contact.peerId, contact }
  }

  async list (): Promise<ContactView[]> {
    const out: ContactView[] = []
    for await (const { value } of this.store.list(`${NAMESPACES.contact}name/`)) {
      const c = JSON.parse(dec.decode(value)) as Contact
      out.push(await this.view(c))
    }
    return out
  }

  async view (c: Contact): Promise<ContactView> {
    return { ...c, trust: await this.trust(c), blocked: await this.isBlocked(c.peerId) }
  }

  /** Block a contact (by name) or any peer (by PeerId): what it sends from now on is dropped. */
  async block (target: string, now: number): Promise<BlockChange> {
    const { peerId, contact } = await this.resolve(target)
    const already = await this.isBlocked(peerId)
    if (!already) await this.store.write([{ type: 'put', key: blockedKey(peerId), value: enc.encode(JSON.stringify({ peerId, blockedAt: now } satisfies BlockedPeer)) }])
    return { peerId, name: contact?.name ?? null, blocked: true, changed: !already }
  }

  async unblock (target: string): Promise<BlockChange> {
    const { peerId, contact } = await this.resolve(target)
    const was = await this.isBlocked(peerId)
    if (was) await this.store.write([{ type: 'del', key: blockedKey(peerId) }])
    return { peerId, name: contact?.name ?? null, blocked: false, changed: was }
  }

  async isBlocked (peerId: string): Promise<boolean> {
    return this.store.has(blockedKey(peerId))
  }

  /** Every blocked peer, contact or not, in PeerId order. */
  async blocked (): Promise<BlockedPeer[]> {
    const out: BlockedPeer[] = []
    for await (const { value } of this.store.list(BLOCKED)) out.push(JSON.parse(dec.decode(value)) as BlockedPeer)
    return out
  }

  async trust (c: Contact): Promise<TrustState> {
    const { accepted, seen } = await this.identityKeys(c.peerId)
    if (accepted === undefined) return 'new'
    if (seen !== undefined && !seen.equals(accepted)) return 'changed'
    return c.verifiedKey === hex(accepted) ? 'verified' : 'unverified'
  }

  async identityKeys (peerId: string): Promise<{ accepted?: PublicKey, seen?: PublicKey }> {
    const a = await this.store.get(keys.acceptedIdentity(peerId))
    const s = await this.store.get(keys.seenIdentity(peerId))
    return {
      ...(a === undefined ? {} : { accepted: PublicKey.deserialize(new Uint8Array(a)) }),
      ...(s === undefined ? {} : { seen: PublicKey.deserialize(new Uint8Array(s)) })
    }
  }

  /** Mark the currently accepted key as verified (after comparing safety numbers). */
  async confirm (name: string): Promise<void> {
    const c = await this.get(name)
    const { accepted, seen } = await this.identityKeys(c.peerId)
    if (accepted === undefined) throw new InvalidInputError(`no identity key known for "${name}" yet: exchange a message first`)
    if (seen !== undefined && !seen.equals(accepted)) throw new InvalidInputError(`the identity key of "${name}" has changed: accept it first with \`cairn contact accept ${name}\``)
    await this.store.write([{ type: 'put', key: byName(name), value: enc.encode(JSON.stringify({ ...c, verifiedKey: hex(accepted) })) }])
  }

  /** Accept a changed identity key: it becomes the trusted one (and is no longer verified). */
  async accept (name: string): Promise<void> {
    const c = await this.get(name)
    const { seen } = await this.identityKeys(c.peerId)
    if (seen === undefined) throw new InvalidInputError(`no identity key known for "${name}" yet`)
    const ops = [
      { type: 'put' as const, key: keys.acceptedIdentity(c.peerId), value: seen.serialize() },
      { type: 'put' as const, key: byName(name), value: enc.encode(JSON.stringify({ ...c, verifiedKey: undefined })) }
    ]
    await this.store.write(ops)
  }

  async addAddresses (peerId: string, addresses: string[]): Promise<void> {
    const c = await this.byPeerId(peerId)
    if (c === undefined) return
    const merged = [...new Set([...addresses, ...c.addresses])].slice(0, 16)
    await this.store.write([{ type: 'put', key: byName(c.name), value: enc.encode(JSON.stringify({ ...c, addresses: merged })) }])
  }
}

export function hex (key: PublicKey): string {
  return Buffer.from(key.serialize()).toString('hex')
}
