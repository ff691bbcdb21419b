/**
 * A file sent to a group whose members are all offline (each member's own copy, its chunks stored
 * at that member's k = 3 replicas: attachments/index.ts sendToGroup, a few members at a time),
 * against the same file sent 1:1 to each member in turn (what a user would do without it). Real
 * mailbox nodes on loopback in this process (quotas and the per-uploader rate raised out of the
 * way), real LevelDB, real libsignal; wall time and process CPU (the nodes' included) of each send,
 * alternated, median of runs.
 *   node dist/bench/micro/group-file.js [--members 5] [--mib 16] [--runs 3]
 */
import type { TestContext } from 'node:test'
import { parseArgs } from 'node:util'
import { mailboxNetwork } from '../../test/helpers/network.js'
import { randomFile } from '../../test/helpers/random-file.js'
import { makeUser, tempRoot, type TestUser } from '../../test/helpers/users.js'

const { values } = parseArgs({ options: { members: { type: 'string', default: '5' }, mib: { type: 'string', default: '16' }, runs: { type: 'string', default: '3' } } })
const n = Number(values.members)
const mib = Number(values.mib)
const runs = Number(values.runs)

/** What the test helpers ask of a test: cleanups run at the end, diagnostics dropped. */
const cleanups: Array<() => Promise<void>> = []
const t = { after: (fn: () => Promise<void>) => { cleanups.unshift(fn) }, diagnostic: () => {} } as unknown as TestContext

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number

async function timed (fn: () => Promise<void>): Promise<{ ms: number, cpuMs: number }> {
  const t0 = performance.now()
  const c0 = process.cpuUsage()
  await fn()
  const c = process.cpuUsage(c0)
  return { ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 }
}

try {
  const root = await tempRoot(t, 'cairn-bench-group-file-')
  // room for every run's copies, and no per-uploader rate limit in the way (both sends alike)
  const GiB = 1024 * 1024 * 1024
  const net = await mailboxNetwork(t, root, 5, { overrides: { mailbox: { replicas: 3, maxBytesPerRecipient: GiB, maxTotalBytes: 4 * GiB, depositBytesPerMinute: GiB } } })
  const overrides = { bootstrap: net.bootstrap, mailbox: { replicas: 3 }, attachments: { replicas: 3 } }
  const users = await Promise.all(['alice', ...Array.from({ length: n }, (_, i) => `m${i + 1}`)].map(async name => makeUser(t, root, name, { overrides }))) as TestUser[]
  for (const u of users) await u.client.publishBundles()
  const [alice, ...members] = users as [TestUser, ...TestUser[]]
  for (const [i, m] of members.entries()) await alice.client.contactAdd(`m${i + 1}`, m.peerId)
  for (const m of members) await m.stop()
  await alice.client.groupCreate('g', members.map((_, i) => `m${i + 1}`))
  const { path } = await randomFile(root, 'file.bin', mib * 1024 * 1024)
  const group: Array<{ ms: number, cpuMs: number }> = []
  const oneByOne: Array<{ ms: number, cpuMs: number }> = []
  for (let r = 0; r < runs; r++) {
    group.push(await timed(async () => {
      const [res] = await alice.client.sendFiles('@g', [path], '')
      if (res?.route !== 'mailbox' || res.error !== undefined) throw new Error(`group send: ${res?.route ?? 'none'} ${res?.error ?? ''}`)
    }))
    oneByOne.push(await timed(async () => {
      for (let i = 1; i <= n; i++) {
        const [res] = await alice.client.sendFiles(`m${i}`, [path], '')
        if (res?.route !== 'mailbox' || res.error !== undefined) throw new Error(`1:1 send: ${res?.route ?? 'none'} ${res?.error ?? ''}`)
      }
    }))
  }
  const row = (figure: string, a: number, b: number, unit: string): string => `| ${figure} | ${a.toFixed(0)} ${unit} | ${b.toFixed(0)} ${unit} | ${(a / b).toFixed(3)}× | ${runs} |`
  console.log(`# ${mib} MiB file to ${n} offline members (k = 3, 5 mailbox nodes in this process)\n`)
  console.log('| figure | to @group | the same file 1:1 to each member in turn | ratio | n |')
  console.log('| --- | ---: | ---: | ---: | ---: |')
  console.log(row('wall time, send → every member\'s chunks stored (median)', median(group.map(x => x.ms)), median(oneByOne.map(x => x.ms)), 'ms'))
  console.log(row('process CPU, nodes included (median)', median(group.map(x => x.cpuMs)), median(oneByOne.map(x => x.cpuMs)), 'ms'))
} finally {
  for (const fn of cleanups) await fn().catch(() => {})
}
process.exit(0)
