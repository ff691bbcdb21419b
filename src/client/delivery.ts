/** How a sealed envelope leaves this node: the routes the messenger tries, in order. */
import type { PeerId } from '@libp2p/interface'
import type { Envelope, PreKeyBundle } from '../../proto/cairn.js'
import type { Route } from './inbox.js'

export type DeliveryResult =
  | { ok: true, replicas?: number }
  | { ok: false, error: string }

export interface DeliveryRoute {
  readonly name: Route
  deliver: (envelope: Envelope, recipient: PeerId, options: { signal?: AbortSignal }) => Promise<DeliveryResult>
  /** A prekey bundle for `recipient`, or undefined when this route cannot reach one. */
  takeBundle: (recipient: PeerId, options: { signal?: AbortSignal }) => Promise<PreKeyBundle | undefined>
}

export interface SendResult {
  id: string
  route: Route | 'outbox'
  replicas?: number
}
