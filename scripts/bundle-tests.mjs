// Bundles the compiled test files (dist/test/**/*.test.js) into dist/test-bundle/, which `npm test`
// runs. Every test file is a process of its own, and each paid ~1 s of CPU to load its code before
// its first test, most of it Node resolving and reading ~2,000 modules one by one (package.json
// lookups, stats): 1.0 CPU-s for `node --test --test-name-pattern=none dist/test/mailbox/outbox.test.js`
// against 0.58 CPU-s bundled, over ~140 files on 2 cores (test/README.md, "Where the suite's time
// goes"). Code is split at the entry points, so what the files share is one set of chunks; the test
// files keep their paths below dist/test-bundle/, so node --test runs them in the same order.
//
// What is not bundled: the native addons (as the CLI's bundle), node:test (the runner's own), and
// every process a test starts: the CLI (dist/cli/, its own bundle), mailbox and recipient hosts,
// helper scripts. Those stay tsc's output and are found from the original files' locations: each of
// our modules' `import.meta.url` (and `dirname`, `filename`) is replaced with the one it has in
// dist/, so `new URL('../../cli/main.js', import.meta.url)` means what it does unbundled. Names are not
// minified: a failing test's stack names its functions. `node --test dist/test/...` still runs one
// file unbundled, for a debugger or a quick edit-and-run.
import { readFile, rm } from 'node:fs/promises'
import { globSync } from 'node:fs'
import { resolve, sep } from 'node:path'
import { pathToFileURL } from 'node:url'
import { build } from 'esbuild'
import { bundleOptions } from './bundle-options.mjs'

const dist = resolve('dist') + sep

/** Our compiled modules' import.meta, as they have it in dist/ (node_modules' are left to esbuild, as in the CLI's bundle). */
const importMetaAsInDist = {
  name: 'import-meta-as-in-dist',
  setup (b) {
    b.onLoad({ filter: /\.js$/ }, async args => {
      if (!args.path.startsWith(dist)) return undefined
      const source = await readFile(args.path, 'utf8')
      if (!source.includes('import.meta.')) return undefined
      const url = pathToFileURL(args.path).href
      const contents = source
        .replaceAll('import.meta.url', JSON.stringify(url))
        .replaceAll('import.meta.dirname', JSON.stringify(resolve(args.path, '..')))
        .replaceAll('import.meta.filename', JSON.stringify(args.path))
      return { contents, loader: 'js' }
    })
  }
}

const out = 'dist/test-bundle'
await rm(out, { recursive: true, force: true })
await build({
  ...bundleOptions,
  minifyWhitespace: false,
  minifySyntax: false,
  external: [...bundleOptions.external, 'node:test'],
  plugins: [...bundleOptions.plugins, importMetaAsInDist],
  entryPoints: globSync('dist/test/**/*.test.js'),
  outbase: 'dist/test',
  outdir: out
})
