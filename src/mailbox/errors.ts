import { CairnError } from '../shared/errors.js'

/** Why a mailbox refused a request; the service maps each reason to a wire status. */
export type RefusalReason = 'bad-request' | 'too-large' | 'quota-exceeded' | 'rate-limited' | 'not-owner' | 'expired' | 'bad-signature' | 'not-found' | 'not-responsible' | 'node-full'

/** A request this mailbox will not serve (code REFUSED); `reason` is what goes back on the wire. */
export class MailboxRefusal extends CairnError {
  constructor (readonly reason: RefusalReason, message: string) {
    super('REFUSED', message)
    this.name = 'MailboxRefusal'
  }
}
