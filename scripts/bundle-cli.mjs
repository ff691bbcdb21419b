// Bundles the compiled CLI (dist/src/client/cli/main.js) into dist/cli/: a handful of files instead
// of the ~2,000 modules tsc's output and its dependencies resolve to one by one. Loading those
// modules was most of a short command's cost (`cairn inbox`: ~1.4 CPU-s, nearly all ESM resolution
// and package.json reads); the bundle halves it. Code split at the dynamic imports, so `cairn --help`
// and a command served by the daemon still never load libp2p. Run by `npm run build` after tsc.
// Native addons stay external (they load from node_modules); libp2p is bundled from node_modules,
// so patch-package's fixes (patches/, applied at install) are in the bundle too.
import { chmod, rm } from 'node:fs/promises'
import { build } from 'esbuild'

const out = 'dist/cli'
await rm(out, { recursive: true, force: true }) // chunk names change with their content
await build({
  entryPoints: ['dist/src/client/cli/main.js'],
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  external: ['@signalapp/libsignal-client', 'classic-level', '@node-rs/*'],
  // CommonJS dependencies inside an ES module bundle still call require()
  banner: { js: "import { createRequire as cairnCreateRequire } from 'node:module'; const require = cairnCreateRequire(import.meta.url);" },
  logLevel: 'warning'
})
await chmod(`${out}/main.js`, 0o755)
