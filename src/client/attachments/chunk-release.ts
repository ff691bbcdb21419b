/**
 * Once a file that came through mailboxes is saved, its chunks are released at our replicas (proto
 * ReleaseChunks), as collected mail is acknowledged: they stop counting against our quota there
 * and stop costing the operators disk, rather than staying until their expiry. `save` writes a
 * release record in the same synced write that records the save; each sync's tail sends it to the
 * replicas that sync found and that have not answered it yet, and the record (with who answered)
 * stays until the chunks' expiry: a replica that was down at the first sync is asked at the first
 * sync that finds it again. One that took it never stores those chunks again (docs/DECISIONS.md
 * "Saved attachments are released at the replicas").
 */
import type { PeerId } from '@libp2p/interface'
import { MailboxStatus } from '../../../proto/cairn.js'
import type { Clock } from '../../shared/clock.js'
import { describeError } from '../../shared/errors.js'
import type { Logger } from '../../shared/logger.js'
import { NAMESPACES } from '../../shared/namespaces.js'
import type { CairnNode } from '../../shared/node/create-node.js'
import type { Store, StoreOp } from '../../shared/store.js'
import { dec, enc } from '../crypto/kv.js'
import { askMailbox, type MailboxRpcConfig } from '../mailbox/mailbox-rpc.js'

interface ReleaseRecord {
  /** The file's chunk addresses, hex. */
  cids: string[]
  /** After this the replicas have dropped the chunks themselves. */
  expiresAt: number
  /** The replicas that have answered it (PeerIds): not asked again. */
  answered?: string[]
}

/** Chunk addresses one request names (the proto's limit). */
const CIDS_PER_REQUEST = 1024
/** Files released per sync: what is left waits for the next one. */
const FILES_PER_SYNC = 16

const keyOf = (from: string, fileIdHex: string): string => `${NAMESPACES.attachmentRelease}${from}/${fileIdHex}`

/** The record that has a saved file's chunks released (written with the save's own record). */
export function releaseOp (from: string, fileIdHex: string, cids: Uint8Array[], expiresAt: number): StoreOp {
  const r: ReleaseRecord = { cids: cids.map(c => Buffer.from(c).toString('hex')), expiresAt }
  return { type: 'put', key: keyOf(from, fileIdHex), value: enc.encode(JSON.stringify(r)) }
}

export interface ReleaseOutcome {
  /** Files whose chunks every replica this sync found has now released (or that expired). */
  done: number
  /** Chunks the replicas said they deleted. */
  released: number
}

/**
 * Release what saved files left at `replicas` (those of them that have not answered yet); never
 * throws (what fails is tried at the next sync). At most FILES_PER_SYNC files with someone to ask.
 */
export async function releaseSavedChunks (c: { store: Store, node: CairnNode, clock: Clock, log: Logger }, config: MailboxRpcConfig, replicas: PeerId[], signal?: AbortSignal): Promise<ReleaseOutcome> {
  const out: ReleaseOutcome = { done: 0, released: 0 }
  const ops: StoreOp[] = []
  let files = 0
  for await (const { key, value } of c.store.list(NAMESPACES.attachmentRelease)) {
    if (files >= FILES_PER_SYNC || signal?.aborted === true) break
    const r = JSON.parse(dec.decode(value)) as ReleaseRecord
    if (r.expiresAt <= c.clock.now()) { ops.push({ type: 'del', key }); out.done++; continue }
    const answered = new Set(r.answered ?? [])
    const ask = replicas.filter(p => !answered.has(p.toString()))
    if (ask.length === 0) continue
    files++
    const cids = r.cids.map(h => new Uint8Array(Buffer.from(h, 'hex')))
    const results = await Promise.all(ask.map(async peer => {
      try {
        for (let i = 0; i < cids.length; i += CIDS_PER_REQUEST) {
          const res = await askMailbox(c.node, config, peer, { releaseChunks: { cids: cids.slice(i, i + CIDS_PER_REQUEST) } }, { clock: c.clock, ...(signal === undefined ? {} : { signal }) })
          // a node that predates release_chunks holds them until their expiry: nothing to ask again
          if (res.status === MailboxStatus.MAILBOX_BAD_REQUEST) return true
          if (res.status !== MailboxStatus.MAILBOX_OK) return false
          out.released += res.released ?? 0
        }
        return true
      } catch (err) {
        c.log.debug({ peer: peer.toString(), err: describeError(err) }, 'chunk release not answered; tried again at the next sync')
        return false
      }
    }))
    ask.forEach((peer, i) => { if (results[i] === true) answered.add(peer.toString()) })
    if (results.every(Boolean)) out.done++
    r.answered = [...answered]
    ops.push({ type: 'put', key, value: enc.encode(JSON.stringify(r)) })
  }
  if (ops.length > 0) await c.store.write(ops, { durable: false }) // lost in a crash: asked again, harmlessly
  return out
}
