/**
 * The bench tools' command lines (bench, sim, soak): `--help` prints the tool's usage on stdout and
 * exits 0; an unknown option or a missing value prints what is wrong and the usage on stderr and
 * exits 2, rather than a stack trace.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util'

type Options = NonNullable<ParseArgsConfig['options']>

export function toolArgs<const O extends Options> (usage: string, options: O, args: string[] = process.argv.slice(2)): ReturnType<typeof parseArgs<{ args: string[], options: O }>>['values'] {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${usage.trim()}\n`)
    process.exit(0)
  }
  try {
    return parseArgs({ args, options }).values
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${usage.trim()}\n`)
    process.exit(2)
  }
}
