/**
 * kad-dht checks a contact is alive before it enters the routing table: a ping, even for a peer
 * that answered one of our queries a moment ago. Under a connection cap that ping is a dial: a
 * lookup asks peers we are not connected to, the cap's trimmer closes those connections first
 * (they carry no tags yet), and by the time the table's update queue verifies the peer that just
 * answered, it is a TCP, Noise, Yamux and identify handshake to ask "are you there?". In a
 * 200-peer simulation's bundle round these were 1,342 of 2,978 new connections (docs/BENCHMARKS.md,
 * "Who dials during the bundle round").
 *
 * Here a peer that answered a query (kad-dht's PEER_RESPONSE) or connected and identified as a DHT
 * server within `windowMs` counts as verified: it has just shown what the ping would show, and it
 * is announced as a ping's answer is (kad-dht's closest-peer tagger listens for that). A peer heard
 * of only second-hand (in someone's answer), or longer ago, is pinged as before; our own id, which
 * kad-dht offers its table from its own answers, is refused at once (its ping of itself failed).
 *
 * kad-dht also never renews the last-ping time of an old contact that answered its ping when a
 * full bucket is asked to make room, so once that time is 10 min old the same three oldest
 * contacts are pinged again for every new peer the bucket sees. Here a contact that answered is
 * stamped as answering now, as Kademlia's least-recently-seen rule intends.
 */
import type { PeerId } from '@libp2p/interface'
import { systemClock } from '../clock.js'

/** A routing-table contact as kad-dht 16's k-bucket holds it. */
interface Contact { peerId: PeerId, lastPing: number }

type Verify = (contact: Contact, options?: unknown) => Promise<boolean>
type PingOld = (contacts: Contact[], options?: unknown) => AsyncGenerator<Contact>

/** What this needs of kad-dht 16's routing table. */
export interface KadRoutingTable {
  queueRoutingTableUpdate: (peerId: PeerId, options?: unknown) => void
  /** kad-dht's closest-peer tagger learns of peers from this event, which a successful ping sends. */
  safeDispatchEvent: (type: 'peer:ping', detail: { detail: PeerId }) => boolean
  kb?: { verify: Verify, ping: PingOld }
}

export interface RecentAnswersInit {
  /** This node: kad-dht's own queries report answers from it; it never enters its own table. */
  self?: PeerId
  now: () => number
  /** How long an answer counts as a liveness check, ms. */
  windowMs: number
  /** Peers remembered at most (the oldest answer is forgotten first). */
  maxPeers: number
}

/** Returns false if `table` is not the shape this was written against (the caller fails loudly). */
export function trustRecentAnswers (table: KadRoutingTable, o: RecentAnswersInit): boolean {
  const kb = table.kb
  if (typeof table.queueRoutingTableUpdate !== 'function' || typeof table.safeDispatchEvent !== 'function' || typeof kb?.verify !== 'function' || typeof kb.ping !== 'function') return false
  const answeredAt = new Map<string, number>()

  // every call is a peer that just answered a query or just connected as a DHT server
  const queue = table.queueRoutingTableUpdate.bind(table)
  table.queueRoutingTableUpdate = (peerId, options) => {
    const key = peerId.toString()
    answeredAt.delete(key)
    answeredAt.set(key, o.now())
    if (answeredAt.size > o.maxPeers) answeredAt.delete(answeredAt.keys().next().value as string)
    queue(peerId, options)
  }

  const verify = kb.verify
  kb.verify = async (contact, options) => {
    // kad-dht offers us our own answers too; its ping of us fails ("Can not dial self"), so say no at once
    if (o.self?.equals(contact.peerId) === true) return false
    const at = answeredAt.get(contact.peerId.toString())
    if (at !== undefined && o.now() - at <= o.windowMs) {
      // what the ping's answer would have told the rest of kad-dht
      table.safeDispatchEvent('peer:ping', { detail: contact.peerId })
      return true
    }
    return verify(contact, options)
  }

  const ping = kb.ping
  kb.ping = async function * (contacts, options) {
    const gone = new Set<Contact>()
    for await (const c of ping(contacts, options)) {
      gone.add(c)
      yield c
    }
    // kad-dht compares these stamps with Date.now(), so this one is the system's too
    const t = systemClock.now()
    for (const c of contacts) if (!gone.has(c)) c.lastPing = t
  }
  return true
}
