/**
 * Loaded into every node process of `npm test` (NODE_OPTIONS=--import …): a process whose resident
 * memory passes CAIRN_TEST_RSS_LIMIT_MB (default 3072) exits at once with code 70, naming itself,
 * so a leak fails the test file that caused it instead of taking the machine down (three suite
 * runs once lost a test file to the kernel's OOM killer at 24 GB, issue 16).
 */
const limitMb = Number(process.env.CAIRN_TEST_RSS_LIMIT_MB ?? 3072)
const everyMs = Number(process.env.CAIRN_TEST_RSS_CHECK_MS ?? 1000)

if (Number.isFinite(limitMb) && limitMb > 0) {
  const check = (): void => {
    const rssMb = Math.round(process.memoryUsage.rss() / 2 ** 20)
    if (rssMb <= limitMb) return
    const who = process.argv.slice(1).map(a => a.replace(/^.*\/dist\//, 'dist/')).join(' ')
    process.stderr.write(`rss-guard: ${who} (pid ${process.pid}) grew to ${rssMb} MiB, over the ${limitMb} MiB bound (CAIRN_TEST_RSS_LIMIT_MB)\n`)
    process.exit(70)
  }
  setInterval(check, everyMs).unref()
}

export {}
