/** Why a mailbox refused a request; the service maps each reason to a wire status. */
export type RefusalReason = 'bad-request' | 'too-large' | 'quota-exceeded' | 'rate-limited' | 'not-owner' | 'expired' | 'bad-signature' | 'not-found' | 'not-responsible' | 'node-full'

export class MailboxRefusal extends Error {
  constructor (readonly reason: RefusalReason, message: string) {
    super(message)
    this.name = 'MailboxRefusal'
  }
}
