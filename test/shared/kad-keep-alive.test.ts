/**
 * kad-dht tags its closest peers keep-alive, and libp2p redials a keep-alive peer the moment its
 * connection closes: against a peer at its connection cap, whose trimmer closes that connection
 * again, that was an endless reconnect loop (src/shared/node/kad-keep-alive.ts). Two real nodes:
 * once A's DHT counts B among its closest, B hangs up, and A must not dial it again by itself.
 */
import assert from 'node:assert/strict'
import test from 'node:test'
import { KAD_KEEP_ALIVE_TAG } from '../../src/shared/node/kad-keep-alive.js'
import { rawPeer } from '../helpers/raw-peer.js'
import { tempRoot } from '../helpers/users.js'
import { waitFor } from '../helpers/wait.js'

test('a peer kad-dht counts among the closest is not redialled when it hangs up (no keep-alive loop against a trimmer)', async (t) => {
  const root = await tempRoot(t)
  const a = await rawPeer(t, root, { dhtServer: true })
  const b = await rawPeer(t, root, { dhtServer: true })
  await a.dial(b.getMultiaddrs()[0] ?? assert.fail('b listens nowhere'))
  // kad-dht's closest-peer tagger runs every 5 s once the routing table has pinged B in
  await waitFor("A's DHT to tag B as one of its closest", async () => (await a.peerStore.get(b.peerId)).tags.has('kad-close'))
  const tags = (await a.peerStore.get(b.peerId)).tags
  assert.equal(tags.has(KAD_KEEP_ALIVE_TAG), false, `A keeps no keep-alive tag on B (tags: ${[...tags.keys()].join(', ')})`)

  let redialled = 0
  b.addEventListener('connection:open', (evt) => { if (evt.detail.remotePeer.equals(a.peerId)) redialled++ })
  await b.hangUp(a.peerId)
  // libp2p's reconnect queue dials a keep-alive peer at once on disconnect (before the fix, A was
  // connected again within a second); give it ample time
  await new Promise(resolve => setTimeout(resolve, 3000))
  assert.equal(redialled, 0, 'A did not dial B again by itself after B hung up')
  assert.equal(a.getConnections(b.peerId).length, 0, 'A holds no connection to B')
})
