// Lint is part of `npm test`: type-aware rules that catch real bugs (floating promises, import
// cycles), not formatting debates.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import importX from 'eslint-plugin-import-x'

export default tseslint.config(
  { ignores: ['dist/**', 'dist-bench/**', 'node_modules/**', 'proto/*.ts', 'bench/peers/**', 'bench/results/**', 'test/nat/*.mjs', 'eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] }] }],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import-x/no-cycle': 'error',
      'no-console': 'error'
    }
  },
  {
    // one clock: every time read, timer and deadline in src/ goes through the injected Clock
    // (src/shared/clock.ts), so tests and the simulation can drive time
    files: ['src/**/*.ts'],
    ignores: ['src/shared/clock.ts'],
    rules: {
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'read time from the injected Clock (clock.now())' },
        { object: 'AbortSignal', property: 'timeout', message: 'use clock.timeout(ms) or deadline(clock, ms, signal)' },
        { object: 'globalThis', property: 'setTimeout', message: 'use clock.setTimeout' },
        { object: 'globalThis', property: 'setInterval', message: 'use clock.setInterval' }],
      'no-restricted-globals': ['error',
        { name: 'setTimeout', message: 'use clock.setTimeout (src/shared/clock.ts)' },
        { name: 'setInterval', message: 'use clock.setInterval (src/shared/clock.ts)' }],
      'no-restricted-syntax': ['error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'new Date() reads the wall clock: use new Date(clock.now())' }]
    }
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-console': 'off' }
  },
  {
    // a failing deep comparison inspects and diffs both sides whole: of a live node, its every
    // buffer, synchronously (the 24 GB OOM of issue 16, test/README.md). Compare values instead.
    files: ['test/**/*.ts'],
    rules: {
      'no-restricted-syntax': ['error',
        { selector: "CallExpression[callee.object.name='assert'][callee.property.name=/^(deep|notDeep|partialDeep)/] > CallExpression[callee.property.name='holders']", message: 'compare net.held(peer) or net.stillHeld(peer), never live nodes (test/README.md)' },
        { selector: "CallExpression[callee.object.name='assert'][callee.property.name=/^(deep|notDeep|partialDeep)/] > MemberExpression[property.name=/^(nodes|client|mailbox|libp2p)$/]", message: 'a deep comparison of live nodes or clients diffs their whole object graphs when it fails: compare ids, counts or names (test/README.md)' }]
    }
  }
)
