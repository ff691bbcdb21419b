/**
 * Where a direct attachment transfer's time goes, stage by stage (issue 14): the bare stream of the
 * same bytes on the same connection, then `sendFiles` and `save` with marks from their progress
 * callbacks: describe (until the last 'reading'), announce (until the first 'sending'), push (until
 * `sendFiles` returns: the recipient has finished), save's copy (until the last 'saving') and its
 * tail (fsync, link, the store). Wall and process CPU (every thread) for each; both ends in this
 * process, as in the bench's attachments rows.
 *   node dist/bench/micro/attach-stages.js [--mib 100] [--runs 3]
 */
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, open, rm } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { byteStream } from '@libp2p/utils'
import type { CairnNode } from '../../src/shared/node/create-node.js'
import { parsePeerId } from '../../src/shared/peer-id.js'
import { Cluster, directPair } from '../lib/cluster.js'

const { values } = parseArgs({ options: { mib: { type: 'string', default: '100' }, runs: { type: 'string', default: '3' } } })
const MiB = 1024 * 1024
const BULK = '/cairn-bench/stages-bulk/1.0.0'
const mib = Number(values.mib)
const bytes = mib * MiB
const cpuMs = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000 }
interface Mark { wall: number, cpu: number }
const mark = (): Mark => ({ wall: performance.now(), cpu: cpuMs() })
const span = (a: Mark | undefined, b: Mark | undefined): { wallMs: number, cpuMs: number } | undefined => a === undefined || b === undefined ? undefined : { wallMs: Math.round(b.wall - a.wall), cpuMs: Math.round(b.cpu - a.cpu) }

const root = await mkdtemp(join(tmpdir(), 'cairn-attach-stages-'))
const cluster = new Cluster({ root, mailbox: false })
try {
  const { bobPeer, alice, bob } = await directPair(cluster)
  const aliceNode = alice.node as CairnNode
  await (bob.node as CairnNode).handle(BULK, async (stream) => {
    for await (const c of stream) void c
    stream.send(new Uint8Array(1))
    await stream.close()
  }, { maxInboundStreams: 4 })
  const file = join(root, 'payload.bin')
  const fh = await open(file, 'w')
  for (let off = 0; off < bytes; off += MiB) await fh.write(randomBytes(MiB))
  await fh.close()
  const out = join(root, 'saved')
  await mkdir(out)
  for (let r = 0; r < Number(values.runs); r++) {
    const b0 = mark()
    const bs = byteStream(await aliceNode.dialProtocol(parsePeerId(bobPeer.peerId), BULK))
    const piece = randomBytes(MiB)
    for (let off = 0; off < bytes; off += MiB) await bs.write(Buffer.from(piece))
    const back = bs.unwrap()
    await back.close()
    for await (const c of back) void c
    const bare = span(b0, mark())
    const m: Record<'start' | 'described' | 'firstSent' | 'sent' | 'copied' | 'saved', Mark | undefined> = { start: mark(), described: undefined, firstSent: undefined, sent: undefined, copied: undefined, saved: undefined }
    const [sent] = await alice.sendFiles('bob', [file], '', { onProgress: (p) => { if (p.stage === 'reading') m.described = mark(); if (p.stage === 'sending') m.firstSent ??= mark() } })
    m.sent = mark()
    if (sent?.route !== 'direct') throw new Error(`attachment went ${sent?.route}`)
    await bob.save(sent.id, out, { onProgress: () => { m.copied = mark() } })
    m.saved = mark()
    const total = span(m.start, m.saved)
    console.log(JSON.stringify({
      run: r,
      mib,
      bare,
      describe: span(m.start, m.described),
      announce: span(m.described ?? m.start, m.firstSent), // no describe: a streamed file (session 21)
      push: span(m.firstSent, m.sent),
      saveCopy: span(m.sent, m.copied),
      saveTail: span(m.copied, m.saved),
      total,
      ratio: bare === undefined || total === undefined ? undefined : Number((bare.wallMs / total.wallMs).toFixed(3)),
      loadavg: loadavg()[0]
    }))
    await rm(out, { recursive: true })
    await mkdir(out)
  }
} finally {
  await cluster.stopAll().catch(() => {})
  await rm(root, { recursive: true, force: true })
}
