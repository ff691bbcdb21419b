// Bundles the compiled CLI (dist/src/client/cli/bin.js, which loads main.js) into dist/cli/: a handful of files instead
// of the ~2,000 modules tsc's output and its dependencies resolve to one by one. Loading those
// modules was most of a short command's cost (`cairn inbox`: ~1.4 CPU-s, nearly all ESM resolution
// and package.json reads); the bundle halves it. Code split at the dynamic imports, so `cairn --help`
// and a command served by the daemon still never load libp2p. Run by `npm run build` after tsc.
// Native addons stay external (they load from node_modules); libp2p is bundled from node_modules,
// so patch-package's fixes (patches/, applied at install) are in the bundle too.
//
// Whitespace and syntax are minified, identifiers are not: V8 keeps every loaded module's source
// text for as long as the process runs (lazy compilation reads it again), so the daemon's idle RSS
// carries the bundle's size; minified, the code it loads is 1.1 MB smaller and an idle daemon
// ~4 MiB smaller (docs/BENCHMARKS.md, issue 12 memory). Names stay, so stack traces still name
// functions and classes (`err.name`, `constructor.name` are unchanged).
//
// The memory bench's probe (bench/suites/memory-probe.ts) is bundled here too, with the very same
// options, into dist/bench-bundle/: its idle client must load Cairn's code as the CLI does, and its
// bare libp2p node loads libp2p the same way, so the two figures compare like with like. (The
// image's build stage compiles src/ only: no probe there.)
import { existsSync } from 'node:fs'
import { chmod, rm } from 'node:fs/promises'
import { build } from 'esbuild'
import { bundleOptions as options } from './bundle-options.mjs'

const out = 'dist/cli'
const probe = 'dist/bench-bundle'
// chunk names change with their content
await Promise.all([rm(out, { recursive: true, force: true }), rm(probe, { recursive: true, force: true })])
// the executable is bin.js (it turns on the compile cache, then loads main.js), named main.js here as always
await build({ ...options, entryPoints: [{ in: 'dist/src/client/cli/bin.js', out: 'main' }], outdir: out })
await chmod(`${out}/main.js`, 0o755)
const probeEntry = 'dist/bench/suites/memory-probe.js'
if (existsSync(probeEntry)) await build({ ...options, entryPoints: [probeEntry], outdir: probe })
