/**
 * Handover to a replica that is still starting, on real nodes on loopback: its libp2p node is up
 * and serves the DHT (so it is in the replica set) but its mailbox has not registered
 * /cairn/mailbox yet, as between OperatorNode.start's 'libp2p' and 'mailbox' steps. The holder's
 * pass leaves it for the next one — no failure, no chunk request — and the next pass, once the
 * mailbox is up, hands everything over.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { test } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { Mailbox } from '../../src/mailbox/index.js'
import { chunkCid } from '../../src/shared/chunk-address.js'
import { systemClock } from '../../src/shared/clock.js'
import { ensureDataDir, paths } from '../../src/shared/data-dir.js'
import { createLogger, silentLogger } from '../../src/shared/logger.js'
import { createNode } from '../../src/shared/node/create-node.js'
import { libp2pDatastore } from '../../src/shared/node/peer-datastore.js'
import { peerIdBytes } from '../../src/shared/peer-id.js'
import { joinDht, mailboxKey, rankByDistance } from '../../src/shared/placement.js'
import { Store } from '../../src/shared/store.js'
import { boundEnvelope } from '../helpers/envelopes.js'
import { mailboxNetwork } from '../helpers/network.js'
import { tempRoot, testConfig } from '../helpers/users.js'

const HOUR = 3600_000
const replicas = { mailbox: { replicas: 3 } }
const NOT_SERVING = 'handover: replica does not serve mailboxes (yet); next pass'
const delay = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

interface Line { level: number, msg: string, user: string, peer?: string, recipient?: string }

test('a replica still starting (its mailbox not yet registered) is left for the next pass with nothing counted against it, and gets everything once started', async (t) => {
  const root = await tempRoot(t)
  const lines: Line[] = []
  const log = (name: string): ReturnType<typeof silentLogger> => createLogger('debug', { user: name }, { write: (line: string) => { lines.push(JSON.parse(line) as Line) } })
  const net = await mailboxNetwork(t, root, 3, { overrides: replicas, log })

  // the starting replica: libp2p up and a DHT server, its mailbox constructed but not started
  const dataDir = join(root, 'starting')
  ensureDataDir(dataDir)
  const config = testConfig(dataDir, { listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: net.bootstrap, ...replicas })
  const store = await Store.open(paths.store(dataDir))
  // a recipient, and a key for the starting node that puts it second or third of the four servers
  // closest to the recipient's mailbox key: the closest operator node holds the mail, and its
  // replica set (the closest three) is the starting node and one more operator node. Both are drawn
  // afresh each try (one half fit): for a fixed one of the two, the other may not exist (a node
  // whose id differs from all three others' in the first bit ranks first or last for every key)
  const ops = net.nodes.map(n => n.node.peerId)
  const draw = async (): Promise<{ recipient: PeerId, privateKey: PrivateKey, rank: number }> => {
    const recipient = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const privateKey = await generateKeyPair('Ed25519')
    const self = peerIdFromPrivateKey(privateKey)
    return { recipient, privateKey, rank: rankByDistance(mailboxKey(recipient), [...ops, self]).findIndex(p => p.equals(self)) }
  }
  let drawn = await draw()
  for (let i = 0; i < 100 && drawn.rank !== 1 && drawn.rank !== 2; i++) drawn = await draw()
  assert.ok(drawn.rank === 1 || drawn.rank === 2)
  const { recipient, privateKey } = drawn
  const key = mailboxKey(recipient)
  const node = await createNode({ privateKey, datastore: libp2pDatastore(store, config), config, clock: systemClock, dhtServer: true })
  for (const addr of net.bootstrap) await node.dial(multiaddr(addr))
  await joinDht(node, systemClock, AbortSignal.timeout(10_000)).catch(() => 0)
  const mailbox = new Mailbox({ node, store, config: { ...config, mailbox: { ...config.mailbox, enabled: true } }, clock: systemClock, log: log('starting') })
  // stopped as OperatorNode stops: the mailbox, libp2p, then the store
  t.after(async () => { await mailbox.stop(); await node.stop(); await store.close() })
  await net.warm()

  const ranked = rankByDistance(key, [...net.nodes.map(n => n.node.peerId), node.peerId])
  const r = recipient.toString()
  const holder = net.nodes.find(n => ranked[0]?.equals(n.node.peerId) === true)
  const other = net.nodes.find(n => n !== holder && ranked.slice(0, 3).some(p => p.equals(n.node.peerId)))
  assert.ok(holder !== undefined && other !== undefined)
  const starting = node.peerId.toString()

  // (after the operator nodes' start-up passes, so only the passes below move anything)
  for (let i = 0; i < 100 && net.nodes.some(n => n.mailbox.metrics.handoverRuns === 0); i++) await delay(100)
  await delay(500)
  const now = Date.now()
  const env = boundEnvelope({ recipient: peerIdBytes(recipient), sealed: randomBytes(300) })
  assert.equal(await holder.mailbox.store.deposit(env, now), 'stored')
  const data = randomBytes(5000)
  assert.equal(await holder.mailbox.chunks.put(r, chunkCid(data), data, now + HOUR, now), 'stored')

  // the pass while the replica is still starting: it completes, the other replica is brought up to date
  const copied = await holder.mailbox.handover.forRecipient(r)
  assert.equal(copied, 1, 'the envelope reached the replica that serves')
  assert.equal(other.mailbox.store.usageOf(r).count, 1)
  assert.equal(other.mailbox.chunks.bytesOf(r), data.length)
  const aboutStarting = (): Line[] => lines.filter(l => l.peer === starting && l.recipient === r)
  const before = aboutStarting()
  // nothing else was tried with it, or counted as its failure: no chunk request, no failed handover
  assert.deepEqual(before.filter(l => l.msg !== NOT_SERVING), [], 'no failure recorded against the starting replica')
  assert.ok(before.some(l => l.user !== 'starting' && l.msg === NOT_SERVING), `the holder left it for the next pass (${JSON.stringify(before)})`)
  assert.ok(before.every(l => l.level === 20), 'at debug level')

  // it finishes starting; the next pass hands it the mail and the chunk
  await mailbox.start()
  await holder.mailbox.handover.forRecipient(r)
  assert.equal(mailbox.store.usageOf(r).count, 1, 'the envelope reached it at the next pass')
  assert.equal(mailbox.chunks.bytesOf(r), data.length, 'and the chunk')
})
