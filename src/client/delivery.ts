/** How a sealed envelope leaves this node: the routes the messenger tries, in order. */
import type { PeerId } from '@libp2p/interface'
import type { Envelope, PreKeyBundle } from '../../proto/cairn.js'
import type { Route } from './inbox.js'
import type { WaitReason } from './outbox.js'

/** Why a route did not deliver: what the messenger and the logs act on (`error` is the detail). */
export type DeliveryFailure =
  | 'offline' // no connection and no address to try
  | 'recently-unreachable' // this route failed for the peer moments ago; not tried again yet
  | 'refused' // the peer answered with an error status
  | 'bad-receipt' // the answer does not acknowledge this envelope
  | 'unreachable' // dial, stream or deadline failure
  | 'no-replicas' // no mailbox node found for the recipient
  | 'not-stored' // every replica asked refused or failed

export type DeliveryResult =
  | { ok: true, replicas?: number }
  | { ok: false, code: DeliveryFailure, error: string }

export interface DeliveryRoute {
  readonly name: Route
  deliver: (envelope: Envelope, recipient: PeerId, options: { signal?: AbortSignal }) => Promise<DeliveryResult>
  /** Many envelopes at once (batched where the route can); one result per item, in order. */
  deliverMany?: (items: Array<{ envelope: Envelope, recipient: PeerId }>, options: { signal?: AbortSignal }) => Promise<DeliveryResult[]>
  /** A prekey bundle for `recipient`, or undefined when this route cannot reach one. */
  takeBundle: (recipient: PeerId, options: { signal?: AbortSignal }) => Promise<PreKeyBundle | undefined>
  /**
   * takeBundle asks the recipient itself, never its mailboxes (the direct route): a route that
   * does keeps its own record of recipients it could not reach lately, and is asked even while a
   * queued message waits out a miss at the mailboxes.
   */
  readonly asksRecipient?: true
}

export interface SendResult {
  id: string
  route: Route | 'outbox'
  replicas?: number
  /** Route `outbox`: why it waits (outbox.ts), when a route or a bundle lookup was tried. */
  waiting?: WaitReason
}
