/** The status line of a file transfer: bytes done of the total, the rate and the time left. */
import type { TransferProgress } from '../attachments/index.js'
import { systemClock, type Clock } from '../../shared/clock.js'
import type { Progress } from './progress.js'

const MiB = 1024 * 1024

export function formatBytes (n: number): string {
  if (n >= MiB) return `${(n / MiB).toFixed(1)} MiB`
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`
  return `${n} B`
}

/** A progress callback that redraws `line` at most ten times a second (a no-op when stderr is not a TTY). */
export function transferLine (line: Progress, clock: Pick<Clock, 'now'> = systemClock): (p: TransferProgress) => void {
  let stage = ''
  let start = 0
  let base = 0
  let drawn = 0
  return (p) => {
    const t = clock.now()
    if (p.stage + p.name !== stage) { stage = p.stage + p.name; start = t; base = p.done }
    if (t - drawn < 100 && p.done < p.total) return
    drawn = t
    const seconds = (t - start) / 1000
    const rate = seconds > 0 ? (p.done - base) / seconds : 0
    const left = rate > 0 ? Math.ceil((p.total - p.done) / rate) : undefined
    line.show(`${p.stage} ${p.name}: ${formatBytes(p.done)} / ${formatBytes(p.total)}, ${formatBytes(rate)}/s${left === undefined ? '' : `, ${left}s left`}`)
  }
}
