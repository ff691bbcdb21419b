/**
 * Why a queued message waits: read from its outbox entry (waitReason), joined into the delivery
 * log's view of what we sent (withWaiting), and shown (stateText).
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { stateText } from '../../src/client/cli/delivery-line.js'
import { summarise, type SentMessage } from '../../src/client/messaging/delivery-log.js'
import { withWaiting } from '../../src/client/messaging/waiting.js'
import { waitReason, type OutboxEntry } from '../../src/client/outbox.js'

const entry = (o: Partial<OutboxEntry>): OutboxEntry => ({ id: 'e', to: 'bob', createdAt: 1, attempts: 0, ...o })

test('an outbox entry says why it waits: why it could not be sealed, else a route that failed it; nothing tried yet, or a receipt, says nothing', () => {
  assert.equal(waitReason(entry({ text: 'hi', waiting: 'keys' })), 'keys')
  assert.equal(waitReason(entry({ body: 'AA==', waiting: 'identity' })), 'identity')
  // unsealed with no lookup made (no network yet): nothing is known
  assert.equal(waitReason(entry({ text: 'hi' })), undefined)
  assert.equal(waitReason(entry({ envelope: 'AA==', attempts: 1, lastError: 'direct: offline' })), 'route')
  // no routes at all (no network): the pipeline records an empty error list, which says nothing
  assert.equal(waitReason(entry({ envelope: 'AA==', attempts: 1, lastError: '' })), undefined)
  // a group part a route failed, turned into its 1:1 copy (unsealed until the next flush): a route
  assert.equal(waitReason(entry({ body: 'AA==', attempts: 1, lastError: 'direct: refused' })), 'route')
  assert.equal(waitReason(entry({ envelope: 'AA==' })), undefined)
  assert.equal(waitReason(entry({ text: 'hi', waiting: 'keys', receipt: true })), undefined)
})

test('a sent message\'s view carries why each queued copy waits, and reads so; copies further on carry nothing', () => {
  const one: SentMessage = { id: 'm1', to: 'bob', text: 'hi', sentAt: 1, recipients: { bob: { state: 'queued' } } }
  const group: SentMessage = { id: 'g1', to: 'gid', group: { id: 'gid', name: 'pals' }, text: 'yo', sentAt: 2, recipients: { bob: { state: 'queued' }, carol: { state: 'queued' }, dave: { state: 'delivered' }, erin: { state: 'queued' } } }
  const entries = [
    entry({ id: 'a', to: 'bob', tracks: 'm1', envelope: 'AA==', attempts: 2, lastError: 'direct: offline' }),
    entry({ id: 'b', to: 'bob', tracks: 'g1', text: 'yo', waiting: 'keys' }),
    entry({ id: 'c', to: 'carol', tracks: 'g1', body: 'AA==', waiting: 'identity' }),
    // dave has it already: a stale entry for him says nothing about the message
    entry({ id: 'd', to: 'dave', tracks: 'g1', text: 'yo', waiting: 'keys' }),
    // erin's copy is being sent now: no reason yet
    entry({ id: 'e', to: 'erin', tracks: 'g1', envelope: 'AA==' })
  ]
  const [v1, vg] = withWaiting([summarise(one), summarise(group)], entries)
  assert.ok(v1 !== undefined && vg !== undefined)
  assert.deepEqual(v1.waiting, { bob: 'route' })
  assert.deepEqual(vg.waiting, { bob: 'keys', carol: 'identity' })
  assert.equal(stateText(v1), 'queued, not reachable yet')
  assert.equal(stateText({ ...v1, waiting: { bob: 'keys' } }), 'queued, waiting for their keys')
  assert.equal(stateText({ ...v1, waiting: { bob: 'identity' } }), 'queued, their identity key changed: cairn contact accept')
  assert.equal(stateText(summarise(one)), 'queued', 'nothing tried yet')
  assert.equal(stateText(vg), 'delivered to 1/4, read by 0/4, 3 queued (1 waiting for keys, 1 with a changed identity key)')
})
