/**
 * Where a data dir being converted keeps its work: sealed under a new data key (`cairn passphrase
 * --encrypt` of a plain one, `--rotate-key` of an encrypted one; encrypt-data-dir.ts) or turned
 * back into a plain one (`--decrypt`; decrypt-data-dir.ts), and the roll-forward that finishes one
 * a killed process had committed.
 *
 * The new copy is built beside the current files in `encrypt.partial/` (or `decrypt.partial/`),
 * which nothing else reads: a kill there leaves the data dir as it was. Renaming it to
 * `encrypt.ready/` (`decrypt.ready/`) is the commit point. From then on the new files are complete
 * and the swap into place is a few renames (and, for a decryption, the header's removal), each
 * done at most once and skipped when done, so `settleConversion` can be run (again) by whoever
 * opens the data dir next; every command that opens one runs it before asking whether the data
 * dir is encrypted.
 */
import { existsSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fsyncDir, paths } from '../data-dir.js'
import { Store } from '../store.js'
import { HEADER_FILE, headerPath } from './header-path.js'

/** To encrypted (a new data key: --encrypt, --rotate-key) or to plain (--decrypt). */
export type ConversionKind = 'encrypt' | 'decrypt'

export const conversionDirs = {
  /** The new copy being built; ignored by everything but the conversion itself. */
  partial: (dataDir: string, kind: ConversionKind = 'encrypt') => join(dataDir, `${kind}.partial`),
  /** The new copy, complete: the conversion is committed. */
  ready: (dataDir: string, kind: ConversionKind = 'encrypt') => join(dataDir, `${kind}.ready`)
}

/** The files that are swapped, by their name in the data dir (the store is a directory). */
export const SEALED_FILES = ['peer.key', 'signal-identity.key'] as const
export const STORE_DIR = 'store'
/** Where the store it replaces (plain, or under the old data key) waits to be deleted. */
const OLD_STORE = 'old-store'

/** Rename unless the source is already gone (a second settle, or one that raced ours). */
function move (from: string, to: string): void {
  try {
    renameSync(from, to)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
}

/**
 * Finish a committed conversion: the new files into place, then the old store deleted. True
 * when there was one to finish.
 */
export function settleConversion (dataDir: string): boolean {
  let settled = false
  for (const kind of ['encrypt', 'decrypt'] as const) {
    if (!existsSync(conversionDirs.ready(dataDir, kind))) continue
    swapIn(dataDir, kind)
    removeLeftovers(dataDir, kind)
    settled = true
  }
  return settled
}

/**
 * Key files, then the store (the old one moved aside first), then the header: moved in, it makes
 * the data dir encrypted (or, replaced atomically, names the new data key); removed, plain. Each
 * step is skipped when done.
 */
export function swapIn (dataDir: string, kind: ConversionKind = 'encrypt'): void {
  const ready = conversionDirs.ready(dataDir, kind)
  for (const name of SEALED_FILES) move(join(ready, name), join(dataDir, name))
  const sealedStore = join(ready, STORE_DIR)
  // LevelDB addresses its files by path: a store still open here would go on compacting into the
  // new store once it took the path, and delete that store's files as "obsolete" (seen: the copy
  // lost, "Database failed to open"). Its owner closes it at the commit point; from then on any
  // other opener settles the conversion first, so nothing can open the old store again.
  if (Store.isOpen(paths.store(dataDir))) throw new Error(`the store at ${paths.store(dataDir)} is still open: close it before it is moved`)
  if (existsSync(sealedStore)) {
    const oldStore = join(ready, OLD_STORE)
    if (!existsSync(oldStore)) move(paths.store(dataDir), oldStore)
    move(sealedStore, paths.store(dataDir))
  }
  fsyncDir(dataDir)
  crashPoint('store-swapped')
  if (kind === 'encrypt') move(join(ready, HEADER_FILE), headerPath(dataDir))
  else rmSync(headerPath(dataDir), { force: true })
  fsyncDir(dataDir)
}

/** The old store (and the emptied `encrypt.ready/` or `decrypt.ready/`) deleted, once everything is in place. */
/**
 * A conversion of the other kind that a killed run began but never committed (`<other>.partial/`)
 * is abandoned when this one starts: the live store is still the truth, and the copy would linger
 * — a plain one after a killed `--decrypt`, or one under a data key a killed `--rotate-key` made —
 * and a later conversion of that kind would go on from a copy of an older store.
 */
export function abandonOther (dataDir: string, kind: ConversionKind): void {
  const other = conversionDirs.partial(dataDir, kind === 'encrypt' ? 'decrypt' : 'encrypt')
  if (!existsSync(other)) return
  rmSync(other, { recursive: true, force: true })
  fsyncDir(dataDir)
}

export function removeLeftovers (dataDir: string, kind: ConversionKind = 'encrypt'): void {
  crashPoint('swapped')
  rmSync(conversionDirs.ready(dataDir, kind), { recursive: true, force: true })
  fsyncDir(dataDir)
}

/**
 * A test hook (CAIRN_TEST_ENCRYPT_CRASH, never set in use): the process kills itself with SIGKILL
 * at the named point of a conversion ("copied:N" once N values are copied, "committed",
 * "store-swapped", "swapped"), so tests can check that every such point leaves a data dir that
 * opens and a re-run that finishes.
 */
export function crashPoint (point: string, copied?: number): void {
  const wanted = process.env.CAIRN_TEST_ENCRYPT_CRASH
  if (wanted === undefined) return
  const [name, n] = wanted.split(':')
  if (name !== point) return
  if (copied !== undefined && copied < Number(n)) return
  process.kill(process.pid, 'SIGKILL')
}
