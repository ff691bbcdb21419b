/**
 * Mailbox nodes in a process of their own, as the peer systems' servers run (the Nostr relay, the
 * MQTT broker): started by `RemoteMailboxes` (remote-mailboxes.ts), they answer one JSON line per
 * request on stdin with one JSON line on stdout. Requests: `{ op: 'holders', recipient }` (the
 * nodes holding mail for that PeerId) and `{ op: 'stop' }`. The first line out is
 * `{ ready: [{ peerId, address }] }`, or `{ error }` if they could not start.
 */
import { createInterface } from 'node:readline'
import type { ConfigLayer } from '../../src/shared/config.js'
import { serveEcho } from './bare.js'
import { Cluster, addressOf } from './cluster.js'

export interface HostArgs { root: string, count: number, overrides: ConfigLayer }

async function main (): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as HostArgs
  const cluster = new Cluster({ root: args.root, mailbox: true, overrides: args.overrides })
  const say = (o: unknown): void => { process.stdout.write(JSON.stringify(o) + '\n') }
  try {
    const boxes = await cluster.addMany('mbx', args.count)
    await cluster.warm()
    for (const b of boxes) if (b.client?.node !== undefined) await serveEcho(b.client.node)
    say({ ready: boxes.map(b => ({ peerId: b.peerId, address: addressOf(b) })) })
  } catch (err) {
    say({ error: String(err) })
    await cluster.stopAll()
    process.exit(1)
  }
  for await (const line of createInterface({ input: process.stdin })) {
    const req = JSON.parse(line) as { op: 'holders', recipient: string } | { op: 'stop' }
    if (req.op === 'holders') {
      say({ holders: cluster.online().filter(b => (b.client?.mailbox?.store.usageOf(req.recipient).count ?? 0) > 0).map(b => b.peerId) })
    } else {
      break
    }
  }
  // stdin closed (the parent went away) or asked to stop
  await cluster.stopAll()
  say({ stopped: true })
  process.exit(0)
}

void main()
