/**
 * NAT traversal benchmark: N attempts per NAT variant, each on a fresh test bed (test/nat/testbed.ts)
 * with fresh processes: a `cairn mailbox` relay on the public segment and two `cairn daemon`s behind
 * their own NAT routers (test/nat/cairn-bed.ts). Needs root.
 *
 *   npm run nat-bench -- --json                    (npm prints its banner first; `npm run -s` omits it)
 *   node dist/bench/nat/nat-bench.js [--json] [--attempts 20] [--variants a,b,c] [--deadline-ms 6000] [--out FILE]
 *                                [--keep-logs DIR] [--debug 'libp2p:dcutr*'] [--experiment NAME]
 *
 * One attempt: alice sends bob a message (which opens the relayed connection that DCUtR tries to
 * upgrade), her daemon's status is polled until it holds an unlimited, unrelayed connection to
 * bob's router or the deadline passes, then she sends a second message. Counted per variant:
 *  - direct:    the hole punch produced a direct connection (remote address = bob's router WAN IP);
 *  - relayed:   no direct connection, but both messages went to bob himself over the relay;
 *  - delivered: both messages reached bob's inbox exactly once, by whatever route (the mailbox
 *               included: when they are not there within 5 s, alice and bob sync once);
 *  - medianMsToDirect: from the start of the first send (peer lookup, relayed dial, DCUtR) to the
 *               first status poll (every 20 ms) that shows the direct connection.
 * Progress goes to stderr; with --json, stdout carries only the JSON document.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { setTimeout as sleep } from 'node:timers/promises'
import type { ClientApi } from '../../src/client/api.js'
import type { SendResult } from '../../src/client/delivery.js'
import { DIAL_PORT, directConnection, settle, startCairnNat, waitFor, type CairnNat } from '../../test/nat/cairn-bed.js'
import { natSupport, VARIANTS, type Variant } from '../../test/nat/testbed.js'

interface Attempt {
  direct: boolean
  msToDirect: number | null
  /** Where the direct connection went: remote address. */
  directAddr?: string
  routes: Array<SendResult['route']>
  delivered: boolean
  relayed: boolean
  error?: string
  ms: number
}

interface VariantResult {
  description: string
  attempts: number
  direct: number
  relayed: number
  delivered: number
  medianMsToDirect: number | null
  /** Attempts in which at least one message took the mailbox (delivered later by sync). */
  mailbox: number
  errors: string[]
  msToDirect: number[]
}

function median (xs: number[]): number | null {
  if (xs.length === 0) return null
  const v = [...xs].sort((a, b) => a - b)
  const m = v.length >> 1
  return v.length % 2 === 1 ? v[m] as number : Math.round(((v[m - 1] as number) + (v[m] as number)) / 2)
}

/**
 * Changes to the bed tried to raise direct connections in variants b and c (--experiment NAME).
 * They are not something Cairn can do by itself: each needs root on the user's machine or router.
 */
const EXPERIMENTS: Record<string, (nat: CairnNat) => Promise<void>> = {
  // Each host ignores RSTs arriving at its dial port, so the RST a router sends back for the first
  // punch SYN does not abort the connect(); the SYN is retransmitted after the other side's SYN
  // has opened the mapping (variant b).
  'host-drop-rst': async nat => {
    for (const h of [nat.bed.hosts.a, nat.bed.hosts.b]) {
      await nat.bed.exec(h.ns, ['iptables', '-w', '-A', 'INPUT', '-p', 'tcp', '--dport', String(DIAL_PORT), '--tcp-flags', 'RST', 'RST', '-j', 'DROP'])
    }
  }
}

const progress = (line: string): void => { process.stderr.write(line + '\n') }

async function attempt (variant: Variant, deadlineMs: number, keepLogs: string | undefined, debug: string | undefined, experiment: string | undefined, tag: string): Promise<Attempt> {
  const started = Date.now()
  let nat: CairnNat | undefined
  const result: Attempt = { direct: false, msToDirect: null, routes: [], delivered: false, relayed: false, ms: 0 }
  try {
    nat = await startCairnNat({ variant, ...(debug === undefined ? {} : { debug }) })
    const { alice, bob } = nat
    if (experiment !== undefined) await EXPERIMENTS[experiment]?.(nat)
    await Promise.all([alice.startDaemon(), bob.startDaemon()])
    await settle(nat)
    const a: ClientApi = await alice.api()
    const b: ClientApi = await bob.api()

    const t0 = performance.now()
    const first = a.send('bob', `${tag} first`)
    // watch for the punch while the first send is in flight: DCUtR starts as soon as the relayed
    // connection opens, which is part of that send
    const direct = waitFor(async () => directConnection(await a.status(), bob), deadlineMs, 20)
      .then(c => { if (c !== undefined) { result.msToDirect = Math.round(performance.now() - t0); result.directAddr = c.remoteAddr } return c })
    const r1 = await first
    const conn = await direct
    result.direct = conn !== undefined
    const r2 = await a.send('bob', `${tag} second`)
    result.routes = [r1.route, r2.route]
    result.relayed = !result.direct && result.routes.every(r => r === 'direct')

    const ids = [r1.id, r2.id]
    const arrived = async (): Promise<true | undefined> => {
      const box = await b.inbox()
      return ids.every(id => box.filter(m => m.id === id).length === 1) ? true : undefined
    }
    let ok = await waitFor(arrived, 5_000, 100)
    if (ok === undefined) {
      // not there yet: alice sends what her outbox holds, bob collects from his mailbox
      await a.sync()
      await b.sync()
      ok = await waitFor(arrived, 5_000, 100)
    }
    result.delivered = ok === true
  } catch (err) {
    result.error = (err as Error).message.split('\n')[0] ?? String(err)
  } finally {
    if (nat !== undefined) {
      if (keepLogs !== undefined && (result.error !== undefined || !result.delivered || result.routes.includes('mailbox') || (variant === 'a' && !result.direct))) {
        mkdirSync(keepLogs, { recursive: true })
        writeFileSync(join(keepLogs, `${tag}.log`), nat.logs())
      }
      await nat.destroy()
    }
    result.ms = Date.now() - started
  }
  return result
}

async function main (): Promise<number> {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      attempts: { type: 'string', default: '20' },
      variants: { type: 'string', default: 'a,b,c' },
      'deadline-ms': { type: 'string', default: '6000' },
      out: { type: 'string' },
      'keep-logs': { type: 'string' },
      debug: { type: 'string' },
      experiment: { type: 'string' }
    }
  })
  const attempts = Number(values.attempts)
  const deadlineMs = Number(values['deadline-ms'])
  const variants = values.variants.split(',').map(v => v.trim()) as Variant[]
  if (!Number.isInteger(attempts) || attempts < 1) throw new Error('--attempts must be a whole number >= 1')
  if (!Number.isFinite(deadlineMs) || deadlineMs < 0) throw new Error('--deadline-ms must be a number >= 0')
  for (const v of variants) if (VARIANTS[v] === undefined) throw new Error(`unknown variant ${v}; use a, b, c`)
  if (values.experiment !== undefined && EXPERIMENTS[values.experiment] === undefined) throw new Error(`unknown experiment ${values.experiment}; one of ${Object.keys(EXPERIMENTS).join(', ')}`)

  const support = natSupport()
  if (!support.ok) {
    const doc = { skipped: support.reason }
    process.stdout.write(JSON.stringify(doc, null, 2) + '\n')
    return 2
  }

  const report: Partial<Record<Variant, VariantResult>> = {}
  for (const variant of variants) {
    const r: VariantResult = { description: VARIANTS[variant].description, attempts: 0, direct: 0, relayed: 0, delivered: 0, medianMsToDirect: null, mailbox: 0, errors: [], msToDirect: [] }
    report[variant] = r
    for (let i = 1; i <= attempts; i++) {
      const a = await attempt(variant, deadlineMs, values['keep-logs'], values.debug, values.experiment, `${variant}-${i}`)
      r.attempts++
      if (a.direct) r.direct++
      if (a.relayed) r.relayed++
      if (a.delivered) r.delivered++
      if (a.routes.includes('mailbox')) r.mailbox++
      if (a.msToDirect !== null) r.msToDirect.push(a.msToDirect)
      if (a.error !== undefined) r.errors.push(`${i}: ${a.error}`)
      progress(`${variant} ${String(i).padStart(2)}/${attempts} ${a.direct ? `direct ${a.msToDirect} ms` : 'no direct'} routes=${a.routes.join(',') || '-'} delivered=${a.delivered}` +
        `${a.error !== undefined ? ` ERROR ${a.error}` : ''} (${(a.ms / 1000).toFixed(1)} s)`)
      await sleep(100)
    }
    r.medianMsToDirect = median(r.msToDirect)
  }

  const text = JSON.stringify(report, null, 2)
  if (values.out !== undefined) writeFileSync(values.out, text + '\n')
  if (values.json) process.stdout.write(text + '\n')
  else {
    process.stdout.write('variant  attempts  direct  relayed  delivered  median ms to direct\n')
    for (const [v, r] of Object.entries(report)) {
      process.stdout.write(`${v.padEnd(8)} ${String(r.attempts).padStart(8)} ${String(r.direct).padStart(7)} ${String(r.relayed).padStart(8)} ${String(r.delivered).padStart(10)}  ${r.medianMsToDirect ?? '-'}\n`)
    }
  }
  return 0
}

main().then(code => { process.exitCode = code }, (err: unknown) => {
  process.stderr.write(`nat-bench: ${(err as Error).stack ?? String(err)}\n`)
  process.exitCode = 1
})
