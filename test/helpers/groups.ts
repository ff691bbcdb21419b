/**
 * For group tests on loopback: waiting for what a user would see, routes that count or hold what a
 * user hands them, and the store's notes of who holds a sender's chain.
 */
import type { DeliveryRoute } from '../../src/client/delivery.js'
import { getSenderState, groupKeys, holdChain } from '../../src/client/groups/group-store.js'
import { Envelope } from '../../proto/cairn.js'
import { wrapDeliveries } from './routes.js'
import type { TestUser } from './users.js'

export { waitFor } from './wait.js'

/** A route that fails every delivery. */
export const unreachable: DeliveryRoute = { name: 'direct', deliver: async () => ({ ok: false, code: 'unreachable', error: 'cut' }), takeBundle: async () => undefined }

/** `u`'s routes, counting the envelopes each recipient is handed (by PeerId), and when the first was. */
export function countDeliveries (u: TestUser): { counts: Map<string, number>, first: Map<string, number> } {
  const counts = new Map<string, number>()
  const first = new Map<string, number>()
  wrapDeliveries(u, async (next, e, peer, o) => {
    counts.set(peer.toString(), (counts.get(peer.toString()) ?? 0) + 1)
    if (!first.has(peer.toString())) first.set(peer.toString(), Date.now())
    return next(e, peer, o)
  })
  return { counts, first }
}

/** `u`'s routes, holding every envelope for `to` until `open()` is called. */
export function holdDeliveries (u: TestUser, to: string): { open: () => void, held: () => number } {
  let open!: () => void
  const gate = new Promise<void>(resolve => { open = resolve })
  let held = 0
  wrapDeliveries(u, async (next, e, peer, o) => {
    if (peer.toString() === to) { held++; await gate }
    return next(e, peer, o)
  })
  return { open, held: () => held }
}

/** What `u` sends the user with PeerId `to` is kept here (a copy, as the wire would carry it) instead of delivered; the send is told it went. */
export function captureDeliveries (u: TestUser, to: string): Envelope[] {
  const captured: Envelope[] = []
  wrapDeliveries(u, async (next, e, peer, o) => {
    if (peer.toString() !== to) return next(e, peer, o)
    captured.push(Envelope.decode(Envelope.encode(e)))
    return { ok: true }
  })
  return captured
}

/** Whether `sender`'s store notes `member` as holding its current chain in group `gid` (notes follow the delivery-log update). */
export async function holdsChain (sender: TestUser, gid: string, member: string): Promise<boolean> {
  const state = await getSenderState(sender.client.store.transaction(), gid)
  return state !== undefined && (await holdChain(sender.client.store.transaction(), gid, state.distributionId, [member]))[0] === true
}

/** The keys under `prefix` in `u`'s store. */
export async function countKeys (u: TestUser, prefix: string): Promise<number> {
  let n = 0
  for await (const _ of u.client.store.listKeys(prefix)) n++
  return n
}

/** The notes of who holds which of `u`'s chains in group `gid`. */
export const holdsPrefix = (gid: string): string => groupKeys.holdsPrefix(gid)
