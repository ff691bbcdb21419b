/**
 * How long the receiving side takes to open a page of envelopes (Receiver.receiveMany: unseal,
 * decrypt, bind, store, one fsync), with no network: the `open` stage of a sync by itself.
 *   node dist/bench/micro/open-pages.js [--messages 1000] [--page 256] [--order sealed|random] [--profile DIR]
 *
 * `--order random` (the default: what a sync does, ids being random) opens them in outbox-id order;
 * `sealed` in the order they were sealed, which keeps no skipped message keys in the session record.
 * `openCpuMs` is the process's CPU time while opening (every thread): the robust figure on a busy machine;
 * `openMainCpuMs` the JS thread's alone (what the messenger's lock holds; LevelDB's and V8's helper threads left out).
 * `--profile DIR`: a CPU profile of the opening alone (profile-open.cpuprofile and .md in DIR), not of the sealing before it.
 * `--outer`: first, the outer sealed-sender layer alone of every envelope (`sealedSenderDecryptToUsmc`
 * with our identity key, nothing stored), timed as `outerMainCpuMs`: that layer's share of the opening.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { performance } from 'node:perf_hooks'
import { sealedSenderDecryptToUsmc } from '@signalapp/libsignal-client'
import { Envelope } from '../../proto/cairn.js'
import { signalStores } from '../../src/client/crypto/signal-stores.js'
import { CairnClient } from '../../src/client/client.js'
import { resolveConfig } from '../../src/shared/config.js'
import { silentLogger } from '../../src/shared/logger.js'
import { profiled } from '../lib/profiler.js'

const { values } = parseArgs({ options: { messages: { type: 'string', default: '1000' }, page: { type: 'string', default: '256' }, order: { type: 'string', default: 'random' }, profile: { type: 'string' }, outer: { type: 'boolean', default: false } } })
const n = Number(values.messages)
const page = Number(values.page)
const root = await mkdtemp(join(tmpdir(), 'cairn-open-'))
try {
  const open = async (name: string): Promise<CairnClient> => {
    const config = resolveConfig([{ dataDir: join(root, name), logLevel: 'silent' }])
    await CairnClient.init(config)
    return CairnClient.open({ config, log: silentLogger(), network: false })
  }
  const alice = await open('alice')
  const bob = await open('bob')
  const bundle = await bob.messenger.bundleForSender()
  const bobId = bob.identity.peerId.toString()
  await alice.contacts.add('bob', bobId, [], Date.now())
  await bob.contacts.add('alice', alice.identity.peerId.toString(), [], Date.now())
  alice.messenger.useRoutes([{ name: 'direct', takeBundle: async () => bundle, deliver: async () => ({ ok: false, code: 'unreachable', error: 'offline' }) }])
  let t0 = performance.now()
  const sent = await alice.messenger.sendMany('bob', Array.from({ length: n }, (_, i) => `message ${i} `.padEnd(1024, 'x')))
  const sealMs = performance.now() - t0
  const sealedAt = new Map(sent.map((r, i) => [r.id, i]))
  const entries = (await alice.messenger.pending()).filter(e => e.envelope !== undefined)
  if (values.order === 'sealed') entries.sort((a, b) => (sealedAt.get(a.id) ?? 0) - (sealedAt.get(b.id) ?? 0))
  const envelopes = entries.map(e => Envelope.decode(Buffer.from(e.envelope as string, 'base64')))
  let outerMainCpuMs: number | undefined
  if (values.outer) {
    const identities = signalStores(bob.store.transaction(), bob.identity.signal, bob.identity.registrationId).identities
    const outer0 = process.threadCpuUsage()
    for (const e of envelopes) await sealedSenderDecryptToUsmc(new Uint8Array(e.sealed), identities)
    const outer = process.threadCpuUsage(outer0)
    outerMainCpuMs = Math.round((outer.user + outer.system) / 1000)
  }
  t0 = performance.now()
  const cpu0 = process.cpuUsage()
  const main0 = process.threadCpuUsage()
  let stored = 0
  const openAll = async (): Promise<void> => {
    for (let i = 0; i < envelopes.length; i += page) {
      const r = await bob.messenger.receiveMany(envelopes.slice(i, i + page), 'mailbox')
      stored += r.filter(s => s === 'stored').length
    }
  }
  if (values.profile === undefined) await openAll()
  else await profiled('open', values.profile, openAll)
  const openMs = performance.now() - t0
  // CPU of the whole process (LevelDB's threads included): the figure a loaded machine does not blur
  const cpu = process.cpuUsage(cpu0)
  const main = process.threadCpuUsage(main0)
  const openMainCpuMs = (main.user + main.system) / 1000
  const openCpuMs = (cpu.user + cpu.system) / 1000
  console.log(JSON.stringify({ order: values.order, messages: n, sealed: envelopes.length, stored, sealMs: Math.round(sealMs), openMs: Math.round(openMs), openPerMessageMs: +(openMs / n).toFixed(3), openCpuMs: Math.round(openCpuMs), openCpuPerMessageMs: +(openCpuMs / n).toFixed(3), openMainCpuMs: Math.round(openMainCpuMs), ...(outerMainCpuMs === undefined ? {} : { outerMainCpuMs }) }))
  await alice.stop()
  await bob.stop()
} finally {
  await rm(root, { recursive: true, force: true })
}
