/**
 * Cairn's configuration: one typed object, built from defaults < `config.json` in the data dir <
 * environment (CAIRN_*) < command-line flags, and validated once at start. A bad value fails with
 * a ConfigError naming the key (exit code 2).
 */
import { readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { isAbsolute, join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { ConfigError } from './errors.js'

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'

export type PeerStoreMode = 'disk' | 'memory'

export interface CairnConfig {
  dataDir: string
  /** Multiaddrs to listen on. */
  listen: string[]
  /** Multiaddrs to announce instead of the listen addresses (behind a load balancer or NAT). */
  announce: string[]
  /** Peers to join the network through. */
  bootstrap: string[]
  logLevel: LogLevel
  network: {
    /** Keep private and loopback addresses in the DHT and peer store (LANs, tests). */
    allowPrivateAddresses: boolean
    /** Discover peers on the local network with mDNS. */
    mdns: boolean
    /**
     * Dial timeout for one peer, ms (a total: see docs/DECISIONS.md, "Deadlines measure stalls"). Above
     * libp2p's own deadlines (6 s an address, 10 s for an inbound handshake) it is those too.
     */
    dialTimeoutMs: number
    /**
     * Connections a node keeps open; past it the least valued idle ones are closed by Cairn's own
     * trimmer (libp2p's pruning closes none with a gossipsub stream, nor any on loopback: see
     * src/shared/node/connection-trimmer.ts). libp2p's default, 300; `npm run sim` sets fewer,
     * since a simulated peer's sockets count against its worker's open-file limit.
     */
    maxConnections: number
    /**
     * Kademlia's K: bucket size, and how many closest peers a lookup returns. Replica sets are
     * picked from those with at most mailbox.replicasPerSubnet per subnet, so K bounds how far past
     * a crowd of identities from one network a lookup can see (`npm run sim:sybil`).
     */
    dhtK: number
    /**
     * Answers each of a lookup's 10 disjoint paths gathers before it stops; at dhtK or above
     * (the default), kad-dht's own rule: K. A lookup still returns the K closest of all who
     * answered. Fewer per path ask fewer peers and cost less CPU, and find fewer of the true
     * closest: measured at 1,000 simulated peers, 10 asked 166 peers (p50) against 198 and found
     * 60 % of the closest 5 against 70 % (docs/DECISIONS.md, "How far a lookup's paths walk is a
     * setting; it stays K").
     */
    dhtPathK: number
    /**
     * How often the DHT looks itself up and looks up a random key in each bucket of its routing
     * table that no lookup has touched for as long, ms. kad-dht's own is 5 min for both, and so is
     * this default: measured, a 5-min refresh cost a network of 100 idle peers about 0.02 CPU-s per
     * wall-s more than a 30-min one (docs/DECISIONS.md, "The DHT's refresh interval is a setting").
     * A longer one saves a battery-powered device some lookups.
     */
    dhtRefreshMs: number
    /**
     * Behind a NAT: reserve slots on relays (our bootstrap peers), advertise /p2p-circuit
     * addresses, dial every TCP connection from one fixed local port (`dialPort`) so relays observe
     * the NAT mapping that a hole punch will use, and confirm that observed address.
     */
    natTraversal: boolean
    /** The fixed local TCP port for outbound dials in natTraversal mode (never a listen port). */
    dialPort: number
    /** An ordinary peer that AutoNAT finds publicly reachable becomes a DHT server and a mailbox. */
    serveWhenReachable: boolean
    /**
     * Where libp2p keeps its peer store (peers' addresses, protocols, the DHT's tags from which
     * the routing table is restored at start): `disk`, in the data dir's LevelDB beside Cairn's
     * own data; or `memory`, kept in this process only (a stop and start in the same process find
     * it again; a new process starts from the bootstrap peers). Cairn's own data (keys, sessions,
     * inbox, outbox, mailboxes) is on disk either way. `memory` is for simulations of many peers
     * in one process (`npm run sim`), where the peer store's LevelDB reads and writes on every DHT
     * answer are the largest cost.
     */
    peerStore: PeerStoreMode
  }
  relay: {
    /** Serve circuit relay v2 (operator nodes). */
    enabled: boolean
    maxReservations: number
    reservationTtlMs: number
    /** Per relayed connection: bytes (both directions together) and lifetime, ms. */
    dataLimitBytes: number
    durationLimitMs: number
  }
  limits: {
    /** Largest sealed envelope accepted or sent, bytes. */
    envelopeBytes: number
    /** Largest message text, bytes of UTF-8. Leaves room for the ratchet and sealed-sender overhead. */
    textBytes: number
    /** Largest frame on /cairn/direct, bytes. */
    directFrameBytes: number
    /** Concurrent inbound streams per connection, per Cairn protocol. */
    maxInboundStreams: number
    /**
     * One request/response exchange's stall deadline, ms: it is given up once nothing arrived or
     * drained for this long and the peer then did not answer a ping for as long again (a peer
     * still working on the answer does); capped at 20 times it in all, 4 when serving
     * (src/shared/protocols/rpc.ts).
     */
    requestTimeoutMs: number
  }
  mailbox: {
    /** Serve /cairn/mailbox for others (operator nodes; DHT-server peers). */
    enabled: boolean
    /** Replica set size k: a deposit goes to the k closest DHT servers to the mailbox key. */
    replicas: number
    /** Longest a stored envelope is kept, ms (an envelope's own expiry is capped to this). */
    ttlMs: number
    /** Per-recipient quota. */
    maxEnvelopesPerRecipient: number
    maxBytesPerRecipient: number
    /** Deposits accepted from one remote peer: sustained per minute, and burst. */
    depositsPerMinute: number
    depositBurst: number
    /** Bytes of mail accepted from one remote peer per minute (deposits and handovers; also the burst). */
    depositBytesPerMinute: number
    /**
     * What this node holds for everyone, bytes (envelopes). Small for an ordinary peer, whose disk
     * is its user's; `cairn mailbox` raises it, and operators set their own.
     */
    maxTotalBytes: number
    /**
     * How far past the k closest this node still accepts a recipient's mail and bundle (its routing
     * table and a sender's lookup can differ while peers come and go): places beyond k.
     */
    placementSlack: number
    /** At most this many of a replica set in one IPv4 /24 or IPv6 /48 (0: no limit; loopback tests). */
    replicasPerSubnet: number
    /** Handover offers accepted from one replica peer per minute (also the burst). */
    offersPerMinute: number
    /** Bundles handed to one remote peer per minute (also the burst). */
    bundleTakesPerMinute: number
    /**
     * Deposits, their bytes, attachment chunk bytes and bundle requests are also budgeted per network
     * (IPv4 address, IPv6 /64), at this many times one peer's budget: PeerIds are free, addresses are
     * not (network-budget.ts).
     */
    networkBudgetFactor: number
    /** One-time prekeys handed out per recipient per hour; past it, bundles go without them. */
    oneTimePreKeysPerHour: number
    /** Largest frame on /cairn/mailbox, bytes (a fetch page or a handover batch). */
    frameBytes: number
    /** Envelopes per fetch page (a mailbox answers at most this many; a client asks for this many ids a page). */
    pageSize: number
    /** How often holders re-check the replica set and copy what it lacks, ms. */
    handoverIntervalMs: number
    /**
     * A recipient's attachment chunks are handed over to the rest of its replica set once their
     * upload here has gone quiet this long, ms (an upload that reached one replica only is then
     * spread in seconds, not at the next hourly pass; while chunks keep arriving the sender is
     * still uploading to the others itself).
     */
    chunkHandoverQuietMs: number
    /** How often expired envelopes and tombstones are swept, ms. */
    sweepIntervalMs: number
    /** In-flight requests allowed to finish at shutdown, ms. */
    drainTimeoutMs: number
    /**
     * `cairn mailbox` encrypts a new data dir at rest (passphrase from CAIRN_PASSPHRASE,
     * --passphrase-fd or a prompt). A data dir that already is encrypted is unlocked either way.
     */
    encryptAtRest: boolean
    /** Attachment chunk bytes accepted from one remote peer per minute (also the burst); × networkBudgetFactor per network. */
    chunkBytesPerMinute: number
  }
  attachments: {
    /** Largest file `send --file` accepts, bytes. */
    maxFileBytes: number
    /** Largest total of the files in one `send`, bytes. */
    maxMessageBytes: number
    /** Plaintext bytes per encrypted chunk (at most 960 KiB: a chunk and its framing fit one mailbox frame). */
    chunkBytes: number
    /** Mailbox replicas a sender stores an offline recipient's chunks at (at most mailbox.replicas). */
    replicas: number
    /** Chunk requests a recipient keeps in flight while fetching from mailboxes, in all. */
    fetchConcurrency: number
    /** The daemon fetches attachments up to this size by itself as they arrive, bytes (0: never). */
    autoFetchBytes: number
    /**
     * An absolute path: the daemon saves each attachment up to autoFetchBytes into it by itself, as
     * `cairn save` would (created if missing). Empty (the default): files wait in the data dir,
     * encrypted, until `cairn save`.
     */
    downloadDir: string
  }
  metrics: {
    /** Serve Prometheus /metrics and /healthz (operator nodes; `--metrics-port` turns it on too). */
    enabled: boolean
    /** Interface to serve them on: loopback unless the operator chooses to expose them. */
    host: string
    /** TCP port; 0 picks a free one (printed at start). */
    port: number
  }
  delivery: {
    /** How long `send` tries the recipient directly before falling back, ms. */
    directTimeoutMs: number
    /** The daemon: how often it retries the outbox (and re-dials bootstrap peers when cut off), ms. */
    retryIntervalMs: number
    /** The daemon: how often it collects mail from its mailbox replicas (besides live push), ms. */
    syncIntervalMs: number
    /** A replica lookup is given up after twice this with no server answering or failing, ms (each deposit has the request idle deadline). */
    mailboxTimeoutMs: number
    /** Once one mailbox replica has handed over all it holds, how long a sync waits for a slower one that makes no progress, ms. */
    collectGraceMs: number
    /**
     * The daemon's periodic sync collects at the replica set its last DHT lookup found, instead of
     * looking it up again, for this long after that lookup (unless the routing table has learnt of
     * a closer DHT server, or a replica does not answer); `cairn sync` always looks up. 0: every
     * sync looks up (docs/DECISIONS.md). @default 3600000
     */
    replicaCacheMs: number
    /** How long a message may wait at mailboxes, ms. */
    ttlMs: number
    /** One-time EC and Kyber prekeys generated at init and kept topped up. */
    oneTimePreKeys: number
    oneTimeKyberPreKeys: number
    /** Signed (and last-resort Kyber) prekeys are replaced this often, ms... */
    signedPreKeyRotationMs: number
    /** ...and a replaced one is kept this long for messages still in flight, ms (> the TTL). */
    signedPreKeyGraceMs: number
    /** One-time prekeys handed out (to replicas or senders) and never used are deleted after this, ms (> the TTL). */
    oneTimePreKeyExpiryMs: number
    /**
     * Messages shown per UTC day from one sender who is not a contact; more are dropped (still
     * acknowledged, never shown). 0: none at all. Contacts are never capped.
     */
    strangerMessagesPerDay: number
    /** Messages shown per UTC day from all senders who are not contacts, together. */
    strangerMessagesPerDayTotal: number
    /**
     * Deposits and bundle requests at other people's mailboxes go out from a short-lived libp2p
     * identity, not the user's PeerId (client/anonymous; docs/PRIVACY.md).
     */
    anonymousDeposits: boolean
    /** How long one such identity is reused before a new one, ms (deposits within it are linkable). */
    anonymousIdentityMs: number
    /**
     * Send a read receipt when a received message is shown (`chat`, `inbox`): its sender learns
     * when you read it. Off: none are sent (delivery receipts still are). CAIRN_DELIVERY_READ_RECEIPTS.
     */
    readReceipts: boolean
    /**
     * Messages sealed to one contact on one session before the next starts a fresh session from
     * the contact's bundle (PQXDH again; the old session is archived and still opens its own).
     * libsignal keeps at most 2,000 skipped message keys a chain, and mail is collected in
     * envelope-id order, not in the order it was sealed: a longer chain loses messages when it is
     * opened out of order (docs/DECISIONS.md). @default 1000
     */
    maxMessagesPerSession: number
    /**
     * Messages we sent, with their delivery states, kept per conversation (a contact or a group):
     * `inbox --sent` and `chat` show them; past this, the oldest are deleted (up to a tenth more
     * wait for the next pruning). A receipt for a deleted one is ignored. @default 1000
     */
    sentPerConversation: number
    /**
     * Messages we received kept per conversation (a contact's 1:1 messages, or a group's): once a
     * day, the oldest past this are deleted as `cairn delete` deletes them (their files with them;
     * a copy arriving again is still not shown). 0: every message is kept (client/received-retention.ts).
     * @default 0
     */
    receivedPerConversation: number
  }
  groups: {
    /** Most members a group may have (creator included); an add beyond it is refused (GroupFullError) and void on the wire. */
    maxMembers: number
    /**
     * How long a group message's sender waits for a delivery receipt from a member it sent by
     * gossip alone (a member subscribed, connected and known to hold the sender's chain gets no
     * 1:1 copy) before sending that member its 1:1 copy after all. A member the publish did not
     * reach gets it at once. 0: every member always gets a 1:1 copy too. @default 10000
     */
    gossipAckMs: number
    /**
     * A member's delivery receipts for group messages it opened from a topic wait this long, so
     * that one receipt covers what arrives meanwhile from the same sender (and stays off the
     * sender's send); keep it well below the senders' gossipAckMs. @default 1000
     */
    gossipReceiptDelayMs: number
    /**
     * Sealed group parts: advertise (in every message and receipt) that this client
     * opens them, and send them to members who advertised it, hold our current chain and lack no
     * change (a sealed sender seal per member, no ratchet step, instead of a 1:1 seal). false: neither
     * (an older client's behaviour: every copy is a 1:1 one). A part never waits: one that does not go at
     * once, or that its member refuses, goes as its 1:1 copy instead (docs/DECISIONS.md). @default true
     */
    sealedParts: boolean
    /**
     * How often a sync runs the pass that prunes group records and read marks (group-prune.ts),
     * at most: when the last one ran is kept in the store, across processes. @default 3600000
     */
    pruneEveryMs: number
    /**
     * An admin signs a checkpoint of a group's membership once this many changes were made since the
     * last (the smallest admin PeerId; any other admin at twice as many), and a member deletes the
     * changes before a checkpoint once every member is known to hold it; a new member is sent the
     * checkpoint and what follows, not the whole log. 0: this client makes none (it still follows
     * others'). @default 64
     */
    checkpointEvery: number
  }
}

const DAY = 24 * 3600 * 1000

export function defaultDataDir (env: NodeJS.ProcessEnv = process.env): string {
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'cairn')
  const base = env.XDG_DATA_HOME !== undefined && env.XDG_DATA_HOME !== '' ? env.XDG_DATA_HOME : join(homedir(), '.local', 'share')
  return join(base, 'cairn')
}

export function defaultConfig (dataDir = defaultDataDir()): CairnConfig {
  return {
    dataDir,
    listen: ['/ip4/0.0.0.0/tcp/0'],
    announce: [],
    bootstrap: [],
    logLevel: 'warn',
    network: { allowPrivateAddresses: true, mdns: false, dialTimeoutMs: 5000, maxConnections: 300, dhtK: 40, dhtPathK: 40, dhtRefreshMs: 5 * 60_000, natTraversal: false, dialPort: 4011, serveWhenReachable: true, peerStore: 'disk' },
    relay: { enabled: false, maxReservations: 128, reservationTtlMs: 2 * 3600 * 1000, dataLimitBytes: 4 * 1024 * 1024, durationLimitMs: 5 * 60 * 1000 },
    limits: { envelopeBytes: 64 * 1024, textBytes: 60 * 1024, directFrameBytes: 96 * 1024, maxInboundStreams: 32, requestTimeoutMs: 15_000 },
    mailbox: {
      enabled: false,
      replicas: 5,
      ttlMs: 14 * DAY,
      maxEnvelopesPerRecipient: 10_000,
      maxBytesPerRecipient: 128 * 1024 * 1024,
      depositsPerMinute: 600,
      depositBurst: 200,
      depositBytesPerMinute: 32 * 1024 * 1024,
      maxTotalBytes: 256 * 1024 * 1024,
      placementSlack: 5,
      replicasPerSubnet: 2,
      offersPerMinute: 600,
      bundleTakesPerMinute: 10,
      networkBudgetFactor: 8,
      oneTimePreKeysPerHour: 20,
      frameBytes: 1024 * 1024,
      pageSize: 100,
      handoverIntervalMs: 3600 * 1000,
      chunkHandoverQuietMs: 30_000,
      sweepIntervalMs: 10 * 60 * 1000,
      drainTimeoutMs: 5000,
      encryptAtRest: false,
      chunkBytesPerMinute: 1024 * 1024 * 1024
    },
    attachments: { maxFileBytes: 1024 * 1024 * 1024, maxMessageBytes: 1024 * 1024 * 1024, chunkBytes: 960 * 1024, replicas: 3, fetchConcurrency: 6, autoFetchBytes: 16 * 1024 * 1024, downloadDir: '' },
    metrics: { enabled: false, host: '127.0.0.1', port: 9464 },
    delivery: { directTimeoutMs: 5000, retryIntervalMs: 30_000, syncIntervalMs: 5 * 60_000, mailboxTimeoutMs: 15_000, collectGraceMs: 30_000, replicaCacheMs: 3600_000, ttlMs: 14 * DAY, oneTimePreKeys: 100, oneTimeKyberPreKeys: 20, signedPreKeyRotationMs: 7 * DAY, signedPreKeyGraceMs: 30 * DAY, oneTimePreKeyExpiryMs: 30 * DAY, strangerMessagesPerDay: 20, strangerMessagesPerDayTotal: 100, anonymousDeposits: true, anonymousIdentityMs: 10 * 60_000, readReceipts: true, maxMessagesPerSession: 1000, sentPerConversation: 1000, receivedPerConversation: 0 },
    groups: { maxMembers: 256, gossipAckMs: 10_000, gossipReceiptDelayMs: 1000, sealedParts: true, pruneEveryMs: 60 * 60_000, checkpointEvery: 64 }
  }
}

/** A partial config: what a file, the environment or the flags may set. */
export type ConfigLayer = { [K in keyof CairnConfig]?: CairnConfig[K] extends unknown[] ? CairnConfig[K] : CairnConfig[K] extends object ? Partial<CairnConfig[K]> : CairnConfig[K] }

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']
const PEER_STORE_MODES: PeerStoreMode[] = ['disk', 'memory']

/** CAIRN_* variables that are not config keys. */
const ENV_NOT_CONFIG = new Set(['CAIRN_DEBUG', 'CAIRN_LIBP2P_LOG', 'CAIRN_PASSPHRASE', 'CAIRN_NEW_PASSPHRASE', 'CAIRN_TEST_ENCRYPT_CRASH'])
/**
 * The test suite's, the bench's and the simulation's own switches (CAIRN_TEST_LOG_DIR,
 * CAIRN_BENCH_LOG_DIR, CAIRN_SIM_DIAG…): a test or bench that starts `cairn` passes its
 * environment on, and the CLI refused them, so a post-mortem's logs broke every such run.
 */
const HARNESS_PREFIXES = ['CAIRN_TEST_', 'CAIRN_BENCH_', 'CAIRN_SIM_']

/** The environment variable for a config key: `mailbox.ttlMs` is CAIRN_MAILBOX_TTL_MS. */
export function envName (path: string): string {
  return 'CAIRN_' + path.split('.').map(p => p.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_')
}

/**
 * Read CAIRN_* variables into a layer: every config key has one (see envName); lists are
 * comma-separated, booleans true/false. An unknown CAIRN_* variable is an error, so a typo in a
 * deployment does not silently fall back to a default.
 */
export function envLayer (env: NodeJS.ProcessEnv = process.env): ConfigLayer {
  const byName = new Map<string, { path: string[], sample: unknown }>()
  const walk = (obj: Record<string, unknown>, path: string[]): void => {
    for (const [key, value] of Object.entries(obj)) {
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) walk(value as Record<string, unknown>, [...path, key])
      else byName.set(envName([...path, key].join('.')), { path: [...path, key], sample: value })
    }
  }
  walk(defaultConfig('/') as unknown as Record<string, unknown>, [])
  const layer: Record<string, unknown> = {}
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('CAIRN_') || raw === undefined || ENV_NOT_CONFIG.has(name) || HARNESS_PREFIXES.some(p => name.startsWith(p))) continue
    const entry = byName.get(name)
    if (entry === undefined) throw new ConfigError(name, 'unknown environment variable')
    if (raw === '' && !Array.isArray(entry.sample)) continue
    let value: unknown
    if (Array.isArray(entry.sample)) value = raw.split(',').map(v => v.trim()).filter(v => v !== '')
    else if (typeof entry.sample === 'number') {
      value = Number(raw)
      if (raw.trim() === '' || !Number.isFinite(value)) throw new ConfigError(name, `must be a number, got ${JSON.stringify(raw)}`)
    } else if (typeof entry.sample === 'boolean') {
      if (!['true', 'false', '1', '0'].includes(raw)) throw new ConfigError(name, `must be true or false, got ${JSON.stringify(raw)}`)
      value = raw === 'true' || raw === '1'
    } else value = raw
    let target = layer
    for (const part of entry.path.slice(0, -1)) target = (target[part] ??= {}) as Record<string, unknown>
    target[entry.path.at(-1) as string] = value
  }
  return layer as ConfigLayer
}

/** Read `config.json` from the data dir, if there is one. */
export function fileLayer (dataDir: string): ConfigLayer {
  const path = join(dataDir, 'config.json')
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw new ConfigError(path, `cannot read: ${(err as Error).message}`)
  }
  try {
    const parsed: unknown = JSON.parse(text)
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object')
    return parsed as ConfigLayer
  } catch (err) {
    throw new ConfigError(path, `not valid JSON: ${(err as Error).message}`)
  }
}

/**
 * Merge layers over the defaults (later layers win) and validate every key against the defaults'
 * shape: unknown keys, wrong types, negative numbers and malformed multiaddrs are errors.
 */
export function resolveConfig (layers: ConfigLayer[], base?: CairnConfig): CairnConfig {
  const dataDir = [...layers].reverse().find(l => typeof l.dataDir === 'string')?.dataDir ?? base?.dataDir ?? defaultDataDir()
  const out = structuredClone(base ?? defaultConfig(dataDir))
  for (const layer of layers) mergeInto(out as unknown as Record<string, unknown>, layer as Record<string, unknown>, '')
  validate(out)
  return out
}

/**
 * The usual resolution for a process: defaults < the command's own defaults (a mailbox node relays,
 * a client does not) < file < env < flags.
 */
export function loadConfig (flags: ConfigLayer, env: NodeJS.ProcessEnv = process.env, commandDefaults: ConfigLayer = {}): CairnConfig {
  const fromEnv = envLayer(env)
  const dataDir = flags.dataDir ?? fromEnv.dataDir ?? defaultDataDir(env)
  return resolveConfig([commandDefaults, fileLayer(dataDir), fromEnv, flags], defaultConfig(dataDir))
}

function mergeInto (target: Record<string, unknown>, layer: Record<string, unknown>, prefix: string): void {
  for (const [key, value] of Object.entries(layer)) {
    const path = prefix + key
    if (value === undefined) continue
    if (!(key in target)) throw new ConfigError(path, 'unknown key')
    const current = target[key]
    if (Array.isArray(current)) {
      if (!Array.isArray(value) || !value.every(v => typeof v === 'string')) throw new ConfigError(path, 'must be a list of strings')
      target[key] = [...value]
    } else if (typeof current === 'object' && current !== null) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(path, 'must be an object')
      mergeInto(current as Record<string, unknown>, value as Record<string, unknown>, path + '.')
    } else if (typeof current !== typeof value) {
      throw new ConfigError(path, `must be a ${typeof current}, got ${JSON.stringify(value)}`)
    } else {
      target[key] = value
    }
  }
}

function validate (c: CairnConfig): void {
  if (!LOG_LEVELS.includes(c.logLevel)) throw new ConfigError('logLevel', `must be one of ${LOG_LEVELS.join(', ')}`)
  if (!PEER_STORE_MODES.includes(c.network.peerStore)) throw new ConfigError('network.peerStore', `must be one of ${PEER_STORE_MODES.join(', ')}, got ${JSON.stringify(c.network.peerStore)}`)
  for (const key of ['listen', 'announce', 'bootstrap'] as const) {
    for (const addr of c[key]) {
      try {
        multiaddr(addr)
      } catch {
        throw new ConfigError(key, `not a multiaddr: ${JSON.stringify(addr)}`)
      }
    }
  }
  for (const addr of c.bootstrap) {
    if (!addr.includes('/p2p/')) throw new ConfigError('bootstrap', `${addr} has no /p2p/<peer id>`)
  }
  for (const section of ['network', 'relay', 'limits', 'mailbox', 'attachments', 'metrics', 'delivery', 'groups'] as const) {
    for (const [key, value] of Object.entries(c[section])) {
      if (typeof value === 'number' && (!Number.isFinite(value) || value < 0)) throw new ConfigError(`${section}.${key}`, `must be a number >= 0, got ${value}`)
    }
  }
  if (c.limits.textBytes > c.limits.envelopeBytes) throw new ConfigError('limits.textBytes', 'must not exceed limits.envelopeBytes')
  if (c.mailbox.replicas < 1 || !Number.isInteger(c.mailbox.replicas)) throw new ConfigError('mailbox.replicas', 'must be a whole number >= 1')
  if (!Number.isInteger(c.network.maxConnections) || c.network.maxConnections < 1) throw new ConfigError('network.maxConnections', `must be a whole number >= 1, got ${c.network.maxConnections}`)
  if (!Number.isInteger(c.network.dhtRefreshMs) || c.network.dhtRefreshMs < 1000) throw new ConfigError('network.dhtRefreshMs', `must be a whole number of ms >= 1000, got ${c.network.dhtRefreshMs}`)
  if (c.network.dhtK < c.mailbox.replicas || !Number.isInteger(c.network.dhtK)) throw new ConfigError('network.dhtK', 'must be a whole number >= mailbox.replicas')
  if (!Number.isInteger(c.network.dhtPathK) || c.network.dhtPathK < 1) throw new ConfigError('network.dhtPathK', `must be a whole number >= 1, got ${c.network.dhtPathK}`)
  if (!Number.isInteger(c.mailbox.replicasPerSubnet)) throw new ConfigError('mailbox.replicasPerSubnet', 'must be a whole number (0: no limit)')
  if (!Number.isInteger(c.metrics.port) || c.metrics.port > 65535) throw new ConfigError('metrics.port', `must be a TCP port 0-65535, got ${c.metrics.port}`)
  if (c.metrics.host.trim() === '') throw new ConfigError('metrics.host', 'must name an interface, e.g. 127.0.0.1 or 0.0.0.0')
  for (const key of ['strangerMessagesPerDay', 'strangerMessagesPerDayTotal'] as const) {
    if (!Number.isInteger(c.delivery[key])) throw new ConfigError(`delivery.${key}`, `must be a whole number, got ${c.delivery[key]}`)
  }
  if (!Number.isInteger(c.delivery.maxMessagesPerSession) || c.delivery.maxMessagesPerSession < 1 || c.delivery.maxMessagesPerSession > 1900) throw new ConfigError('delivery.maxMessagesPerSession', `must be a whole number from 1 to 1900 (libsignal keeps 2,000 skipped keys a chain), got ${c.delivery.maxMessagesPerSession}`)
  if (!Number.isInteger(c.delivery.sentPerConversation) || c.delivery.sentPerConversation < 1) throw new ConfigError('delivery.sentPerConversation', `must be a whole number >= 1, got ${c.delivery.sentPerConversation}`)
  if (!Number.isInteger(c.delivery.receivedPerConversation) || c.delivery.receivedPerConversation < 0) throw new ConfigError('delivery.receivedPerConversation', `must be a whole number >= 0 (0: keep every message), got ${c.delivery.receivedPerConversation}`)
  if (!Number.isInteger(c.groups.maxMembers) || c.groups.maxMembers < 2) throw new ConfigError('groups.maxMembers', `must be a whole number >= 2, got ${c.groups.maxMembers}`)
  if (!Number.isInteger(c.groups.gossipReceiptDelayMs) || c.groups.gossipReceiptDelayMs < 0 || c.groups.gossipReceiptDelayMs > 60_000) throw new ConfigError('groups.gossipReceiptDelayMs', `must be a whole number of ms from 0 to 60000, got ${c.groups.gossipReceiptDelayMs}`)
  if (!Number.isInteger(c.groups.gossipAckMs) || c.groups.gossipAckMs < 0 || c.groups.gossipAckMs > 86_400_000) throw new ConfigError('groups.gossipAckMs', `must be a whole number of ms from 0 (always a 1:1 copy too) to 86400000, got ${c.groups.gossipAckMs}`)
  if (!Number.isInteger(c.groups.checkpointEvery) || c.groups.checkpointEvery < 0 || c.groups.checkpointEvery > 100_000) throw new ConfigError('groups.checkpointEvery', `must be a whole number from 0 (no checkpoints made here) to 100000, got ${c.groups.checkpointEvery}`)
  if (!Number.isInteger(c.groups.pruneEveryMs) || c.groups.pruneEveryMs < 0) throw new ConfigError('groups.pruneEveryMs', `must be a whole number of ms >= 0 (0: at every sync), got ${c.groups.pruneEveryMs}`)
  if (c.mailbox.frameBytes < c.limits.envelopeBytes * 2) throw new ConfigError('mailbox.frameBytes', 'must hold at least two envelopes')
  if (!Number.isInteger(c.attachments.chunkBytes) || c.attachments.chunkBytes < 1024 || c.attachments.chunkBytes > 960 * 1024) throw new ConfigError('attachments.chunkBytes', 'must be a whole number from 1024 to 983040')
  if (c.attachments.chunkBytes + 64 * 1024 > c.mailbox.frameBytes) throw new ConfigError('attachments.chunkBytes', 'must leave 64 KiB of mailbox.frameBytes for framing')
  if (!Number.isInteger(c.attachments.replicas) || c.attachments.replicas < 1) throw new ConfigError('attachments.replicas', 'must be a whole number >= 1')
  if (!Number.isInteger(c.attachments.fetchConcurrency) || c.attachments.fetchConcurrency < 1) throw new ConfigError('attachments.fetchConcurrency', 'must be a whole number >= 1')
  if (c.attachments.downloadDir !== '' && !isAbsolute(c.attachments.downloadDir)) throw new ConfigError('attachments.downloadDir', `must be an absolute path (or empty: no downloads), got ${JSON.stringify(c.attachments.downloadDir)}`)
}
