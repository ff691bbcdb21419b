/**
 * Unit: which peers the mailbox takes for DHT servers (src/mailbox/dht-servers.ts), on a stub node.
 * A connection identified before the mailbox started (a client starts its mailbox after its
 * network; a restarted node's peers reconnect before its mailbox is up) must still count: on a
 * slow machine every offer to a node that came back was refused as not a replica peer's.
 */
import assert from 'node:assert/strict'
import test from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Connection, IdentifyResult, PeerId } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { ManualClock } from '../../src/shared/clock.js'
import type { CairnNode } from '../../src/shared/node/create-node.js'
import { DhtServers } from '../../src/mailbox/dht-servers.js'
import { KAD_PROTOCOL } from '../../src/shared/protocols/ids.js'

const peer = async (): Promise<PeerId> => peerIdFromPrivateKey(await generateKeyPair('Ed25519'))

/** A node whose connections are open already, and whose identify answers with each peer's protocols (raising peer:identify, as libp2p's does). */
function stubNode (connected: Map<PeerId, string[]>): { node: CairnNode, events: EventTarget, asked: PeerId[] } {
  const events = new EventTarget()
  const asked: PeerId[] = []
  const connections = [...connected.keys()].map(remotePeer => ({ remotePeer }) as unknown as Connection)
  const identify = async (c: Connection): Promise<IdentifyResult> => {
    asked.push(c.remotePeer)
    const result = { peerId: c.remotePeer, protocols: connected.get(c.remotePeer) ?? [] } as unknown as IdentifyResult
    events.dispatchEvent(new CustomEvent('peer:identify', { detail: result }))
    return result
  }
  const node = {
    addEventListener: events.addEventListener.bind(events),
    removeEventListener: events.removeEventListener.bind(events),
    getConnections: () => connections,
    services: { identify: { identify } }
  } as unknown as CairnNode
  return { node, events, asked }
}

test('peers connected before start are identified again: the DHT servers among them count, the others do not', async () => {
  const [server, client] = [await peer(), await peer()]
  const { node, asked } = stubNode(new Map([[server, [KAD_PROTOCOL]], [client, ['/ipfs/id/1.0.0']]]))
  const servers = new DhtServers({ node, clock: new ManualClock(0, { timers: 'manual' }) }, { identifyTimeoutMs: 15_000 })
  servers.start()
  await new Promise(resolve => setImmediate(resolve))
  assert.deepEqual(asked.map(String).sort(), [server, client].map(String).sort())
  assert.equal(servers.has(server), true)
  assert.equal(servers.has(client), false)
  servers.stop()
})

test('identify answers after start count; a peer is forgotten when its last connection closes', async () => {
  const [later, client] = [await peer(), await peer()]
  const { node, events } = stubNode(new Map())
  const servers = new DhtServers({ node, clock: new ManualClock(0, { timers: 'manual' }) }, { identifyTimeoutMs: 15_000 })
  servers.start()
  events.dispatchEvent(new CustomEvent('peer:identify', { detail: { peerId: later, protocols: [KAD_PROTOCOL] } }))
  events.dispatchEvent(new CustomEvent('peer:identify', { detail: { peerId: client, protocols: [] } }))
  assert.equal(servers.has(later), true)
  assert.equal(servers.has(client), false)
  events.dispatchEvent(new CustomEvent('peer:disconnect', { detail: later }))
  assert.equal(servers.has(later), false)
  servers.stop()
})
