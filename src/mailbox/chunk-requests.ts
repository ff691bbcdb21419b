/**
 * The mailbox requests for attachment chunks: `put_chunk` from anyone, for a recipient this node
 * holds mail for (limited in bytes per remote peer and, since uploaders' PeerIds may be ephemeral,
 * per network: network-budget.ts), and `get_chunk` and `release_chunks` from the owner only (the
 * Noise-authenticated remote peer names whose chunks are read or released).
 */
import type { Connection, PeerId } from '@libp2p/interface'
import { MailboxStatus, type MailboxRequest, type MailboxResponse } from '../../proto/cairn.js'
import type { CairnConfig } from '../shared/config.js'
import { peerIdFromBytes } from '../shared/peer-id.js'
import type { ChunkStore } from './chunk-store.js'
import { MailboxRefusal } from './errors.js'
import type { NetworkBudget } from './network-budget.js'
import { RateLimiter } from './rate-limiter.js'

export class ChunkRequests {
  /** init.mailbox.chunkBytesPerMinute (@default 1 GiB): chunk bytes taken per minute from one PeerId. */
  private readonly bytes: RateLimiter

  private readonly chunks: ChunkStore
  /** The mailbox service's budgets per network (chunk bytes: chunkBytesPerMinute × networkBudgetFactor). */
  private readonly networks: NetworkBudget
  /** Throws (not-responsible) unless this node may hold mail for the recipient. */
  private readonly mustHold: (recipient: PeerId) => Promise<void>

  /** Called after a chunk new here was stored (durably), so handover spreads it. */
  private readonly onStored?: (recipient: string) => void

  constructor (components: { chunks: ChunkStore, networks: NetworkBudget, mustHold: (recipient: PeerId) => Promise<void>, onStored?: (recipient: string) => void }, init: { mailbox: Pick<CairnConfig['mailbox'], 'chunkBytesPerMinute'> }) {
    this.chunks = components.chunks
    this.networks = components.networks
    this.mustHold = components.mustHold
    if (components.onStored !== undefined) this.onStored = components.onStored
    this.bytes = new RateLimiter(init.mailbox.chunkBytesPerMinute, init.mailbox.chunkBytesPerMinute)
  }

  /** The answer to a chunk request, or undefined when `req` is not one. */
  async answer (req: MailboxRequest, connection: Pick<Connection, 'remoteAddr' | 'remotePeer'>, now: number): Promise<Partial<MailboxResponse> | undefined> {
    const from = connection.remotePeer
    if (req.putChunk !== undefined) {
      const p = req.putChunk
      let recipient: PeerId
      try { recipient = peerIdFromBytes(p.recipient) } catch { throw new MailboxRefusal('bad-request', 'malformed recipient') }
      if (!this.bytes.take(from.toString(), now, p.data.length) || !this.networks.putChunk(connection, now, p.data.length)) throw new MailboxRefusal('rate-limited', 'too many chunk bytes; slow down')
      await this.mustHold(recipient)
      const result = await this.chunks.put(recipient.toString(), p.cid, p.data, p.expiresAt, now)
      if (result === 'stored') this.onStored?.(recipient.toString())
      return { status: result === 'stored' ? MailboxStatus.MAILBOX_OK : MailboxStatus.MAILBOX_DUPLICATE }
    }
    if (req.getChunk !== undefined) {
      const data = await this.chunks.get(from.toString(), req.getChunk.cid, now)
      if (data === undefined) throw new MailboxRefusal('not-found', 'no such chunk')
      return { status: MailboxStatus.MAILBOX_OK, chunk: data }
    }
    if (req.releaseChunks !== undefined) {
      const released = await this.chunks.release(from.toString(), req.releaseChunks.cids)
      return { status: MailboxStatus.MAILBOX_OK, released }
    }
    return undefined
  }
}
