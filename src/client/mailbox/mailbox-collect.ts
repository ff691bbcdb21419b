/**
 * Collecting mail: fetch from the 2k closest mailbox nodes, page by page; each page is opened in
 * one durable commit (messenger.receiveMany) and only then acknowledged, so nothing is deleted at
 * a mailbox before it is on our disk. Envelopes that can never open are acknowledged too, so they
 * do not wait there until their TTL.
 */
import type { PeerId, PrivateKey } from '@libp2p/interface'
import { signAck } from '../../shared/ack-signature.js'
import type { CairnConfig } from '../../shared/config.js'
import { describeError } from '../../shared/errors.js'
import type { Logger } from '../../shared/logger.js'
import type { CairnNode } from '../../shared/node/create-node.js'
import { closestPeers, mailboxKey } from '../../shared/placement.js'
import type { Messenger } from '../messenger.js'
import { askMailboxOk } from './mailbox-rpc.js'

export interface CollectResult {
  received: number
  replicas: number
  refused: number
}

export async function collectMail (node: CairnNode, peerKey: PrivateKey, messenger: Messenger, config: CairnConfig, log: Logger, options: { signal?: AbortSignal } = {}): Promise<CollectResult> {
  const replicas = await closestPeers(node, mailboxKey(node.peerId), config.mailbox.replicas * 2, options)
  // every replica holds a copy of the same mail, and an ack's signature covers only the owner and
  // the id: sign each id once for all of them
  const signatures = new Map<string, Promise<Uint8Array<ArrayBuffer>>>()
  const sign = async (id: Uint8Array): Promise<Uint8Array<ArrayBuffer>> => {
    const key = Buffer.from(id).toString('hex')
    let s = signatures.get(key)
    if (s === undefined) { s = signAck(peerKey, node.peerId, id); signatures.set(key, s) }
    return s
  }
  const results = await Promise.all(replicas.map(async peer => collectFrom(node, sign, peer, messenger, config, options).catch((err: unknown) => {
    log.info({ peer: peer.toString(), err: describeError(err) }, 'mailbox unreachable for fetch')
    return { received: 0, refused: 0 }
  })))
  return {
    received: results.reduce((n, r) => n + r.received, 0),
    refused: results.reduce((n, r) => n + r.refused, 0),
    replicas: replicas.length
  }
}

async function collectFrom (node: CairnNode, sign: (id: Uint8Array) => Promise<Uint8Array<ArrayBuffer>>, peer: PeerId, messenger: Messenger, config: CairnConfig, options: { signal?: AbortSignal }): Promise<{ received: number, refused: number }> {
  let after = new Uint8Array(0)
  let received = 0
  let refused = 0
  for (;;) {
    const page = await askMailboxOk(node, config, peer, { fetch: { after, limit: config.mailbox.pageSize } }, options)
    if (page.envelopes.length === 0) break
    const statuses = await messenger.receiveMany(page.envelopes, 'mailbox')
    received += statuses.filter(s => s === 'stored').length
    refused += statuses.filter(s => s instanceof Error).length
    const acked = await Promise.all(page.envelopes.map(async e => ({ id: e.id, expiresAt: 0, signature: await sign(e.id) })))
    await askMailboxOk(node, config, peer, { ack: { acked } }, options)
    after = new Uint8Array((page.envelopes.at(-1) as { id: Uint8Array }).id)
    if (!page.more) break
  }
  return { received, refused }
}
