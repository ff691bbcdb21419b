/**
 * Attachments, direct: a file sent to an online contact (`sendFiles`: read and describe, announce,
 * stream the chunks over /cairn/chunks) and saved and verified by the recipient (`save`: digest
 * check while decrypting the held chunks into the file, fsync, link). Baseline: the same number of bytes written on a bare libp2p
 * stream over the same TCP + Noise + Yamux connection, with drain backpressure, read to the end.
 * Both ends run in this process; peak RSS is sampled every 20 ms during the transfer.
 *
 * Attachments, through mailboxes: the same file sent to a contact who is offline (its chunks
 * stored at the k = 3 replicas, each fsyncing), then the recipient comes back, syncs and saves it
 * (chunks fetched in parallel from the replicas, checked, decrypted, saved). Baseline: the same
 * number of chunk-sized records written to one LevelDB, one synced write per chunk, then read back.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, open, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Libp2p, PeerId } from '@libp2p/interface'
import { byteStream } from '@libp2p/utils'
import { parsePeerId } from '../../src/shared/peer-id.js'
import { ClassicLevel } from 'classic-level'
import { Cluster, addressOf, directPair } from '../lib/cluster.js'
import { row, type Row } from '../lib/report.js'
import { now } from '../lib/stats.js'

export interface AttachmentOptions { mib: number, runs: number }

const BULK = '/cairn-bench/bulk/1.0.0'
const MiB = 1024 * 1024

async function serveBulk (node: Libp2p): Promise<void> {
  await node.handle(BULK, async (stream) => {
    let n = 0
    try {
      for await (const c of stream) n += c.byteLength
      const out = new Uint8Array(8)
      new DataView(out.buffer).setFloat64(0, n)
      stream.send(out)
      await stream.close()
    } catch (err) { stream.abort(err as Error) }
  }, { maxInboundStreams: 4 })
}

async function bulkOnce (node: Libp2p, peer: PeerId, bytes: number): Promise<void> {
  const stream = await node.dialProtocol(peer, BULK)
  const bs = byteStream(stream)
  const piece = randomBytes(MiB)
  for (let off = 0; off < bytes; off += MiB) await bs.write(Buffer.from(piece)) // a fresh buffer per write, as a file read gives
  const back = bs.unwrap()
  await back.close()
  let reply = new Uint8Array(0)
  for await (const c of back) reply = new Uint8Array([...reply, ...c.subarray()])
  if (new DataView(reply.buffer).getFloat64(0) !== bytes) throw new Error('bare stream lost bytes')
}

/** Peak RSS (MiB) while `fn` runs, sampled every 20 ms. */
async function peakRss<T> (fn: () => Promise<T>): Promise<{ value: T, peakMiB: number, beforeMiB: number }> {
  const beforeMiB = process.memoryUsage().rss / MiB
  let peak = beforeMiB
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss / MiB) }, 20)
  try {
    const value = await fn()
    return { value, peakMiB: Math.max(peak, process.memoryUsage().rss / MiB), beforeMiB }
  } finally {
    clearInterval(timer)
  }
}

export async function attachmentsSuite (o: AttachmentOptions): Promise<Row[]> {
  return [...await directRows(o), ...await mailboxRows(o)]
}

async function writeFile (path: string, bytes: number): Promise<void> {
  const fh = await open(path, 'w')
  for (let off = 0; off < bytes; off += MiB) await fh.write(randomBytes(Math.min(MiB, bytes - off)))
  await fh.close()
}

/** Raw LevelDB: `count` records of `size` bytes, one synced write each; then all read back. ms each. */
async function rawChunks (count: number, size: number): Promise<{ writeMs: number, readMs: number }> {
  const root = await mkdtemp(join(tmpdir(), 'cairn-bench-chunks-'))
  const db = new ClassicLevel<string, Uint8Array>(join(root, 'db'), { valueEncoding: 'view' })
  await db.open()
  try {
    const chunk = randomBytes(size)
    let t = now()
    for (let i = 0; i < count; i++) await db.put(`/c/${i}`, Buffer.from(chunk), { sync: true })
    const writeMs = now() - t
    t = now()
    let read = 0
    for await (const v of db.values()) read += v.byteLength
    if (read !== count * size) throw new Error('raw LevelDB lost bytes')
    return { writeMs, readMs: now() - t }
  } finally {
    await db.close()
    await rm(root, { recursive: true, force: true })
  }
}

async function mailboxRows (o: AttachmentOptions): Promise<Row[]> {
  const root = await mkdtemp(join(tmpdir(), 'cairn-bench-attach-mbx-'))
  const big = 4 * o.mib * MiB // room for every run's chunks at each replica
  const overrides = { mailbox: { replicas: 3, maxBytesPerRecipient: big, maxTotalBytes: 2 * big, depositBytesPerMinute: big, chunkBytesPerMinute: big } }
  const cluster = new Cluster({ root, mailbox: true, overrides })
  try {
    await cluster.addMany('mbx', 4)
    await cluster.warm()
    const alicePeer = await cluster.add('alice', { mailbox: false })
    const bobPeer = await cluster.add('bob', { mailbox: false })
    const alice = alicePeer.client as NonNullable<typeof alicePeer.client>
    const bob0 = bobPeer.client as NonNullable<typeof bobPeer.client>
    await bob0.publishBundles()
    await bob0.contactAdd('alice', alicePeer.peerId)
    await cluster.stop(bobPeer)
    await alice.contactAdd('bob', addressOf(bobPeer))
    const bytes = o.mib * MiB
    const file = join(root, 'payload.bin')
    await writeFile(file, bytes)
    const out = join(root, 'saved')
    await mkdir(out)
    const store: number[] = []
    const collect: number[] = []
    const raw: Array<{ writeMs: number, readMs: number }> = []
    const chunkBytes = alice.config.attachments.chunkBytes
    for (let r = 0; r < o.runs; r++) {
      raw.push(await rawChunks(Math.ceil(bytes / chunkBytes), chunkBytes))
      let t = now()
      const [sent] = await alice.sendFiles('bob', [file], '')
      if (sent?.route !== 'mailbox') throw new Error(`attachment went ${sent?.route}`)
      store.push(now() - t)
      t = now()
      const bob = await cluster.start(bobPeer, { mailbox: false })
      await bob.sync()
      await bob.save(sent.id, out)
      collect.push(now() - t)
      await cluster.stop(bobPeer)
      await rm(out, { recursive: true })
      await mkdir(out)
    }
    const best = (xs: number[]): number => Math.min(...xs)
    const rate = (ms: number): number => o.mib / (ms / 1000)
    return [
      row({ name: 'attachments.mailbox.store', label: `${o.mib} MiB file to an offline contact: chunks stored at k=3 replicas (fsync each)`, unit: 'MiB/s', value: rate(best(store)), baseline: 'raw LevelDB, the same chunks, one synced write each', baselineValue: rate(best(raw.map(x => x.writeMs))), better: 'higher', samples: o.runs, stat: 'best of runs', notes: 'sender reads the file twice (describe, then upload); each replica checks, writes and fsyncs each chunk' }),
      row({ name: 'attachments.mailbox.collect', label: `${o.mib} MiB file: recipient back online, sync + save (chunks from the replicas, checked, decrypted, saved)`, unit: 'MiB/s', value: rate(best(collect)), baseline: 'raw LevelDB, the same chunks read back', baselineValue: rate(best(raw.map(x => x.readMs))), better: 'higher', samples: o.runs, stat: 'best of runs', notes: 'includes the recipient node\'s start and the sync that brings the descriptor' })
    ]
  } finally {
    await cluster.stopAll().catch(() => {})
    await rm(root, { recursive: true, force: true })
  }
}

async function directRows (o: AttachmentOptions): Promise<Row[]> {
  const root = await mkdtemp(join(tmpdir(), 'cairn-bench-attach-'))
  const cluster = new Cluster({ root, mailbox: false })
  try {
    const { bobPeer, alice, bob } = await directPair(cluster)
    await serveBulk(bob.node as NonNullable<typeof bob.node>)
    const bytes = o.mib * MiB
    const file = join(root, 'payload.bin')
    await writeFile(file, bytes)
    const out = join(root, 'saved')
    await mkdir(out)
    const bobId = parsePeerId(bobPeer.peerId)
    const cairn: number[] = []
    const bare: number[] = []
    let peak = 0
    let before = 0
    for (let r = 0; r < o.runs; r++) {
      let t = now()
      await bulkOnce(alice.node as NonNullable<typeof alice.node>, bobId, bytes)
      bare.push(now() - t)
      t = now()
      const m = await peakRss(async () => {
        const [sent] = await alice.sendFiles('bob', [file], '')
        if (sent?.route !== 'direct') throw new Error(`attachment went ${sent?.route}`)
        await bob.save(sent.id, out)
      })
      cairn.push(now() - t)
      peak = Math.max(peak, m.peakMiB)
      before = m.beforeMiB
      await rm(out, { recursive: true })
      await mkdir(out)
    }
    const best = (xs: number[]): number => Math.min(...xs)
    const rate = (ms: number): number => o.mib / (ms / 1000)
    return [
      row({ name: 'attachments.direct.throughput', label: `${o.mib} MiB file, direct: send → saved and verified`, unit: 'MiB/s', value: rate(best(cairn)), baseline: 'bare libp2p stream, same bytes, same connection', baselineValue: rate(best(bare)), better: 'higher', samples: o.runs, stat: 'best of runs', notes: 'announced streamed (session 21): the sender reads and seals each chunk once as it sends; receiver opens, writes, syncs every 8 chunks, checks the tags digest, then save copies to the target dir' }),
      row({ name: 'attachments.direct.peakRss', label: `peak RSS of sender and receiver (one process) during a ${o.mib} MiB transfer`, unit: 'MiB', value: peak, baseline: 'RSS before the transfer', baselineValue: before, better: 'lower', samples: o.runs, stat: 'max' })
    ]
  } finally {
    await cluster.stopAll().catch(() => {})
    await rm(root, { recursive: true, force: true })
  }
}
