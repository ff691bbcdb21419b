/**
 * The per-network budgets end to end (issue 15), as root: a real `cairn mailbox` in one network
 * namespace, a flooder making a fresh PeerId per deposit or chunk upload in a second, an honest sender in a
 * third, flooders handing mail over and offering it in a fourth and fifth, each with its own
 * address on one bridge (bench/soak/links.ts). What the mailbox charges is
 * the address its libp2p connection really comes from: the flooder runs out of its network's
 * budget whatever the number of identities, and the honest sender, on another address, is not
 * touched. Skipped, saying why, without root or `ip`.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { SoakNet } from '../../bench/soak/links.js'
import { addressOf, startProc, stopProc, type Proc } from '../../bench/soak/processes.js'
import { reapOnExit } from '../../bench/lib/reap.js'
import { natSupport } from '../nat/testbed.js'

const DEPOSITOR = fileURLToPath(new URL('../nat/depositor.js', import.meta.url))
const support = natSupport()
const skip = support.ok ? false : `needs network namespaces: ${support.reason}`

interface Deposit { status: string, detail: string }

/** Run the depositor in host i's namespace; its deposits' statuses. */
async function depositFrom (net: SoakNet, i: number, args: string[]): Promise<Deposit[]> {
  const run = net.wrap(i, process.execPath, [DEPOSITOR, '--listen', (net.hosts[i] as { ip: string }).ip, ...args])
  const child = reapOnExit(spawn(run.cmd, run.args, { stdio: ['ignore', 'pipe', 'pipe'] }))
  let out = ''
  let err = ''
  child.stdout.on('data', (c: Buffer) => { out += c.toString() })
  child.stderr.on('data', (c: Buffer) => { err += c.toString() })
  const code = await new Promise<number | null>(resolve => child.on('close', resolve))
  assert.equal(code, 0, `depositor in host ${i}: ${err.slice(-1000)}`)
  return JSON.parse(out) as Deposit[]
}

test('a flooder with a fresh PeerId per deposit, chunk upload, handover or offer runs out of its network\'s budget at a real mailbox; a sender on another network is not touched', { skip, timeout: 180_000 }, async (t) => {
  const made = await SoakNet.create(5)
  assert.ok(made instanceof SoakNet, 'unavailable' in made ? made.unavailable : '')
  const net = made
  const root = await mkdtemp(join(tmpdir(), 'cairn-budget-'))
  const host0 = net.hosts[0] as { ip: string }
  const mailbox: Proc = { name: 'mbx', kind: 'mailbox', dataDir: join(root, 'mbx'), port: 4001, ip: host0.ip, wrap: (cmd, args) => net.wrap(0, cmd, args), peerId: '', paused: false, cut: false }
  // one hook, in this order: the node stops cleanly before the namespaces (and what runs in them) go
  t.after(async () => {
    await stopProc(mailbox)
    net.destroySync()
    await rm(root, { recursive: true, force: true })
  })
  // a peer may deposit 2 at once and one a minute after, and upload 64 KiB of chunks a minute; a
  // network (one address) 3 times each
  await startProc(mailbox, { CAIRN_MAILBOX_DEPOSIT_BURST: '2', CAIRN_MAILBOX_DEPOSITS_PER_MINUTE: '1', CAIRN_MAILBOX_CHUNK_BYTES_PER_MINUTE: String(64 * 1024), CAIRN_MAILBOX_NETWORK_BUDGET_FACTOR: '3' })
  // mail for the node's own key: a lone node is surely among its replicas (for another key it
  // would look for closer DHT servers first, seconds per deposit with none to ask)
  const common = ['--mailbox', addressOf(mailbox), '--recipient', mailbox.peerId]

  const flood = await depositFrom(net, 1, [...common, '--identities', '12'])
  const stored = flood.filter(d => d.status === 'MAILBOX_OK').length
  const refused = flood.filter(d => d.status === 'MAILBOX_RATE_LIMITED')
  t.diagnostic(`flooder (12 identities, one address): ${stored} stored, ${refused.length} refused`)
  assert.equal(stored, 6, 'the network\'s burst (2 × 3), however many identities the deposits come from')
  assert.equal(refused.length, 6)
  assert.ok(refused.every(d => /your network/.test(d.detail)), `refused for its network: ${refused.map(d => d.detail).join('; ')}`)

  const honest = await depositFrom(net, 2, [...common, '--identities', '1', '--each', '2'])
  assert.deepEqual(honest.map(d => d.status), ['MAILBOX_OK', 'MAILBOX_OK'], 'another address has its own budget')

  // chunks of 32 KiB, one per identity (half of what one identity may upload): only the network's
  // 192 KiB go in
  const chunk = ['--chunk-bytes', String(32 * 1024)]
  const chunkFlood = await depositFrom(net, 1, [...common, ...chunk, '--identities', '12'])
  const held = chunkFlood.filter(d => d.status === 'MAILBOX_OK').length
  t.diagnostic(`chunk flooder (12 identities × 32 KiB, one address): ${held} stored, ${chunkFlood.length - held} refused`)
  assert.equal(held, 6, 'the network\'s 192 KiB, however many identities the chunks come from')
  assert.ok(chunkFlood.slice(6).every(d => d.status === 'MAILBOX_RATE_LIMITED'), chunkFlood.map(d => d.status).join(', '))
  const honestChunks = await depositFrom(net, 2, [...common, ...chunk, '--identities', '1', '--each', '2'])
  assert.deepEqual(honestChunks.map(d => d.status), ['MAILBOX_OK', 'MAILBOX_OK'], 'another address uploads as before')

  // handing mail over, or offering it, as a holder outside the replica set: a deposit's terms, the
  // network's budget included (each from an address of its own, whose budget is still whole)
  for (const [host, as] of [[3, 'handover'], [4, 'offer']] as const) {
    const statuses = (await depositFrom(net, host, [...common, '--as', as, '--identities', '8'])).map(d => d.status)
    t.diagnostic(`${as} flooder (8 identities, one address): ${statuses.join(', ')}`)
    assert.deepEqual(statuses, [...Array(6).fill('MAILBOX_OK'), ...Array(2).fill('MAILBOX_RATE_LIMITED')], `${as}: the network's burst (2 × 3), however many identities`)
  }
})
