import { InvalidInputError, StoreLockedError } from '../../../shared/errors.js'
import { printJson, printLine } from '../output.js'
import { CURRENT, NEW, readPassphrase, settledIsEncrypted } from '../passphrase.js'
import type { Command } from './command.js'
import type { CommandContext } from '../context.js'

export const passphrase: Command = {
  name: 'passphrase',
  usage: 'cairn passphrase [--new-passphrase-fd N] | cairn passphrase --encrypt | cairn passphrase --rotate-key | cairn passphrase --decrypt',
  summary: 'change an encrypted data dir\'s passphrase (re-wraps its data key; the store is not rewritten); --encrypt encrypts a plain data dir; --rotate-key re-seals an encrypted one under a new data key; --decrypt makes an encrypted one plain again',
  flags: { 'new-passphrase-fd': { type: 'string' }, encrypt: { type: 'boolean' }, 'rotate-key': { type: 'boolean' }, decrypt: { type: 'boolean' } },
  async run (ctx) {
    const { flags } = ctx.parsed
    const chosen = (['encrypt', 'rotate-key', 'decrypt'] as const).filter(f => flags[f] === true)
    if (chosen.length > 1) throw new InvalidInputError(`choose one of --${chosen.join(', --')}`)
    const conversion = chosen[0]
    if (conversion !== undefined) { await reseal(ctx, conversion === 'rotate-key' ? 'rotate' : conversion); return }
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
 * and everything in its store; `--rotate-key`: an encrypted one re-sealed under a new data key
 * (at-rest/encrypt-data-dir.ts); `--decrypt`: an encrypted one made plain (at-rest/decrypt-data-dir.ts).
 * The passphrase comes as for `cairn init --passphrase` (asked twice for --encrypt). Refused (exit
 * 2, nothing changed) while a daemon or another cairn process has the data dir open: the store
 * must be copied alone.
 */
async function reseal ({ parsed, config }: CommandContext, what: 'encrypt' | 'rotate' | 'decrypt'): Promise<void> {
  const [{ encryptDataDir, rotateDataKey }, { decryptDataDir }, { connectDaemon }] = await Promise.all([import('../../../shared/at-rest/encrypt-data-dir.js'), import('../../../shared/at-rest/decrypt-data-dir.js'), import('../../daemon/daemon-client.js')])
  const flag = what === 'rotate' ? '--rotate-key' : `--${what}`
  const inUse = `${config.dataDir} is in use by a running cairn daemon or node; stop it, then run \`cairn passphrase ${flag}\` again (nothing was changed)`
  if (await connectDaemon(config.dataDir) !== undefined) throw new InvalidInputError(inUse, 'STORE_LOCKED')
  const source = what === 'encrypt' ? { ...CURRENT, prompt: 'New passphrase: ', confirm: true } : CURRENT
  const secret = await readPassphrase(parsed, source)
  if (secret === undefined) throw new InvalidInputError(`give ${what === 'encrypt' ? 'a' : 'the'} passphrase at the prompt (a terminal), in CAIRN_PASSPHRASE, or with --passphrase-fd N`)
  let result
  try {
    result = await { encrypt: encryptDataDir, rotate: rotateDataKey, decrypt: decryptDataDir }[what](config.dataDir, secret)
  } catch (err) {
    if (err instanceof StoreLockedError) throw new InvalidInputError(inUse, 'STORE_LOCKED')
    throw err
  } finally {
    secret.fill(0)
  }
  const values = result.copied + result.resumedFrom
  const done = { encrypt: 'encrypted', rotate: 're-sealed under a new data key', decrypt: 'decrypted' }[what]
  const sealed = what === 'decrypt' ? 'written plain' : 'sealed'
  if (parsed.json) printJson({ dataDir: config.dataDir, encrypted: what !== 'decrypt', ...(what === 'rotate' ? { rotated: true } : {}), values, resumedFrom: result.resumedFrom, resumed: result.settledOnly || result.resumedFrom > 0 })
  else if (result.settledOnly) printLine(`finished: ${config.dataDir} ${done} (an interrupted run had ${sealed} everything)`)
  else printLine(`${config.dataDir} ${done}: ${values} store values and the key files ${sealed}${result.resumedFrom > 0 ? ` (${result.resumedFrom} by an interrupted run)` : ''}${{ encrypt: '; every command now needs the passphrase', rotate: '', decrypt: '; no command needs a passphrase any more, and anyone who can read the data dir reads everything in it' }[what]}`)
}
