/** What a user can ask of their node: served in-process, or by the daemon over its local API. */
import type { AttachmentState, AttachmentSummary, FileSendResult, SaveResult, TransferProgress } from './attachments/index.js'
import type { BlockChange, BlockedPeer, ContactView, TrustState } from './contacts.js'
import type { SendResult } from './delivery.js'
import type { WaitReason } from './outbox.js'
import type { GroupView } from './groups/index.js'
import type { InboxMessage } from './inbox.js'
import type { ErrorCode } from '../shared/errors.js'
import type { DeleteResult } from './message-deletion.js'
import type { SentView } from './messaging/delivery-log.js'

export interface IdInfo {
  peerId: string
  addresses: string[]
  fingerprint: string
}

export interface InboxView extends Omit<InboxMessage, 'attachment'> {
  /** A file sent with the message, and how much of it is here. */
  /** `savedTo`: where `save` (or the daemon's download) wrote the file, once its state is `saved`. */
  attachment?: AttachmentSummary & { state?: AttachmentState, savedTo?: string }
  fromName: string | null
  /** Whether the sender is in the contact book now (human output marks the others). */
  contact: boolean
  /** A group message: how many of this sender's earlier messages in the group are missing before it. */
  gapBefore?: number
}

export interface VerifyInfo {
  name: string
  peerId: string
  safetyNumber: string
  trust: TrustState
}

export interface SyncResult {
  received: number
  sent: number
  /** Mailbox nodes found, and how many of them could be collected from. */
  mailboxes: { found: number, collected: number }
}

/** Where a sync is, for a progress line: finding the mailboxes, collecting, sending. */
export type SyncProgress =
  | { stage: 'finding' }
  | { stage: 'collecting', mailboxes: number, received: number }
  | { stage: 'sending', outbox: number }

export interface ConnectionInfo {
  peerId: string
  remoteAddr: string
  direction: 'inbound' | 'outbound'
  /** Relayed connections carry limits (bytes, seconds); direct ones none. */
  limited: boolean
  relayed: boolean
}

export interface StatusInfo {
  peerId: string
  /** AutoNAT's and our own view: public (a verified direct address), private (reached via relays), unknown. */
  reachability: 'public' | 'private' | 'unknown'
  addresses: string[]
  relays: string[]
  connections: number
  connectionList: ConnectionInfo[]
  routingTable: number
  outbox: number
  /** Of the outbox's messages (receipts not counted), how many wait for each reason: a contact's keys, a changed identity key to be accepted, a route (outbox.ts, WaitReason). */
  outboxWaiting: Record<WaitReason, number>
  preKeysLeft: number
  /** Messages dropped today (UTC) on arrival: from blocked peers, and from strangers over the daily caps. */
  droppedToday: { blocked: number, strangerCap: number }
  /** attachments.downloadDir, when set; `waiting`: files a try did not save yet (the daemon's; 0 in a one-shot command). */
  downloads?: { dir: string, waiting: number }
}

export interface ClientApi {
  id: () => Promise<IdInfo>
  contactAdd: (name: string, peer: string) => Promise<ContactView>
  contactList: () => Promise<ContactView[]>
  contactRemove: (name: string) => Promise<void>
  contactVerify: (name: string, confirm: boolean) => Promise<VerifyInfo>
  contactAccept: (name: string) => Promise<VerifyInfo>
  /** `target`: a contact name or any PeerId. */
  contactBlock: (target: string) => Promise<BlockChange>
  contactUnblock: (target: string) => Promise<BlockChange>
  blockList: () => Promise<BlockedPeer[]>
  send: (to: string, text: string) => Promise<SendResult>
  sendFiles: (to: string, paths: string[], text: string, options?: TransferOptions) => Promise<FileSendResult[]>
  save: (messageId: string, outDir: string, options?: TransferOptions) => Promise<SaveResult>
  groupCreate: (name: string, members: string[]) => Promise<GroupView>
  groupAdd: (group: string, members: string[]) => Promise<GroupView>
  groupRemove: (group: string, members: string[]) => Promise<GroupView>
  groupPromote: (group: string, members: string[]) => Promise<GroupView>
  groupLeave: (group: string) => Promise<GroupView>
  groupList: () => Promise<GroupView[]>
  groupInfo: (group: string) => Promise<GroupView>
  sync: (options?: { onProgress?: (p: SyncProgress) => void }) => Promise<SyncResult>
  inbox: () => Promise<InboxView[]>
  /** Messages we sent, oldest first, with how far each got (queued, stored, delivered, read; per member for a group). */
  sent: () => Promise<SentView[]>
  /** One message we sent, as `sent` lists it; null for an unknown id (what `chat` shows after each line, without the whole list). */
  sentOne: (id: string) => Promise<SentView | null>
  /** These received messages were shown to the user: queue read receipts (unless delivery.readReceipts is off). Returns how many. */
  markRead: (messages: Array<{ from: string, id: string }>) => Promise<number>
  status: () => Promise<StatusInfo>
  /** Delete received and sent messages by id (exit 2, nothing deleted, for an unknown or ambiguous one). */
  deleteMessages: (ids: string[]) => Promise<DeleteResult>
  /** Delete every message with a contact (name or PeerId) or in a group (`@GROUP`); `dryRun`: only say which. */
  deleteConversation: (target: string, dryRun: boolean) => Promise<DeleteResult>
}

/** What a long transfer reports as it goes (a status line on a terminal); the daemon streams it back to the CLI. */
export interface TransferOptions { onProgress?: (p: TransferProgress) => void }

/**
 * The methods that take `{ onProgress }` options, and where in their parameters. The daemon fills
 * that place with its own callback (whatever the caller sent there) and streams what it is given.
 */
export const PROGRESS_METHODS = { sendFiles: 3, save: 2, sync: 0 } as const satisfies Partial<Record<keyof ClientApi, number>>

/** Each index is where its method takes `{ onProgress }`: a wrong one does not compile. */
type ProgressOptionsAt<K extends keyof typeof PROGRESS_METHODS> = NonNullable<Parameters<ClientApi[K]>[(typeof PROGRESS_METHODS)[K]]>
export const _progressPlaces: { [K in keyof typeof PROGRESS_METHODS]: 'onProgress' extends keyof ProgressOptionsAt<K> ? true : never } = { sendFiles: true, save: true, sync: true }

/** The daemon's answer to one call (POST /rpc), the last line when progress lines came before it. */
export interface RpcAnswer { ok: boolean, result?: unknown, error?: { code: ErrorCode, message: string, exitCode: 1 | 2 } }

export const API_METHODS = ['id', 'contactAdd', 'contactList', 'contactRemove', 'contactVerify', 'contactAccept', 'contactBlock', 'contactUnblock', 'blockList', 'send', 'sendFiles', 'save', 'groupCreate', 'groupAdd', 'groupRemove', 'groupPromote', 'groupLeave', 'groupList', 'groupInfo', 'sync', 'inbox', 'sent', 'sentOne', 'markRead', 'status', 'deleteMessages', 'deleteConversation'] as const satisfies ReadonlyArray<keyof ClientApi>
