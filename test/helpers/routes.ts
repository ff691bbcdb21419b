/** A user's delivery routes with each delivery passed through a test's own function first. */
import type { DeliveryResult, DeliveryRoute } from '../../src/client/delivery.js'
import type { TestUser } from './users.js'

type Deliver = DeliveryRoute['deliver']

/** `u`'s routes, each delivery handed to `through` with the real route's `deliver` as `next`. */
export function wrapDeliveries (u: TestUser, through: (next: Deliver, ...args: Parameters<Deliver>) => Promise<DeliveryResult>): void {
  u.client.messenger.useRoutes(u.client.messenger.routes.map(r => {
    const next: Deliver = async (e, peer, o) => r.deliver(e, peer, o)
    return { name: r.name, takeBundle: r.takeBundle.bind(r), deliver: async (e, peer, o) => through(next, e, peer, o) }
  }))
}
