/**
 * What one chunk handover pass costs two replicas already in sync, for one recipient holding
 * `chunks` attachment chunks: chunk reconciliation (ReconcileChunks rounds, as Handover sends them
 * through handChunksOver) against an offer by address list (every 36-byte CID, 1,000 a request,
 * each looked up at the replica), the design not chosen (docs/DECISIONS.md). Both sides run in this
 * process on their own LevelDB stores; bytes are the encoded requests and answers, CPU is process
 * CPU time for both sides together. An in-sync pass reads keys only, so the chunks are small here
 * (`chunkBytes`); their size changes nothing but the time to fill the stores.
 */
import { randomBytes } from 'node:crypto'
import { cp, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { MailboxRequest, MailboxResponse, MailboxStatus, type ReconcileChunks } from '../../proto/cairn.js'
import { handChunksOver } from '../../src/mailbox/chunk-handover.js'
import { answerChunkReconcile } from '../../src/mailbox/chunk-reconcile-answer.js'
import { ChunkStore } from '../../src/mailbox/chunk-store.js'
import { MailboxStore } from '../../src/mailbox/index.js'
import { chunkCid } from '../../src/shared/chunk-address.js'
import { resolveConfig } from '../../src/shared/config.js'
import { silentLogger } from '../../src/shared/logger.js'
import { peerIdBytes } from '../../src/shared/peer-id.js'
import { Store } from '../../src/shared/store.js'
import { row, type Row } from '../lib/report.js'
import { median } from '../lib/stats.js'

export interface ChunkHandoverSyncOptions { chunks: number, chunkBytes: number, runs: number }

const DAY = 24 * 3600_000
const LIST_CHUNK = 1000
const cpuMs = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000 }

export async function chunkHandoverSyncSuite (o: ChunkHandoverSyncOptions): Promise<Row[]> {
  const root = await mkdtemp(join(tmpdir(), 'cairn-bench-chunk-handover-sync-'))
  const config = resolveConfig([{ dataDir: root, mailbox: { maxBytesPerRecipient: 1 << 30, maxTotalBytes: 1 << 30 } }])
  const owner = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
  const r = owner.toString()
  const recipient = peerIdBytes(owner)
  const stores: Store[] = []
  const open = async (dir: string): Promise<{ store: Store, chunks: ChunkStore }> => {
    const store = await Store.open(join(root, dir))
    const mail = new MailboxStore({ store }, config)
    await mail.open()
    const chunks = new ChunkStore({ store, mail }, config)
    await chunks.open()
    return { store, chunks }
  }
  try {
    // fill one replica, then copy its directory: the second holds exactly the same
    const first = await open('a')
    const now = Date.now()
    const cids: Array<Uint8Array<ArrayBuffer>> = []
    for (let i = 0; i < o.chunks; i += 100) {
      await Promise.all(Array.from({ length: Math.min(100, o.chunks - i) }, async () => {
        const data = new Uint8Array(randomBytes(o.chunkBytes))
        const cid = chunkCid(data)
        cids.push(cid)
        return first.chunks.put(r, cid, data, now + DAY, now)
      }))
    }
    await first.store.close()
    await cp(join(root, 'a'), join(root, 'b'), { recursive: true })
    const a = await open('a')
    const b = await open('b')
    stores.push(a.store, b.store)

    const recon = async (): Promise<{ bytes: number, cpu: number, rounds: number }> => {
      let bytes = 0
      const c0 = cpuMs()
      const out = await handChunksOver({
        chunks: a.chunks, recipient: r, recipientBytes: recipient, peer: 'bench', now: () => now, log: silentLogger(),
        ask: async (req) => {
          const wire = MailboxRequest.encode(req)
          const res = MailboxResponse.encode(await answerChunkReconcile(b.chunks, r, MailboxRequest.decode(wire).reconcileChunks as ReconcileChunks))
          bytes += wire.length + res.length
          return MailboxResponse.decode(res)
        }
      })
      if (out === 'unsupported' || out.sent > 0) throw new Error('replicas in sync found a difference')
      return { bytes, cpu: cpuMs() - c0, rounds: out.rounds }
    }
    const byList = async (): Promise<{ bytes: number, cpu: number }> => {
      let bytes = 0
      const c0 = cpuMs()
      // every address, 1,000 a request (the Offer message's id list carries them), each looked up there
      for (let i = 0; i < cids.length; i += LIST_CHUNK) {
        const wire = MailboxRequest.encode({ version: 1, offer: { recipient, ids: cids.slice(i, i + LIST_CHUNK), tombstones: [] } })
        const got = MailboxRequest.decode(wire).offer?.ids ?? []
        const wanted = []
        for (const cid of got) if (await b.chunks.expiryOf(r, cid) === undefined) wanted.push(cid)
        const res = MailboxResponse.encode({ status: MailboxStatus.MAILBOX_OK, wanted })
        bytes += wire.length + res.length
      }
      return { bytes, cpu: cpuMs() - c0 }
    }

    const cold = await recon() // loads both replicas' sorted chunk ids from LevelDB keys
    const warm = []
    for (let i = 0; i < o.runs; i++) warm.push(await recon())
    const list = []
    for (let i = 0; i < o.runs; i++) list.push(await byList())
    const size = `${o.chunks.toLocaleString('en')} chunks`
    const baseline = `offer by address list (every 36-byte CID, ${LIST_CHUNK} a request, each looked up)`
    return [
      row({ name: 'handover.chunks.in-sync.bytes', label: `in-sync chunk handover pass, ${size}: bytes`, unit: 'B', value: median(warm.map(w => w.bytes)), baseline, baselineValue: median(list.map(l => l.bytes)), better: 'lower', samples: warm.length, stat: 'median, requests + answers', notes: `${cold.rounds} reconcile round(s)` }),
      row({ name: 'handover.chunks.in-sync.cpu', label: `in-sync chunk handover pass, ${size}: CPU ms`, unit: 'ms', value: median(warm.map(w => w.cpu)), baseline, baselineValue: median(list.map(l => l.cpu)), better: 'lower', samples: warm.length, stat: 'median, both sides', notes: `first pass (sorted chunk ids read from LevelDB keys on both sides): ${cold.cpu.toFixed(1)} ms; later passes reuse them while nothing changed` })
    ]
  } finally {
    for (const s of stores) await s.close()
    await rm(root, { recursive: true, force: true })
  }
}
