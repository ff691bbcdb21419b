// A node:test reporter: where the suite's time goes, by test file. For each file, the sum of its
// top-level tests' durations and how many there are, the longest first, then the total. Use it
// beside the usual reporter (test/README.md, "Where the suite's time goes"):
//   --test-reporter=spec --test-reporter-destination=stdout
//   --test-reporter=./scripts/test-file-times.mjs --test-reporter-destination=times.txt
export default async function * fileTimes (source) {
  const files = new Map()
  for await (const { type, data } of source) {
    if ((type !== 'test:pass' && type !== 'test:fail') || data?.file === undefined || data.nesting !== 0) continue
    const f = files.get(data.file) ?? { ms: 0, tests: 0, failed: 0 }
    f.ms += data.details?.duration_ms ?? 0
    f.tests++
    if (type === 'test:fail') f.failed++
    files.set(data.file, f)
  }
  let total = 0
  for (const [file, f] of [...files].sort((a, b) => b[1].ms - a[1].ms)) {
    total += f.ms
    const name = file.replace(/^.*?dist\/test\//, '')
    yield `${(f.ms / 1000).toFixed(1).padStart(7)} s ${String(f.tests).padStart(4)} tests ${name}${f.failed > 0 ? ` (${f.failed} failed)` : ''}\n`
  }
  yield `${(total / 1000).toFixed(1).padStart(7)} s in all, ${files.size} files\n`
}
