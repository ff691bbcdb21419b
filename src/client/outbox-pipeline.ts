/**
 * Sending many messages at once (a burst to an offline contact, an outbox flush). The messages are
 * sealed in groups — one turn of the crypto lock and one durable outbox commit per group — and each
 * group is delivered by the routes in order while the next group is being sealed: batched where a
 * route can (the mailbox route deposits a group as batch requests at every replica), one by one
 * where it cannot. A route that fails a recipient once is not tried again for that recipient's
 * other messages in the group (an offline contact would cost one failed dial each). What no route
 * took stays in the outbox, rewritten in one commit; what was delivered leaves it in one write.
 * At most GROUPS_IN_FLIGHT groups are being delivered at a time, so memory stays bounded.
 */
import type { PeerId } from '@libp2p/interface'
import type { Envelope } from '../../proto/cairn.js'
import { describeError } from '../shared/errors.js'
import type { Logger } from '../shared/logger.js'
import { parsePeerId } from '../shared/peer-id.js'
import type { Store } from '../shared/store.js'
import type { DeliveryResult, DeliveryRoute, SendResult } from './delivery.js'
import { envelopeToSend, keptResult, putOutbox, removeDelivered, type OutboxEntry } from './outbox.js'

/** Messages sealed (and written to the outbox) together. */
export const SEAL_GROUP = 64
/** Groups being delivered at once while the next one is sealed. */
const GROUPS_IN_FLIGHT = 2

export interface PipelineDeps {
  routes: DeliveryRoute[]
  store: Store
  log: Logger
  /** The time, and an envelope's lifetime: an entry whose envelope has expired goes out with a new expiry (outbox.ts). */
  now: () => number
  ttlMs: number
  /** Seal the group's entries that still carry text (where a session can start) and commit the group to the outbox. */
  seal: (group: OutboxEntry[]) => Promise<void>
}

/** Seal and deliver `entries` in groups, pipelined; one result per entry, in order. */
export async function sendPipelined (deps: PipelineDeps, entries: OutboxEntry[], options: { signal?: AbortSignal } = {}): Promise<SendResult[]> {
  const results = new Map<OutboxEntry, SendResult>()
  const inFlight: Array<Promise<void>> = []
  let failure: unknown
  try {
    for (let i = 0; i < entries.length; i += SEAL_GROUP) {
      const group = entries.slice(i, i + SEAL_GROUP)
      await deps.seal(group)
      inFlight.push(deliverGroup(deps, group, options).then(r => { r.forEach((v, j) => results.set(group[j] as OutboxEntry, v)) }))
      if (inFlight.length >= GROUPS_IN_FLIGHT) await inFlight.shift()
    }
  } catch (err) {
    failure = err
  }
  await Promise.all(inFlight)
  if (failure !== undefined) throw failure
  return entries.map(e => results.get(e) ?? keptResult(e))
}

/** Deliver one sealed group by the routes in order; update the outbox in one write each way. */
async function deliverGroup (deps: PipelineDeps, group: OutboxEntry[], options: { signal?: AbortSignal }): Promise<SendResult[]> {
  const results = new Map<OutboxEntry, SendResult>()
  const errors = new Map<OutboxEntry, string[]>()
  let pending = group.filter(e => e.envelope !== undefined)
  const delivered: OutboxEntry[] = []
  for (const route of deps.routes) {
    if (pending.length === 0) break
    const items = pending.map(e => ({ envelope: envelopeToSend(e, deps.now(), deps.ttlMs), recipient: parsePeerId(e.to) }))
    const answers = await deliverBy(route, items, options)
    const failed: OutboxEntry[] = []
    pending.forEach((e, i) => {
      const a = answers[i] ?? { ok: false as const, code: 'unreachable' as const, error: 'no answer' }
      if (a.ok) {
        results.set(e, { id: e.id, route: route.name, ...(a.replicas === undefined ? {} : { replicas: a.replicas }) })
        delivered.push(e)
      } else {
        errors.set(e, [...(errors.get(e) ?? []), `${route.name}: ${a.error}`])
        failed.push(e)
      }
    })
    pending = failed
  }
  if (delivered.length > 0) {
    await removeDelivered(deps.store, delivered)
    deps.log.info({ delivered: delivered.length, routes: [...new Set(delivered.map(e => results.get(e)?.route))] }, 'delivered')
  }
  if (pending.length > 0) {
    const tx = deps.store.transaction()
    for (const e of pending) {
      e.attempts++
      e.lastError = (errors.get(e) ?? []).join('; ')
      putOutbox(tx, e)
    }
    await tx.commit()
    deps.log.info({ kept: pending.length, errors: errors.get(pending[0] as OutboxEntry) }, 'kept in outbox')
  }
  return group.map(e => results.get(e) ?? keptResult(e))
}

/** One route's answers for `items`: batched when it can; else one by one, giving up on a recipient after its first failure. */
async function deliverBy (route: DeliveryRoute, items: Array<{ envelope: Envelope, recipient: PeerId }>, options: { signal?: AbortSignal }): Promise<DeliveryResult[]> {
  if (route.deliverMany !== undefined) {
    return route.deliverMany(items, options).catch((err: unknown) => items.map(() => ({ ok: false as const, code: 'unreachable' as const, error: describeError(err) })))
  }
  const out: DeliveryResult[] = []
  const failedFor = new Map<string, string>()
  for (const { envelope, recipient } of items) {
    const earlier = failedFor.get(recipient.toString())
    if (earlier !== undefined) { out.push({ ok: false, code: 'recently-unreachable', error: earlier }); continue }
    const result = await route.deliver(envelope, recipient, options).catch((err: unknown) => ({ ok: false as const, code: 'unreachable' as const, error: describeError(err) }))
    if (!result.ok) failedFor.set(recipient.toString(), result.error)
    out.push(result)
  }
  return out
}
