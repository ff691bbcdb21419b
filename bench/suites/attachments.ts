/**
 * Attachments, direct: a file sent to an online contact (`sendFiles`: read and describe, announce,
 * stream the chunks over /cairn/chunks) and saved and verified by the recipient (`save`: digest
 * check while decrypting the held chunks into the file, fsync, link). Baseline: the same number of bytes written on a bare libp2p
 * stream over the same TCP + Noise + Yamux connection, with drain backpressure, read to the end.
 * The sender runs in this process, the recipient in a child process (remote-recipient.ts), as two
 * users' machines do, for the transfer and its baseline alike (since session 22; before, both ends
 * shared this process's one JS thread). CPU is taken per side; peak RSS is sampled every 20 ms in each.
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
import { parsePeerId } from '../../src/shared/peer-id.js'
import { ClassicLevel } from 'classic-level'
import { bulkOnce } from '../lib/bulk.js'
import { Cluster, addressOf } from '../lib/cluster.js'
import { RemoteRecipient } from '../lib/remote-recipient.js'
import { row, type Row } from '../lib/report.js'
import { now } from '../lib/stats.js'

export interface AttachmentOptions { mib: number, runs: number }

const MiB = 1024 * 1024

/** Peak RSS (MiB) while `fn` runs, sampled every 20 ms. */
async function peakRss<T> (fn: () => Promise<T>): Promise<{ value: T, peakMiB: number, beforeMiB: number }> {
  const beforeMiB = process.memoryUsage.rss() / MiB
  let peak = beforeMiB
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss() / MiB) }, 20)
  try {
    const value = await fn()
    return { value, peakMiB: Math.max(peak, process.memoryUsage.rss() / MiB), beforeMiB }
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
      if (sent?.route !== 'mailbox') throw new Error(`attachment went ${sent?.route}${sent?.error === undefined ? '' : `: ${sent.error}`}`)
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

const cpuMs = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000 }

/** Wall time, and CPU of each side (this process, the recipient's), of one timed step. */
interface Sides { wallMs: number, senderCpuMs: number, recipientCpuMs: number }

async function sides (recipient: RemoteRecipient, fn: () => Promise<void>): Promise<Sides> {
  const r0 = (await recipient.usage()).cpuMs
  const c0 = cpuMs()
  const t = now()
  await fn()
  const wallMs = now() - t
  const senderCpuMs = cpuMs() - c0
  return { wallMs, senderCpuMs, recipientCpuMs: (await recipient.usage()).cpuMs - r0 }
}

async function directRows (o: AttachmentOptions): Promise<Row[]> {
  const root = await mkdtemp(join(tmpdir(), 'cairn-bench-attach-'))
  const cluster = new Cluster({ root, mailbox: false })
  let recipient: RemoteRecipient | undefined
  try {
    recipient = await RemoteRecipient.start({ root: join(root, 'recipient') })
    const alicePeer = await cluster.add('alice', { bootstrap: [] })
    const alice = alicePeer.client as NonNullable<typeof alicePeer.client>
    await alice.contactAdd('bob', recipient.address)
    await recipient.contactAdd('alice', addressOf(alicePeer))
    if ((await alice.send('bob', 'hello')).route !== 'direct') throw new Error('warm-up send did not go direct')
    const r = recipient
    const bytes = o.mib * MiB
    const file = join(root, 'payload.bin')
    await writeFile(file, bytes)
    const out = join(root, 'saved')
    await mkdir(out)
    // send → saved: the save is asked for as the file is announced, so the recipient writes each
    // chunk's plaintext where it saves it as the chunk arrives (save-ahead.ts), and `save` links it
    await recipient.saveAhead(out)
    const bobId = parsePeerId(recipient.peerId)
    const cairn: Sides[] = []
    const bare: Sides[] = []
    let peak = { sender: 0, recipient: 0 }
    let before = { sender: 0, recipient: 0 }
    for (let i = 0; i < o.runs; i++) {
      bare.push(await sides(r, async () => bulkOnce(alice.node as NonNullable<typeof alice.node>, bobId, bytes)))
      const rssBefore = (await r.usage()).rssMiB // also starts the recipient's peak afresh
      let senderPeak = 0
      let senderBefore = 0
      cairn.push(await sides(r, async () => {
        const m = await peakRss(async () => {
          const [sent] = await alice.sendFiles('bob', [file], '')
          if (sent?.route !== 'direct') throw new Error(`attachment went ${sent?.route}${sent?.error === undefined ? '' : `: ${sent.error}`}`)
          await r.save(sent.id, out)
        })
        senderPeak = m.peakMiB
        senderBefore = m.beforeMiB
      }))
      const recipientPeak = (await r.usage()).peakRssMiB
      if (senderPeak + recipientPeak > peak.sender + peak.recipient) {
        peak = { sender: senderPeak, recipient: recipientPeak }
        before = { sender: senderBefore, recipient: rssBefore }
      }
      await rm(out, { recursive: true })
      await mkdir(out)
    }
    const best = (xs: Sides[]): Sides => xs.reduce((a, b) => b.wallMs < a.wallMs ? b : a)
    const rate = (ms: number): number => o.mib / (ms / 1000)
    const busier = (s: Sides): number => Math.max(s.senderCpuMs, s.recipientCpuMs)
    const cpuNote = (s: Sides): string => `sender ${Math.round(s.senderCpuMs)} ms, recipient ${Math.round(s.recipientCpuMs)} ms CPU`
    const c = best(cairn)
    const b = best(bare)
    return [
      row({ name: 'attachments.direct.throughput', label: `${o.mib} MiB file, direct: send → saved and verified (sender and recipient in two processes)`, unit: 'MiB/s', value: rate(c.wallMs), baseline: 'bare libp2p stream, same bytes, same connection, same two processes', baselineValue: rate(b.wallMs), better: 'higher', samples: o.runs, stat: 'best of runs', notes: `announced streamed: the sender reads and seals each chunk once as it sends; receiver opens, writes, syncs every 8 chunks and, its save asked for ahead, writes the plaintext into the save's temporary file; checks the tags digest, then save syncs and links it. Best run: ${cpuNote(c)}; bare: ${cpuNote(b)}` }),
      row({ name: 'attachments.direct.cpu', label: `${o.mib} MiB file, direct: CPU of the busier side (sender or recipient), send → saved`, unit: 'ms', value: Math.min(...cairn.map(busier)), baseline: 'bare libp2p stream: CPU of its busier side', baselineValue: Math.min(...bare.map(busier)), better: 'lower', samples: o.runs, stat: 'min of runs', notes: `per side, each process's own cpuUsage; best run ${cpuNote(c)}; bare ${cpuNote(b)}` }),
      row({ name: 'attachments.direct.peakRss', label: `peak RSS of sender + recipient (two processes, each sampled every 20 ms) during a ${o.mib} MiB transfer`, unit: 'MiB', value: peak.sender + peak.recipient, baseline: 'RSS of both before the transfer', baselineValue: before.sender + before.recipient, better: 'lower', samples: o.runs, stat: 'max', notes: `sender ${Math.round(peak.sender)} (before ${Math.round(before.sender)}) MiB, recipient ${Math.round(peak.recipient)} (before ${Math.round(before.recipient)}) MiB; until session 21 one process held both ends` })
    ]
  } finally {
    await recipient?.stop().catch(() => {})
    await cluster.stopAll().catch(() => {})
    await rm(root, { recursive: true, force: true })
  }
}
