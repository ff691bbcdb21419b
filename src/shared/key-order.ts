/**
 * LevelDB's key order (the keys' UTF-8 bytes) restored for records read from sealed keys
 * (at-rest/key-cipher.ts), with the Store's `after`, `reverse` and `limit` applied as LevelDB
 * would apply them to a range of plain keys.
 */
export interface OrderOptions { after?: string, limit?: number, reverse?: boolean }

export const compareKeys = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b))

export function inKeyOrder<T extends { key: string }> (items: T[], options: OrderOptions = {}): T[] {
  const after = options.after
  const kept = after === undefined ? items : items.filter(e => compareKeys(e.key, after) > 0)
  const sorted = kept.map(e => ({ e, bytes: Buffer.from(e.key) })).sort((a, b) => Buffer.compare(a.bytes, b.bytes)).map(x => x.e)
  if (options.reverse === true) sorted.reverse()
  return options.limit === undefined ? sorted : sorted.slice(0, options.limit)
}
