/** Runs async sections one at a time, in arrival order. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve()

  async run<T> (fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn)
    this.tail = result.catch(() => {})
    return result
  }
}

/**
 * A mutex per key: sections of one key run one at a time, in arrival order; other keys' run
 * alongside. A key's entry goes once its last section settles, so idle keys cost nothing.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>()

  async run<T> (key: string, fn: () => Promise<T>): Promise<T> {
    const result = (this.tails.get(key) ?? Promise.resolve()).then(fn, fn)
    const tail = result.catch(() => {})
    this.tails.set(key, tail)
    void tail.then(() => { if (this.tails.get(key) === tail) this.tails.delete(key) })
    return result
  }

  /** Keys with a section running or waiting. */
  get size (): number { return this.tails.size }
}
