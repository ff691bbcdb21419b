/**
 * Bench rows and their rendering. Every row is a Cairn figure beside a baseline measured in the
 * same run, with ratio = value / baselineValue (so for times, "how many times the floor"; for
 * rates, "what fraction of the raw ceiling").
 */
import { round } from './stats.js'

export interface Row {
  /** Stable id, e.g. `direct.rtt.p50`. */
  name: string
  /** What is measured, for people. */
  label: string
  unit: string
  value: number
  /** What the value is compared with. */
  baseline: string
  baselineValue: number
  ratio: number
  /** Whether lower (times) or higher (rates) is better. */
  better: 'lower' | 'higher'
  /** How many samples (or runs) stand behind the value, and how it was reduced. */
  samples: number
  stat: string
  notes?: string
}

export function row (r: Omit<Row, 'ratio'>): Row {
  const value = round(r.value)
  const baselineValue = round(r.baselineValue)
  return { ...r, value, baselineValue, ratio: round(r.value / r.baselineValue) }
}

/** A markdown table of rows: one line each, the ratio beside both figures. */
export function markdownTable (rows: Row[]): string {
  const lines = [
    '| figure | Cairn | baseline | baseline figure | ratio | n |',
    '| --- | ---: | --- | ---: | ---: | ---: |'
  ]
  for (const r of rows) {
    lines.push(`| ${r.label} | ${fmt(r.value)} ${r.unit} | ${r.baseline} | ${fmt(r.baselineValue)} ${r.unit} | ${fmt(r.ratio)}× | ${r.samples} |`)
  }
  return lines.join('\n')
}

/** A plain markdown table from records (for the peers and the simulation summary). */
export function simpleTable (header: string[], records: Array<Array<string | number>>): string {
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`]
  for (const r of records) lines.push(`| ${r.map(c => typeof c === 'number' ? fmt(c) : c).join(' | ')} |`)
  return lines.join('\n')
}

export function fmt (x: number): string {
  if (!Number.isFinite(x)) return String(x)
  const v = round(x)
  return Math.abs(v) >= 10_000 ? v.toLocaleString('en-US') : String(v)
}
