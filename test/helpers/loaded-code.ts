/**
 * Loaded into a child process (NODE_OPTIONS=--import …) to record the code it loads: every module
 * URL it resolves, and Node's own built-in modules. Written as JSON to TEST_LOADED_CODE when the
 * process exits (not a CAIRN_ variable: the CLI refuses unknown ones). An observer only: it
 * changes nothing the process does.
 */
import { writeFileSync } from 'node:fs'
import { registerHooks } from 'node:module'

export interface LoadedCode {
  /** Every URL resolved (ES modules, and CommonJS through require), in order. */
  urls: string[]
  /** process.moduleLoadList: Node's built-ins, e.g. `NativeModule internal/deps/undici/undici`. */
  builtins: string[]
}

const out = process.env.TEST_LOADED_CODE
if (out !== undefined && out !== '') {
  const urls = new Set<string>()
  registerHooks({
    resolve (specifier, context, nextResolve) {
      const resolved = nextResolve(specifier, context)
      urls.add(resolved.url)
      return resolved
    }
  })
  process.on('exit', () => {
    const loaded: LoadedCode = { urls: [...urls], builtins: [...(process as unknown as { moduleLoadList: string[] }).moduleLoadList] }
    writeFileSync(out, JSON.stringify(loaded))
  })
}
