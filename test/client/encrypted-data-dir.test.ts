/**
 * A stolen encrypted data dir reveals nothing: after two real clients on loopback exchanged
 * messages (directly, and through the outbox while one was offline), no file in either data dir
 * holds the text of a sent or received message, the bytes of a private key (the libp2p key, the
 * Signal identity key, one-time prekeys), or anything that says whom the user talks to: no
 * contact's name, no PeerId (its own or a contact's, as text, as multihash bytes, or as the CID
 * libp2p's peer store keys it by) and no message id. The same run on plain data dirs finds them,
 * which shows that the search would see them.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import { PreKeyRecord } from '@signalapp/libsignal-client'
import { CairnClient } from '../../src/client/client.js'
import { keys } from '../../src/client/crypto/kv.js'
import { createDataKey, type ValueCipher } from '../../src/shared/at-rest/index.js'
import type { CairnConfig } from '../../src/shared/config.js'
import { ensureDataDir } from '../../src/shared/data-dir.js'
import { silentLogger } from '../../src/shared/logger.js'
import { secretsIn } from '../helpers/files.js'
import { mailboxNetwork } from '../helpers/network.js'
import { stablePort } from '../helpers/ports.js'
import { tempRoot, testConfig } from '../helpers/users.js'

interface Peer { config: CairnConfig, cipher: ValueCipher | undefined, client: CairnClient }

async function exchange (t: TestContext, encrypted: boolean): Promise<{ dirs: string[], secrets: Map<string, Uint8Array> }> {
  const root = await tempRoot(t)
  const tag = randomBytes(6).toString('hex')
  const peer = async (name: string): Promise<Peer> => {
    const config = testConfig(join(root, name), { listen: [`/ip4/127.0.0.1/tcp/${await stablePort()}`], delivery: { directTimeoutMs: 1500, mailboxTimeoutMs: 1500 } })
    ensureDataDir(config.dataDir)
    const cipher = encrypted ? await createDataKey(config.dataDir, new TextEncoder().encode(`${name} passphrase`), { memoryKiB: 8 * 1024, iterations: 1 }) : undefined
    await CairnClient.init(config, undefined, undefined, cipher)
    const client = await CairnClient.open({ config, log: silentLogger(), cipher })
    t.after(async () => { await client.stop().catch(() => {}) })
    return { config, cipher, client }
  }
  const alice = await peer('alice')
  const bob = await peer('bob')
  const bobAddress = (await bob.client.id()).addresses[0] as string
  // contact names distinctive enough that finding one in a file means the name is there
  const bobName = `bob-the-builder-${tag}`
  const aliceName = `alice-in-chains-${tag}`
  await alice.client.contactAdd(bobName, bobAddress)
  await bob.client.contactAdd(aliceName, (await alice.client.id()).addresses[0] as string)

  const secrets = new Map<string, Uint8Array>()
  const utf8 = new TextEncoder()
  secrets.set('contact name of bob', utf8.encode(bobName))
  secrets.set('contact name of alice', utf8.encode(aliceName))
  const say = async (from: Peer, to: string, label: string): Promise<string> => {
    const text = `${label} the vault code is ${tag} ${label}`
    secrets.set(`message ${label}`, utf8.encode(text))
    const sent = await from.client.send(to, text)
    secrets.set(`message id ${label}`, utf8.encode(sent.id))
    return sent.route
  }
  assert.equal(await say(alice, bobName, 'A1'), 'direct')
  assert.equal(await say(bob, aliceName, 'B1'), 'direct')
  await bob.client.stop()
  assert.equal(await say(alice, bobName, 'A2'), 'outbox', 'bob is offline and there are no mailboxes')
  bob.client = await CairnClient.open({ config: bob.config, log: silentLogger(), cipher: bob.cipher })
  t.after(async () => { await bob.client.stop().catch(() => {}) })
  // libp2p backs off from an address that just failed: dial the returned bob explicitly
  await alice.client.node?.dial(multiaddr(bobAddress))
  assert.equal(await alice.client.messenger.flushOutbox(), 1)
  assert.deepEqual((await bob.client.inbox()).map(m => m.text), [`A1 the vault code is ${tag} A1`, `A2 the vault code is ${tag} A2`])
  assert.deepEqual((await alice.client.inbox()).map(m => m.text), [`B1 the vault code is ${tag} B1`])

  for (const [name, p] of [['alice', alice], ['bob', bob]] as const) {
    const peerId = p.client.identity.peerId
    const multihash = peerId.toMultihash().bytes
    secrets.set(`${name} PeerId`, utf8.encode(peerId.toString()))
    secrets.set(`${name} PeerId, multihash bytes`, multihash)
    secrets.set(`${name} PeerId, as a CID (libp2p's peer store key)`, utf8.encode(peerId.toCID().toString()))
    secrets.set(`${name} libp2p key`, p.client.identity.peerKey.raw.subarray(0, 32))
    secrets.set(`${name} Signal identity key`, p.client.identity.signal.privateKey.serialize())
    // signal-identity.key holds the pair in base64 (JSON)
    secrets.set(`${name} Signal identity key pair, base64`, new TextEncoder().encode(Buffer.from(p.client.identity.signal.serialize()).toString('base64')))
    let n = 0
    for await (const { value } of p.client.store.list(keys.preKeyPrefix, { limit: 3 })) secrets.set(`${name} one-time prekey ${n++}`, PreKeyRecord.deserialize(new Uint8Array(value)).privateKey().serialize())
  }
  await alice.client.stop()
  await bob.client.stop()
  return { dirs: [alice.config.dataDir, bob.config.dataDir], secrets }
}

test('encrypted data dirs: no file holds a message sent or received, a private key, a contact name, a PeerId or a message id', async (t) => {
  const { dirs, secrets } = await exchange(t, true)
  assert.ok(secrets.size >= 26)
  assert.deepEqual(secretsIn(dirs, secrets), [])
})

test('control: the same search finds them in plain data dirs', async (t) => {
  const { dirs, secrets } = await exchange(t, false)
  const seen = secretsIn(dirs, secrets)
  for (const name of ['message A1', 'message B1', 'alice libp2p key', 'bob Signal identity key pair, base64', 'bob one-time prekey 0', 'contact name of bob', 'contact name of alice', 'alice PeerId', 'bob PeerId', "bob PeerId, as a CID (libp2p's peer store key)", 'alice PeerId, multihash bytes', 'message id A1', 'message id A2', 'message id B1']) assert.ok(seen.includes(name), `${name} found in a plain data dir (found: ${seen.join(', ')})`)
})

test('an encrypted recipient publishes its bundle, then collects mail from mailbox replicas', async (t) => {
  const root = await tempRoot(t)
  const net = await mailboxNetwork(t, root, 4, { overrides: { mailbox: { replicas: 3 } } })
  const config = testConfig(join(root, 'bob'), { listen: [`/ip4/127.0.0.1/tcp/${await stablePort()}`], bootstrap: net.bootstrap, mailbox: { replicas: 3 } })
  ensureDataDir(config.dataDir)
  const cipher = await createDataKey(config.dataDir, new TextEncoder().encode('bob passphrase'), { memoryKiB: 8 * 1024, iterations: 1 })
  await CairnClient.init(config, undefined, undefined, cipher)
  let bob = await CairnClient.open({ config, log: silentLogger(), cipher })
  t.after(async () => { await bob.stop().catch(() => {}) })
  assert.equal((await bob.publishBundles()).replicas, 3)
  const bobId = bob.identity.peerId.toString()
  const aliceConfig = testConfig(join(root, 'alice'), { bootstrap: net.bootstrap, mailbox: { replicas: 3 } })
  await CairnClient.init(aliceConfig)
  const alice = await CairnClient.open({ config: aliceConfig, log: silentLogger() })
  t.after(async () => { await alice.stop().catch(() => {}) })
  await bob.contactAdd('alice', alice.identity.peerId.toString()) // a stranger's 30 would meet the daily cap (20)
  await bob.stop()
  await alice.contactAdd('bob', bobId)
  const N = 30
  for (let i = 0; i < N; i++) assert.equal((await alice.send('bob', `sealed at rest ${i}`)).route, 'mailbox')
  bob = await CairnClient.open({ config, log: silentLogger(), cipher })
  const synced = await bob.sync()
  assert.equal(synced.received, N)
  assert.deepEqual((await bob.inbox()).map(m => m.text), Array.from({ length: N }, (_, i) => `sealed at rest ${i}`))
})
