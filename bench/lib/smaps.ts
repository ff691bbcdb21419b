/**
 * Where a process's RSS is, from /proc/self/smaps (Linux; empty elsewhere): the node binary's
 * pages, each native addon's (.node) pages, LevelDB's mapped tables, malloc's brk heap, and anonymous mappings (V8's heap
 * pages, malloc's mmap'd arenas, thread stacks). With process.memoryUsage() beside it, this is how
 * the memory bench says what an idle client's RSS is made of, not just how large it is.
 */
import { readFileSync } from 'node:fs'

export interface RssBreakdown {
  /** The node executable's pages (its code, shared with other node processes). */
  nodeBinary: number
  /** Each native addon's pages, by file name (e.g. `@signalapp+libsignal-client.node`). */
  addons: Record<string, number>
  /** LevelDB's table files (`.ldb`), which it reads through mmap: clean file pages, counted in RSS while resident. */
  tables: number
  /** Other shared libraries and mapped files (libc, libstdc++, ...). */
  libraries: number
  /** malloc's brk heap ([heap]). */
  brk: number
  /** Anonymous mappings: V8's heap, malloc's mmap'd arenas, thread stacks. */
  anonymous: number
}

/** The RSS of this process by kind of mapping, in bytes; undefined where /proc is absent. */
export function rssBreakdown (smaps = '/proc/self/smaps'): RssBreakdown | undefined {
  let text: string
  try {
    text = readFileSync(smaps, 'utf8')
  } catch {
    return undefined
  }
  const out: RssBreakdown = { nodeBinary: 0, addons: {}, tables: 0, libraries: 0, brk: 0, anonymous: 0 }
  let add: (bytes: number) => void = () => {}
  for (const line of text.split('\n')) {
    // a mapping's header: address range, perms, offset, device, inode, then the path if any
    const header = /^[0-9a-f]+-[0-9a-f]+\s+\S+\s+\S+\s+\S+\s+\d+\s*(.*)$/.exec(line)
    if (header !== null) {
      const path = (header[1] ?? '').trim()
      if (path === '') add = bytes => { out.anonymous += bytes }
      else if (path === '[heap]') add = bytes => { out.brk += bytes }
      else if (path.startsWith('[')) add = bytes => { out.anonymous += bytes } // stacks, vdso
      else if (path === process.execPath || path.endsWith('/bin/node')) add = bytes => { out.nodeBinary += bytes }
      else if (path.endsWith('.node')) {
        const name = path.slice(path.lastIndexOf('/') + 1)
        add = bytes => { out.addons[name] = (out.addons[name] ?? 0) + bytes }
      } else if (path.endsWith('.ldb') || path.endsWith('.sst')) add = bytes => { out.tables += bytes }
      else add = bytes => { out.libraries += bytes }
      continue
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line)
    if (rss !== null) add(Number(rss[1]) * 1024)
  }
  return out
}
