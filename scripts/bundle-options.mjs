// The esbuild options every bundle of Cairn's compiled code shares: the CLI's and the memory probe's
// (bundle-cli.mjs), the test files' (bundle-tests.mjs).
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'

/**
 * `import ... from 'node:http'` (ours: the daemon's socket server and client; @libp2p/websockets'
 * listener) goes through require() in the bundle. An ES module import of a built-in makes Node
 * read every export to build the namespace, and node:http's WebSocket, CloseEvent and
 * MessageEvent are lazy getters that load undici (fetch, WebSocket): ~1.5 MiB of V8 heap, ~2 MiB
 * of RSS, for code nothing in Cairn runs. require() reads no export it is not asked for. Those three
 * names are not exported here: importing one fails the build, not the run.
 */
const UNDICI_GETTERS = new Set(['WebSocket', 'CloseEvent', 'MessageEvent'])
export const builtinsByRequire = {
  name: 'builtins-by-require',
  setup (b) {
    b.onResolve({ filter: /^(node:)?https?$/ }, args => args.kind === 'import-statement' ? { path: args.path.replace(/^node:/, ''), namespace: 'builtin-by-require' } : undefined)
    b.onLoad({ filter: /.*/, namespace: 'builtin-by-require' }, args => {
      const names = Object.keys(createRequire(import.meta.url)(args.path)).filter(n => !UNDICI_GETTERS.has(n) && /^[A-Za-z_$][\w$]*$/.test(n))
      return { contents: `const m = require('node:${args.path}')\nexport default m\nexport const { ${names.join(', ')} } = m\n`, loader: 'js' }
    })
  }
}

/**
 * libsignal-client's JavaScript goes into the bundle; its native addon still loads from
 * node_modules. Left external, its ~110 modules were resolved and read one by one by every command
 * that touches a key (0.18 CPU-s of a 0.5 CPU-s `cairn inbox`, and `cairn --help` loaded it too).
 * The one line that finds the addon names its package by the module's own directory
 * (`import.meta.dirname`), which in the bundle is dist/cli/: it is given the package's directory
 * as Node resolves it from the bundle instead. The build fails if that line ever changes.
 */
const LIBSIGNAL_NATIVE = /[\\/]@signalapp[\\/]libsignal-client[\\/]dist[\\/]Native\.js$/
const ADDON_DIR = 'load(`${import.meta.dirname}/../`)'
export const libsignalAddonFromPackage = {
  name: 'libsignal-addon-from-package',
  setup (b) {
    b.onLoad({ filter: LIBSIGNAL_NATIVE }, async args => {
      const source = await readFile(args.path, 'utf8')
      if (!source.includes(ADDON_DIR)) throw new Error(`${args.path} no longer finds its addon with ${ADDON_DIR}: see scripts/bundle-options.mjs`)
      const packageDir = "cairnFileURLToPath(new URL('..', import.meta.resolve('@signalapp/libsignal-client')))"
      return { contents: `import { fileURLToPath as cairnFileURLToPath } from 'node:url'\n${source.replace(ADDON_DIR, `load(${packageDir})`)}`, loader: 'js' }
    })
  }
}

/** @type {import('esbuild').BuildOptions} */
export const bundleOptions = {
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  minifyWhitespace: true,
  minifySyntax: true,
  external: ['node-gyp-build', 'classic-level', '@node-rs/*'],
  // CommonJS dependencies inside an ES module bundle still call require()
  banner: { js: "import { createRequire as cairnCreateRequire } from 'node:module'; const require = cairnCreateRequire(import.meta.url);" },
  plugins: [builtinsByRequire, libsignalAddonFromPackage],
  logLevel: 'warning'
}
