/** Requests to one mailbox node over /cairn/mailbox/1.0.0. */
import type { Libp2p, PeerId } from '@libp2p/interface'
import { MailboxRequest, MailboxResponse, MailboxStatus } from '../../../proto/cairn.js'
import type { Clock } from '../../shared/clock.js'
import type { CairnConfig } from '../../shared/config.js'
import { ProtocolError } from '../../shared/errors.js'
import type { CairnNode } from '../../shared/node/create-node.js'
import { MAILBOX_PROTOCOL, MAILBOX_VERSION } from '../../shared/protocols/ids.js'
import { request } from '../../shared/protocols/rpc.js'

/** What a mailbox request needs of the configuration: the frame limit and the idle request deadline. */
export interface MailboxRpcConfig {
  mailbox: Pick<CairnConfig['mailbox'], 'frameBytes'>
  limits: Pick<CairnConfig['limits'], 'requestTimeoutMs'>
}

export async function askMailbox (node: CairnNode | Libp2p, config: MailboxRpcConfig, peer: PeerId, req: Omit<MailboxRequest, 'version'>, options: { clock: Clock, signal?: AbortSignal, timeoutMs?: number }): Promise<MailboxResponse> {
  return request(node, peer, MAILBOX_PROTOCOL, { version: MAILBOX_VERSION, ...req }, { req: MailboxRequest, res: MailboxResponse }, {
    maxBytes: config.mailbox.frameBytes,
    timeoutMs: options.timeoutMs ?? config.limits.requestTimeoutMs,
    clock: options.clock,
    ...(options.signal === undefined ? {} : { signal: options.signal })
  })
}

/** As askMailbox, but anything other than OK (or DUPLICATE) is an error. */
export async function askMailboxOk (node: CairnNode, config: MailboxRpcConfig, peer: PeerId, req: Omit<MailboxRequest, 'version'>, options: { clock: Clock, signal?: AbortSignal }): Promise<MailboxResponse> {
  const res = await askMailbox(node, config, peer, req, options)
  if (res.status !== MailboxStatus.MAILBOX_OK && res.status !== MailboxStatus.MAILBOX_DUPLICATE) throw new ProtocolError(`mailbox ${peer.toString()} refused: ${res.status} ${res.detail}`)
  return res
}
