/**
 * Summarise a V8 CPU profile (`node --cpu-prof`): self time by function, and by package, so a
 * profile can back a claim about the slowest stage without opening DevTools.
 *
 *   node dist/bench/profile-summary.js PROFILE.cpuprofile [--top 25]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

interface Frame { functionName: string, url: string, lineNumber: number }
interface ProfileNode { id: number, callFrame: Frame, hitCount?: number, children?: number[] }
interface Profile { nodes: ProfileNode[], startTime: number, endTime: number, samples?: number[], timeDeltas?: number[] }

export interface ProfileSummary {
  totalMs: number
  idleMs: number
  functions: Array<{ name: string, where: string, selfMs: number, share: number }>
  packages: Array<{ name: string, selfMs: number, share: number }>
  /**
   * Cairn's own functions (src/) by inclusive time: every sample whose stack holds the function,
   * once per stack. An async function counts for the synchronous stretches between its awaits,
   * including the native libsignal work that runs inside them.
   */
  own: Array<{ name: string, where: string, inclusiveMs: number, share: number }>
}

/** Which package (or our own source tree) a script URL belongs to. */
export function packageOf (url: string): string {
  if (url === '') return '(native/vm)'
  const nm = url.lastIndexOf('node_modules/')
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/')
    return rest[0]?.startsWith('@') === true ? `${rest[0]}/${rest[1] ?? ''}` : rest[0] ?? url
  }
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0]
  const m = /\/dist\/((?:src|bench|test|proto)\/[^/]+(?:\/[^/]+)?)/.exec(url)
  return m?.[1] ?? url
}

export function summarizeProfile (profile: Profile, top = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map(n => [n.id, n]))
  const self = new Map<number, number>()
  const samples = profile.samples ?? []
  const deltas = profile.timeDeltas ?? []
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i] as number
    self.set(id, (self.get(id) ?? 0) + (deltas[i] ?? 0) / 1000)
  }
  const totalMs = (profile.endTime - profile.startTime) / 1000
  const fn = new Map<string, { name: string, where: string, selfMs: number }>()
  const pkg = new Map<string, number>()
  let idleMs = 0
  for (const [id, ms] of self) {
    const f = (byId.get(id) as ProfileNode).callFrame
    if (f.functionName === '(idle)' || f.functionName === '(program)') { idleMs += f.functionName === '(idle)' ? ms : 0 }
    const name = f.functionName === '' ? '(anonymous)' : f.functionName
    const file = f.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, '')
    const where = file === '' ? '' : `${file}:${f.lineNumber + 1}`
    const key = `${name}@${where}`
    const e = fn.get(key) ?? { name, where, selfMs: 0 }
    e.selfMs += ms
    fn.set(key, e)
    const p = f.functionName === '(idle)' ? '(idle)' : f.functionName === '(garbage collector)' ? '(gc)' : packageOf(f.url)
    pkg.set(p, (pkg.get(p) ?? 0) + ms)
  }
  const busy = totalMs - idleMs
  const share = (ms: number): number => busy > 0 ? ms / busy : 0
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const inclusive = new Map<string, { name: string, where: string, inclusiveMs: number }>()
  for (const [id, ms] of self) {
    const counted = new Set<string>()
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = (byId.get(cur) as ProfileNode).callFrame
      const m = /\/dist\/(src\/.*)$/.exec(f.url)
      if (m === null || f.url.includes('node_modules/')) continue
      const name = f.functionName === '' ? '(anonymous)' : f.functionName
      const where = `${m[1] ?? ''}:${f.lineNumber + 1}`
      const key = `${name}@${where}`
      if (counted.has(key)) continue
      counted.add(key)
      const e = inclusive.get(key) ?? { name, where, inclusiveMs: 0 }
      e.inclusiveMs += ms
      inclusive.set(key, e)
    }
  }
  return {
    totalMs,
    idleMs,
    functions: [...fn.values()].filter(f => f.name !== '(idle)').sort((a, b) => b.selfMs - a.selfMs).slice(0, top).map(f => ({ ...f, share: share(f.selfMs) })),
    packages: [...pkg.entries()].filter(([n]) => n !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, selfMs]) => ({ name, selfMs, share: share(selfMs) })),
    own: [...inclusive.values()].sort((a, b) => b.inclusiveMs - a.inclusiveMs).slice(0, top).map(f => ({ ...f, share: share(f.inclusiveMs) }))
  }
}

export function formatSummary (s: ProfileSummary): string {
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`
  const lines = [`profile: ${s.totalMs.toFixed(0)} ms wall, ${(s.totalMs - s.idleMs).toFixed(0)} ms busy (shares are of busy time)`, '', '| self ms | share | package |', '| ---: | ---: | --- |']
  for (const p of s.packages) lines.push(`| ${p.selfMs.toFixed(0)} | ${pct(p.share)} | ${p.name} |`)
  lines.push('', '| self ms | share | function | where |', '| ---: | ---: | --- | --- |')
  for (const f of s.functions) lines.push(`| ${f.selfMs.toFixed(0)} | ${pct(f.share)} | ${f.name} | ${f.where} |`)
  lines.push('', 'Cairn\'s own functions by inclusive time (synchronous stretches, with the native work inside them):', '', '| inclusive ms | share | function | where |', '| ---: | ---: | --- | --- |')
  for (const f of s.own) lines.push(`| ${f.inclusiveMs.toFixed(0)} | ${pct(f.share)} | ${f.name} | ${f.where} |`)
  return lines.join('\n')
}

if (process.argv[1]?.endsWith('profile-summary.js') === true) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } })
  // a directory stands for the profiles in it (node's --cpu-prof-dir, CAIRN_BENCH_PROFILE_RECIPIENT)
  const files = positionals.flatMap(p => statSync(p).isDirectory() ? readdirSync(p).filter(f => f.endsWith('.cpuprofile')).sort().map(f => join(p, f)) : [p])
  for (const file of files) {
    console.log(`## ${file}\n`)
    console.log(formatSummary(summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as Profile, Number(values.top))))
  }
}
