/** The ways opening an encrypted data dir fails, each with what to do about it. */
import { CairnError, InvalidInputError } from '../errors.js'

/** The passphrase does not unwrap the data key. Exit 2: the user can type it again. */
export class WrongPassphraseError extends InvalidInputError {
  constructor (dataDir: string) {
    super(`wrong passphrase for the encrypted data dir ${dataDir}; nothing was read or written`, 'WRONG_PASSPHRASE')
    this.name = 'WrongPassphraseError'
  }
}

/** The data dir is encrypted and no passphrase source was given. */
export class PassphraseRequiredError extends InvalidInputError {
  constructor (dataDir: string) {
    super(`the data dir ${dataDir} is encrypted: give its passphrase at the prompt (a terminal), in CAIRN_PASSPHRASE, or with --passphrase-fd N`, 'PASSPHRASE_REQUIRED')
    this.name = 'PassphraseRequiredError'
  }
}

/** A sealed value, key file or header that does not open with the data key: damaged or altered. */
export class AtRestDamagedError extends CairnError {
  constructor (what: string, why: string, options?: { cause?: unknown }) {
    super('AT_REST_DAMAGED', `encrypted record ${what} does not open (${why}): the data dir is damaged, altered, or from another key`, options)
    this.name = 'AtRestDamagedError'
  }
}
