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

/** How long a run of a secret's bytes, found in a file, counts as the secret found there. */
const RUN = 12

/**
 * For each of `secrets` that some file holds, the paths of those files. A file holds a secret
 * when it holds any 12-byte run of it (all of a shorter one), not only the whole: LevelDB
 * compresses its table blocks (snappy), and any 4 or more bytes of a secret that happen to occur
 * earlier in the block are stored as a reference back to them, so even a random text is not
 * always kept whole (a plain-data-dir control once missed a message that way). Runs of fewer than
 * 6 distinct bytes (zeros, padding) are no one's secret and are not looked for.
 */
function holders (files: Array<{ path: string, bytes: Buffer }>, secrets: Map<string, Uint8Array>): Map<string, string[]> {
  const runs = new Map<number, Map<string, string[]>>() // width → run → names
  for (const [name, secret] of secrets) {
    const bytes = Buffer.from(secret)
    const width = Math.min(RUN, bytes.length)
    const byRun = runs.get(width) ?? new Map<string, string[]>()
    runs.set(width, byRun)
    for (let i = 0; i + width <= bytes.length; i++) {
      const run = bytes.subarray(i, i + width)
      if (width === RUN && new Set(run).size < 6) continue
      const key = run.toString('latin1')
      byRun.set(key, [...byRun.get(key) ?? [], name])
    }
  }
  const out = new Map<string, string[]>()
  for (const { path, bytes } of files) {
    const here = new Set<string>()
    for (const [width, byRun] of runs) {
      for (let i = 0; i + width <= bytes.length; i++) for (const name of byRun.get(bytes.toString('latin1', i, i + width)) ?? []) here.add(name)
    }
    for (const name of here) out.set(name, [...out.get(name) ?? [], path])
  }
  return out
}

/** The names of the `secrets` some file under `dirs` holds (a 12-byte run of, as `holders` says). */
export function secretsIn (dirs: string[], secrets: Map<string, Uint8Array>): string[] {
  const held = holders(dirs.flatMap(filesUnder), secrets)
  return [...secrets.keys()].filter(name => held.has(name))
}

/** The paths of the files under `dir` that hold `needle` (a 12-byte run of it, as `holders` says). */
export function filesHolding (dir: string, needle: Uint8Array): string[] {
  return holders(filesUnder(dir), new Map([['needle', needle]])).get('needle') ?? []
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
