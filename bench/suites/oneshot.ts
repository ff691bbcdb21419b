/**
 * First messages and one-shot processes (issue 12 item 5).
 * - Cold first message: a new user's first message to an online contact, timed from the call to
 *   the receipt (dial, take a bundle over /cairn/direct, PQXDH, seal, deliver, receipt). Baseline:
 *   a fresh bare libp2p node dials the same contact and echoes one frame.
 * - One-shot CLI: `cairn send` as a whole process (start, open the store, start libp2p, dial,
 *   send, receipt, stop) to a contact online in-process, alone and with mailbox nodes present as
 *   bootstrap peers. Baseline: a process that starts a bare libp2p node, dials, echoes once, exits.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { multiaddr } from '@multiformats/multiaddr'
import { parsePeerId } from '../../src/shared/peer-id.js'
import { bareNode, echoOnce, serveEcho } from '../lib/bare.js'
import { Cluster, addressOf, routeOf, type Peer } from '../lib/cluster.js'
import { row, type Row } from '../lib/report.js'
import { median, now, quantile } from '../lib/stats.js'

export interface OneShotOptions { samples: number, textBytes: number }

const CAIRN = fileURLToPath(new URL('../../cli/main.js', import.meta.url))
const ECHO_PROCESS = fileURLToPath(new URL('../lib/echo-process.js', import.meta.url))

/** Wall time of a child process from spawn to exit; throws with its stderr if it failed. (Async: the
 * contact it talks to lives in this process, so the event loop must keep running meanwhile.) */
async function timed (args: string[], env: Record<string, string> = {}): Promise<number> {
  const t0 = now()
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000)
  const code = await new Promise<number | null>(resolve => child.on('close', resolve))
  clearTimeout(timer)
  const ms = now() - t0
  if (code !== 0) throw new Error(`${args.join(' ')} exited ${code}: ${stderr.slice(0, 800)}`)
  return ms
}

export async function oneShotSuite (o: OneShotOptions): Promise<Row[]> {
  const root = await mkdtemp(join(tmpdir(), 'cairn-bench-oneshot-'))
  const cluster = new Cluster({ root, mailbox: false })
  try {
    const bob = await cluster.add('bob', { bootstrap: [] })
    const bobClient = bob.client as NonNullable<typeof bob.client>
    await serveEcho(bobClient.node as NonNullable<typeof bobClient.node>)
    const bobId = parsePeerId(bob.peerId)
    const text = 'x'.repeat(o.textBytes)

    // cold first message, in-process: a new identity each sample
    const cold: number[] = []
    const coldBase: number[] = []
    let alice: Peer | undefined
    for (let i = 0; i < o.samples; i++) {
      alice = await cluster.add(`alice-${i}`, { bootstrap: [] })
      const client = alice.client as NonNullable<typeof alice.client>
      await client.contactAdd('bob', addressOf(bob))
      const t0 = now()
      const r = await client.send('bob', text)
      cold.push(now() - t0)
      if (r.route !== 'direct') throw new Error(`cold message ${i} went by ${routeOf(r)}`)
      await cluster.stop(alice)
      const bare = await bareNode()
      const b0 = now()
      await bare.dial(multiaddr(addressOf(bob)))
      await echoOnce(bare, bobId, new Uint8Array(o.textBytes))
      coldBase.push(now() - b0)
      await bare.stop()
    }

    // one-shot `cairn send` processes, from the last alice's data dir (a session with bob exists)
    const dataDir = (alice as Peer).dataDir
    const env = { CAIRN_DATA_DIR: dataDir, CAIRN_LOG_LEVEL: 'silent', CAIRN_LISTEN: '/ip4/127.0.0.1/tcp/0', CAIRN_MAILBOX_REPLICAS_PER_SUBNET: '0' }
    const alone: number[] = []
    const aloneBase: number[] = []
    for (let i = 0; i < o.samples; i++) {
      alone.push(await timed([CAIRN, 'send', 'bob', text], { ...env, CAIRN_BOOTSTRAP: addressOf(bob) }))
      aloneBase.push(await timed([ECHO_PROCESS, addressOf(bob), String(o.textBytes)]))
    }
    const mailboxes = await Promise.all([0, 1, 2].map(async i => cluster.add(`mbx-${i}`, { mailbox: true, bootstrap: [addressOf(bob)] })))
    await cluster.warm()
    const crowded: number[] = []
    const crowdedBase: number[] = []
    for (let i = 0; i < o.samples; i++) {
      crowded.push(await timed([CAIRN, 'send', 'bob', text], { ...env, CAIRN_BOOTSTRAP: mailboxes.map(addressOf).join(',') }))
      crowdedBase.push(await timed([ECHO_PROCESS, addressOf(bob), String(o.textBytes)]))
    }
    const received = (await bobClient.inbox()).length
    const expected = o.samples * 3
    if (received !== expected) throw new Error(`bob holds ${received} messages, expected ${expected}`)
    const n = (xs: number[]): string => `median of ${xs.length}; spread ${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)} ms`
    return [
      row({ name: 'direct.cold.p50', label: 'first message to an online contact (dial, bundle, PQXDH, deliver, receipt), p50', unit: 'ms', value: quantile(cold, 0.5), baseline: 'fresh bare node: dial + echo', baselineValue: quantile(coldBase, 0.5), better: 'lower', samples: cold.length, stat: 'p50', notes: n(cold) }),
      row({ name: 'cli.send.contact-only', label: '`cairn send` process, contact\'s node the only peer', unit: 'ms', value: median(alone), baseline: 'process: bare node, dial, echo once', baselineValue: median(aloneBase), better: 'lower', samples: alone.length, stat: 'p50', notes: n(alone) }),
      row({ name: 'cli.send.with-mailboxes', label: '`cairn send` process, bootstrapped through 3 mailbox nodes', unit: 'ms', value: median(crowded), baseline: 'process: bare node, dial, echo once', baselineValue: median(crowdedBase), better: 'lower', samples: crowded.length, stat: 'p50', notes: n(crowded) })
    ]
  } finally {
    await cluster.stopAll()
    await rm(root, { recursive: true, force: true })
  }
}
