/**
 * Serves /cairn/direct/1.0.0: envelopes addressed to this user (answered with a receipt only after
 * the message is decrypted and on disk) and requests for a prekey bundle (rate limited per peer, so
 * nobody drains the one-time prekeys).
 */
import type { Libp2p } from '@libp2p/interface'
import { DirectRequest, DirectResponse, DirectStatus } from '../../../proto/cairn.js'
import type { Clock } from '../../shared/clock.js'
import type { CairnConfig } from '../../shared/config.js'
import { FrameError, describeError } from '../../shared/errors.js'
import type { Logger } from '../../shared/logger.js'
import { DIRECT_CHANNEL_PROTOCOL, DIRECT_PROTOCOL, DIRECT_VERSIONS_SUPPORTED } from '../../shared/protocols/ids.js'
import { serve, serveMany, type ServeOptions } from '../../shared/protocols/rpc.js'
import { RateLimiter } from '../../mailbox/rate-limiter.js'
import type { Envelope, PreKeyBundle } from '../../../proto/cairn.js'
import { BoundedMap } from '../../shared/bounded-map.js'
import type { Route } from '../inbox.js'
import { RejectedEnvelopeError, type ReceiveStatus } from '../messenger.js'

const REJECTION_STATUS: Record<RejectedEnvelopeError['reason'], DirectStatus> = {
  'bad-request': DirectStatus.DIRECT_BAD_REQUEST,
  'too-large': DirectStatus.DIRECT_TOO_LARGE,
  'wrong-recipient': DirectStatus.DIRECT_WRONG_RECIPIENT,
  expired: DirectStatus.DIRECT_BAD_REQUEST,
  undecryptable: DirectStatus.DIRECT_UNDECRYPTABLE,
  'untrusted-sender': DirectStatus.DIRECT_UNTRUSTED_SENDER
}

/** Bundle requests allowed per peer per window. */
const BUNDLE_BURST = 5
const BUNDLE_WINDOW_MS = 60_000
const TRACKED_PEERS = 4096

/** What the service hands requests to (the Messenger is one). */
export interface DirectInbox {
  /** Open and store one envelope; throws RejectedEnvelopeError for bad input. */
  receive: (envelope: Envelope, route: Route, from?: string) => Promise<ReceiveStatus>
  /** A bundle for a sender who asks us directly, with one-time prekeys or without. */
  bundleForSender: (oneTime?: boolean) => Promise<PreKeyBundle>
}

export interface DirectServiceComponents {
  node: Libp2p
  inbox: DirectInbox
  clock: Clock
  log: Logger
}

/** The service's slice of the configuration (defaults applied in config.ts). */
export interface DirectServiceInit {
  /** oneTimePreKeysPerHour (@default 20): one-time prekeys handed out to all askers together. */
  mailbox: Pick<CairnConfig['mailbox'], 'oneTimePreKeysPerHour'>
  /** directFrameBytes (@default 98,304), requestTimeoutMs (@default 15,000), maxInboundStreams (@default 32). */
  limits: Pick<CairnConfig['limits'], 'directFrameBytes' | 'requestTimeoutMs' | 'maxInboundStreams'>
}

export class DirectService {
  private readonly bundleTakes = new BoundedMap<string, number[]>(TRACKED_PEERS)
  /** One-time prekeys handed out here, all askers together: many identities cannot drain them (mailbox.oneTimePreKeysPerHour). */
  private readonly oneTimePreKeys: RateLimiter

  private readonly node: Libp2p
  private readonly inbox: DirectInbox
  private readonly clock: Clock
  private readonly log: Logger

  constructor (components: DirectServiceComponents, private readonly init: DirectServiceInit) {
    this.node = components.node
    this.inbox = components.inbox
    this.clock = components.clock
    this.log = components.log
    const perHour = init.mailbox.oneTimePreKeysPerHour
    this.oneTimePreKeys = new RateLimiter(perHour / 60, perHour)
  }

  /** Both protocols: one request per stream, and a sender's channel (many in turn on one stream). */
  async start (): Promise<void> {
    const options: ServeOptions<DirectRequest, DirectResponse> = {
      protocol: DIRECT_PROTOCOL,
      maxBytes: this.init.limits.directFrameBytes,
      timeoutMs: this.init.limits.requestTimeoutMs,
      clock: this.clock,
      version: { supported: DIRECT_VERSIONS_SUPPORTED, of: req => req.version },
      codecs: { req: DirectRequest, res: DirectResponse },
      log: this.log,
      handle: async (req, connection) => {
        if (req.deliver !== undefined) {
          const status = await this.inbox.receive(req.deliver, 'direct', connection.remotePeer.toString())
          return { status: status === 'stored' ? DirectStatus.DIRECT_OK : DirectStatus.DIRECT_DUPLICATE, id: req.deliver.id }
        }
        if (req.takeBundle !== undefined) {
          if (!this.allowBundle(connection.remotePeer.toString())) return { status: DirectStatus.DIRECT_RATE_LIMITED, detail: 'too many bundle requests' }
          // past the hourly allowance a sender still gets the signed and last-resort prekeys
          return { status: DirectStatus.DIRECT_OK, bundle: await this.inbox.bundleForSender(this.oneTimePreKeys.take('all', this.clock.now())) }
        }
        return { status: DirectStatus.DIRECT_BAD_REQUEST, detail: 'empty request' }
      },
      answerError: (err) => {
        if (err instanceof RejectedEnvelopeError) return { status: REJECTION_STATUS[err.reason], detail: err.message }
        if (err instanceof FrameError) return { status: err.reason === 'too-large' ? DirectStatus.DIRECT_TOO_LARGE : DirectStatus.DIRECT_BAD_REQUEST, detail: err.message }
        const name = (err as Error | undefined)?.name
        if (name === 'UnexpectedEOFError' || name === 'TimeoutError' || name === 'AbortError') return undefined
        this.log.warn({ err: describeError(err) }, 'direct request failed')
        return { status: DirectStatus.DIRECT_INTERNAL, detail: 'internal error' }
      }
    }
    const limits = { maxInboundStreams: this.init.limits.maxInboundStreams, runOnLimitedConnection: true }
    await this.node.handle(DIRECT_PROTOCOL, serve(options), limits)
    await this.node.handle(DIRECT_CHANNEL_PROTOCOL, serveMany(options), limits)
  }

  async stop (): Promise<void> {
    await this.node.unhandle(DIRECT_CHANNEL_PROTOCOL)
    await this.node.unhandle(DIRECT_PROTOCOL)
  }

  private allowBundle (peer: string): boolean {
    const now = this.clock.now()
    const recent = (this.bundleTakes.get(peer) ?? []).filter(t => now - t < BUNDLE_WINDOW_MS)
    if (recent.length >= BUNDLE_BURST) return false
    recent.push(now)
    this.bundleTakes.set(peer, recent)
    return true
  }
}
