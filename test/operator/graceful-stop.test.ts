/**
 * Stopping a loaded node loses nothing it acknowledged. A client deposits continuously over the
 * real /cairn/mailbox protocol (several requests always in flight) to the operator entrypoint run
 * as the image runs it; the node gets SIGTERM (drain, close LevelDB, exit 0) or SIGKILL (a crash);
 * it restarts on the same data dir, and the recipient fetches every envelope whose deposit was
 * answered OK. A second signal exits at once.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { MailboxStatus } from '../../proto/cairn.js'
import { askMailbox } from '../../src/client/mailbox/mailbox-rpc.js'
import { peerIdBytes } from '../../src/shared/peer-id.js'
import { cairn } from '../helpers/cli.js'
import { makeUser, tempRoot, type TestUser } from '../helpers/users.js'
import { startOperator, type RunningOperator } from './container.js'
import { boundEnvelope } from '../helpers/envelopes.js'
import { systemClock } from '../../src/shared/clock.js'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
/** Deposits far above the default rate limit: this is a load test, not an abuse test. */
const LOAD_ENV = { CAIRN_MAILBOX_DEPOSITS_PER_MINUTE: '1000000', CAIRN_MAILBOX_DEPOSIT_BURST: '1000000' }
const WORKERS = 8

interface Load { acked: Set<string>, attempts: number, stop: () => Promise<void> }

/** WORKERS loops depositing to the operator until stopped; `acked` holds ids answered OK. */
function depositLoad (sender: TestUser, op: RunningOperator, recipient: PeerId): Load {
  const acked = new Set<string>()
  let running = true
  let attempts = 0
  const target = multiaddr(op.address)
  const mailboxPeer = target.getComponents().find(c => c.name === 'p2p')?.value ?? ''
  const to = new Uint8Array(peerIdBytes(recipient))
  const worker = async (): Promise<void> => {
    const node = sender.client.node
    if (node === undefined) throw new Error('the sender has no node')
    const peer = (await node.dial(target)).remotePeer
    assert.equal(peer.toString(), mailboxPeer)
    for (let i = 0; running && i < 100_000; i++) {
      const envelope = boundEnvelope({ recipient: to, sealed: new Uint8Array(randomBytes(512)) })
      attempts++
      try {
        const res = await askMailbox(node, sender.config, peer, { deposit: { envelope } }, { clock: systemClock, timeoutMs: 5000 })
        if (res.status === MailboxStatus.MAILBOX_OK || res.status === MailboxStatus.MAILBOX_DUPLICATE) acked.add(hex(envelope.id))
      } catch {
        // refused, reset or unreachable: not acknowledged, so nothing is promised
        await new Promise(resolve => setTimeout(resolve, 20))
      }
    }
  }
  const workers = Array.from({ length: WORKERS }, async () => worker())
  return { acked, get attempts () { return attempts }, stop: async () => { running = false; await Promise.all(workers) } }
}

/** Every envelope the recipient's mailbox at `op` holds, fetched page by page as its owner. */
async function fetchAll (t: TestContext, root: string, op: RunningOperator, key: PrivateKey): Promise<Set<string>> {
  const owner = await makeUser(t, root, `owner-${Date.now()}`, { peerKey: key })
  const node = owner.client.node
  if (node === undefined) throw new Error('the owner has no node')
  const peer = (await node.dial(multiaddr(op.address))).remotePeer
  const ids = new Set<string>()
  let after = new Uint8Array()
  for (let page = 0; page < 10_000; page++) {
    const res = await askMailbox(node, owner.config, peer, { fetch: { after, limit: 100, idsOnly: false, ids: [], maxBytes: 0 } }, { clock: systemClock })
    assert.equal(res.status, MailboxStatus.MAILBOX_OK, res.detail)
    for (const env of res.envelopes) ids.add(hex(env.id))
    if (!res.more || res.envelopes.length === 0) break
    after = new Uint8Array((res.envelopes.at(-1) as { id: Uint8Array }).id)
  }
  await owner.stop()
  return ids
}

async function stopUnderLoad (t: TestContext, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
  const root = await tempRoot(t, 'cairn-op-stop-')
  const dataDir = join(root, 'node')
  const key = await generateKeyPair('Ed25519')
  const op = await startOperator(t, dataDir, LOAD_ENV)
  const sender = await makeUser(t, root, 'sender')
  const load = depositLoad(sender, op, peerIdFromPrivateKey(key))
  const deadline = Date.now() + 30_000
  while (load.acked.size < 300 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20))
  assert.ok(load.acked.size >= 300, `deposits flow before the signal (${load.acked.size})`)
  const atSignal = load.acked.size
  const sent = Date.now()
  const code = await op.stop(signal)
  const stopMs = Date.now() - sent
  await load.stop()
  if (signal === 'SIGTERM') assert.equal(code, 0, `SIGTERM exits 0; stderr: ${op.stderr()}`)
  else assert.equal(code, null, 'killed')
  t.diagnostic(`${signal}: ${load.acked.size} acknowledged (${load.acked.size - atSignal} after the signal), ${load.attempts} attempts, exit after ${stopMs} ms`)

  // the store is consistent after either kind of stop (counters, expiry index: one batch per deposit)
  const check = await cairn(['mailbox', '--check', '--json'], { env: { CAIRN_DATA_DIR: dataDir } })
  assert.equal(check.code, 0, `store check: ${check.stdout} ${check.stderr}`)
  const report = JSON.parse(check.stdout) as { healthy: boolean, envelopes: number }
  assert.equal(report.healthy, true)
  assert.ok(report.envelopes >= load.acked.size)

  const again = await startOperator(t, dataDir)
  const held = await fetchAll(t, root, again, key)
  const lost = [...load.acked].filter(id => !held.has(id))
  assert.deepEqual(lost, [], `every acknowledged envelope survives ${signal}`)
  assert.equal(await again.stop(), 0)
}

test('SIGTERM under load: drains, exits 0, and every acknowledged envelope is there after restart', async (t) => {
  await stopUnderLoad(t, 'SIGTERM')
})

test('SIGKILL under load: every acknowledged envelope is there after restart', async (t) => {
  await stopUnderLoad(t, 'SIGKILL')
})

test('a second signal exits at once, without waiting for the drain', async (t) => {
  const root = await tempRoot(t, 'cairn-op-stop-')
  const op = await startOperator(t, join(root, 'node'), { CAIRN_MAILBOX_DRAIN_TIMEOUT_MS: '60000' })
  // both before the first stop can finish: the second takes the exit-now path (130)
  const exited = op.stop('SIGTERM')
  op.kill('SIGINT')
  assert.equal(await exited, 130, op.stderr())
})
