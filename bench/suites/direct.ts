/**
 * Direct delivery: CairnClient.send to an online contact, timed from the call to the receipt
 * (sealed, written to the outbox, sent over /cairn/direct, decrypted and stored by the recipient,
 * receipt back, outbox entry removed). Baselines: a bare libp2p echo of the same size over the same
 * TCP + Noise + Yamux connection, on a fresh stream each time, and on one kept-open stream (as
 * Cairn's direct channel keeps one: the fairer baseline since session 11). Sends and both echoes
 * alternate, so drift in the machine's load hits all alike. Probes on the live objects split the
 * time into stages.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DirectRequest, type Envelope } from '../../proto/cairn.js'
import { parsePeerId } from '../../src/shared/peer-id.js'
import { echoChannel, echoOnce, serveEcho, serveEchoChannel } from '../lib/bare.js'
import { Cluster, directPair, routeOf } from '../lib/cluster.js'
import { probe } from '../lib/probe.js'
import { row, type Row } from '../lib/report.js'
import { median, now, quantile, sum } from '../lib/stats.js'

export interface DirectOptions { messages: number, textBytes: number }

/** Untimed pause before each timed exchange. */
const QUIET_MS = 2

export interface DirectResult {
  rows: Row[]
  /** Raw samples (ms) for the latency chart. */
  samples: { send: number[], echo: number[] }
  /** Median ms per message spent in each stage. */
  stages: Record<string, number>
}

export async function directSuite (o: DirectOptions): Promise<DirectResult> {
  const root = await mkdtemp(join(tmpdir(), 'cairn-bench-direct-'))
  const cluster = new Cluster({ root, mailbox: false })
  try {
    // first contact (bundle over /cairn/direct) and a reply, so timed sends are ratchet messages
    const { bobPeer, alice, bob } = await directPair(cluster)
    const text = 'x'.repeat(o.textBytes)
    if ((await bob.send('alice', 'hi')).route !== 'direct') throw new Error('reply did not go direct')
    for (let i = 0; i < 5; i++) await alice.send('bob', text)

    await serveEcho(bob.node as NonNullable<typeof bob.node>)
    await serveEchoChannel(bob.node as NonNullable<typeof bob.node>)
    const bobId = parsePeerId(bobPeer.peerId)
    const channel = await echoChannel(alice.node as NonNullable<typeof alice.node>, bobId)
    let envelopeBytes = 0
    const route = alice.messenger.routes[0] as NonNullable<(typeof alice.messenger.routes)[0]>
    const probes = {
      // the durable write before the envelope leaves; the one after it (out of the outbox, delivered) follows the result
      senderWrites: probe(alice.store, 'write', undefined, (args) => (args[1] as { durable?: boolean } | undefined)?.durable !== false),
      route: probe(route, 'deliver', (args) => { envelopeBytes = DirectRequest.encode({ version: 1, deliver: args[0] as Envelope }).length }),
      receive: probe(bob.messenger, 'receive'),
      receiverWrites: probe(bob.store, 'write')
    }
    const send: number[] = []
    const echo: number[] = []
    const kept: number[] = []
    const stages: Record<string, number[]> = { senderWrites: [], route: [], receive: [], receiverWrites: [] }
    const before = (await bob.inbox()).length
    for (let i = 0; i < o.messages; i++) {
      // every timed exchange starts on a quiet connection: both ends are in this process, so what
      // the one before left going (yamux window updates, a stream's close) would land in its time
      await sleep(QUIET_MS)
      const t0 = now()
      const r = await alice.send('bob', text)
      send.push(now() - t0)
      if (r.route !== 'direct') throw new Error(`message ${i} went by ${routeOf(r)}`)
      // untimed: the sender's bookkeeping after the result (the entry leaving the outbox) runs out before the echoes
      await alice.messenger.deliveries.settled()
      for (const [k, p] of Object.entries(probes)) stages[k]?.push(sum(p.take()))
      const payload = new Uint8Array(envelopeBytes)
      await sleep(QUIET_MS)
      const e0 = now()
      await echoOnce(alice.node as NonNullable<typeof alice.node>, bobId, payload)
      echo.push(now() - e0)
      await sleep(QUIET_MS)
      const k0 = now()
      await channel.echo(payload)
      kept.push(now() - k0)
    }
    await channel.close()
    for (const p of Object.values(probes)) p.restore()
    if ((await bob.inbox()).length !== before + o.messages) throw new Error('not every direct message reached the inbox')

    const m = (k: string): number => median(stages[k] ?? [])
    const stageMedians = {
      total: median(send),
      senderSealAndBookkeeping: median(send) - m('route') - m('senderWrites'),
      senderFsyncs: m('senderWrites'),
      network: m('route') - m('receive'),
      receiverDecryptAndStore: m('receive') - m('receiverWrites'),
      receiverFsync: m('receiverWrites'),
      echo: median(echo),
      keptOpenEcho: median(kept)
    }
    const note = `${o.textBytes} B text, ${envelopeBytes} B frame; stages (median ms): ${Object.entries(stageMedians).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`
    return {
      rows: [
        row({ name: 'direct.rtt.p50', label: 'direct send → stored → receipt, p50', unit: 'ms', value: quantile(send, 0.5), baseline: 'bare stream echo, same connection', baselineValue: quantile(echo, 0.5), better: 'lower', samples: send.length, stat: 'p50', notes: note }),
        row({ name: 'direct.rtt.p99', label: 'direct send → stored → receipt, p99', unit: 'ms', value: quantile(send, 0.99), baseline: 'bare stream echo, same connection', baselineValue: quantile(echo, 0.99), better: 'lower', samples: send.length, stat: 'p99' }),
        row({ name: 'direct.rtt.kept.p50', label: 'direct send → stored → receipt, p50, against a kept-open stream', unit: 'ms', value: quantile(send, 0.5), baseline: 'bare echo on one kept-open stream, same connection', baselineValue: quantile(kept, 0.5), better: 'lower', samples: send.length, stat: 'p50' }),
        row({ name: 'direct.rtt.kept.p99', label: 'direct send → stored → receipt, p99, against a kept-open stream', unit: 'ms', value: quantile(send, 0.99), baseline: 'bare echo on one kept-open stream, same connection', baselineValue: quantile(kept, 0.99), better: 'lower', samples: send.length, stat: 'p99' })
      ],
      samples: { send, echo },
      stages: stageMedians
    }
  } finally {
    await cluster.stopAll()
    await rm(root, { recursive: true, force: true })
  }
}
