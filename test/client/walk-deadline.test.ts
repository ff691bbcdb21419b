/**
 * The anonymous replica lookup (a FIND_NODE walk from an ephemeral host, client/anonymous) has an
 * idle deadline, not a fixed total (issue 12 item 3, issue 16 item 5): servers that answer slowly
 * but steadily are waited for. Real mailbox nodes on loopback answer FIND_NODE for the key one at
 * a time, 8 s of the walk's (manual) clock apart (test/helpers/slow-dht.ts); the old total was 30 s.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Multiaddr } from '@multiformats/multiaddr'
import { EphemeralHosts } from '../../src/client/anonymous/index.js'
import type { OperatorNode } from '../../src/mailbox/operator-node.js'
import { ManualClock } from '../../src/shared/clock.js'
import { LOOKUP_IDLE_MS } from '../../src/shared/placement.js'
import { KAD_PROTOCOL } from '../../src/shared/protocols/ids.js'
import { mailboxNetwork } from '../helpers/network.js'
import { answerSlowly, tick } from '../helpers/slow-dht.js'
import { tempRoot } from '../helpers/users.js'

test('a replica walk whose servers answer one every 8 s is not cut off at the old fixed total (30 s)', async (t) => {
  const root = await tempRoot(t)
  const net = await mailboxNetwork(t, root, 6)
  const servers = net.nodes as OperatorNode[]
  const clock = new ManualClock(Date.now(), { timers: 'manual' })
  const seeds = servers.map(s => ({ id: s.node.peerId, multiaddrs: s.node.getMultiaddrs() }))
  const hosts = new EphemeralHosts({
    addressesOf: async () => [] as Multiaddr[],
    dhtServers: async () => seeds,
    self: peerIdFromPrivateKey(await generateKeyPair('Ed25519')),
    clock
  }, {
    rotateMs: 3600_000,
    drainMs: 1000,
    dialTimeoutMs: 5000,
    allowPrivateAddresses: true,
    dhtProtocol: KAD_PROTOCOL,
    // the requests' own idle deadlines are not under test here
    requestTimeoutMs: 600_000,
    dhtK: 40
  })
  hosts.start()
  t.after(async () => { await hosts.stop() })
  const key = randomBytes(32)
  const slow = answerSlowly(servers, key, clock, 8000)
  tick(t, clock)
  const started = clock.now()
  const found = await hosts.closestPeers(key, 5, { perSubnet: 0 })
  const took = clock.now() - started
  assert.equal(slow.answered, servers.length, 'every server answered')
  assert.ok(took > LOOKUP_IDLE_MS, `the walk took ${took} ms of its clock, longer than the old total`)
  assert.equal(found.length, 5, 'five replicas found')
})
