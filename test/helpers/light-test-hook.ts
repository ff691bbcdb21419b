/**
 * Loaded into every node process of `npm test` (NODE_OPTIONS=--import …): node:test's own async
 * hook is installed without its promise tracking. It halves the CPU time of a test file that runs
 * libp2p nodes in its own process.
 *
 * Why: node:test's harness installs an async hook (lib/internal/test_runner/harness.js) that maps
 * every async resource, every promise included, to the test that created it, and deletes the entry
 * when the resource is garbage-collected. A `destroy` callback makes V8 register a weak callback on
 * every promise, and libp2p makes millions: in `mailbox/replication.test.js` the hook's bookkeeping
 * was ~45 % of the file's CPU time (60 CPU-s with it, 32 without, every test passing both ways).
 *
 * What stays: tests and their synchronous children (timers, sockets made before the test's first
 * await) are still mapped, so a nested `test()`, a suite's tests and a hook find their parent as
 * before. What is lost: an uncaught exception or unhandled rejection from a continuation after an
 * `await` is no longer pinned to the test it came from. node:test then reports it at the top level
 * ("A resource generated asynchronous activity after the test ended … caught by the test runner")
 * and the file fails (exit code 1): the failure still fails the run, naming the error, not the test
 * (test/unit/light-test-hook.test.ts checks both). `CAIRN_TEST_FULL_ASYNC_HOOK=1` keeps node's own
 * hook, for a post-mortem that needs it.
 *
 * Only the harness's call is changed; if a Node release moves it, the hook is node's own again and
 * the suite is slower, nothing else.
 */
import asyncHooks, { type HookCallbacks } from 'node:async_hooks'

const HARNESS = 'internal/test_runner/harness'

if (process.env.CAIRN_TEST_FULL_ASYNC_HOOK !== '1') {
  const createHook = asyncHooks.createHook
  asyncHooks.createHook = function lightHarnessHook (callbacks: HookCallbacks) {
    const init = callbacks.init
    if (typeof init !== 'function' || new Error().stack?.includes(HARNESS) !== true) return createHook(callbacks)
    // no destroy: entries for what is mapped stay (tests, and the resources they make before their
    // first await); promises, the bulk, are neither mapped nor tracked
    return createHook({ init (asyncId, type, triggerAsyncId, resource) { if (type !== 'PROMISE') init(asyncId, type, triggerAsyncId, resource) } })
  }
}

export {}
