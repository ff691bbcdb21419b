/**
 * Groups: multi-party end-to-end encrypted chat on top of the pairwise sessions.
 *
 * - Membership is a DAG of signed changes folded deterministically (state.ts; docs/DECISIONS.md).
 * - The log is cut at signed checkpoints of the membership (checkpoint.ts, log-compaction.ts): a new
 *   member is sent the latest one and what follows, and what precedes it goes once all hold it.
 * - Messages are encrypted once with the sender's libsignal sender key (sender-keys.ts), published
 *   on the group's gossipsub topic (group-gossip.ts) and handed to each member inside its 1:1
 *   sealed session through the messenger's outbox and routes (direct, else the member's
 *   mailboxes), together with the sender's distribution message and any changes the member may
 *   lack, so nothing in one envelope depends on another's arrival (group-send.ts). Members the
 *   topic reaches who hold the chain get no 1:1 copy unless their receipt is late (gossip-fallback.ts).
 * - The receive side is the messenger's ContentHandler (group-receive.ts, behind group-service.ts);
 *   a message naming changes not yet here waits, bounded per sender and per group, up to the mail
 *   TTL (parking.ts).
 */
export { Groups, type GroupsInit, type GroupView, type GroupMemberView, type GroupSendResult, type GroupRecipients } from './group-service.js'
export { foldGroup, type GroupState } from './state.js'
export { signChange, verifyChange, changeId, type VerifiedChange } from './change.js'
export * from './errors.js'
