/** Results go to stdout (one JSON document with --json); everything else goes to stderr. */
export function printJson (value: unknown): void {
  process.stdout.write(JSON.stringify(value) + '\n')
}

export function printLine (line = ''): void {
  process.stdout.write(line + '\n')
}

/** For humans on a terminal only: progress and hints that scripts should not parse. */
export function note (line: string): void {
  process.stderr.write(line + '\n')
}
