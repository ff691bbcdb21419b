/**
 * An attachment's recipient (bob) in a process of its own, as a real recipient is (another
 * machine): started by `RemoteRecipient` (remote-recipient.ts), it answers one JSON line per
 * request on stdin with one JSON line on stdout. It serves the bare-stream baseline (bulk.ts) on the
 * same node. The first line out is `{ ready: { peerId, address } }`, or `{ error }`.
 * Requests: `{ op: 'contact', name, address }`; `{ op: 'usage' }` (this process's CPU so far, and
 * its peak RSS since the last usage, sampled every 20 ms); `{ op: 'save', id, out }` (`save`,
 * timed: wall and CPU until the last byte copied, and in all); `{ op: 'saveAhead', out }` (from now on,
 * every file announced to bob is saved ahead into `out` as it arrives: `saveAhead` on its message,
 * so the `save` that follows reads nothing back; `out` absent: no longer); `{ op: 'stop' }`.
 */
import { createInterface } from 'node:readline'
import type { CairnClient } from '../../src/client/client.js'
import type { ConfigLayer } from '../../src/shared/config.js'
import { serveBulk } from './bulk.js'
import { Cluster, addressOf } from './cluster.js'

export interface RecipientArgs { root: string, overrides?: ConfigLayer }
export type RecipientRequest = { op: 'contact', name: string, address: string } | { op: 'usage' } | { op: 'save', id: string, out: string } | { op: 'saveAhead', out?: string } | { op: 'stop' }
export interface Usage { cpuMs: number, rssMiB: number, peakRssMiB: number }
/** `readBack`: chunks the save read back from the received copy (none when all were saved ahead). */
export interface SaveTiming { wallMs: number, cpuMs: number, copyWallMs: number, copyCpuMs: number, readBack?: number }

const MiB = 1024 * 1024
const cpuMs = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000 }

async function main (): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as RecipientArgs
  const cluster = new Cluster({ root: args.root, mailbox: false, ...(args.overrides === undefined ? {} : { overrides: args.overrides }) })
  const say = (o: unknown): void => { process.stdout.write(JSON.stringify(o) + '\n') }
  let peak = process.memoryUsage.rss()
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()) }, 20)
  let bob: CairnClient
  try {
    const peer = await cluster.add('bob', { bootstrap: [] })
    bob = peer.client as CairnClient
    await serveBulk(bob.node as NonNullable<CairnClient['node']>)
    say({ ready: { peerId: peer.peerId, address: addressOf(peer) } })
  } catch (err) {
    say({ error: String(err) })
    clearInterval(sampler)
    await cluster.stopAll()
    process.exit(1)
  }
  let aheadTo: string | undefined
  bob.messenger.on('message', (m) => {
    const out = aheadTo
    if (out !== undefined && m.attachment !== undefined) void bob.saveAhead(m.id, out).catch((err: unknown) => { process.stderr.write(`saveAhead: ${String(err)}\n`) })
  })
  for await (const line of createInterface({ input: process.stdin })) {
    const req = JSON.parse(line) as RecipientRequest
    if (req.op === 'stop') break
    try {
      if (req.op === 'contact') {
        await bob.contactAdd(req.name, req.address)
        say({ ok: true })
      } else if (req.op === 'saveAhead') {
        aheadTo = req.out
        say({ ok: true })
      } else if (req.op === 'usage') {
        const rss = process.memoryUsage.rss()
        const usage: Usage = { cpuMs: cpuMs(), rssMiB: rss / MiB, peakRssMiB: Math.max(peak, rss) / MiB }
        peak = rss
        say(usage)
      } else {
        const w0 = performance.now()
        const c0 = cpuMs()
        let copied = { wall: w0, cpu: c0 }
        const saved = await bob.save(req.id, req.out, { onProgress: () => { copied = { wall: performance.now(), cpu: cpuMs() } } })
        const timing: SaveTiming = { wallMs: performance.now() - w0, cpuMs: cpuMs() - c0, copyWallMs: copied.wall - w0, copyCpuMs: copied.cpu - c0, ...(saved.readBack === undefined ? {} : { readBack: saved.readBack }) }
        say(timing)
      }
    } catch (err) {
      say({ error: String(err) })
    }
  }
  clearInterval(sampler)
  await cluster.stopAll()
  say({ stopped: true })
  process.exit(0)
}

void main()
