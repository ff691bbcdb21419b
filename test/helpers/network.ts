/**
 * A network of mailbox (operator) nodes on loopback, in this process: each with its own data dir
 * and LevelDB, joined through the first node and warmed up so every routing table is populated.
 */
import { join } from 'node:path'
import { privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { ensureDataDir, paths, writeSecretFile } from '../../src/shared/data-dir.js'
import type { TestContext } from 'node:test'
import { OperatorNode } from '../../src/mailbox/operator-node.js'
import type { Clock } from '../../src/shared/clock.js'
import type { ConfigLayer } from '../../src/shared/config.js'
import type { Logger } from '../../src/shared/logger.js'
import { joinDht } from '../../src/shared/placement.js'
import { stablePort } from './ports.js'
import { testConfig, testLogger } from './users.js'
import { systemClock } from '../../src/shared/clock.js'

export interface MailboxNet {
  nodes: OperatorNode[]
  /** Addresses of up to four live nodes (a fresh list each time: churn must not strand a newcomer). */
  readonly bootstrap: string[]
  /** Start one more node joined to the network (at `port`, e.g. a restart on the same address). */
  add: (name: string, options?: { port?: number, privateKey?: PrivateKey }) => Promise<OperatorNode>
  /** Stop a node and start it again on the same data dir and address. */
  restart: (node: OperatorNode) => Promise<OperatorNode>
  stopNode: (node: OperatorNode) => Promise<void>
  /** Re-run routing queries so tables reflect who is online now. */
  warm: () => Promise<void>
  /** How many of `recipient`'s envelopes each node holds, in `nodes` order. */
  held: (recipient: string) => number[]
  /** The nodes holding any of `recipient`'s mail: to act on, never to assert on (below). */
  holders: (recipient: string) => OperatorNode[]
  /**
   * Which nodes still hold `recipient`'s mail, by index and count ("node 3: 6, node 5: 1"; '' for
   * none). Assert on this (or on `held`), never on the nodes: a failing deepEqual of live nodes diffs
   * their whole object graphs, every buffer included, which once grew a test process to 24 GB
   * before the kernel killed it (issue 16, test/README.md).
   */
  stillHeld: (recipient: string) => string
  /**
   * What the hourly timer does, driven by the test instead of by waiting an hour: every node's
   * scheduled and running passes drained, then its own full pass — one node after the other in
   * `nodes` order, or all at once (`atOnce`). A pass already running on a node (its start-up pass,
   * STARTUP_HANDOVER_MS after it starts, or a deposit's) makes `runOnce` return at once or skip
   * that recipient, so without the drain a check right after could read a pass still on its way.
   */
  handoverRound: (options?: { atOnce?: boolean }) => Promise<void>
  /** Until no node has a handover pass scheduled or running (deposits and copies schedule them). */
  settle: () => Promise<void>
}

/** `log`: each node's logger, by name (default: silent, or CAIRN_TEST_LOG_DIR's files). */
export async function mailboxNetwork (t: TestContext, root: string, count: number, options: { clock?: Clock, overrides?: ConfigLayer, log?: (name: string) => Logger } = {}): Promise<MailboxNet> {
  const nodes: OperatorNode[] = []
  const live = (): string[] => nodes.slice(0, 4).map(n => n.addresses()[0] as string)
  const names = new Map<OperatorNode, string>()
  const ports = new Map<OperatorNode, number>()
  const start = async (name: string, port?: number, privateKey?: PrivateKey): Promise<OperatorNode> => {
    port ??= await stablePort() // outside the ephemeral range: still free when the node restarts on it
    const config = testConfig(join(root, name), { listen: [`/ip4/127.0.0.1/tcp/${port}`], bootstrap: live(), ...options.overrides })
    if (privateKey !== undefined) {
      ensureDataDir(config.dataDir)
      writeSecretFile(paths.peerKey(config.dataDir), privateKeyToProtobuf(privateKey))
    }
    // silent, unless CAIRN_TEST_LOG_DIR asks for each node's debug log (NAME.log, a restart appending)
    const node = await OperatorNode.start({ ...config, mailbox: { ...config.mailbox, enabled: true } }, (options.log ?? testLogger)(name), options.clock)
    nodes.push(node)
    names.set(node, name)
    ports.set(node, Number(node.addresses()[0]?.split('/tcp/')[1]?.split('/')[0]))
    t.after(async () => { if (nodes.includes(node)) await node.stop().catch(() => {}) })
    return node
  }
  await start('mbx-0')
  // every start settles before a failure is thrown: a node that came up after another failed (a
  // port taken by another suite between check and listen) still gets its t.after stop, or it would
  // keep the test file's process alive for ever
  const started = await Promise.allSettled(Array.from({ length: count - 1 }, async (_, i) => start(`mbx-${i + 1}`)))
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failed !== undefined) throw failed.reason
  const net: MailboxNet = {
    nodes,
    get bootstrap () { return live() },
    add: async (name, o = {}) => { const n = await start(name, o.port ?? 0, o.privateKey); await warmNode(n); return n },
    stopNode: async (node) => { nodes.splice(nodes.indexOf(node), 1); await node.stop() },
    restart: async (node) => {
      if (nodes.includes(node)) await net.stopNode(node)
      const again = await start(names.get(node) as string, ports.get(node))
      await warmNode(again)
      return again
    },
    warm: async () => { await Promise.all(nodes.map(warmNode)) },
    held: (recipient) => nodes.map(n => n.mailbox.store.usageOf(recipient).count),
    holders: (recipient) => nodes.filter(n => n.mailbox.store.usageOf(recipient).count > 0),
    stillHeld: (recipient) => net.held(recipient).flatMap((count, i) => count > 0 ? [`node ${i}: ${count}`] : []).join(', '),
    handoverRound: async (o = {}) => {
      const round = async (n: OperatorNode): Promise<void> => { await n.mailbox.handover.drain(); await n.mailbox.handover.runOnce() }
      if (o.atOnce === true) await Promise.all(nodes.map(round))
      else for (const n of [...nodes]) await round(n)
    },
    settle: async () => {
      do {
        for (const n of nodes) await n.mailbox.handover.drain()
      } while (nodes.some(n => n.mailbox.handover.busy))
    }
  }
  await net.warm()
  return net
}

async function warmNode (node: OperatorNode): Promise<void> {
  // a lookup of our own id fills the buckets around us (what a Kademlia join does); peers that left
  // can make it run out of time, which is fine: what it found is in the table
  await joinDht(node.node, systemClock, AbortSignal.timeout(10_000)).catch(() => 0)
}
