import { InvalidInputError } from '../../../shared/errors.js'
import { printJson, printLine } from '../output.js'
import { CURRENT, NEW, readPassphrase } from '../passphrase.js'
import type { Command } from './command.js'

export const passphrase: Command = {
  name: 'passphrase',
  usage: 'cairn passphrase [--new-passphrase-fd N]',
  summary: 'change an encrypted data dir\'s passphrase (re-wraps its data key; the store is not rewritten)',
  flags: { 'new-passphrase-fd': { type: 'string' } },
  async run ({ parsed, config }) {
    const [{ changePassphrase }, { isEncrypted }] = await Promise.all([import('../../../shared/at-rest/data-key.js'), import('../../../shared/at-rest/header-path.js')])
    if (!isEncrypted(config.dataDir)) throw new InvalidInputError(`${config.dataDir} is not encrypted; encryption at rest is chosen at \`cairn init --passphrase\``)
    const current = await readPassphrase(parsed, CURRENT)
    if (current === undefined) throw new InvalidInputError('give the current passphrase at the prompt (a terminal), in CAIRN_PASSPHRASE, or with --passphrase-fd N')
    const next = await readPassphrase(parsed, NEW)
    if (next === undefined) throw new InvalidInputError('give the new passphrase at the prompt (a terminal), in CAIRN_NEW_PASSPHRASE, or with --new-passphrase-fd N')
    try {
      await changePassphrase(config.dataDir, current, next)
    } finally {
      current.fill(0)
      next.fill(0)
    }
    if (parsed.json) printJson({ dataDir: config.dataDir, changed: true })
    else printLine(`passphrase changed for ${config.dataDir}`)
  }
}
