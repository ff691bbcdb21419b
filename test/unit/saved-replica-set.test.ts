/**
 * The replica set a lookup found, saved for the next process's first collect
 * (src/client/mailbox/own-replicas.ts): used while younger than mail lives, never a damaged or
 * stale record (once this process remembers a set of its own, that one rules: replica-cache.test.ts).
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { OwnReplicas } from '../../src/client/mailbox/own-replicas.js'
import { ManualClock } from '../../src/shared/clock.js'
import { defaultConfig } from '../../src/shared/config.js'
import { silentLogger } from '../../src/shared/logger.js'
import type { CairnNode } from '../../src/shared/node/create-node.js'

const peer = async (): Promise<string> => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()

test('a saved replica set is a head start while younger than mail lives; a stale or damaged record is none', async () => {
  const config = defaultConfig('/nonexistent')
  const clock = new ManualClock()
  let stored: Uint8Array | undefined
  const saved = { load: async () => stored, save: async (b: Uint8Array) => { stored = b } }
  const node = { peerId: peerIdFromPrivateKey(await generateKeyPair('Ed25519')) } as unknown as CairnNode
  const own = new OwnReplicas({ node, clock, log: silentLogger(), saved }, config)
  const record = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value))

  assert.equal(await own.saved(), undefined, 'nothing saved')
  const peers = await Promise.all(Array.from({ length: 12 }, peer))
  stored = record({ at: clock.now(), peers })
  assert.deepEqual((await own.saved())?.map(p => p.toString()), peers.slice(0, own.count), 'at most the 2k a collect asks')
  clock.advance(config.delivery.ttlMs)
  assert.equal((await own.saved())?.length, own.count, 'as old as mail lives: still a head start')
  clock.advance(1)
  assert.equal(await own.saved(), undefined, 'older than any mail it could hold')
  stored = record({ at: clock.now() + 60_000, peers })
  assert.equal(await own.saved(), undefined, 'saved in the future: a clock that jumped back')
  for (const damaged of [new Uint8Array([0xff, 0x00]), record({ at: clock.now() }), record({ at: clock.now(), peers: ['not a peer id'] }), record({ at: clock.now(), peers: [] }), record(null)]) {
    stored = damaged
    assert.equal(await own.saved(), undefined, `damaged: ${Buffer.from(damaged).toString()}`)
  }
})
