/**
 * CPU profiles of single suites, taken in-process through the inspector (what `node --cpu-prof`
 * records, but only around the suite): the .cpuprofile for DevTools and a markdown summary of the
 * top frames beside it.
 */
import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { join } from 'node:path'
import { formatSummary, summarizeProfile } from '../profile-summary.js'

export async function profiled<T> (name: string, outDir: string, fn: () => Promise<T>): Promise<T> {
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: 200 })
  await session.post('Profiler.start')
  try {
    return await fn()
  } finally {
    const { profile } = await session.post('Profiler.stop')
    session.disconnect()
    writeFileSync(join(outDir, `profile-${name}.cpuprofile`), JSON.stringify(profile))
    writeFileSync(join(outDir, `profile-${name}.md`), `# CPU profile: ${name}\n\n${formatSummary(summarizeProfile(profile as Parameters<typeof summarizeProfile>[0], 30))}\n`)
  }
}
