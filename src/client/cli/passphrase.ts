/**
 * Where a command gets a data dir's passphrase: `--passphrase-fd N` (a pipe or file a daemon's
 * supervisor hands over), else CAIRN_PASSPHRASE, else a prompt without echo when stdin and stderr
 * are a terminal. The passphrase is never logged, and CAIRN_PASSPHRASE is removed from this
 * process's environment once read, so nothing this process spawns inherits it.
 */
import { existsSync, readFileSync } from 'node:fs'
import { settleConversion } from '../../shared/at-rest/conversion.js'
import { PassphraseRequiredError } from '../../shared/at-rest/errors.js'
import { isEncrypted } from '../../shared/at-rest/header-path.js'
import type { ValueCipher } from '../../shared/at-rest/value-cipher.js'
import type { CairnConfig } from '../../shared/config.js'
import { ensureDataDir, paths } from '../../shared/data-dir.js'
import { InvalidInputError } from '../../shared/errors.js'
import type { Parsed } from './args.js'

export const PASSPHRASE_ENV = 'CAIRN_PASSPHRASE'
export const NEW_PASSPHRASE_ENV = 'CAIRN_NEW_PASSPHRASE'

const utf8 = new TextEncoder()

/** One trailing newline (what `echo` and a here-string add) is not part of the passphrase. */
function trimNewline (text: string): string {
  return text.replace(/\r?\n$/, '')
}

function fromFd (flag: string, raw: string): string {
  if (!/^\d{1,4}$/.test(raw)) throw new InvalidInputError(`--${flag} must be a file descriptor number, got ${JSON.stringify(raw)}`, 'USAGE')
  try {
    return trimNewline(readFileSync(Number(raw), 'utf8'))
  } catch (err) {
    throw new InvalidInputError(`--${flag} ${raw}: cannot read it (${(err as Error).message})`, 'USAGE')
  }
}

/** Read a line from the terminal without echoing it (raw mode; backspace edits, Ctrl-C aborts). */
export async function promptHidden (question: string): Promise<string> {
  const stdin = process.stdin
  process.stderr.write(question)
  stdin.setRawMode(true)
  stdin.resume()
  return new Promise((resolve, reject) => {
    let typed = ''
    const finish = (): void => {
      stdin.off('data', onData)
      stdin.setRawMode(false)
      stdin.pause()
      process.stderr.write('\n')
    }
    const onData = (chunk: Buffer): void => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') { finish(); resolve(typed); return }
        if (ch === '\u0003') { finish(); reject(new InvalidInputError('interrupted at the passphrase prompt', 'USAGE')); return }
        if (ch === '\u007f' || ch === '\b') typed = [...typed].slice(0, -1).join('')
        else typed += ch
      }
    }
    stdin.on('data', onData)
  })
}

const onTerminal = (): boolean => process.stdin.isTTY && process.stderr.isTTY

export interface PassphraseSource {
  /** The flag naming a file descriptor, and the environment variable. */
  fdFlag: string
  env: string
  /** The prompt on a terminal; `confirm`: ask twice (a new passphrase). */
  prompt: string
  confirm?: boolean
}

export const CURRENT: PassphraseSource = { fdFlag: 'passphrase-fd', env: PASSPHRASE_ENV, prompt: 'Passphrase: ' }
export const NEW: PassphraseSource = { fdFlag: 'new-passphrase-fd', env: NEW_PASSPHRASE_ENV, prompt: 'New passphrase: ', confirm: true }

/** The passphrase from the first source that has one; undefined when none does. */
export async function readPassphrase (parsed: Parsed, source: PassphraseSource): Promise<Uint8Array | undefined> {
  let text: string | undefined
  const fd = parsed.flags[source.fdFlag]
  if (typeof fd === 'string') text = fromFd(source.fdFlag, fd)
  else if (process.env[source.env] !== undefined) {
    text = process.env[source.env]
    delete process.env[source.env]
  } else if (onTerminal()) {
    text = await promptHidden(source.prompt)
    if (source.confirm === true && await promptHidden('Again: ') !== text) throw new InvalidInputError('the two passphrases differ; nothing was changed')
  }
  if (text === undefined) return undefined
  if (text === '') throw new InvalidInputError('the passphrase is empty')
  return utf8.encode(text)
}

/** Whether any source of a passphrase was given (a flag or the environment), without reading it. */
export function passphraseGiven (parsed: Parsed, source: PassphraseSource = CURRENT): boolean {
  return typeof parsed.flags[source.fdFlag] === 'string' || process.env[source.env] !== undefined
}

/**
 * Whether the data dir is encrypted, once a conversion to encrypted that a killed
 * `cairn passphrase --encrypt` had committed is finished (at-rest/conversion.ts): every command
 * asks this before it opens a data dir.
 */
export function settledIsEncrypted (dataDir: string): boolean {
  settleConversion(dataDir)
  return isEncrypted(dataDir)
}

/**
 * The data key of an encrypted data dir (undefined for a plain one), unlocked before anything in
 * the data dir is opened: a wrong passphrase exits 2 having written nothing.
 */
export async function unlockDataDir (parsed: Parsed, dataDir: string): Promise<ValueCipher | undefined> {
  if (!settledIsEncrypted(dataDir)) return undefined
  const passphrase = await readPassphrase(parsed, CURRENT)
  if (passphrase === undefined) throw new PassphraseRequiredError(dataDir)
  // loaded here: a plain data dir (and `--help`) never loads argon2 or libsignal for this
  const { unlockDataKey } = await import('../../shared/at-rest/data-key.js')
  try {
    return await unlockDataKey(dataDir, passphrase)
  } finally {
    passphrase.fill(0)
  }
}

/**
 * The data key for a new identity (`cairn init`) or operator node (`cairn mailbox` with
 * mailbox.encryptAtRest): an encrypted data dir is unlocked; a new one is encrypted when `wanted`.
 * A data dir that already holds a plain store is not encrypted here: `cairn passphrase --encrypt`
 * does that, by copying the store (rewritten in place, its old LevelDB files would keep the plaintext).
 */
export async function dataKeyForNewDataDir (parsed: Parsed, dataDir: string, wanted: boolean): Promise<ValueCipher | undefined> {
  if (settledIsEncrypted(dataDir) || !wanted) return unlockDataDir(parsed, dataDir)
  if (existsSync(paths.peerKey(dataDir)) || existsSync(paths.store(dataDir))) {
    throw new InvalidInputError(`${dataDir} already holds a store that is not encrypted; \`cairn passphrase --encrypt\` encrypts it (with no daemon or node running for it)`)
  }
  const passphrase = await readPassphrase(parsed, { ...CURRENT, confirm: true })
  if (passphrase === undefined) throw new InvalidInputError(`to encrypt ${dataDir}, give a passphrase at the prompt (a terminal), in CAIRN_PASSPHRASE, or with --passphrase-fd N`)
  const { createDataKey } = await import('../../shared/at-rest/data-key.js')
  ensureDataDir(dataDir)
  try {
    return await createDataKey(dataDir, passphrase)
  } finally {
    passphrase.fill(0)
  }
}

/** `cairn mailbox`: the operator's data key, per mailbox.encryptAtRest. */
export async function operatorCipher (parsed: Parsed, config: CairnConfig): Promise<ValueCipher | undefined> {
  return dataKeyForNewDataDir(parsed, config.dataDir, config.mailbox.encryptAtRest)
}
