/**
 * Loaded into every node process of `npm test` (NODE_OPTIONS=--import …): a process whose resident
 * memory passes CAIRN_TEST_RSS_LIMIT_MB (default 3072) is killed at once (SIGKILL), naming itself on
 * stderr, so a leak fails the test file that caused it instead of taking the machine down (three suite
 * runs once lost a test file to the kernel's OOM killer at 24 GB, issue 16).
 *
 * The check runs on a thread of its own: the OOM seen again in session 25 grew to 24 GB with this
 * guard loaded, so it grew inside one synchronous stretch that never let the event loop run a timer
 * (a guard on the main thread cannot see that). The stderr line is written synchronously for the
 * same reason: the main thread would never flush it.
 */
import { isMainThread, Worker } from 'node:worker_threads'

const limitMb = Number(process.env.CAIRN_TEST_RSS_LIMIT_MB ?? 3072)
const everyMs = Number(process.env.CAIRN_TEST_RSS_CHECK_MS ?? 1000)

const watcher = `
const { workerData } = require('node:worker_threads')
const { writeSync } = require('node:fs')
setInterval(() => {
  const rssMb = Math.round(process.memoryUsage.rss() / 2 ** 20)
  if (rssMb <= workerData.limitMb) return
  writeSync(2, 'rss-guard: ' + workerData.who + ' (pid ' + process.pid + ') grew to ' + rssMb + ' MiB, over the ' + workerData.limitMb + ' MiB bound (CAIRN_TEST_RSS_LIMIT_MB)\\n')
  process.kill(process.pid, 'SIGKILL')
}, workerData.everyMs)
`

// a worker thread loads the --import too: only the main thread starts a watcher
if (isMainThread && Number.isFinite(limitMb) && limitMb > 0) {
  const who = process.argv.slice(1).map(a => a.replace(/^.*\/dist\//, 'dist/')).join(' ')
  new Worker(watcher, { eval: true, workerData: { limitMb, everyMs, who } }).unref()
}

export {}
