/**
 * Looking through a data dir as a thief would: every file under it, read raw.
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

/** Every file under `dir`, with its bytes. */
export function filesUnder (dir: string): Array<{ path: string, bytes: Buffer }> {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter(e => e.isFile())
    .map(e => { const path = join(e.parentPath, e.name); return { path, bytes: readFileSync(path) } })
}

/** The paths of the files under `dir` whose bytes contain `needle`. */
export function filesHolding (dir: string, needle: Uint8Array): string[] {
  return filesUnder(dir).filter(f => f.bytes.includes(Buffer.from(needle))).map(f => f.path)
}

/** Every file and directory under `dir` with its content hash, mode and mtime: equal snapshots, nothing changed. */
export function snapshot (dir: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = join(e.parentPath, e.name)
    const st = statSync(path)
    out.set(relative(dir, path), e.isFile() ? `${createHash('sha256').update(readFileSync(path)).digest('hex')} ${st.mode.toString(8)} ${st.mtimeMs}` : `dir ${st.mode.toString(8)}`)
  }
  return out
}
