/**
 * The flooder of privacy-flood.ts, in a worker thread: `identities` bare hosts with fresh keys,
 * all connected to the mailbox node over one address, each keeping one DepositBatch in flight
 * from 'go' to 'stop'. Reports when each stored envelope's answer came (ms after 'go'), how many
 * envelopes it sent, and when the first refusal for its network's budget came.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { randomBytes } from 'node:crypto'
import { parentPort, workerData } from 'node:worker_threads'
import { MailboxStatus } from '../../proto/cairn.js'
import { askMailbox } from '../../src/client/mailbox/mailbox-rpc.js'
import { systemClock } from '../../src/shared/clock.js'
import { defaultConfig } from '../../src/shared/config.js'
import { peerIdFromString } from '@libp2p/peer-id'
import { boundEnvelope } from '../../test/helpers/envelopes.js'
import { now } from '../lib/stats.js'
import { depositor } from '../lib/depositor.js'

export interface FloodWorkerData { root: string, address: string, recipient: Uint8Array<ArrayBuffer>, identities: number, batch: number, sealedBytes: number }
export interface FloodReport { stored: number[], attempted: number, attemptedAtCut: number, firstRefusal: number | undefined, stoppedAt: number }

async function main (): Promise<void> {
  const d = workerData as FloodWorkerData
  const port = parentPort
  if (port === null) return
  const config = defaultConfig('/')
  const rpc = { mailbox: { frameBytes: config.mailbox.frameBytes }, limits: config.limits }
  let t0 = now()
  const target = peerIdFromString(d.address.split('/p2p/')[1] as string)
  const hosts = await Promise.all(Array.from({ length: d.identities }, async () => depositor(d.root)))
  for (const h of hosts) await h.node.dial(multiaddr(d.address))
  let flooding = true
  let stoppedAt = 0
  port.on('message', m => { if (m === 'stop') { flooding = false; stoppedAt = now() - t0 } })
  port.postMessage({ ready: true })
  await new Promise<void>(resolve => port.once('message', () => { resolve() }))
  const report: Omit<FloodReport, 'stoppedAt'> = { stored: [], attempted: 0, attemptedAtCut: 0, firstRefusal: undefined }
  t0 = now()
  await Promise.all(hosts.map(async h => {
    while (flooding) {
      const envelopes = Array.from({ length: d.batch }, () => boundEnvelope({ recipient: new Uint8Array(d.recipient), sealed: new Uint8Array(randomBytes(d.sealedBytes)) }))
      report.attempted += d.batch
      const res = await askMailbox(h.node, rpc, target, { depositBatch: { envelopes } }, { clock: systemClock }).catch(() => undefined)
      const at = now() - t0
      for (const s of res?.deposited ?? []) {
        if (s.status === MailboxStatus.MAILBOX_OK) report.stored.push(at)
        else if (s.status === MailboxStatus.MAILBOX_RATE_LIMITED && report.firstRefusal === undefined) { report.firstRefusal = at; report.attemptedAtCut = report.attempted }
      }
    }
  }))
  for (const h of hosts) await h.close().catch(() => {})
  port.postMessage({ ...report, stoppedAt } satisfies FloodReport)
}

await main()
