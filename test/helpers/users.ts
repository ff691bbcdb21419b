/**
 * Builds test users: a data dir under a temp root, an identity, and a started CairnClient on a
 * loopback port. Everything started here is stopped when the test ends; the temp root is removed
 * when the test file's process exits (see `tempRoot`).
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import type { PrivateKey } from '@libp2p/interface'
import { CairnClient } from '../../src/client/client.js'
import { resolveConfig, type CairnConfig, type ConfigLayer } from '../../src/shared/config.js'
import { createLogger, silentLogger, type Logger } from '../../src/shared/logger.js'
import { mkdirSync, openSync, rmSync, writeSync } from 'node:fs'
import { stablePort } from './ports.js'
import type { Clock } from '../../src/shared/clock.js'
import { createDataKey, type ValueCipher } from '../../src/shared/at-rest/index.js'
import { ensureDataDir } from '../../src/shared/data-dir.js'

const roots = new Set<string>()

/**
 * A temp dir for a test's data dirs, removed when the test file's process exits: after every
 * test's after hooks, whoever registered them. node:test runs a test's after hooks in the order
 * they were registered, and the root is made first, so a hook of its own would remove the data
 * dirs before the clients and nodes in them stop; a stop then reads a LevelDB table file that is
 * gone, libp2p's stop fails part-way and leaves gossipsub's timers running: the process never
 * exits (issue 12: `mailbox/replication.test.js`). `t` is the test the root is for.
 */
export async function tempRoot (t: TestContext, prefix = 'cairn-test-'): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), prefix))
  if (roots.size === 0) process.once('exit', () => { for (const r of roots) rmSync(r, { recursive: true, force: true }) })
  roots.add(root)
  t.diagnostic(`temp root ${root} (removed when this file's process exits)`)
  return root
}

/** A node on loopback: private and loopback addresses stay in the DHT, or nobody could be reached. */
export function testConfig (dataDir: string, overrides: ConfigLayer = {}): CairnConfig {
  // every test node shares 127.0.0.1: replica diversity by subnet would leave one replica per set
  return resolveConfig([{ dataDir, listen: ['/ip4/127.0.0.1/tcp/0'], logLevel: 'silent', mailbox: { replicasPerSubnet: 0 }, network: { allowPrivateAddresses: true } }, overrides])
}

/**
 * Silent, unless CAIRN_TEST_LOG_DIR names a directory: then each user logs at debug level to
 * NAME.log there (appended, so a restart's lines follow the first run's) — for a flake's post-mortem.
 */
export function testLogger (name: string): ReturnType<typeof silentLogger> {
  const dir = process.env.CAIRN_TEST_LOG_DIR
  if (dir === undefined || dir === '') return silentLogger()
  mkdirSync(dir, { recursive: true })
  const fd = openSync(join(dir, `${name}.log`), 'a')
  return createLogger('debug', { user: name }, { write: (line: string) => { writeSync(fd, line) } })
}

export interface TestUser {
  name: string
  config: CairnConfig
  client: CairnClient
  peerId: string
  address: string
  /** Stop this user's node (it goes offline); the data dir stays. */
  stop: () => Promise<void>
  /** Start again on the same data dir (and, by default, the same port). */
  restart: (overrides?: ConfigLayer) => Promise<void>
}

/** With `passphrase`, the data dir is encrypted at rest (as `cairn init --passphrase`; a cheap KDF). */
/** With `log`, the user's client logs there (a test that checks what was logged), across restarts. */
export async function makeUser (t: TestContext, root: string, name: string, options: { overrides?: ConfigLayer, clock?: Clock, peerKey?: PrivateKey, dataDir?: string, passphrase?: string, log?: Logger } = {}): Promise<TestUser> {
  // a port outside the ephemeral range, so that it is still free when the user restarts on it
  const config = testConfig(options.dataDir ?? join(root, name), { listen: [`/ip4/127.0.0.1/tcp/${await stablePort()}`], ...options.overrides })
  let cipher: ValueCipher | undefined
  if (options.passphrase !== undefined) {
    ensureDataDir(config.dataDir)
    cipher = await createDataKey(config.dataDir, new TextEncoder().encode(options.passphrase), { memoryKiB: 8 * 1024, iterations: 1 })
  }
  await CairnClient.init(config, options.clock, options.peerKey, cipher)
  const open = async (c: CairnConfig): Promise<CairnClient> => CairnClient.open({ config: c, log: options.log ?? testLogger(name), cipher, ...(options.clock === undefined ? {} : { clock: options.clock }) })
  const user: TestUser = {
    name,
    config,
    client: await open(config),
    peerId: '',
    address: '',
    stop: async () => { await user.client.stop() },
    restart: async (overrides = {}) => {
      const port = user.address.split('/tcp/')[1]?.split('/')[0] ?? '0'
      user.config = testConfig(config.dataDir, { listen: [`/ip4/127.0.0.1/tcp/${port}`], ...options.overrides, ...overrides })
      user.client = await open(user.config)
    }
  }
  user.peerId = user.client.identity.peerId.toString()
  user.address = (await user.client.id()).addresses[0] ?? ''
  t.after(async () => { await user.client.stop().catch(() => {}) })
  return user
}

/** Make two users contacts of each other, with each other's addresses. */
export async function befriend (a: TestUser, b: TestUser): Promise<void> {
  await a.client.contactAdd(b.name, b.address)
  await b.client.contactAdd(a.name, a.address)
}
