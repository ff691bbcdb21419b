/**
 * The simulation's smoke run: a few ordinary peers with heavy churn and short absences on a
 * ManualClock. Every message must reach its recipient's inbox exactly once (checked by id against
 * the inboxes), in both handover modes (hourly passes on every peer, and passes only where
 * something changed), with the peers in the simulation's own process and spread over worker
 * processes; the second run carries a group workload too, every group message checked at every
 * member. Each simulation is `npm run sim:smoke`'s process, read back from the summary it writes:
 * run inside this test file's process, node:test's async hook (it follows every promise to the
 * test that made it) cost the in-process run about a third more CPU time.
 */
import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import { repoRoot } from '../../bench/lib/machine.js'
import type { SimSummary } from '../../bench/sim/report.js'
import { tempRoot } from '../helpers/users.js'

const run = promisify(execFile)

// the run stops at its wall-clock budget; on a machine shared with other work (a load of 15–25 on
// 2 cores) the smoke's 3 minutes were not enough for it to reach its end, so its budget is 10
const budget = ['--minutes', '10']

/** The group workload's checks: every group message at every member it was sent to, once. */
function assertGroups (s: SimSummary): void {
  const g = s.groups
  assert.ok(g !== undefined)
  assert.equal(g.groups, 2)
  // a group with no member online at a message's time has it planned from an offline one: skipped
  assert.equal(g.sent + (g.sendFailures['sender offline'] ?? 0), g.planned, `failed: ${JSON.stringify(g.sendFailures)}`)
  assert.ok(g.sent >= 6, `group messages sent: ${g.sent}`)
  assert.ok(g.changesMade >= 1, 'a membership change was made')
  assert.ok(g.expected >= g.sent * 2, `expected deliveries: ${g.expected}`)
  assert.equal(g.delivered, g.expected, `lost: ${JSON.stringify(g.lostSample)}`)
  assert.equal(g.lost, 0)
  assert.equal(g.duplicates, 0)
  assert.equal(g.wrong, 0)
  assert.ok((g.sendRoutes.mailbox ?? 0) > 0, 'some group mail waited at mailboxes')
}

// the two-worker run carries the group workload too (one simulation instead of two: the smoke
// runs were the suite's longest tests)
const groupArgs = ['--groups', '2', '--group-size', '3-5', '--group-messages', '12', '--group-changes', '3']

for (const mode of ['changed', 'hourly']) {
  // one mode with every peer in the simulation's process, the other over two worker processes (the
  // summary counts delivery, duplicates and wrong content by id across both workers' inboxes)
  const workers = mode === 'hourly' ? ['--workers', '1'] : ['--workers', '2', ...groupArgs]
  const title = mode === 'hourly'
    ? 'sim smoke (handover hourly, one process): every message delivered exactly once'
    : 'sim smoke (handover changed, two worker processes, with groups): every message delivered exactly once; every group message reaches every member it was sent to, once, through churn and membership changes'
  // the run's own budget bounds it (plus its start and summary), not the suite's 5 minutes per test:
  // on the throttled slow machine, three files at a time, one took 228 s
  test(title, { timeout: 12 * 60_000 }, async (t) => {
    const out = await tempRoot(t, 'cairn-sim-smoke-')
    const args = ['--smoke', '--quiet', '--handover', mode, '--seed', mode === 'hourly' ? '11' : '1', ...workers, ...budget, '--out', out]
    // it exits 1 when a message was shown twice or altered: the checks below say which, so the
    // summary is read either way (and the exit code checked last); the process is killed if the
    // test is cancelled or times out
    const exit = await run(process.execPath, [join(repoRoot(), 'dist', 'bench', 'sim', 'main.js'), ...args], { maxBuffer: 16 << 20, signal: t.signal })
      .then(() => undefined, (err: Error & { code?: number | string, stderr?: string }) => err)
    const summary = join(out, 'sim-latest.json')
    assert.ok(existsSync(summary), `the simulation wrote no summary: ${String(exit)} ${exit?.stderr ?? ''}`)
    const json = JSON.parse(readFileSync(summary, 'utf8')) as { runs: SimSummary[] }
    assert.equal(json.runs.length, 1)
    const [s] = json.runs
    assert.ok(s !== undefined)
    assert.equal(s.workers, mode === 'hourly' ? 1 : 2)
    assert.ok(s.complete, 'the run finished within its budget')
    assert.equal(s.sendFailures, 0)
    assert.ok(s.sent >= 30, `sent ${s.sent}`)
    assert.equal(s.delivered, s.sent, `undelivered: ${JSON.stringify(s.undelivered)}`)
    assert.equal(s.duplicatesShown, 0)
    assert.equal(s.wrongContent, 0)
    assert.ok(s.churners >= 2 && s.events.leaves > 0 && s.events.joins > 0, 'peers actually left and came back')
    assert.ok((s.byRoute.mailbox?.count ?? 0) > 0, 'some mail waited at mailboxes')
    assert.ok(s.lookups.count > 0, 'DHT lookups were sampled')
    // every periodic sync says where its replica set came from (remembered, or why it was looked up)
    assert.equal(Object.values(s.events.syncReplicaSets).reduce((a, b) => a + b, 0), s.events.syncs, JSON.stringify(s.events.syncReplicaSets))
    // the RSS share per peer is a difference of process-wide readings, which can come out below
    // zero; the heap per peer is always there
    assert.ok(s.memory.heapPerPeerMiB > 0 && s.memory.peakRssMiB > 0, `memory sampled: ${JSON.stringify(s.memory)}`)
    for (const f of ['sim-latency-cdf.svg', 'sim-delivery-vs-churn.svg']) assert.ok(existsSync(join(out, f)), f)
    if (mode === 'changed') assertGroups(s)
    else assert.equal(s.groups, undefined)
    assert.equal(exit, undefined, `the simulation exited with an error: ${String(exit)} ${exit?.stderr ?? ''}`)
  })
}

test('a simulation stopped by SIGTERM leaves no worker running and no peers\' data dirs behind', { timeout: 2 * 60_000 }, async (t) => {
  const tmp = await tempRoot(t, 'cairn-sim-signal-')
  const out = await tempRoot(t, 'cairn-sim-signal-out-')
  // its temporary root goes where TMPDIR says: this test's own dir, looked at alone
  const child = spawn(process.execPath, [join(repoRoot(), 'dist', 'bench', 'sim', 'main.js'), '--smoke', '--quiet', '--workers', '2', '--minutes', '5', '--out', out], { env: { ...process.env, TMPDIR: tmp }, stdio: 'ignore' })
  t.after(() => { child.kill('SIGKILL') })
  const exited = new Promise<number | null>(resolve => child.once('exit', code => { resolve(code) }))
  const roots = (): string[] => readdirSync(tmp).filter(n => n.startsWith('cairn-sim-'))
  // stopped once its peers have data dirs (peer-0 holds a store)
  const until = Date.now() + 60_000
  while (!roots().some(r => existsSync(join(tmp, r, 'peer-0', 'store'))) && Date.now() < until) await new Promise(resolve => setTimeout(resolve, 100))
  assert.equal(roots().length, 1, 'the run made its temporary root')
  const workers = childrenOf(child.pid ?? assert.fail('no pid'))
  assert.equal(workers.length, 2, 'two worker processes run')
  child.kill('SIGTERM')
  assert.equal(await exited, 143, 'the run exits as a SIGTERM asks (128 + 15)')
  assert.deepEqual(roots(), [], 'the temporary root was removed')
  // a killed worker is gone once its new parent reaps it
  const gone = Date.now() + 5_000
  while (workers.some(alive) && Date.now() < gone) await new Promise(resolve => setTimeout(resolve, 100))
  assert.deepEqual(workers.filter(alive), [], 'every worker was stopped with the run')
})

/** Process ids whose parent is `pid` (Linux /proc). */
function childrenOf (pid: number): number[] {
  return readdirSync('/proc').filter(n => /^\d+$/.test(n)).flatMap(n => {
    try {
      const stat = readFileSync(`/proc/${n}/stat`, 'utf8')
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid ? [Number(n)] : []
    } catch { return [] } // gone meanwhile
  })
}

function alive (pid: number): boolean {
  try { process.kill(pid, 0) } catch { return false }
  try { return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ') } catch { return false } // a zombie is dead
}
