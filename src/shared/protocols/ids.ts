/** Protocol ids. Each has a proto/cairn.proto section describing its messages. */
export const DIRECT_PROTOCOL = '/cairn/direct/1.0.0'
/** The same requests and answers as DIRECT_PROTOCOL, many in turn on one kept-open stream (a sender's channel). */
export const DIRECT_CHANNEL_PROTOCOL = '/cairn/direct-channel/1.0.0'
export const MAILBOX_PROTOCOL = '/cairn/mailbox/1.0.0'
export const KAD_PROTOCOL = '/cairn/kad/1.0.0'

export const DIRECT_VERSION = 1
/** Request versions: what a node sends, and what it answers (others get a BAD_REQUEST naming them). */
export const MAILBOX_VERSION = 1
export const DIRECT_VERSIONS_SUPPORTED: readonly number[] = [DIRECT_VERSION]
export const MAILBOX_VERSIONS_SUPPORTED: readonly number[] = [MAILBOX_VERSION]
/** 2: the envelope id is derived from the recipient and the sealed bytes (src/shared/envelope-id.ts). */
export const ENVELOPE_VERSION = 2
/** 2: `Content.id` is the sender's message id, no longer the envelope id. */
export const CONTENT_VERSION = 2
/** `Content.features` bits: what the sending client can open. */
export const CONTENT_FEATURES = {
  /** A group message may come as a sealed part over the sender-key ciphertext alone (no Content). */
  groupSealedParts: 1,
  /** It follows group checkpoints (GroupCheckpoint): an admin makes one only when every member said so. */
  groupCheckpoints: 2,
  /** It takes a streamed attachment (Attachment with no chunk list, ChunkEnd on /cairn/chunks: session 21). */
  streamedAttachments: 4
} as const

/** The most envelopes asked for by id in one fetch (the proto's limit on Fetch.ids), and so the most bodies one answer carries. */
export const MAILBOX_PAGE_IDS = 256

/**
 * The most ids one ids-only listing answer carries (the proto's limit on MailboxResponse.envelopes):
 * a listing of 1,000 waiting messages is one round trip, not four (~70 bytes an id, far inside a
 * frame). A node that predates it answers 256 at most, with `more`.
 */
export const MAILBOX_LIST_IDS = 4096

/** What one mailbox answer may carry, for a frame limit of `frameBytes`: 90 %, the rest for framing. */
export const mailboxAnswerBudget = (frameBytes: number): number => Math.floor(frameBytes * 0.9)

/** Attachment chunks streamed from a sender to its online recipient (proto/cairn.proto, ChunkOffer). */
export const CHUNKS_PROTOCOL = '/cairn/chunks/1.0.0'
export const CHUNKS_VERSION = 1
/**
 * The same frames, served by a recipient that takes files announced streamed (a ChunkEnd after the
 * chunks: session 21); a sender learns it from identify as soon as it is connected, before any
 * message from that peer has said so (CONTENT_FEATURES.streamedAttachments).
 */
export const CHUNKS_STREAMED_PROTOCOL = '/cairn/chunks/1.1.0'
