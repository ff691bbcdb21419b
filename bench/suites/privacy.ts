/**
 * What privacy costs (issue 15), each figure beside the same thing without it, in the same run:
 * - encryption at rest: direct send → receipt between two encrypted data dirs against two plain
 *   ones (sends alternate), and an offline recipient's sync (collect, decrypt, store, ack) of the
 *   same N messages into an encrypted data dir against a plain one, in alternated pairs
 *   (privacy-collect.ts);
 * - anonymous deposits: a deposit at k replicas from an ephemeral identity reused for its window
 *   (the default), and from a new identity for every request (the worst case), against a deposit
 *   from the sender's own node (anonymousDeposits off); the three senders alternate; and the same
 *   with the replica lookup in every deposit (the route's replica cache emptied before each send):
 *   the anonymous senders walk the DHT from their ephemeral host, the own-node sender asks kad-dht;
 * - the network budget that replaces per-PeerId limits for anonymous depositors: what a flooder
 *   with many identities on one address gets stored, and what an honest sender on another
 *   address still gets through meanwhile (privacy-flood.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CairnClient } from '../../src/client/client.js'
import { createDataKey, type ValueCipher } from '../../src/shared/at-rest/index.js'
import type { ConfigLayer } from '../../src/shared/config.js'
import { ensureDataDir } from '../../src/shared/data-dir.js'
import { silentLogger } from '../../src/shared/logger.js'
import { Cluster, addressOf, peerConfig } from '../lib/cluster.js'
import { probe } from '../lib/probe.js'
import { row, type Row } from '../lib/report.js'
import { now, quantile } from '../lib/stats.js'
import { stablePort } from '../../test/helpers/ports.js'
import { floodRows, type FloodOptions } from './privacy-flood.js'
import { collectAtRestRows, type CollectOptions } from './privacy-collect.js'

export interface PrivacyOptions { messages: number, textBytes: number, mailboxNodes: number, replicas: number, coldDeposits: number, flood: FloodOptions, collect: CollectOptions }

interface User { name: string, client: CairnClient, start: () => Promise<CairnClient>, peerId: string, address: string }

/** A client outside the Cluster, so that it can be encrypted at rest. */
async function user (root: string, name: string, o: { encrypted: boolean, bootstrap: string[], overrides?: ConfigLayer }): Promise<User> {
  const dataDir = join(root, name)
  const port = await stablePort()
  const config = peerConfig(dataDir, port, { mailbox: false, bootstrap: o.bootstrap, ...(o.overrides === undefined ? {} : { overrides: o.overrides }) })
  ensureDataDir(dataDir)
  // the KDF runs once per open; its cost is not what is measured here
  const cipher: ValueCipher | undefined = o.encrypted ? await createDataKey(dataDir, new TextEncoder().encode(name), { memoryKiB: 8 * 1024, iterations: 1 }) : undefined
  await CairnClient.init(config, undefined, undefined, cipher)
  const u: User = {
    name,
    client: undefined as unknown as CairnClient,
    peerId: '',
    address: '',
    start: async () => { u.client = await CairnClient.open({ config, log: silentLogger(), cipher }); return u.client }
  }
  await u.start()
  u.peerId = u.client.identity.peerId.toString()
  u.address = `/ip4/127.0.0.1/tcp/${port}/p2p/${u.peerId}`
  return u
}

async function directAtRest (root: string, o: PrivacyOptions): Promise<Row[]> {
  const pairs = await Promise.all([false, true].map(async encrypted => {
    const a = await user(root, `direct-a-${String(encrypted)}`, { encrypted, bootstrap: [] })
    const b = await user(root, `direct-b-${String(encrypted)}`, { encrypted, bootstrap: [] })
    await a.client.contactAdd('b', b.address)
    await b.client.contactAdd('a', a.address)
    for (let i = 0; i < 5; i++) await a.client.send('b', 'warm-up')
    return { a, b }
  }))
  const text = 'x'.repeat(o.textBytes)
  const samples: [number[], number[]] = [[], []]
  try {
    for (let i = 0; i < o.messages; i++) {
      for (const [k, p] of pairs.entries()) {
        const t0 = now()
        if ((await p.a.client.send('b', text)).route !== 'direct') throw new Error('a direct send fell back')
        samples[k]?.push(now() - t0)
      }
    }
  } finally {
    for (const p of pairs) { await p.a.client.stop(); await p.b.client.stop() }
  }
  const [plain, enc] = samples
  const base = 'the same, plain data dirs'
  return [
    row({ name: 'atRest.direct.p50', label: 'direct send → stored → receipt, both ends encrypted at rest, p50', unit: 'ms', value: quantile(enc, 0.5), baseline: base, baselineValue: quantile(plain, 0.5), better: 'lower', samples: enc.length, stat: 'p50', notes: `${o.textBytes} B text, sends alternating` }),
    row({ name: 'atRest.direct.p99', label: 'direct send → stored → receipt, both ends encrypted at rest, p99', unit: 'ms', value: quantile(enc, 0.99), baseline: base, baselineValue: quantile(plain, 0.99), better: 'lower', samples: enc.length, stat: 'p99' })
  ]
}

async function mailboxRows (root: string, o: PrivacyOptions): Promise<Row[]> {
  const overrides: ConfigLayer = { mailbox: { replicas: o.replicas, depositsPerMinute: 1e9, depositBurst: 1e9 } }
  const cluster = new Cluster({ root: join(root, 'cluster'), mailbox: true, overrides })
  const users: User[] = []
  try {
    await cluster.addMany('mbx', o.mailboxNodes)
    await cluster.warm()
    const bootstrap = cluster.online().slice(0, 3).map(addressOf)
    const make = async (name: string, encrypted: boolean, delivery: Record<string, unknown> = {}): Promise<User> => {
      const u = await user(root, name, { encrypted, bootstrap, overrides: { ...overrides, delivery } })
      users.push(u)
      return u
    }
    const senders = {
      own: await make('sender-own', false, { anonymousDeposits: false }),
      ephemeral: await make('sender-ephemeral', false, { anonymousDeposits: true }),
      fresh: await make('sender-fresh', false, { anonymousDeposits: true, anonymousIdentityMs: 0 })
    }
    const carol = await make('carol', false)
    for (const r of [carol]) {
      if ((await r.client.publishBundles()).published < o.replicas) throw new Error(`${r.name} could not publish to every replica`)
      for (const s of Object.values(senders)) await r.client.contactAdd(s.name, s.peerId)
      await r.client.stop()
    }
    for (const s of Object.values(senders)) for (const r of [carol]) await s.client.contactAdd(r.name, r.peerId)
    const text = 'x'.repeat(o.textBytes)
    // deposits: the three senders alternate, to carol
    const missed: Record<string, number> = {}
    const probes = Object.fromEntries(Object.entries(senders).map(([k, s]) => [k, probe(s.client.messenger.routes[1] as object, 'deliver' as never)])) as Record<keyof typeof senders, ReturnType<typeof probe>>
    for (let i = 0; i < o.messages; i++) {
      // on a loaded machine a lookup or a replica can miss the deadline: that send waits in the
      // outbox; counted in the notes, its time stays in the samples
      for (const s of Object.values(senders)) if ((await s.client.send('carol', `${i}:${text}`.slice(0, o.textBytes))).route !== 'mailbox') missed[s.name] = (missed[s.name] ?? 0) + 1
    }
    const deposits = Object.fromEntries(Object.entries(probes).map(([k, p]) => [k, p.take()])) as Record<keyof typeof senders, number[]>
    // the same with a replica lookup in every deposit, as the first deposit to someone in a minute has
    const cacheOf = (u: User): Map<string, unknown> => (u.client.messenger.routes[1] as unknown as { replicaCache: Map<string, unknown> }).replicaCache
    for (let i = 0; i < o.coldDeposits; i++) {
      for (const s of Object.values(senders)) {
        cacheOf(s).clear()
        if ((await s.client.send('carol', `cold ${i}:${text}`.slice(0, o.textBytes))).route !== 'mailbox') missed[`${s.name} (cold)`] = (missed[`${s.name} (cold)`] ?? 0) + 1
      }
    }
    const cold = Object.fromEntries(Object.entries(probes).map(([k, p]) => { const d = p.take(); p.restore(); return [k, d] })) as Record<keyof typeof senders, number[]>
    const base = 'deposit from the sender\'s own node'
    const n = `${o.mailboxNodes} mailbox nodes, k=${o.replicas}, ${o.textBytes} B text; ephemeral identity rotated every 10 min; sends that fell back to the outbox: ${JSON.stringify(missed)}`
    return [
      row({ name: 'anon.deposit.p50', label: `mailbox deposit to k=${o.replicas} from an ephemeral identity (reused for its window), p50`, unit: 'ms', value: quantile(deposits.ephemeral, 0.5), baseline: base, baselineValue: quantile(deposits.own, 0.5), better: 'lower', samples: deposits.ephemeral.length, stat: 'p50', notes: n }),
      row({ name: 'anon.deposit.p99', label: `mailbox deposit to k=${o.replicas} from an ephemeral identity (reused for its window), p99`, unit: 'ms', value: quantile(deposits.ephemeral, 0.99), baseline: base, baselineValue: quantile(deposits.own, 0.99), better: 'lower', samples: deposits.ephemeral.length, stat: 'p99' }),
      row({ name: 'anon.depositCold.p50', label: `mailbox deposit to k=${o.replicas} with its replica lookup, both from an ephemeral identity (reused for its window), p50`, unit: 'ms', value: quantile(cold.ephemeral, 0.5), baseline: 'the same from the sender\'s own node (kad-dht lookup)', baselineValue: quantile(cold.own, 0.5), better: 'lower', samples: cold.ephemeral.length, stat: 'p50', notes: 'the route\'s replica cache emptied before each send; the ephemeral lookup is a FIND_NODE walk from the DHT servers the user\'s node knows' }),
      row({ name: 'anon.depositCold.p99', label: `mailbox deposit to k=${o.replicas} with its replica lookup, both from an ephemeral identity (reused for its window), p99`, unit: 'ms', value: quantile(cold.ephemeral, 0.99), baseline: 'the same from the sender\'s own node (kad-dht lookup)', baselineValue: quantile(cold.own, 0.99), better: 'lower', samples: cold.ephemeral.length, stat: 'p99' }),
      row({ name: 'anon.depositColdFresh.p50', label: `mailbox deposit to k=${o.replicas} with its replica lookup, from a new identity per request (worst case), p50`, unit: 'ms', value: quantile(cold.fresh, 0.5), baseline: 'the same from the sender\'s own node (kad-dht lookup)', baselineValue: quantile(cold.own, 0.5), better: 'lower', samples: cold.fresh.length, stat: 'p50' }),
      row({ name: 'anon.depositFresh.p50', label: `mailbox deposit to k=${o.replicas} from a new identity per request (worst case), p50`, unit: 'ms', value: quantile(deposits.fresh, 0.5), baseline: base, baselineValue: quantile(deposits.own, 0.5), better: 'lower', samples: deposits.fresh.length, stat: 'p50' }),
    ]
  } finally {
    for (const u of users) await u.client.stop().catch(() => {})
    await cluster.stopAll()
  }
}

export async function privacySuite (o: PrivacyOptions): Promise<Row[]> {
  const root = await mkdtemp(join(tmpdir(), 'cairn-bench-privacy-'))
  try {
    return [...await directAtRest(root, o), ...await mailboxRows(root, o), ...await collectAtRestRows(root, o.collect), ...await floodRows(root, o.flood)]
  } finally {
    await rm(root, { recursive: true, force: true })
  }
}

/** The at-rest collect alone (`--only privacy-collect`). */
export async function privacyCollectSuite (o: CollectOptions): Promise<Row[]> {
  const root = await mkdtemp(join(tmpdir(), 'cairn-bench-privacy-collect-'))
  try {
    return await collectAtRestRows(root, o)
  } finally {
    await rm(root, { recursive: true, force: true })
  }
}
