/**
 * The simulation's smoke run: a few ordinary peers with heavy churn and short absences on a
 * ManualClock. Every message must reach its recipient's inbox exactly once (checked by id against
 * the inboxes), in both handover modes (hourly passes on every peer, and passes only where
 * something changed).
 */
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { main } from '../../bench/sim/main.js'
import { tempRoot } from '../helpers/users.js'

for (const mode of ['changed', 'hourly']) {
  test(`sim smoke (handover ${mode}): every message delivered exactly once`, async (t) => {
    const out = await tempRoot(t, 'cairn-sim-smoke-')
    const [s] = await main(['--smoke', '--quiet', '--handover', mode, '--seed', mode === 'hourly' ? '11' : '7', '--out', out])
    assert.ok(s !== undefined)
    assert.ok(s.complete, 'the run finished within its budget')
    assert.equal(s.sendFailures, 0)
    assert.ok(s.sent >= 30, `sent ${s.sent}`)
    assert.equal(s.delivered, s.sent, `undelivered: ${JSON.stringify(s.undelivered)}`)
    assert.equal(s.duplicatesShown, 0)
    assert.equal(s.wrongContent, 0)
    assert.ok(s.churners >= 2 && s.events.leaves > 0 && s.events.joins > 0, 'peers actually left and came back')
    assert.ok((s.byRoute.mailbox?.count ?? 0) > 0, 'some mail waited at mailboxes')
    assert.ok(s.lookups.count > 0, 'DHT lookups were sampled')
    // the RSS share per peer is a difference of process-wide readings, which an earlier test in the
    // same process can push below zero; the heap per peer is always there
    assert.ok(s.memory.heapPerPeerMiB > 0 && s.memory.peakRssMiB > 0, `memory sampled: ${JSON.stringify(s.memory)}`)
    const json = JSON.parse(readFileSync(join(out, 'sim-latest.json'), 'utf8')) as { runs: unknown[] }
    assert.equal(json.runs.length, 1)
    for (const f of ['sim-latency-cdf.svg', 'sim-delivery-vs-churn.svg']) assert.ok(existsSync(join(out, f)), f)
  })
}
