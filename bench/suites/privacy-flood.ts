/**
 * What a flooder of anonymous deposits gets stored at one mailbox node, and what an honest sender
 * on another address still gets through meanwhile (the per-network budget, src/mailbox/network-budget.ts,
 * with the shipped limits). Deposits carry no PeerId worth anything, so the flooder uses many
 * identities (each under its own per-PeerId budget) from one IPv4 address, in batches of
 * DepositBatch, as fast as the node answers; the honest sender deposits one envelope at a time at
 * a steady rate, first alone and then during the flood.
 *
 * Loopback is charged per PeerId (network-budget.ts), so the flooder connects to the node over
 * this host's first non-loopback IPv4 address (its connections then arrive from that address and
 * are charged to it) and the honest sender over 127.0.0.1. Without such an address there are no rows.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { randomBytes } from 'node:crypto'
import { networkInterfaces } from 'node:os'
import { Worker } from 'node:worker_threads'
import { join } from 'node:path'
import { MailboxStatus, type Envelope } from '../../proto/cairn.js'
import { CairnClient } from '../../src/client/client.js'
import { askMailbox } from '../../src/client/mailbox/mailbox-rpc.js'
import { systemClock } from '../../src/shared/clock.js'
import { defaultConfig } from '../../src/shared/config.js'
import type { CairnNode } from '../../src/shared/node/create-node.js'
import { peerIdBytes } from '../../src/shared/peer-id.js'
import { silentLogger } from '../../src/shared/logger.js'
import { boundEnvelope } from '../../test/helpers/envelopes.js'
import { stablePort } from '../../test/helpers/ports.js'
import { peerConfig } from '../lib/cluster.js'
import { depositor } from '../lib/depositor.js'
import { row, type Row } from '../lib/report.js'
import { now, quantile } from '../lib/stats.js'
import type { FloodReport, FloodWorkerData } from './privacy-flood-worker.js'

export interface FloodOptions { floodSeconds: number, aloneSeconds: number, identities: number, batch: number, honestPerSecond: number, sealedBytes: number }

const sleep = async (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

function outsideAddress (): string | undefined {
  return Object.values(networkInterfaces()).flat().find(i => i !== undefined && i.family === 'IPv4' && !i.internal)?.address
}

export async function floodRows (root: string, o: FloodOptions): Promise<Row[]> {
  const outside = outsideAddress()
  if (outside === undefined) return []
  const [inside, port] = [await stablePort(), await stablePort()]
  const dataDir = join(root, 'flood-mailbox')
  const config = peerConfig(dataDir, inside, { mailbox: true, overrides: { listen: [`/ip4/127.0.0.1/tcp/${inside}`, `/ip4/${outside}/tcp/${port}`], mailbox: { replicasPerSubnet: 0 }, network: { allowPrivateAddresses: true } } })
  await CairnClient.init(config)
  const mailbox = await CairnClient.open({ config, log: silentLogger() })
  const hosts: Array<{ node: CairnNode, close: () => Promise<void> }> = []
  try {
    const target = mailbox.identity.peerId
    const rpc = { mailbox: { frameBytes: config.mailbox.frameBytes }, limits: config.limits }
    // two recipients: the flooder's envelopes never count against the honest sender's recipient's quota
    const someone = async (): Promise<Uint8Array<ArrayBuffer>> => peerIdBytes(peerIdFromPrivateKey(await generateKeyPair('Ed25519')))
    const [bob, victim] = [await someone(), await someone()]
    const envelope = (recipient: Uint8Array<ArrayBuffer>): Envelope => boundEnvelope({ recipient, sealed: new Uint8Array(randomBytes(o.sealedBytes)) })

    const honest = await depositor(root)
    hosts.push(honest)
    await honest.node.dial(multiaddr(`/ip4/127.0.0.1/tcp/${inside}/p2p/${target.toString()}`))
    const honestRun = async (seconds: number): Promise<{ ms: number[], sent: number, stored: number }> => {
      const out = { ms: [] as number[], sent: 0, stored: 0 }
      const end = now() + seconds * 1000
      while (now() < end) {
        const t0 = now()
        const res = await askMailbox(honest.node, rpc, target, { deposit: { envelope: envelope(bob) } }, { clock: systemClock })
        out.ms.push(now() - t0)
        out.sent++
        if (res.status === MailboxStatus.MAILBOX_OK) out.stored++
        await sleep(Math.max(0, 1000 / o.honestPerSecond - (now() - t0)))
      }
      return out
    }
    const alone = await honestRun(o.aloneSeconds)

    // the flooder in a worker thread: its own event loop, so the honest sender's times measure the
    // node, not the flooder's client work in this thread
    const worker = new Worker(new URL('./privacy-flood-worker.js', import.meta.url), { workerData: { root, address: `/ip4/${outside}/tcp/${port}/p2p/${target.toString()}`, recipient: victim, identities: o.identities, batch: o.batch, sealedBytes: o.sealedBytes } satisfies FloodWorkerData })
    let ready: () => void = () => {}
    const started = new Promise<void>(resolve => { ready = resolve })
    const report = new Promise<FloodReport>((resolve, reject) => {
      worker.on('message', (m: FloodReport | { ready: true }) => { if ('ready' in m) ready(); else resolve(m) })
      worker.once('error', reject)
    })
    await Promise.race([started, report])
    const t0 = now()
    worker.postMessage('go')
    const during = await honestRun(o.floodSeconds)
    worker.postMessage('stop')
    const seconds = (now() - t0) / 1000
    const { stored, attempted, firstRefusal, attemptedAtCut, stoppedAt } = await report
    await worker.terminate()
    const cut = firstRefusal ?? stoppedAt
    const beforeCut = stored.filter(t => t <= cut).length
    // the rate while it was cut off: from a second after the first refusal (batches admitted
    // before it are still being answered) to the stop (batches in flight then are left out)
    const from = Math.min(cut + 1000, stoppedAt)
    const afterCutPerMinute = stored.filter(t => t > from && t <= stoppedAt).length / Math.max(1e-9, (stoppedAt - from) / 1000) * 60
    const m = defaultConfig('/').mailbox
    const f = m.networkBudgetFactor
    const notes = `one node, ${o.identities} flooder identities from ${outside} (batches of ${o.batch}, ${o.sealedBytes} B each), ${Math.round(attempted / seconds)} envelopes/s attempted for ${seconds.toFixed(1)} s; honest sender on 127.0.0.1 at ${o.honestPerSecond}/s; shipped limits: ${m.depositsPerMinute}/min and a burst of ${m.depositBurst} per PeerId, ×${f} per network`
    return [
      row({ name: 'flood.storedBeforeCutoff', label: 'flooder (many identities, one IPv4 address): envelopes stored before its first refusal', unit: 'envelopes', value: beforeCut, baseline: 'the network budget\'s burst (depositBurst × networkBudgetFactor)', baselineValue: m.depositBurst * f, better: 'lower', samples: 1, stat: 'count', notes }),
      row({ name: 'flood.storedPerMinute', label: 'flooder: envelopes stored per minute after its first refusal', unit: '/min', value: afterCutPerMinute, baseline: 'the network budget\'s rate (depositsPerMinute × networkBudgetFactor)', baselineValue: m.depositsPerMinute * f, better: 'lower', samples: stored.filter(t => t > from && t <= stoppedAt).length, stat: `over ${((stoppedAt - from) / 1000).toFixed(1)} s`, notes: `cut off after ${(cut / 1000).toFixed(2)} s; ${attempted - stored.length} of ${attempted} envelopes refused` }),
      row({ name: 'flood.sentPerStored', label: 'flooder: envelopes sent per envelope stored, after its first refusal', unit: '', value: (attempted - attemptedAtCut) / Math.max(1, stored.length - beforeCut), baseline: 'the honest sender, during the flood', baselineValue: during.sent / Math.max(1, during.stored), better: 'higher', samples: stored.length - beforeCut, stat: 'ratio' }),
      row({ name: 'flood.honestStored', label: 'honest sender on another address: share of its deposits stored during the flood', unit: '%', value: 100 * during.stored / Math.max(1, during.sent), baseline: 'the same sender alone', baselineValue: 100 * alone.stored / Math.max(1, alone.sent), better: 'higher', samples: during.sent, stat: 'share' }),
      row({ name: 'flood.honestDeposit.p50', label: 'honest sender\'s deposit during the flood, p50', unit: 'ms', value: quantile(during.ms, 0.5), baseline: 'the same sender alone', baselineValue: quantile(alone.ms, 0.5), better: 'lower', samples: during.ms.length, stat: 'p50', notes: 'the flood\'s cost to others is the node\'s work answering it (every batch checked, the admitted ones fsynced)' }),
      row({ name: 'flood.honestDeposit.p99', label: 'honest sender\'s deposit during the flood, p99', unit: 'ms', value: quantile(during.ms, 0.99), baseline: 'the same sender alone', baselineValue: quantile(alone.ms, 0.99), better: 'lower', samples: during.ms.length, stat: 'p99' })
    ]
  } finally {
    for (const h of hosts) await h.close().catch(() => {})
    await mailbox.stop()
  }
}
