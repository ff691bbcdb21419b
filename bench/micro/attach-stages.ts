/**
 * Where a direct attachment transfer's time goes, stage by stage and side by side (issue 14): the
 * sender (alice) in this process, the recipient (bob) in a child process (remote-recipient.ts), as
 * in the bench's attachments rows since session 22. First the bare stream of the same bytes on the
 * same connection between the same two processes, then `sendFiles` with marks from its progress
 * callbacks: announce (until the first 'sending'), push (until `sendFiles` returns: the recipient
 * has finished), then the recipient's `save`: its copy (until the last byte) and its tail (fsync,
 * link, the store). Wall, and each process's CPU (every thread) for each.
 *   node dist/bench/micro/attach-stages.js [--mib 100] [--runs 3] [--no-ahead]
 * CAIRN_BENCH_PROFILE_RECIPIENT=DIR writes the recipient's CPU profile there; `node --cpu-prof` the sender's.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, open, rm } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { CairnNode } from '../../src/shared/node/create-node.js'
import { parsePeerId } from '../../src/shared/peer-id.js'
import { bulkOnce } from '../lib/bulk.js'
import { Cluster, addressOf } from '../lib/cluster.js'
import { RemoteRecipient } from '../lib/remote-recipient.js'

const { values } = parseArgs({ options: { mib: { type: 'string', default: '100' }, runs: { type: 'string', default: '3' }, 'no-ahead': { type: 'boolean', default: false } } })
const MiB = 1024 * 1024
const mib = Number(values.mib)
const bytes = mib * MiB
const cpuMs = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000 }
interface Mark { wall: number, cpu: number }
const mark = (): Mark => ({ wall: performance.now(), cpu: cpuMs() })
const span = (a: Mark | undefined, b: Mark | undefined): { wallMs: number, cpuMs: number } | undefined => a === undefined || b === undefined ? undefined : { wallMs: Math.round(b.wall - a.wall), cpuMs: Math.round(b.cpu - a.cpu) }

const root = await mkdtemp(join(tmpdir(), 'cairn-attach-stages-'))
const cluster = new Cluster({ root, mailbox: false })
const bob = await RemoteRecipient.start({ root: join(root, 'recipient') })
try {
  const alicePeer = await cluster.add('alice', { bootstrap: [] })
  const alice = alicePeer.client as NonNullable<typeof alicePeer.client>
  await alice.contactAdd('bob', bob.address)
  await bob.contactAdd('alice', addressOf(alicePeer))
  if ((await alice.send('bob', 'hello')).route !== 'direct') throw new Error('warm-up send did not go direct')
  const aliceNode = alice.node as CairnNode
  const file = join(root, 'payload.bin')
  const fh = await open(file, 'w')
  for (let off = 0; off < bytes; off += MiB) await fh.write(randomBytes(MiB))
  await fh.close()
  const out = join(root, 'saved')
  await mkdir(out)
  // as the bench's row: the save asked for as the file is announced (--no-ahead: asked after the push)
  if (values['no-ahead'] !== true) await bob.saveAhead(out)
  const round = (x: number): number => Math.round(x)
  for (let r = 0; r < Number(values.runs); r++) {
    const rb0 = (await bob.usage()).cpuMs
    const b0 = mark()
    await bulkOnce(aliceNode, parsePeerId(bob.peerId), bytes)
    const bare = { ...span(b0, mark()), recipientCpuMs: round((await bob.usage()).cpuMs - rb0) }
    const r0 = (await bob.usage()).cpuMs
    const m: Record<'start' | 'firstSent' | 'sent', Mark | undefined> = { start: mark(), firstSent: undefined, sent: undefined }
    const [sent] = await alice.sendFiles('bob', [file], '', { onProgress: (p) => { if (p.stage === 'sending') m.firstSent ??= mark() } })
    m.sent = mark()
    if (sent?.route !== 'direct') throw new Error(`attachment went ${sent?.route}${sent?.error === undefined ? '' : `: ${sent.error}`}`)
    const r1 = (await bob.usage()).cpuMs
    const save = await bob.save(sent.id, out)
    const done = mark()
    const total = span(m.start, done)
    const recipientCpuMs = round((await bob.usage()).cpuMs - r0)
    console.log(JSON.stringify({
      run: r,
      mib,
      bare,
      announce: span(m.start, m.firstSent),
      push: { ...span(m.firstSent, m.sent), recipientCpuMs: round(r1 - r0) },
      saveCopy: { wallMs: round(save.copyWallMs), recipientCpuMs: round(save.copyCpuMs) },
      saveTail: { wallMs: round(save.wallMs - save.copyWallMs), recipientCpuMs: round(save.cpuMs - save.copyCpuMs) },
      readBack: save.readBack,
      total: { ...total, recipientCpuMs },
      ratio: total === undefined || bare.wallMs === undefined ? undefined : Number((bare.wallMs / total.wallMs).toFixed(3)),
      cpuRatio: total === undefined ? undefined : Number((Math.max(bare.cpuMs ?? 0, bare.recipientCpuMs) / Math.max(total.cpuMs, recipientCpuMs)).toFixed(3)),
      loadavg: loadavg()[0]
    }))
    await rm(out, { recursive: true })
    await mkdir(out)
  }
} finally {
  await bob.stop().catch(() => {})
  await cluster.stopAll().catch(() => {})
  await rm(root, { recursive: true, force: true })
}
