import { printJson, printLine } from '../output.js'
import type { Command } from './command.js'

export const init: Command = {
  name: 'init',
  usage: 'cairn init',
  summary: 'create an identity in the data dir (refuses to overwrite one)',
  flags: {},
  async run ({ parsed, config }) {
    const [{ CairnClient }, { keyFingerprint }] = await Promise.all([import('../../client.js'), import('../../crypto/safety-number.js')])
    const identity = await CairnClient.init(config)
    const peerId = identity.peerId.toString()
    if (parsed.json) printJson({ peerId, dataDir: config.dataDir })
    else {
      printLine(`created identity ${peerId}`)
      printLine(`  data dir:    ${config.dataDir}`)
      printLine(`  fingerprint: ${keyFingerprint(identity.signal.publicKey)}`)
    }
  }
}
