/**
 * Where a direct send's milliseconds go, step by step: the bench's pair (alice and bob in one
 * process, bob online, a session and a reply already behind them), and marks on one timeline at
 * each step of `send` on both sides (live objects wrapped, nothing in src/ changed). Prints, per
 * mark, the median time since the call and the median of each step's duration.
 *   node dist/bench/micro/direct-steps.js [--messages 300] [--json]
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { DirectRequest, DirectResponse } from '../../proto/cairn.js'
import { KvIdentityStore, KvSessionStore } from '../../src/client/crypto/signal-stores.js'
import { Transaction } from '../../src/shared/store.js'
import { echoChannel, serveEchoChannel } from '../lib/bare.js'
import { Cluster, directPair } from '../lib/cluster.js'
import { median, now, quantile } from '../lib/stats.js'

type Fn = (...args: unknown[]) => unknown

/** Marks of the send under way: label → [ms since its call, ms of it the event loop sat idle (waiting for I/O)]. */
let marks: Map<string, [number, number]> | undefined
let t0 = 0
let idle0 = 0

function mark (label: string): void {
  if (marks === undefined) return
  let l = label
  for (let i = 2; marks.has(l); i++) l = `${label}#${i}`
  marks.set(l, [now() - t0, performance.eventLoopUtilization().idle - idle0])
}

/** Mark the start and end of each call of `target[method]` (async or not). */
function wrap (target: object, method: string, label: string): void {
  const t = target as Record<string, Fn>
  const original = t[method]
  if (typeof original !== 'function') throw new Error(`${label}: no method ${method}`)
  t[method] = function (this: unknown, ...args: unknown[]): unknown {
    mark(`${label} >`)
    const out = original.apply(this, args)
    if (out instanceof Promise) return out.finally(() => { mark(`${label} <`) })
    mark(`${label} <`)
    return out
  }
}

/** A Mutex's run: when it was asked for, when `fn` started (the lock held), when it ended. */
function wrapLock (lock: object, label: string): void {
  const l = lock as { run: (fn: () => Promise<unknown>) => Promise<unknown> }
  const run = l.run.bind(lock)
  l.run = async (fn) => {
    mark(`${label} asked`)
    return run(async () => {
      mark(`${label} held`)
      try { return await fn() } finally { mark(`${label} released`) }
    })
  }
}

interface Row { label: string, at: number, idle: number, seen: number }

/** Every label, in the order of its median time. */
function timeline (runs: Array<Map<string, [number, number]>>): Row[] {
  const labels = new Map<string, Array<[number, number]>>()
  for (const m of runs) for (const [k, v] of m) labels.set(k, [...(labels.get(k) ?? []), v])
  return [...labels].map(([label, ts]) => ({ label, at: median(ts.map(t => t[0])), idle: median(ts.map(t => t[1])), seen: ts.length })).sort((a, b) => a.at - b.at)
}

function print (rows: Row[], n: number): void {
  console.log('      at      step  of it idle  mark')
  let prev = { at: 0, idle: 0 }
  for (const r of rows) {
    console.log(`${r.at.toFixed(3).padStart(8)} ms  +${(r.at - prev.at).toFixed(3).padStart(6)}  ${(r.idle - prev.idle).toFixed(3).padStart(6)}  ${r.label}${r.seen === n ? '' : `  (in ${r.seen} of ${n})`}`)
    prev = r
  }
}

async function main (): Promise<void> {
  const { values } = parseArgs({ options: { messages: { type: 'string', default: '300' }, json: { type: 'boolean', default: false } } })
  const n = Number(values.messages)
  const root = await mkdtemp(join(tmpdir(), 'cairn-bench-direct-steps-'))
  const cluster = new Cluster({ root, mailbox: false })
  try {
    const { alice, bob } = await directPair(cluster)
    if ((await bob.send('alice', 'hi')).route !== 'direct') throw new Error('reply did not go direct')
    const text = 'x'.repeat(1024)
    for (let i = 0; i < 5; i++) await alice.send('bob', text)

    type Inner = Record<string, unknown> & { ctx: Record<string, object> }
    const sender = alice.messenger.sender as unknown as Inner
    const receiver = bob.messenger.receiver as unknown as Inner
    wrap(sender, 'sendable', 'A sendable')
    wrap(sender, 'bundleIfNeeded', 'A bundleIfNeeded')
    wrap(sender, 'trySeal', 'A trySeal')
    wrap(sender, 'deliverEntry', 'A deliverEntry')
    wrapLock(sender.ctx.lock as object, 'A lock')
    wrap(sender.ctx.session as object, 'seal', 'A seal')
    wrap(alice.store, 'write', 'A store.write')
    // LevelDB's own batch (the thread pool's part of a write: the log append and its fsync)
    wrap((alice.store as unknown as { db: object }).db, 'batch', 'A db.batch')
    wrap((bob.store as unknown as { db: object }).db, 'batch', 'B db.batch')
    wrap(alice.messenger.deliveries, 'routed', 'A routed')
    const route = alice.messenger.routes[0] as object
    wrap(route, 'deliver', 'A route.deliver')
    wrap((route as { channels: object }).channels, 'ask', 'A channel.ask')
    wrap(bob.messenger, 'receive', 'B receive')
    wrapLock(receiver.ctx.lock as object, 'B lock')
    wrap(receiver, 'openOne', 'B openOne')
    wrap(receiver, 'afterShown', 'B afterShown')
    wrap(receiver.ctx.session as object, 'open', 'B open')
    wrap(bob.store, 'write', 'B store.write')
    wrap(bob.store, 'getMany', 'B store.getMany')
    wrap(Transaction.prototype, 'commit', 'tx.commit')
    wrap(DirectRequest, 'encode', 'A DirectRequest.encode')
    wrap(DirectRequest, 'decode', 'B DirectRequest.decode')
    wrap(DirectResponse, 'encode', 'B DirectResponse.encode')
    wrap(DirectResponse, 'decode', 'A DirectResponse.decode')
    // the bytes on loopback: written to a socket, read from one (both nodes are in this process)
    wrap(Socket.prototype, 'write', 'tcp write')
    const emit = Socket.prototype.emit
    Socket.prototype.emit = function (this: Socket, event: string | symbol, ...args: unknown[]): boolean {
      if (event === 'data') mark('tcp data')
      return Reflect.apply(emit, this, [event, ...args]) as boolean
    }
    for (const m of ['getSession', 'saveSession']) wrap(KvSessionStore.prototype, m, `signal ${m}`)
    for (const m of ['saveIdentity', 'isTrustedIdentity', 'getIdentity', 'getIdentityKeyPair', 'getLocalRegistrationId']) wrap(KvIdentityStore.prototype, m, `signal ${m}`)

    // the baseline's bytes on the same connection: an echo of the request's size on one kept-open stream
    await serveEchoChannel(bob.node as NonNullable<typeof bob.node>)
    const channel = await echoChannel(alice.node as NonNullable<typeof alice.node>, bob.identity.peerId)
    const echoes: Array<Map<string, [number, number]>> = []
    const echoTotals: number[] = []
    let frameBytes = 0
    const encode = DirectRequest.encode
    DirectRequest.encode = (v) => { const b = encode(v); frameBytes = b.length; return b }

    const all: Array<Map<string, [number, number]>> = []
    const totals: number[] = []
    for (let i = 0; i < n; i++) {
      marks = new Map()
      idle0 = performance.eventLoopUtilization().idle
      t0 = now()
      const r = await alice.send('bob', text)
      const total = now() - t0
      mark('send returned')
      if (r.route !== 'direct') throw new Error(`message ${i} went by ${r.route}`)
      // what the sender writes after the result (the entry leaving the outbox) is marked, not timed
      await alice.messenger.deliveries.settled()
      mark('bookkeeping written')
      all.push(marks)
      totals.push(total)
      marks = new Map()
      idle0 = performance.eventLoopUtilization().idle
      t0 = now()
      await channel.echo(new Uint8Array(frameBytes))
      echoTotals.push(now() - t0)
      mark('echo returned')
      echoes.push(marks)
      marks = undefined
    }
    await channel.close()
    const send = timeline(all)
    const echo = timeline(echoes)
    if (values.json) {
      console.log(JSON.stringify({ messages: n, frameBytes, send: { p50: median(totals), p90: quantile(totals, 0.9), marks: send }, echo: { p50: median(echoTotals), p90: quantile(echoTotals, 0.9), marks: echo } }))
      return
    }
    console.log(`${n} sends of 1 KiB (${frameBytes} B frame); send p50 ${median(totals).toFixed(3)} ms, p90 ${quantile(totals, 0.9).toFixed(3)} ms; kept-open echo of the frame p50 ${median(echoTotals).toFixed(3)} ms`)
    print(send, n)
    console.log('the kept-open echo:')
    print(echo, n)
  } finally {
    await cluster.stopAll()
    await rm(root, { recursive: true, force: true })
  }
}

await main()
