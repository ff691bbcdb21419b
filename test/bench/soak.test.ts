/**
 * The soak, short: real `cairn mailbox` and `cairn daemon` processes exchange messages while
 * mailbox nodes and users are SIGKILLed, restarted and paused, and (as root: each process in its
 * own network namespace) their links cut and healed; every acknowledged message must be
 * in its recipient's inbox exactly once, unaltered. (`npm run soak` is the full size.) It needs
 * real time: the faults are process signals and the daemons' own retry and sync timers.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import test from 'node:test'
import { runSoak } from '../../bench/soak/soak.js'
import { natSupport } from '../nat/testbed.js'

// bounded by its drain (3 minutes) after the sends, not the suite's 5 minutes per test: on the throttled
// slow machine, three files at a time, it took 141 s
test('soak (short): messages through killed, restarted, paused and cut-off processes arrive once each, unaltered', { timeout: 10 * 60_000 }, async (t) => {
  const namespaces = natSupport()
  if (!namespaces.ok) t.diagnostic(`links are not cut in this run (${namespaces.reason}); kills and pauses still are`)
  const root = await mkdtemp(join(tmpdir(), 'cairn-soak-test-'))
  t.after(async () => { await rm(root, { recursive: true, force: true }) })
  const r = await runSoak({ root, mailboxes: 4, users: 4, messages: 80, concurrency: 4, sendGapMs: 400, faultEveryMs: 2500, downMs: 3000, pauseMs: 2500, drainMs: 180_000, seed: 7, log: line => { t.diagnostic(line) } })
  t.diagnostic(`acknowledged ${r.acknowledged} (${JSON.stringify(r.byRoute)}), refused ${r.refused}, faults ${r.faults.map(f => `${f.action} ${f.target}`).join(', ')}`)
  assert.ok(r.faults.some(f => f.action === 'kill'), 'the schedule killed something')
  if (namespaces.ok) {
    assert.equal(r.network, 'network namespaces')
    assert.ok(r.faults.some(f => f.action === 'cut') && r.faults.some(f => f.action === 'heal'), 'the schedule cut a link and healed it')
  }
  assert.ok(r.acknowledged >= 60, `most sends were acknowledged (${r.acknowledged})`)
  assert.deepEqual(r.lost.map(l => `${l.id} ${l.why}`), [])
  assert.equal(r.duplicates, 0)
  assert.equal(r.altered, 0)
  assert.deepEqual(r.crashes.map(c => `${c.target}: ${c.stderr.slice(-300)}`), [], 'no process exited by itself')
})
