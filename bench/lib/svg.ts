/**
 * Hand-written SVG charts (no dependencies): a CDF of latencies per series, and a line chart of
 * points. Good enough to see a result at a glance in a README or a browser.
 */
export interface CdfSeries { name: string, values: number[] }
export interface LineSeries { name: string, points: Array<[number, number]> }

const W = 720
const H = 420
const M = { left: 70, right: 20, top: 40, bottom: 106 }
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf']

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

function niceNumber (x: number): string {
  if (x === 0) return '0'
  if (Math.abs(x) >= 1000) return `${Math.round(x / 100) / 10}k`
  if (Math.abs(x) >= 10) return String(Math.round(x))
  if (Math.abs(x) >= 1) return String(Math.round(x * 10) / 10)
  return String(Number(x.toPrecision(2)))
}

interface Axis { min: number, max: number, log: boolean }

function scale (a: Axis, from: number, to: number): (v: number) => number {
  const f = (v: number): number => a.log ? Math.log10(Math.max(v, a.min)) : v
  const lo = f(a.min)
  const hi = f(a.max)
  return (v: number) => from + (to - from) * ((f(v) - lo) / (hi - lo || 1))
}

function ticks (a: Axis): number[] {
  if (a.log) {
    const out: number[] = []
    for (let e = Math.floor(Math.log10(a.min)); e <= Math.ceil(Math.log10(a.max)); e++) {
      for (const m of [1, 2, 5]) { const v = m * 10 ** e; if (v >= a.min && v <= a.max) out.push(v) }
    }
    return out
  }
  const span = a.max - a.min
  const step = 10 ** Math.floor(Math.log10(span / 5 || 1))
  const mult = [1, 2, 5, 10].find(m => span / (m * step) <= 8) ?? 10
  const s = mult * step
  const out: number[] = []
  for (let v = Math.ceil(a.min / s) * s; v <= a.max + s * 1e-9; v += s) out.push(Number(v.toPrecision(10)))
  return out
}

function frame (title: string, xLabel: string, yLabel: string, x: Axis, y: Axis, yFmt: (v: number) => string): { parts: string[], sx: (v: number) => number, sy: (v: number) => number } {
  const sx = scale(x, M.left, W - M.right)
  const sy = scale(y, H - M.bottom, M.top)
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`
  ]
  for (const t of ticks(x)) {
    parts.push(`<line x1="${sx(t)}" x2="${sx(t)}" y1="${M.top}" y2="${H - M.bottom}" stroke="#eee"/>`,
      `<text x="${sx(t)}" y="${H - M.bottom + 16}" text-anchor="middle">${niceNumber(t)}</text>`)
  }
  for (const t of ticks(y)) {
    parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${sy(t)}" y2="${sy(t)}" stroke="#eee"/>`,
      `<text x="${M.left - 6}" y="${sy(t) + 4}" text-anchor="end">${yFmt(t)}</text>`)
  }
  parts.push(`<rect x="${M.left}" y="${M.top}" width="${W - M.left - M.right}" height="${H - M.top - M.bottom}" fill="none" stroke="#333"/>`,
    `<text x="${(M.left + W - M.right) / 2}" y="${H - M.bottom + 36}" text-anchor="middle">${esc(xLabel)}</text>`,
    `<text transform="translate(16 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`)
  return { parts, sx, sy }
}

function legend (names: string[]): string[] {
  return names.map((n, i) => {
    const x = M.left + (i % 2) * 320
    const y = H - 52 + Math.floor(i / 2) * 15
    return `<line x1="${x}" x2="${x + 18}" y1="${y - 4}" y2="${y - 4}" stroke="${COLORS[i % COLORS.length]}" stroke-width="3"/><text x="${x + 24}" y="${y}">${esc(n)}</text>`
  })
}

function emptyChart (title: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="80" font-family="sans-serif"><text x="10" y="40">${esc(title)}: no data</text></svg>\n`
}

/** Empirical CDF per series; a log x axis by default (latencies span orders of magnitude). */
export function cdfChart (o: { title: string, xLabel: string, series: CdfSeries[], logX?: boolean }): string {
  const series = o.series.filter(s => s.values.length > 0)
  const all = series.flatMap(s => s.values)
  if (all.length === 0) return emptyChart(o.title)
  const logX = o.logX ?? true
  const lo = Math.min(...all)
  const hi = Math.max(...all)
  const x: Axis = logX ? { min: Math.max(lo / 1.5, 1e-3), max: Math.max(hi, lo * 10, 1e-2), log: true } : { min: Math.min(0, lo), max: hi > lo ? hi : lo + 1, log: false }
  const { parts, sx, sy } = frame(o.title, o.xLabel, 'fraction ≤ x', x, { min: 0, max: 1, log: false }, v => `${Math.round(v * 100)}%`)
  series.forEach((s, i) => {
    const v = [...s.values].sort((a, b) => a - b)
    const pts = v.map((val, j) => `${sx(Math.max(val, x.min)).toFixed(1)},${sy((j + 1) / v.length).toFixed(1)}`)
    parts.push(`<polyline fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="2" points="${sx(Math.max(v[0] as number, x.min)).toFixed(1)},${sy(0)} ${pts.join(' ')}"/>`)
  })
  parts.push(...legend(series.map(s => `${s.name} (n=${s.values.length})`)), '</svg>')
  return parts.join('\n') + '\n'
}

/** Points joined per series, with markers; y between yMin and yMax. */
export function lineChart (o: { title: string, xLabel: string, yLabel: string, series: LineSeries[], xMin?: number, xMax?: number, yMin?: number, yMax?: number, yPercent?: boolean }): string {
  const pts = o.series.flatMap(s => s.points)
  if (pts.length === 0) return emptyChart(o.title)
  const xs = pts.map(p => p[0])
  const ys = pts.map(p => p[1])
  const xMin = o.xMin ?? Math.min(...xs, 0)
  const xMax = o.xMax ?? Math.max(...xs, xMin + 1e-9) * 1.05
  const y: Axis = { min: o.yMin ?? Math.min(...ys), max: o.yMax ?? Math.max(...ys), log: false }
  const yFmt = (v: number): string => o.yPercent === true ? `${Number((v * 100).toFixed(2))}%` : niceNumber(v)
  const { parts, sx, sy } = frame(o.title, o.xLabel, o.yLabel, { min: xMin, max: xMax, log: false }, y, yFmt)
  o.series.forEach((s, i) => {
    const c = COLORS[i % COLORS.length] as string
    const sorted = [...s.points].sort((a, b) => a[0] - b[0])
    parts.push(`<polyline fill="none" stroke="${c}" stroke-width="2" points="${sorted.map(([px, py]) => `${sx(px).toFixed(1)},${sy(py).toFixed(1)}`).join(' ')}"/>`)
    for (const [px, py] of sorted) parts.push(`<circle cx="${sx(px).toFixed(1)}" cy="${sy(py).toFixed(1)}" r="4" fill="${c}"><title>${esc(`${s.name}: ${px} → ${yFmt(py)}`)}</title></circle>`)
  })
  parts.push(...legend(o.series.map(s => s.name)), '</svg>')
  return parts.join('\n') + '\n'
}
