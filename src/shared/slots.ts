/**
 * A counting semaphore: at most `size` holders at once, granted in the order asked. What a
 * collect uses to bound the pages whose bodies it holds, while it lists and claims further ahead.
 */
export class Slots {
  private free: number
  private readonly waiting: Array<() => void> = []

  constructor (size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError('slots: size must be a whole number ≥ 1')
    this.free = size
  }

  /** Resolves once a slot is free, with its release (which may be called more than once; the first counts). */
  async take (): Promise<() => void> {
    if (this.free > 0) this.free--
    else await new Promise<void>(resolve => { this.waiting.push(resolve) })
    let held = true
    return () => {
      if (!held) return
      held = false
      const next = this.waiting.shift()
      if (next !== undefined) next()
      else this.free++
    }
  }
}
