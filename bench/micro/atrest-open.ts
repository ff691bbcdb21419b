/**
 * What encryption at rest costs the collect's open stage, without the network: each round, one
 * sender seals N messages for a plain and for an encrypted recipient, and each recipient opens its
 * N (Receiver.receiveMany in pages, as a sync does: unseal, decrypt, bind, store, one fsync per
 * page). The two recipients alternate (plain first in even rounds, encrypted first in odd ones),
 * and every round gives a ratio, encrypted over plain, of the process's CPU time (every thread:
 * LevelDB's included) and of the wall time of that stage. The median and spread of those per-round
 * ratios are the figure; two runs of the same code should agree within a few percent. With
 * --profile DIR, a CPU profile of each recipient's open stage per round is written there
 * (summarise with dist/bench/profile-summary.js); --counts adds per-message counts of the
 * at-rest cipher's AES-256-GCM-SIV calls, bytes sealed and the time spent in its own calls.
 *   node dist/bench/micro/atrest-open.js [--messages 1000] [--page 256] [--rounds 8] [--profile DIR] [--counts] [--out DIR]
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { Session } from 'node:inspector/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { Aes256GcmSiv } from '@signalapp/libsignal-client'
import { Envelope } from '../../proto/cairn.js'
import { CairnClient } from '../../src/client/client.js'
import { createDataKey, KeyCipher, ValueCipher } from '../../src/shared/at-rest/index.js'
import { resolveConfig } from '../../src/shared/config.js'
import { ensureDataDir } from '../../src/shared/data-dir.js'
import { silentLogger } from '../../src/shared/logger.js'
import { median, quantile } from '../lib/stats.js'

const { values } = parseArgs({ options: { messages: { type: 'string', default: '1000' }, page: { type: 'string', default: '256' }, rounds: { type: 'string', default: '8' }, profile: { type: 'string' }, counts: { type: 'boolean', default: false }, out: { type: 'string' } } })
const n = Number(values.messages)
const page = Number(values.page)
const rounds = Number(values.rounds)

/**
 * AES-256-GCM-SIV calls and the bytes they took, and the time spent in the at-rest layer's own
 * calls (ValueCipher and KeyCipher seal/open: synchronous, so their wall time is CPU unless the
 * thread is preempted), while counting.
 */
const aes = { encrypt: 0, decrypt: 0, encryptBytes: 0, decryptBytes: 0, atRestMs: 0 }
if (values.counts) {
  const proto = Aes256GcmSiv.prototype as unknown as Record<'encrypt' | 'decrypt', (data: Uint8Array, ...rest: unknown[]) => Uint8Array>
  for (const name of ['encrypt', 'decrypt'] as const) {
    const original = proto[name]
    proto[name] = function (this: unknown, data: Uint8Array, ...rest: unknown[]) { aes[name]++; aes[`${name}Bytes`] += data.length; return original.call(this, data, ...rest) }
  }
  for (const cls of [ValueCipher, KeyCipher]) {
    const methods = cls.prototype as unknown as Record<'seal' | 'open', (...args: unknown[]) => unknown>
    for (const name of ['seal', 'open'] as const) {
      const original = methods[name]
      methods[name] = function (this: unknown, ...args: unknown[]) {
        const t0 = performance.now()
        try { return original.apply(this, args) } finally { aes.atRestMs += performance.now() - t0 }
      }
    }
  }
}

const root = await mkdtemp(join(tmpdir(), 'cairn-atrest-open-'))
try {
  const open = async (name: string, encrypted: boolean): Promise<CairnClient> => {
    const dataDir = join(root, name)
    const config = resolveConfig([{ dataDir, logLevel: 'silent' }])
    ensureDataDir(dataDir)
    // the KDF runs once per open; its cost is not what is measured here
    const cipher = encrypted ? await createDataKey(dataDir, new TextEncoder().encode(name), { memoryKiB: 8 * 1024, iterations: 1 }) : undefined
    await CairnClient.init(config, undefined, undefined, cipher)
    return CairnClient.open({ config, log: silentLogger(), network: false, cipher })
  }
  const alice = await open('alice', false)
  const bobs = { plain: await open('bob-plain', false), encrypted: await open('bob-encrypted', true) }
  const routes = new Map<string, Awaited<ReturnType<CairnClient['messenger']['bundleForSender']>>>()
  for (const [name, bob] of Object.entries(bobs)) {
    routes.set(bob.identity.peerId.toString(), await bob.messenger.bundleForSender())
    await alice.contacts.add(name, bob.identity.peerId.toString(), [], Date.now())
    await bob.contacts.add('alice', alice.identity.peerId.toString(), [], Date.now())
  }
  alice.messenger.useRoutes([{ name: 'direct', takeBundle: async (peer) => routes.get(peer.toString()), deliver: async () => ({ ok: false, code: 'unreachable', error: 'offline' }) }])
  const rows: Array<{ round: number, variant: string, openMs: number, cpuMs: number, stored: number, aes?: typeof aes }> = []
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? ['plain', 'encrypted'] as const : ['encrypted', 'plain'] as const
    const envelopes: Record<string, Envelope[]> = {}
    for (const name of order) {
      const sent = new Set((await alice.messenger.sendMany(name, Array.from({ length: n }, (_, i) => `${round}:${i} `.padEnd(1024, 'x')))).map(r => r.id))
      // outbox order: by id, random, as a mailbox hands them over
      envelopes[name] = (await alice.messenger.pending()).filter(e => sent.has(e.id) && e.envelope !== undefined).map(e => Envelope.decode(Buffer.from(e.envelope as string, 'base64')))
    }
    for (const name of order) {
      const list = envelopes[name] ?? []
      const bob = bobs[name]
      const session = values.profile === undefined ? undefined : new Session()
      if (session !== undefined) { session.connect(); await session.post('Profiler.enable'); await session.post('Profiler.setSamplingInterval', { interval: 200 }); await session.post('Profiler.start') }
      Object.assign(aes, { encrypt: 0, decrypt: 0, encryptBytes: 0, decryptBytes: 0, atRestMs: 0 })
      const t0 = performance.now()
      const cpu0 = process.cpuUsage()
      let stored = 0
      for (let i = 0; i < list.length; i += page) stored += (await bob.messenger.receiveMany(list.slice(i, i + page), 'mailbox')).filter(s => s === 'stored').length
      const cpu = process.cpuUsage(cpu0)
      const openMs = performance.now() - t0
      const counted = values.counts ? { ...aes } : undefined
      if (session !== undefined && values.profile !== undefined) {
        const { profile } = await session.post('Profiler.stop')
        mkdirSync(values.profile, { recursive: true })
        writeFileSync(join(values.profile, `open-${name}-${round}.cpuprofile`), JSON.stringify(profile))
        session.disconnect()
      }
      if (stored !== n) throw new Error(`${name} stored ${stored} of ${n}`)
      rows.push({ round, variant: name, openMs, cpuMs: (cpu.user + cpu.system) / 1000, stored, ...(counted === undefined ? {} : { aes: counted }) })
      console.log(JSON.stringify(rows.at(-1)))
    }
  }
  const ratios = (k: 'openMs' | 'cpuMs'): number[] => Array.from({ length: rounds }, (_, r) => {
    const of = (v: string): number => rows.find(x => x.round === r && x.variant === v)?.[k] ?? NaN
    return of('encrypted') / of('plain')
  })
  const spread = (xs: number[]): { median: number, min: number, max: number, p25: number, p75: number } => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs), p25: quantile(xs, 0.25), p75: quantile(xs, 0.75) })
  const summary = {
    messages: n,
    page,
    rounds,
    cpuRatio: spread(ratios('cpuMs')),
    wallRatio: spread(ratios('openMs')),
    cpuPerMessageMs: Object.fromEntries(Object.keys(bobs).map(v => [v, median(rows.filter(x => x.variant === v).map(x => x.cpuMs)) / n])),
    wallPerMessageMs: Object.fromEntries(Object.keys(bobs).map(v => [v, median(rows.filter(x => x.variant === v).map(x => x.openMs)) / n]))
  }
  console.log(JSON.stringify(summary))
  if (values.out !== undefined) {
    mkdirSync(values.out, { recursive: true })
    writeFileSync(join(values.out, 'atrest-open.json'), JSON.stringify({ summary, rows }, null, 2) + '\n')
  }
  await alice.stop()
  for (const bob of Object.values(bobs)) await bob.stop()
} finally {
  await rm(root, { recursive: true, force: true })
}
