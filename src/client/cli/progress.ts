/**
 * One status line on stderr, rewritten in place, for people at a terminal: what a long command is
 * doing right now. Nothing is written when stderr is not a TTY, so scripts and logs never see it.
 */
export class Progress {
  private shown = false

  constructor (private readonly out: NodeJS.WriteStream = process.stderr, private readonly enabled = out.isTTY === true) {}

  show (text: string): void {
    if (!this.enabled) return
    const columns = this.out.columns > 0 ? this.out.columns : 80 // 0 on a terminal with no size set
    const width = Math.max(20, columns - 1)
    this.out.write(`\r\x1b[2K${text.length > width ? text.slice(0, width - 1) + '…' : text}`)
    this.shown = true
  }

  /** Clear the line before the command prints its result. */
  clear (): void {
    if (this.shown) this.out.write('\r\x1b[2K')
    this.shown = false
  }
}
