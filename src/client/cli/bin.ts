#!/usr/bin/env node
/**
 * The `cairn` executable: turns on Node's compile cache, then runs the command (main.ts).
 *
 * Every command is a new process, and parsing the code it loads (the bundle's libp2p chunk alone is
 * 1.2 MB) was a large part of a short command's CPU time: `cairn inbox` 0.44 CPU-s without the cache,
 * 0.39 with it (ten runs each). The cache is V8's compiled code for the bundle, nothing of the user's: it lives in
 * the user's own cache directory (`$XDG_CACHE_HOME/cairn/compile-cache`, else
 * `~/.cache/cairn/compile-cache`, mode 0700), not in a shared temporary directory where another
 * user could plant an entry. Where that directory cannot be made, commands run without it.
 * `NODE_DISABLE_COMPILE_CACHE=1` turns it off (Node's own switch).
 */
import { mkdirSync } from 'node:fs'
import { enableCompileCache } from 'node:module'
import { homedir } from 'node:os'
import { join } from 'node:path'

function compileCacheDir (): string | undefined {
  const base = process.env.XDG_CACHE_HOME !== undefined && process.env.XDG_CACHE_HOME !== '' ? process.env.XDG_CACHE_HOME : join(homedir(), '.cache')
  try {
    const dir = join(base, 'cairn', 'compile-cache')
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    return dir
  } catch {
    return undefined
  }
}

const dir = process.env.NODE_DISABLE_COMPILE_CACHE === '1' ? undefined : compileCacheDir()
if (dir !== undefined) enableCompileCache(dir)
await import('./main.js')
