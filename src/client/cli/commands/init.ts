import { CairnError } from '../../../shared/errors.js'
import { printJson, printLine } from '../output.js'
import { dataKeyForNewDataDir, passphraseGiven } from '../passphrase.js'
import type { Command } from './command.js'

export const init: Command = {
  name: 'init',
  usage: 'cairn init [--passphrase]',
  summary: 'create an identity in the data dir (refuses to overwrite one); --passphrase encrypts the data dir at rest',
  flags: { passphrase: { type: 'boolean' } },
  async run ({ parsed, config }) {
    const [{ CairnClient }, { keyFingerprint }, { identityExists }] = await Promise.all([import('../../client.js'), import('../../crypto/safety-number.js'), import('../../identity.js')])
    // before any key is made: an existing identity is refused without touching the data dir
    if (identityExists(config.dataDir)) throw new CairnError('IDENTITY_EXISTS', `an identity already exists in ${config.dataDir}; refusing to overwrite it`)
    // a passphrase given by CAIRN_PASSPHRASE or --passphrase-fd asks for encryption as --passphrase does
    const cipher = await dataKeyForNewDataDir(parsed, config.dataDir, parsed.flags.passphrase === true || passphraseGiven(parsed))
    const identity = await CairnClient.init(config, undefined, undefined, cipher)
    const peerId = identity.peerId.toString()
    if (parsed.json) printJson({ peerId, dataDir: config.dataDir, encrypted: cipher !== undefined })
    else {
      printLine(`created identity ${peerId}`)
      printLine(`  data dir:    ${config.dataDir}${cipher === undefined ? '' : ' (encrypted at rest)'}`)
      printLine(`  fingerprint: ${keyFingerprint(identity.signal.publicKey)}`)
    }
  }
}
