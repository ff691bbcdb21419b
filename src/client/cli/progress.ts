/**
 * One status line on stderr, rewritten in place, for people at a terminal: what a long command is
 * doing right now. Nothing is written when stderr is not a TTY, so scripts and logs never see it.
 * Log records written while it shows go above it (see `writeAbove`), never onto the same line.
 */
export class Progress {
  private text: string | undefined

  constructor (private readonly out: NodeJS.WriteStream = process.stderr, private readonly enabled = out.isTTY === true) {}

  /** Whether anything is drawn: callers skip work (e.g. asking the daemon for progress) that only feeds the line. */
  get shown (): boolean { return this.enabled }

  show (text: string): void {
    if (!this.enabled) return
    this.text = text
    this.draw()
  }

  /** Clear the line before the command prints its result. */
  clear (): void {
    if (this.text !== undefined) this.out.write('\r\x1b[2K')
    this.text = undefined
  }

  /** Write a whole line (a log record) without mixing it into the status line, which is drawn again under it. */
  writeAbove (line: string): void {
    if (this.text === undefined) { this.out.write(line); return }
    this.out.write('\r\x1b[2K' + line)
    this.draw()
  }

  private draw (): void {
    const text = this.text ?? ''
    const columns = this.out.columns > 0 ? this.out.columns : 80 // 0 on a terminal with no size set
    const width = Math.max(20, columns - 1)
    this.out.write(`\r\x1b[2K${text.length > width ? text.slice(0, width - 1) + '…' : text}`)
  }
}

/** The process's status line: commands show their stages on it, the CLI's logger writes above it. */
export const statusLine = new Progress()
