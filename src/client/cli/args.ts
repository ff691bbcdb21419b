/** Command-line parsing: global flags (CLI.md) plus each command's own, strict about unknowns. */
import { parseArgs } from 'node:util'
import type { ConfigLayer, LogLevel } from '../../shared/config.js'
import { InvalidInputError } from '../../shared/errors.js'

export interface FlagSpec { [name: string]: { type: 'string' | 'boolean', multiple?: boolean, short?: string } }

export const GLOBAL_FLAGS = {
  'data-dir': { type: 'string' },
  listen: { type: 'string', multiple: true },
  bootstrap: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  'log-level': { type: 'string' },
  /** An encrypted data dir's passphrase, read from this file descriptor (passphrase.ts). */
  'passphrase-fd': { type: 'string' },
  help: { type: 'boolean', short: 'h' }
} as const satisfies FlagSpec

export interface Parsed {
  positionals: string[]
  flags: Record<string, string | boolean | string[] | undefined>
  json: boolean
  layer: ConfigLayer
}

export function parse (argv: string[], commandFlags: FlagSpec): Parsed {
  let values, positionals
  try {
    ({ values, positionals } = parseArgs({ args: argv, options: { ...GLOBAL_FLAGS, ...commandFlags }, allowPositionals: true, strict: true }))
  } catch (err) {
    throw new InvalidInputError((err as Error).message.replace(/\. To specify a positional.*$/s, ''), 'USAGE')
  }
  const layer: ConfigLayer = {}
  if (typeof values['data-dir'] === 'string') layer.dataDir = values['data-dir']
  if (Array.isArray(values.listen)) layer.listen = values.listen as string[]
  if (Array.isArray(values.bootstrap)) layer.bootstrap = values.bootstrap as string[]
  if (typeof values['log-level'] === 'string') layer.logLevel = values['log-level'] as LogLevel
  return { positionals, flags: values as Parsed['flags'], json: values.json === true, layer }
}

export function requirePositionals (p: Parsed, names: string[], usage: string): string[] {
  if (p.positionals.length < names.length) throw new InvalidInputError(`missing ${names.slice(p.positionals.length).join(' ')}; usage: ${usage}`, 'USAGE')
  return p.positionals
}
