/**
 * The data dir holds secrets (keys, the store): the dir is 0700 and every file in it 0600. Secret
 * files are written atomically (temp file, fsync, rename, fsync dir) and never overwritten.
 * LevelDB creates its own files (tables, logs, manifest) with the process umask, so the process
 * umask is 077 from the moment a data dir or store is touched (`restrictUmask`).
 */
import { chmodSync, closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, writeSync, unlinkSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { CairnError } from './errors.js'

export const DIR_MODE = 0o700
export const FILE_MODE = 0o600

export const paths = {
  peerKey: (dir: string) => join(dir, 'peer.key'),
  signalIdentity: (dir: string) => join(dir, 'signal-identity.key'),
  store: (dir: string) => join(dir, 'store'),
  socket: (dir: string) => join(dir, 'daemon.sock'),
  token: (dir: string) => join(dir, 'daemon.token'),
  /** Where a running mailbox node answers /healthz (health-endpoint.ts). */
  healthEndpoint: (dir: string) => join(dir, 'health-endpoint.json')
}

/**
 * Everything this process creates from now on is for its user alone (files 0600, directories
 * 0700), including what libraries create (LevelDB). Only ever tightens an existing umask.
 */
export function restrictUmask (): void {
  try {
    const before = process.umask(0o077)
    if ((before | 0o077) !== 0o077) process.umask(before | 0o077)
  } catch {
    // a worker thread may not change the umask; Store.open still tightens what exists
  }
}

/** Directories 0700 and files 0600 under `dir` (a store an older version made, or a restored backup). */
export function tightenTree (dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) tightenTree(path)
    else if (!entry.isSymbolicLink() && (lstatSync(path).mode & 0o077) !== 0) chmodSync(path, FILE_MODE)
  }
  if ((statSync(dir).mode & 0o777) !== DIR_MODE) chmodSync(dir, DIR_MODE)
}

/** Create the data dir (0700) if needed, and tighten it if it exists with looser permissions. */
export function ensureDataDir (dir: string): void {
  restrictUmask()
  mkdirSync(dir, { recursive: true, mode: DIR_MODE })
  const mode = statSync(dir).mode & 0o777
  if (mode !== DIR_MODE) chmodSync(dir, DIR_MODE)
}

/** Write a secret file atomically with mode 0600; refuses to replace an existing file. */
export function writeSecretFile (path: string, data: Uint8Array, options: { overwrite?: boolean } = {}): void {
  const tmp = `${path}.tmp-${process.pid}`
  const fd = openSync(tmp, 'wx', FILE_MODE)
  try {
    writeSync(fd, data)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  try {
    if (options.overwrite !== true) {
      try {
        statSync(path)
        throw new CairnError('IDENTITY_EXISTS', `${path} already exists; refusing to overwrite it`)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      }
    }
    renameSync(tmp, path)
  } catch (err) {
    unlinkSync(tmp)
    throw err
  }
  fsyncDir(dirname(path))
}

/** Read a secret file, tightening its mode to 0600 if something loosened it. */
export function readSecretFile (path: string): Uint8Array {
  const mode = statSync(path).mode & 0o777
  if ((mode & 0o077) !== 0) chmodSync(path, FILE_MODE)
  return new Uint8Array(readFileSync(path))
}

export function fsyncDir (dir: string): void {
  const fd = openSync(dir, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}
