/**
 * Loaded into every node process of `npm test` (NODE_OPTIONS=--import …): a process whose resident
 * memory passes CAIRN_TEST_RSS_LIMIT_MB (default 3072) is killed at once (SIGKILL), naming itself on
 * stderr, so a leak fails the test file that caused it instead of taking the machine down (three suite
 * runs once lost a test file to the kernel's OOM killer at 24 GB, issue 16).
 *
 * The check runs on a thread of its own: the OOM it was made for grew inside one synchronous call
 * (a failing assertion's diff of live nodes, docs/DECISIONS.md), where no main-thread timer runs.
 * The stderr lines are written synchronously for the same reason: the main thread would never
 * flush them.
 *
 * Before the kill, the guard pauses the main thread through the inspector (a pause interrupts a
 * running loop) and prints where it stood, so a failing run names the code that grew. It waits at most
 * CAIRN_TEST_RSS_REPORT_MS (default 5000) for that: a thread stuck in native code does not pause, and
 * is killed all the same.
 */
import { isMainThread, Worker } from 'node:worker_threads'
import { isTestFileProcess } from './test-file-process.js'

const limitMb = Number(process.env.CAIRN_TEST_RSS_LIMIT_MB ?? 3072)
const everyMs = Number(process.env.CAIRN_TEST_RSS_CHECK_MS ?? 1000)
const reportMs = Number(process.env.CAIRN_TEST_RSS_REPORT_MS ?? 5000)

const watcher = `
const { workerData } = require('node:worker_threads')
const { writeSync } = require('node:fs')
const inspector = require('node:inspector')
const say = (line) => { writeSync(2, 'rss-guard: ' + line + '\\n') }
/** Pause the main thread and print its stack and heap; resolves once printed, or after the deadline. */
function whereItStands () {
  return new Promise((resolve) => {
    const session = new inspector.Session()
    const late = setTimeout(() => { say('the main thread did not pause within ' + workerData.reportMs + ' ms (busy in native code?)'); resolve() }, workerData.reportMs)
    session.connectToMainThread()
    const scripts = new Map() // scriptId → url (a paused frame names only the id)
    session.on('Debugger.scriptParsed', ({ params }) => { scripts.set(params.scriptId, params.url) })
    session.once('Debugger.paused', ({ params }) => {
      session.post('Runtime.getHeapUsage', (err, heap) => {
        say('main thread at the kill' + (err ? '' : ': heap ' + Math.round(heap.usedSize / 2 ** 20) + ' MiB used of ' + Math.round(heap.totalSize / 2 ** 20)) + '; its stack:')
        for (const f of params.callFrames.slice(0, 40)) say('  at ' + (f.functionName || '<anonymous>') + ' (' + (f.url || scripts.get(f.location.scriptId) || '?') + ':' + (f.location.lineNumber + 1) + ':' + (f.location.columnNumber + 1) + ')')
        clearTimeout(late)
        resolve()
      })
    })
    session.post('Debugger.enable', () => { session.post('Debugger.pause') })
  })
}
const timer = setInterval(async () => {
  const rssMb = Math.round(process.memoryUsage.rss() / 2 ** 20)
  if (rssMb <= workerData.limitMb) return
  clearInterval(timer)
  say(workerData.who + ' (pid ' + process.pid + ') grew to ' + rssMb + ' MiB, over the ' + workerData.limitMb + ' MiB bound (CAIRN_TEST_RSS_LIMIT_MB)')
  if (workerData.reportMs > 0) await whereItStands()
  process.kill(process.pid, 'SIGKILL')
}, workerData.everyMs)
`

/**
 * A process a test starts (the CLI, a daemon) gets its watcher once it has lived
 * CAIRN_TEST_RSS_CHILD_DELAY_MS (default 1000): a watcher thread costs ~0.1 CPU-s to start, and most
 * of the suite's ~550 such processes are one-shot commands that end well within a second (an 0.4
 * CPU-s `cairn inbox` paid a quarter more for it). Growing to the bound takes far longer than the
 * delay (the OOM grew at ~240 MB/s). A test file's own process, where that OOM grew, starts it at once.
 */
const childDelayMs = Number(process.env.CAIRN_TEST_RSS_CHILD_DELAY_MS ?? 1000)

function startWatcher (): void {
  const who = process.argv.slice(1).map(a => a.replace(/^.*\/dist\//, 'dist/')).join(' ')
  new Worker(watcher, { eval: true, workerData: { limitMb, everyMs, reportMs, who } }).unref()
}

// a worker thread loads the --import too: only the main thread starts a watcher
if (isMainThread && Number.isFinite(limitMb) && limitMb > 0) {
  if (isTestFileProcess || !(childDelayMs > 0)) startWatcher()
  else setTimeout(startWatcher, childDelayMs).unref()
}

export {}
