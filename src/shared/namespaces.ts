/**
 * Every key prefix Cairn writes under in its LevelDB store, and which module owns it. The stores
 * build their keys from these; the Store's read cache and `cairn mailbox --check` read them from
 * here too, so renaming one cannot silently stop caching or checking (the shape of Lodestar's
 * db buckets). libp2p's own records (peer store, DHT) live outside `/cairn/`.
 */
const ROOT = '/cairn/'

export const NAMESPACES = {
  /** Store-wide metadata: the store version, prekey counters, identity certificate (client/crypto/kv.ts, mailbox/store-check.ts). */
  meta: `${ROOT}meta/`,
  /** libsignal's records: sessions, identities, prekeys (client/crypto/kv.ts). */
  signal: `${ROOT}signal/`,
  signalSession: `${ROOT}signal/session/`,
  signalIdentity: `${ROOT}signal/identity/`,
  /** Sender-key chains, ours and other group members' (client/groups/sender-keys.ts). */
  signalSenderKey: `${ROOT}signal/sender-key/`,
  /** The contact book and block list (client/contacts.ts). */
  contact: `${ROOT}contact/`,
  /** Received messages and what was already seen (client/inbox.ts). */
  inbox: `${ROOT}inbox/`,
  /**
   * The inbox by message id (`<first 8 digits>/<id>/<sender>`, value: when it was received), written
   * and deleted with the message: one message is found by its id, or a prefix of 8 digits or more,
   * without reading the others (client/inbox.ts findReceived).
   */
  inboxById: `${ROOT}inbox-id/`,
  seen: `${ROOT}seen/`,
  seenMessage: `${ROOT}seen-message/`,
  /** A deleted group message's sender and sequence number (`<group>/<sender>/<seq>`): held for the gap count (client/inbox.ts). */
  inboxDeleted: `${ROOT}inbox-deleted/`,
  /**
   * Received files that named a group their sender is not (yet) a fellow member of here
   * (`<group>/<sender>/<message id>`, value: when it was received): shown in the group once a change
   * makes it one (client/inbox.ts groupClaim, client/messaging/group-claims.ts).
   */
  groupClaim: `${ROOT}group-claim/`,
  /** Messages waiting to leave (client/outbox.ts). */
  outbox: `${ROOT}outbox/`,
  /** Messages we sent and how far each got at each recipient: queued, stored, delivered, read (client/messaging/delivery-log.ts). */
  sent: `${ROOT}sent/`,
  /** The same messages by conversation and age (`<to>/<sentAt>/<id>`): how the oldest past the cap are found (client/messaging/delivery-log.ts). */
  sentOrder: `${ROOT}sent-order/`,
  /**
   * A copy's own message id, per recipient (`<peer>/<copy id>`, value: its record's id): a file sent
   * to a group gives each member's copy its own id, which that member's receipts name
   * (client/messaging/delivery-log.ts).
   */
  sentCopy: `${ROOT}sent-copy/`,
  /** Received messages we already sent a read receipt for, the newest delivery.sentPerConversation per sender (client/messaging/receipts.ts). */
  readSent: `${ROOT}read-sent/`,
  /** Daily counters of strangers' messages (client/senders/stranger-quota.ts). */
  strangerQuota: `${ROOT}stranger-quota/`,
  /** Groups: signed membership changes, our sender-key state, what each member was sent, de-dup and parked messages (client/groups/group-store.ts; pruned by client/groups/group-prune.ts). */
  group: `${ROOT}group/`,
  /** A mailbox's envelopes, tombstones, expiry index, usage and bundles (mailbox/mailbox-store.ts). */
  mailbox: `${ROOT}mbx/`,
  mailboxEnvelope: `${ROOT}mbx/env/`,
  mailboxTombstone: `${ROOT}mbx/tomb/`,
  mailboxExpiry: `${ROOT}mbx/exp/`,
  mailboxUsage: `${ROOT}mbx/usage/`,
  mailboxBundle: `${ROOT}mbx/bundle/`,
  /** The filter of ids held, saved by a clean stop and removed at the next open (mailbox/mailbox-store.ts). */
  mailboxHeldFilter: `${ROOT}mbx/held-filter/`,
  /** Attachment chunks a mailbox holds, their expiry index, per-recipient bytes, and the chunks their owner released (mailbox/chunk-store.ts). */
  mailboxChunk: `${ROOT}mbx/chunk/`,
  mailboxChunkExpiry: `${ROOT}mbx/chunk-exp/`,
  mailboxChunkUsage: `${ROOT}mbx/chunk-usage/`,
  mailboxChunkReleased: `${ROOT}mbx/chunk-released/`,
  /** Attachments received: descriptor and state, and which chunks are on disk (client/attachments/incoming-store.ts). */
  attachmentIn: `${ROOT}attach-in/`,
  attachmentInChunk: `${ROOT}attach-in-chunk/`,
  /** Saved attachments whose chunks our replicas may still hold: released at the next syncs (client/attachments/chunk-release.ts). */
  attachmentRelease: `${ROOT}attach-release/`,
  /** Attachments sent: where the file is and how far each route got (client/attachments/outgoing-store.ts). */
  attachmentOut: `${ROOT}attach-out/`,
  /** How many of a file's chunks its mailbox upload has stored, kept apart from the record while the upload runs (client/attachments/outgoing-store.ts). */
  attachmentOutProgress: `${ROOT}attach-out-progress/`
} as const

/**
 * Small records read on every message (libsignal asks for the peer's identity key several times
 * per encrypt and decrypt; the session, the contact and the conversation counter once or twice;
 * a group message's sender-key chain on every send and every copy received, 1:1 and gossip):
 * the Store keeps these in memory, written through.
 */
export const CACHED_NAMESPACES: readonly string[] = [NAMESPACES.signalIdentity, NAMESPACES.signalSession, NAMESPACES.signalSenderKey, NAMESPACES.contact, NAMESPACES.meta]

/**
 * Small records read once per message opened, under the messenger's lock, and usually absent (a
 * new message's "seen before?"): too many to keep in memory, and answered by LevelDB's memtable
 * and bloom filters in a few µs. The Store reads them on the calling thread: a trip through
 * libuv's thread pool costs ~25 µs of main-thread CPU and ~0.1 ms of wall time (docs/BENCHMARKS.md,
 * "The collect's opening, per message"), and the lock waits for all of it. Also the delivery
 * record a send's outcome updates: written by the send's own transaction a moment before (in
 * LevelDB's memtable), and read on the way to the send's result.
 */
export const SYNC_READ_NAMESPACES: readonly string[] = [NAMESPACES.seen, NAMESPACES.seenMessage, NAMESPACES.sent]
