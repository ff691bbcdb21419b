/**
 * `npm run soak`: the soak with faults (bench/soak/soak.ts) at full size by default — 8 mailbox
 * nodes, 20 users, 100,000 messages, a fault every ~5 s — printing a summary, the fault log and
 * every message not delivered. Exit code 1 if anything acknowledged was lost, duplicated or altered.
 * As root every process runs in its own network namespace and the faults include cut links
 * (`--loopback`: all on 127.0.0.1, no cuts).
 *
 *   node dist/bench/soak/main.js [--mailboxes 8] [--users 20] [--messages 100000] [--concurrency 16]
 *                                [--fault-every-ms 5000] [--down-ms 8000] [--pause-ms 6000]
 *                                [--cut-ms 6000] [--loopback] [--seed 1]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { simpleTable } from '../lib/report.js'
import { toolArgs } from '../lib/tool-args.js'

const USAGE = `
node dist/bench/soak/main.js [--mailboxes 8] [--users 20] [--messages 100000] [--concurrency 16]
                             [--fault-every-ms 5000] [--down-ms 8000] [--pause-ms 6000] [--cut-ms 6000]
                             [--loopback] [--drain-ms 600000] [--seed 1] [--keep]
(bench/soak/main.ts and docs/BENCHMARKS.md say what each does)`

const values = toolArgs(USAGE, {
  mailboxes: { type: 'string', default: '8' },
  users: { type: 'string', default: '20' },
  messages: { type: 'string', default: '100000' },
  concurrency: { type: 'string', default: '16' },
  'fault-every-ms': { type: 'string', default: '5000' },
  'down-ms': { type: 'string', default: '8000' },
  'pause-ms': { type: 'string', default: '6000' },
  'cut-ms': { type: 'string', default: '6000' },
  loopback: { type: 'boolean', default: false },
  'drain-ms': { type: 'string', default: '600000' },
  seed: { type: 'string', default: '1' },
  keep: { type: 'boolean', default: false }
})
// loaded once the options are read: `--help` and a mistyped option answer without loading libp2p
const { runSoak } = await import('./soak.js')
const root = mkdtempSync(join(tmpdir(), 'cairn-soak-'))
const log = (line: string): void => { process.stderr.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}\n`) }
try {
  const r = await runSoak({
    root,
    mailboxes: Number(values.mailboxes),
    users: Number(values.users),
    messages: Number(values.messages),
    concurrency: Number(values.concurrency),
    faultEveryMs: Number(values['fault-every-ms']),
    downMs: Number(values['down-ms']),
    pauseMs: Number(values['pause-ms']),
    cutMs: Number(values['cut-ms']),
    linkCuts: !values.loopback,
    drainMs: Number(values['drain-ms']),
    seed: Number(values.seed),
    log
  })
  const count = (a: string): number => r.faults.filter(f => f.action === a).length
  console.log(simpleTable(['figure', 'value'], [
    ['messages attempted', r.attempted],
    ['acknowledged to the sender', r.acknowledged],
    ['… by route', Object.entries(r.byRoute).map(([k, v]) => `${k} ${v}`).join(', ')],
    ['refused (sender\'s daemon killed mid-call)', r.refused],
    ['delivered, checked by id', r.delivered],
    ['lost', r.lost.length],
    ['duplicates shown', r.duplicates],
    ['altered content', r.altered],
    ['faults: kills / restarts / pauses / link cuts', `${count('kill')} / ${count('restart')} / ${count('pause')} / ${count('cut')}`],
    ['processes that exited by themselves', r.crashes.length],
    ['network', r.network],
    ['send phase, s', Math.round(r.sendMs / 1000)],
    ['drain, s', Math.round(r.drainMs / 1000)]
  ]))
  console.log('\nfault log (ms from start):')
  for (const f of r.faults) console.log(`  ${f.atMs}\t${f.action}\t${f.target}`)
  for (const c of r.crashes) console.log(`\n${c.target} exited by itself at ${c.atMs} ms (code ${String(c.code)}, signal ${String(c.signal)}); the end of its stderr:\n${c.stderr}`)
  if (r.lost.length > 0) {
    console.log('\nnot delivered:')
    for (const l of r.lost.slice(0, 200)) console.log(`  ${l.id} ${l.to}: ${l.why}`)
  }
  process.exitCode = r.lost.length > 0 || r.duplicates > 0 || r.altered > 0 || r.crashes.length > 0 ? 1 : 0
} finally {
  if (values.keep) log(`data dirs kept in ${root}`)
  else rmSync(root, { recursive: true, force: true })
}
