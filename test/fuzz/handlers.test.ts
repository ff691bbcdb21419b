/**
 * Issue 10: the /cairn/mailbox/1.0.0 and /cairn/direct/1.0.0 servers, fuzzed over real libp2p
 * streams on loopback. A stranger sends fast-check frames: random bytes, framed wire data,
 * well-formed requests with arbitrary field values (steered past the first checks), oversized
 * length prefixes, and mutations of those. Each frame is answered with a typed status or a reset
 * stream; genuine requests keep being served between them; no promise rejection goes unhandled;
 * the heap stays bounded. FUZZ_FRAMES frames per protocol (npm test: 200), cut short after
 * FUZZ_SECONDS; FUZZ_SEED replays a failure.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import fc from 'fast-check'
import { DirectRequest, DirectResponse, DirectStatus, MailboxRequest, MailboxResponse, MailboxStatus } from '../../proto/cairn.js'
import { askMailbox } from '../../src/client/mailbox/mailbox-rpc.js'
import { OperatorNode } from '../../src/mailbox/operator-node.js'
import { createLogger, silentLogger } from '../../src/shared/logger.js'
import type { CairnNode } from '../../src/shared/node/create-node.js'
import { peerIdBytes } from '../../src/shared/peer-id.js'
import { DIRECT_PROTOCOL, MAILBOX_PROTOCOL } from '../../src/shared/protocols/ids.js'
import { mutation, mutate, steer, validEncoding, wireData, type MessageCodec } from '../helpers/protobuf-arbitraries.js'
import { frame, rawPeer, sendRaw } from '../helpers/raw-peer.js'
import { directRequest, mailboxRequest } from '../helpers/request-arbitraries.js'
import { befriend, makeUser, tempRoot, testConfig } from '../helpers/users.js'
import { boundEnvelope } from '../helpers/envelopes.js'
import { systemClock } from '../../src/shared/clock.js'

type Codec = Omit<MessageCodec, 'name'>

const FRAMES = Number(process.env.FUZZ_FRAMES ?? 200)
const SECONDS = Number(process.env.FUZZ_SECONDS ?? 120)
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED)
const GENUINE_EVERY = 50
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
const heapMiB = (): number => { gc(); return process.memoryUsage().heapUsed / 2 ** 20 }

const varint = (n: number): number[] => { const out: number[] = []; do { let b = n & 0x7f; n = Math.floor(n / 128); if (n > 0) b |= 0x80; out.push(b) } while (n > 0); return out }

/** What a stranger sends on one stream, as bytes on the wire. */
function frames (req: Codec, typed: fc.Arbitrary<unknown>, maxBytes: number, recipients: Uint8Array[]): fc.Arbitrary<Uint8Array> {
  const request = fc.oneof(
    { weight: 4, arbitrary: typed.map(r => frame(req.encode(r))) },
    fc.tuple(wireData(4), fc.nat()).map(([w, choice]) => frame(validEncoding(req, w, steer(Date.now(), recipients, choice))))
  )
  return fc.oneof(
    fc.uint8Array({ maxLength: 512 }),
    wireData().map(frame),
    { weight: 3, arbitrary: request },
    fc.tuple(fc.integer({ min: maxBytes + 1, max: 2 ** 32 }), fc.uint8Array({ maxLength: 64 })).map(([n, b]) => new Uint8Array([...varint(n), ...b])),
    { weight: 2, arbitrary: fc.tuple(request, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([f, m]) => mutate(f, m)) }
  )
}

interface Tally { frames: number, answered: Map<string, number>, details: Map<string, number>, refused: number, genuine: number }

/** Send FRAMES fuzz frames to `address` on `protocol`; `genuine` is asked every GENUINE_EVERY frames. */
async function fuzz (t: TestContext, from: CairnNode, address: string, protocol: string, arb: fc.Arbitrary<Uint8Array>, res: Codec, statuses: string[], genuine: () => Promise<void>, internal: { status: string, allowed: boolean }, plain: Uint8Array): Promise<Tally> {
  const rejections: unknown[] = []
  const onRejection = (reason: unknown): void => { rejections.push(reason) }
  process.on('unhandledRejection', onRejection)
  t.after(() => { process.off('unhandledRejection', onRejection) })
  const tally: Tally = { frames: 0, answered: new Map(), details: new Map(), refused: 0, genuine: 0 }
  await genuine()
  const heap = heapMiB()
  const started = Date.now()
  await fc.assert(fc.asyncProperty(arb, async (bytes) => {
    const answer = await sendRaw(from, address, protocol, bytes)
    tally.frames++
    if (answer.frame === undefined) tally.refused++
    else {
      const decoded = res.decode(answer.frame)
      const status = String(decoded.status)
      const detail = `${status} ${String(decoded.detail ?? '').replace(/[0-9a-f]{16,}|\d+/g, '#')}`
      tally.details.set(detail, (tally.details.get(detail) ?? 0) + 1)
      assert.ok(statuses.includes(status), `a typed status, got ${status}`)
      // "internal error" means an error the server did not expect, which it also logs as a warning
      assert.ok(internal.allowed || status !== internal.status, `${internal.status} for ${Buffer.from(bytes).toString('hex')}`)
      tally.answered.set(status, (tally.answered.get(status) ?? 0) + 1)
    }
    if (tally.frames % GENUINE_EVERY === 0) { await genuine(); tally.genuine++ }
  }), { numRuns: FRAMES, interruptAfterTimeLimit: SECONDS * 1000, markInterruptAsFailure: false, ...(SEED === undefined ? {} : { seed: SEED }) })
  await genuine()
  tally.genuine++
  const grown = heapMiB() - heap
  console.log(`fuzz ${protocol}: ${tally.frames} frames in ${Date.now() - started} ms; answered ${JSON.stringify(Object.fromEntries(tally.answered))}, reset ${tally.refused}; ${tally.genuine} genuine requests served; heap +${grown.toFixed(1)} MiB`)
  const common = [...tally.details].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([d, n]) => `${n} × ${d}`)
  console.log(`fuzz ${protocol}: most common answers: ${common.join('; ')}`)
  // let a late rejection from the last frames surface
  await new Promise(resolve => setTimeout(resolve, 500))
  // the stranger's own connection still gets answers: no stream was left counted against it
  assert.ok((await sendRaw(from, address, protocol, frame(plain))).frame !== undefined, 'the stranger\'s plain request is still answered')
  assert.deepEqual(rejections.map(String), [], 'no unhandled rejection')
  assert.ok(grown < 64, `heap grew ${grown.toFixed(1)} MiB`)
  return tally
}

async function someone (): Promise<Uint8Array<ArrayBuffer>> {
  return peerIdBytes(peerIdFromPrivateKey(await generateKeyPair('Ed25519')))
}

test(`/cairn/mailbox/1.0.0 answers ${FRAMES} fuzz frames with a typed status or a reset, and keeps serving`, async (t) => {
  const root = await tempRoot(t)
  // no rate limit: deposits are to reach the store, not bounce off the limiter
  const config = testConfig(join(root, 'mbx'), { mailbox: { enabled: true, depositBurst: 1_000_000, depositsPerMinute: 1_000_000 } })
  const op = await OperatorNode.start(config, process.env.FUZZ_LOG === undefined ? silentLogger() : createLogger('warn'))
  t.after(async () => { await op.stop() })
  const address = op.addresses()[0] as string
  const stranger = await rawPeer(t, root)
  const honest = await rawPeer(t, root)
  await honest.dial(multiaddr(address))
  const recipients = [peerIdBytes(stranger.peerId), await someone(), await someone()]
  const genuine = async (): Promise<void> => {
    const envelope = boundEnvelope({ recipient: new Uint8Array(recipients[1] as Uint8Array), sealed: new Uint8Array(randomBytes(200)) })
    const res = await askMailbox(honest, config, op.node.peerId, { deposit: { envelope } }, { clock: systemClock })
    assert.equal(res.status, MailboxStatus.MAILBOX_OK, `a genuine deposit is stored: ${res.detail}`)
  }
  const tally = await fuzz(t, stranger, address, MAILBOX_PROTOCOL, frames(MailboxRequest, mailboxRequest({ peers: recipients }), config.mailbox.frameBytes, recipients), MailboxResponse, Object.values(MailboxStatus).map(String), genuine,
    // an overlong length prefix used to get INTERNAL (and a warning in the log) until the mailbox
    // server used isFrameTooLarge: never again
    { status: 'MAILBOX_INTERNAL', allowed: false }, MailboxRequest.encode({ version: 1, status: {} }))
  assert.ok(tally.frames >= Math.min(FRAMES, 50), `${tally.frames} frames sent`)
})

test(`/cairn/direct/1.0.0 answers ${FRAMES} fuzz frames with a typed status or a reset, and keeps serving`, async (t) => {
  const root = await tempRoot(t)
  const bob = await makeUser(t, root, 'bob')
  const alice = await makeUser(t, root, 'alice')
  await befriend(alice, bob)
  const stranger = await rawPeer(t, root)
  const recipients = [await someone(), peerIdBytes(bob.client.identity.peerId), peerIdBytes(bob.client.identity.peerId)]
  let sent = 0
  const genuine = async (): Promise<void> => {
    const result = await alice.client.send('bob', `genuine ${++sent}`)
    assert.equal(result.route, 'direct', 'a genuine message still goes direct')
  }
  const tally = await fuzz(t, stranger, bob.address, DIRECT_PROTOCOL, frames(DirectRequest, directRequest({ peers: recipients }), bob.config.limits.directFrameBytes, recipients), DirectResponse, Object.values(DirectStatus).map(String), genuine, { status: 'DIRECT_INTERNAL', allowed: false }, DirectRequest.encode({ version: 1, takeBundle: {} }))
  assert.ok(tally.frames >= Math.min(FRAMES, 50), `${tally.frames} frames sent`)
  const inbox = await bob.client.inbox()
  assert.equal(inbox.filter(m => m.text.startsWith('genuine ')).length, sent, 'every genuine message is in bob\'s inbox, once')
})
