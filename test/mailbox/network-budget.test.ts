/**
 * Depositors' PeerIds are ephemeral, so deposits, chunk uploads and bundle requests are budgeted per network too:
 * a flooder with a new identity per request still runs out, an honest sender never notices.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { PeerId } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { NetworkBudget, networkOf } from '../../src/mailbox/network-budget.js'
import { defaultConfig } from '../../src/shared/config.js'

const newPeer = async (): Promise<PeerId> => peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
const conn = (addr: string, remotePeer: PeerId): { remoteAddr: ReturnType<typeof multiaddr>, remotePeer: PeerId } => ({ remoteAddr: multiaddr(addr), remotePeer })

test('a connection is charged to its IPv4 address, its IPv6 /64, or (relayed, loopback) its PeerId', async () => {
  const p = await newPeer()
  assert.equal(networkOf(conn('/ip4/203.0.113.7/tcp/4001', p)), 'ip4/203.0.113.7')
  assert.equal(networkOf(conn('/ip6/2001:db8:1:2:aaaa::1/tcp/4001', p)), 'ip6/2001:db8:1:2')
  assert.equal(networkOf(conn('/ip6/2001:db8:1:2:bbbb::9/tcp/4001', p)), 'ip6/2001:db8:1:2', 'one /64')
  assert.equal(networkOf(conn(`/ip4/203.0.113.7/tcp/4001/p2p/${p.toString()}/p2p-circuit`, p)), `peer/${p.toString()}`)
  assert.equal(networkOf(conn('/ip4/127.0.0.1/tcp/4001', p)), `peer/${p.toString()}`)
  assert.equal(networkOf(conn('/ip6/::1/tcp/4001', p)), `peer/${p.toString()}`)
})

test('a flooder with a fresh PeerId per deposit runs out of its network\'s budget; another network is unaffected', async () => {
  const m = { ...defaultConfig('/').mailbox, depositsPerMinute: 60, depositBurst: 10, networkBudgetFactor: 4 }
  const budget = new NetworkBudget(m)
  const now = Date.UTC(2026, 11, 1)
  let accepted = 0
  for (let i = 0; i < 100; i++) if (budget.deposit(conn('/ip4/198.51.100.9/tcp/5000', await newPeer()), now, 300)) accepted++
  assert.equal(accepted, 40, 'burst × factor, whatever the number of identities')
  assert.equal(budget.deposit(conn('/ip4/198.51.100.10/tcp/5000', await newPeer()), now, 300), true, 'the next address has its own budget')
  assert.equal(budget.deposit(conn('/ip4/198.51.100.9/tcp/5000', await newPeer()), now + 1000, 300), true, 'refilled at depositsPerMinute × factor (4 a second)')
  let takes = 0
  for (let i = 0; i < 100; i++) if (budget.takeBundle(conn('/ip6/2001:db8::1/tcp/1', await newPeer()), now)) takes++
  assert.equal(takes, m.bundleTakesPerMinute * 4)
})

test('chunk uploads from a fresh PeerId each are charged to their network: chunkBytesPerMinute × factor, then refused', async () => {
  const m = { ...defaultConfig('/').mailbox, chunkBytesPerMinute: 1024 * 1024, networkBudgetFactor: 4 }
  const budget = new NetworkBudget(m)
  const now = Date.UTC(2026, 11, 1)
  const chunk = 256 * 1024
  let accepted = 0
  for (let i = 0; i < 40; i++) if (budget.putChunk(conn('/ip4/198.51.100.9/tcp/5000', await newPeer()), now, chunk)) accepted++
  assert.equal(accepted, 16, '4 MiB of 256 KiB chunks, whatever the number of identities')
  assert.equal(budget.putChunk(conn('/ip4/198.51.100.10/tcp/5000', await newPeer()), now, chunk), true, 'the next address has its own budget')
  assert.equal(budget.putChunk(conn('/ip4/198.51.100.9/tcp/5000', await newPeer()), now + 60_000, chunk), true, 'refilled a minute later')
})
