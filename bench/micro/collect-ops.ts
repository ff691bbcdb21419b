/**
 * Where the collect's open-and-store stage spends its time with encryption at rest: an offline
 * recipient, plain or encrypted, syncs N messages from a small mailbox cluster on loopback; each
 * sync counts the Store's reads (cache hits, LevelDB gets) and writes by namespace, the at-rest
 * cipher's AES-256-GCM-SIV calls (key segments and values), and the time
 * in Receiver.openOne plus Store.write (the privacy suite's openAndStore). With --profile, a CPU
 * profile of each recipient's sync is written to DIR/collect-NAME-RUN.cpuprofile
 * (summarise it with dist/bench/profile-summary.js).
 *   node dist/bench/micro/collect-ops.js [--messages 100] [--runs 2] [--profile] --out DIR
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { Session } from 'node:inspector/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { Aes256GcmSiv } from '@signalapp/libsignal-client'
import { CairnClient } from '../../src/client/client.js'
import { createDataKey, type ValueCipher } from '../../src/shared/at-rest/index.js'
import type { ConfigLayer } from '../../src/shared/config.js'
import { ensureDataDir } from '../../src/shared/data-dir.js'
import { silentLogger } from '../../src/shared/logger.js'
import { Store } from '../../src/shared/store.js'
import { EncryptedDatastore } from '../../src/shared/at-rest/encrypted-datastore.js'
import { Cluster, addressOf, peerConfig } from '../lib/cluster.js'
import { probe } from '../lib/probe.js'
import { now } from '../lib/stats.js'
import { stablePort } from '../../test/helpers/ports.js'

interface User { name: string, client: CairnClient, start: () => Promise<CairnClient>, peerId: string }

/** The namespace of a Cairn key (`/cairn/inbox/`), or libp2p's first segment. */
function namespaceOf (key: string): string {
  const parts = key.split('/')
  return key.startsWith('/cairn/') ? `/cairn/${parts[2] ?? ''}/` + (parts[2] === 'signal' ? `${parts[3] ?? ''}/` : '') : `/${parts[1] ?? ''}/`
}

/** Counts of Store calls by kind and namespace while `on`. */
function countStore (): { take: () => Record<string, number>, restore: () => void } {
  let counts: Record<string, number> = {}
  const bump = (k: string, n = 1): void => { counts[k] = (counts[k] ?? 0) + n }
  const proto = Store.prototype as unknown as Record<string, (...a: unknown[]) => unknown>
  const originals: Record<string, (...a: unknown[]) => unknown> = {}
  const originalsAead: Record<string, (...a: unknown[]) => unknown> = {}
  const originalsView: Record<string, (...a: unknown[]) => unknown> = {}
  const wrap = (name: string, count: (args: unknown[]) => void): void => {
    const original = proto[name] as (...a: unknown[]) => unknown
    originals[name] = original
    proto[name] = function (this: unknown, ...args: unknown[]) { count(args); return original.apply(this, args) }
  }
  // at-rest sealing: every key segment and value sealed or opened is one of these libsignal calls
  const aead = Aes256GcmSiv.prototype as unknown as Record<string, (...a: unknown[]) => unknown>
  for (const name of ['encrypt', 'decrypt']) {
    const original = aead[name] as (...a: unknown[]) => unknown
    aead[name] = function (this: unknown, ...args: unknown[]) { bump(`aes-gcm-siv ${name}`); return original.apply(this, args) }
    originalsAead[name] = original
  }
  // libp2p's records (peer store, DHT) through the encrypted data dir's sealing view
  const view = EncryptedDatastore.prototype as unknown as Record<string, (...a: unknown[]) => unknown>
  for (const name of ['get', 'put', 'has', 'delete']) {
    const original = view[name] as (...a: unknown[]) => unknown
    view[name] = function (this: unknown, ...args: unknown[]) { bump(`libp2p ${name} ${namespaceOf(String(args[0]))}`); return original.apply(this, args) }
    originalsView[name] = original
  }
  wrap('get', a => { bump(`get ${namespaceOf(a[0] as string)}`) })
  wrap('read', a => { bump(`leveldb get ${namespaceOf(a[0] as string)}`) })
  wrap('getMany', a => { bump('getMany calls'); for (const k of a[0] as string[]) bump(`getMany key ${namespaceOf(k)}`) })
  wrap('write', a => { bump('write calls'); for (const op of a[0] as Array<{ type: string, key: string }>) bump(`${op.type} ${namespaceOf(op.key)}`) })
  wrap('list', a => { bump(`list ${namespaceOf(a[0] as string)}`) })
  wrap('scan', a => { bump(`scan ${namespaceOf(a[0] as string)}`) })
  wrap('listKeys', a => { bump(`listKeys ${namespaceOf(a[0] as string)}`) })
  return {
    take: () => { const out = counts; counts = {}; return out },
    restore: () => {
      for (const [k, f] of Object.entries(originals)) proto[k] = f
      for (const [k, f] of Object.entries(originalsView)) (EncryptedDatastore.prototype as unknown as Record<string, unknown>)[k] = f
      for (const [k, f] of Object.entries(originalsAead)) (Aes256GcmSiv.prototype as unknown as Record<string, unknown>)[k] = f
    }
  }
}

async function main (): Promise<void> {
  const { values } = parseArgs({ options: { messages: { type: 'string', default: '100' }, runs: { type: 'string', default: '2' }, profile: { type: 'boolean', default: false }, out: { type: 'string' } } })
  if (values.out === undefined) throw new Error('--out DIR is required')
  const n = Number(values.messages)
  const root = await mkdtemp(join(tmpdir(), 'cairn-bench-collect-ops-'))
  const overrides: ConfigLayer = { mailbox: { replicas: 3, depositsPerMinute: 1e9, depositBurst: 1e9 } }
  const cluster = new Cluster({ root: join(root, 'cluster'), mailbox: true, overrides })
  const users: User[] = []
  const results: Array<Record<string, unknown>> = []
  try {
    await cluster.addMany('mbx', 5)
    await cluster.warm()
    const bootstrap = cluster.online().slice(0, 3).map(addressOf)
    const make = async (name: string, encrypted: boolean): Promise<User> => {
      const dataDir = join(root, name)
      const config = peerConfig(dataDir, await stablePort(), { mailbox: false, bootstrap, overrides })
      ensureDataDir(dataDir)
      const cipher: ValueCipher | undefined = encrypted ? await createDataKey(dataDir, new TextEncoder().encode(name), { memoryKiB: 8 * 1024, iterations: 1 }) : undefined
      await CairnClient.init(config, undefined, undefined, cipher)
      const u: User = { name, client: undefined as unknown as CairnClient, peerId: '', start: async () => { u.client = await CairnClient.open({ config, log: silentLogger(), cipher }); return u.client } }
      await u.start()
      u.peerId = u.client.identity.peerId.toString()
      users.push(u)
      return u
    }
    const sender = await make('sender', false)
    const bobs = [await make('bob-plain', false), await make('bob-encrypted', true)]
    for (const b of bobs) {
      await b.client.publishBundles()
      await b.client.contactAdd('sender', sender.peerId)
      await b.client.stop()
      await sender.client.contactAdd(b.name, b.peerId)
    }
    const text = 'x'.repeat(1024)
    for (let run = 0; run < Number(values.runs); run++) {
      for (let i = 0; i < n; i++) for (const b of bobs) await sender.client.send(b.name, `${run}:${i}:${text}`.slice(0, 1024))
      for (const b of run % 2 === 0 ? bobs : [...bobs].reverse()) {
        await b.start()
        const counts = countStore()
        const open = probe(b.client.messenger.receiver as unknown as { openOne: () => Promise<unknown> }, 'openOne')
        const commit = probe(b.client.store, 'write')
        const session = values.profile ? new Session() : undefined
        if (session !== undefined) { session.connect(); await session.post('Profiler.enable'); await session.post('Profiler.setSamplingInterval', { interval: 200 }); await session.post('Profiler.start') }
        const t0 = now()
        const res = await b.client.sync()
        const syncMs = now() - t0
        if (session !== undefined) {
          const { profile } = await session.post('Profiler.stop')
          mkdirSync(values.out, { recursive: true })
          writeFileSync(join(values.out, `collect-${b.name}-${run}.cpuprofile`), JSON.stringify(profile))
          session.disconnect()
        }
        const opens = open.take()
        const writes = commit.take()
        open.restore(); commit.restore()
        const c = counts.take()
        counts.restore()
        const sum = (xs: number[]): number => xs.reduce((a, x) => a + x, 0)
        results.push({ run, name: b.name, received: res.received, syncMs: Math.round(syncMs), openMs: Math.round(sum(opens)), opens: opens.length, writeMs: Math.round(sum(writes)), writes: writes.length, openAndStoreMs: Math.round(sum(opens) + sum(writes)), counts: Object.fromEntries(Object.entries(c).sort()) })
        console.log(JSON.stringify(results.at(-1)))
        await b.client.stop()
      }
    }
  } finally {
    for (const u of users) await u.client.stop().catch(() => {})
    await cluster.stopAll()
    await rm(root, { recursive: true, force: true })
  }
  mkdirSync(values.out, { recursive: true })
  writeFileSync(join(values.out, 'collect-ops.json'), JSON.stringify({ messages: n, results }, null, 2) + '\n')
}

await main()
