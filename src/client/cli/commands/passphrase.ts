import { InvalidInputError, StoreLockedError } from '../../../shared/errors.js'
import { printJson, printLine } from '../output.js'
import { CURRENT, NEW, readPassphrase, settledIsEncrypted } from '../passphrase.js'
import type { Command } from './command.js'
import type { CommandContext } from '../context.js'

export const passphrase: Command = {
  name: 'passphrase',
  usage: 'cairn passphrase [--new-passphrase-fd N] | cairn passphrase --encrypt',
  summary: 'change an encrypted data dir\'s passphrase (re-wraps its data key; the store is not rewritten); --encrypt encrypts a plain data dir',
  flags: { 'new-passphrase-fd': { type: 'string' }, encrypt: { type: 'boolean' } },
  async run (ctx) {
    if (ctx.parsed.flags.encrypt === true) { await encrypt(ctx); return }
    const { parsed, config } = ctx
    const { changePassphrase } = await import('../../../shared/at-rest/data-key.js')
    if (!settledIsEncrypted(config.dataDir)) throw new InvalidInputError(`${config.dataDir} is not encrypted; \`cairn passphrase --encrypt\` encrypts it`)
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

/**
 * `cairn passphrase --encrypt`: a plain data dir made encrypted in place, keeping its identity
 * and everything in its store (at-rest/encrypt-data-dir.ts). The passphrase comes as for
 * `cairn init --passphrase`. Refused (exit 2, nothing changed) while a daemon or another cairn
 * process has the data dir open: the conversion must hold the store alone.
 */
async function encrypt ({ parsed, config }: CommandContext): Promise<void> {
  const [{ encryptDataDir }, { connectDaemon }] = await Promise.all([import('../../../shared/at-rest/encrypt-data-dir.js'), import('../../daemon/daemon-client.js')])
  const inUse = `${config.dataDir} is in use by a running cairn daemon or node; stop it, then run \`cairn passphrase --encrypt\` again (nothing was changed)`
  if (await connectDaemon(config.dataDir) !== undefined) throw new InvalidInputError(inUse, 'STORE_LOCKED')
  const secret = await readPassphrase(parsed, { ...CURRENT, prompt: 'New passphrase: ', confirm: true })
  if (secret === undefined) throw new InvalidInputError(`to encrypt ${config.dataDir}, give a passphrase at the prompt (a terminal), in CAIRN_PASSPHRASE, or with --passphrase-fd N`)
  let result
  try {
    result = await encryptDataDir(config.dataDir, secret)
  } catch (err) {
    if (err instanceof StoreLockedError) throw new InvalidInputError(inUse, 'STORE_LOCKED')
    throw err
  } finally {
    secret.fill(0)
  }
  const values = result.copied + result.resumedFrom
  if (parsed.json) printJson({ dataDir: config.dataDir, encrypted: true, values, resumedFrom: result.resumedFrom, resumed: result.settledOnly || result.resumedFrom > 0 })
  else if (result.settledOnly) printLine(`finished encrypting ${config.dataDir} (an interrupted run had sealed everything)`)
  else printLine(`encrypted ${config.dataDir}: ${values} store values and the key files sealed${result.resumedFrom > 0 ? ` (${result.resumedFrom} by an interrupted run)` : ''}; every command now needs the passphrase`)
}
