/**
 * Looking through a data dir as a thief would: every file under it, read raw.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

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
