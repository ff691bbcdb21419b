/** Envelopes for tests that hand a mailbox or a client bytes of their own (ids bound as a sender binds them), or that hand a copy of a user's envelopes over again. */
import type { Envelope } from '../../proto/cairn.js'
import { envelopeId } from '../../src/shared/envelope-id.js'
import { ENVELOPE_VERSION } from '../../src/shared/protocols/ids.js'
import { wrapDeliveries } from './routes.js'
import type { TestUser } from './users.js'

/** An envelope for `recipient` holding `sealed`, with its id derived (unless `o.id` says otherwise). */
export function boundEnvelope (o: Partial<Envelope> & Pick<Envelope, 'recipient' | 'sealed'>): Envelope {
  const now = Date.now()
  const base = { version: ENVELOPE_VERSION, createdAt: now, expiresAt: now + 3600_000, ...o }
  return { ...base, id: o.id ?? envelopeId(base) }
}

/** `u`'s routes, keeping a copy of every envelope they hand over: what a mailbox replica or a resend would bring again. */
export function tapEnvelopes (u: TestUser): Envelope[] {
  const out: Envelope[] = []
  wrapDeliveries(u, async (next, e, peer, o) => { out.push(e); return next(e, peer, o) })
  return out
}
