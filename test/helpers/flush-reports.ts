/**
 * Loaded into every node process of `npm test` (NODE_OPTIONS=--import …), acting only in a test
 * file's own process: its standard output, the pipe that carries its verdicts to the test
 * runner, is made blocking.
 *
 * Why: `npm test` runs with --test-force-exit (libp2p leaves timers behind that would otherwise
 * hold a file's process open), and on Linux a pipe is non-blocking: once the pipe is full, the
 * reporter stream pauses and its remaining verdicts wait in memory, where the forced
 * process.exit() drops them. The runner then reports fewer tests than ran, with exit 0 — seen in
 * CI as 357 of 366 tests, the last nine of test/fuzz/decoders.test.js run but never reported (a
 * failure among them would have gone unseen too; node issue #64833). A blocking pipe takes every
 * write whole before the next, so nothing is left to drop.
 *
 * Only the test file's process: a process a test spawns (a daemon, the CLI) keeps the usual pipe,
 * since a blocking write to a pipe nobody reads would stall it.
 */
import { isTestFileProcess } from './test-file-process.js'

if (isTestFileProcess && process.env.NODE_TEST_CONTEXT !== undefined) {
  const handle = (process.stdout as unknown as { _handle?: { setBlocking?: (on: boolean) => number } })._handle
  handle?.setBlocking?.(true)
}

export {}
