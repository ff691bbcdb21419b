/**
 * Run `fn` over `items`, at most `limit` at a time, each started in order; resolves when all are
 * done (a rejection rejects it, as Promise.all does). The one bounded-concurrency loop: batched
 * and single deposits in flight (client/mailbox), the simulation's passes, reconnects and publishes.
 */
export async function inParallel<T> (items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<unknown>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++
      await fn(items[i] as T, i)
    }
  }))
}
