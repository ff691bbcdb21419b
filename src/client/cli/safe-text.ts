/**
 * Text that a peer chose, made safe to print on a terminal. A message body is the sender's to
 * write, byte for byte: left raw, it can clear the screen or retitle the window (ANSI and OSC
 * escapes), overwrite what is shown (carriage return, backspace), reorder what follows it (bidi
 * overrides), or start a line that looks like another message's header ("…\n[date] alice: …").
 * Human output therefore strips escapes, controls and invisible format characters, and lays a body
 * out under a header that only we write: every further line, and every piece of a line too long for
 * the terminal, is indented. `--json` never goes through here: it carries the exact text.
 */

/** ESC-introduced sequences, whole: CSI, OSC and the string ones (DCS, SOS, PM, APC), then two-byte escapes. */
const ESCAPES = new RegExp([
  '\\x1b\\[[\\x30-\\x3f]*[\\x20-\\x2f]*[\\x40-\\x7e]?', // CSI: parameters, intermediates, final byte
  '\\x1b[\\]PX^_][^\\x07\\x1b\\x9c]*(?:\\x07|\\x1b\\\\|\\x9c)?', // OSC / DCS / SOS / PM / APC … up to BEL or ST
  '\\x9b[\\x30-\\x3f]*[\\x20-\\x2f]*[\\x40-\\x7e]?', // 8-bit CSI
  '[\\x90\\x98\\x9d\\x9e\\x9f][^\\x07\\x1b\\x9c]*(?:\\x07|\\x1b\\\\|\\x9c)?', // 8-bit DCS / SOS / OSC / PM / APC
  '\\x1b[\\x20-\\x2f]*[\\x30-\\x7e]?' // any other escape (charset switches, RIS …)
].join('|'), 'g')

/** Line breaks, as terminals (and some renderers) treat them: each starts an indented line here. */
const BREAKS = /\r\n|[\n\r\v\f\x85\u2028\u2029]/

/**
 * What is left after escapes: C0 and C1 controls and DEL (tab aside), and every Unicode format
 * character (bidi embeddings, overrides, isolates and marks, zero-width spaces, word joiners, BOM,
 * tags) except the zero-width joiner and non-joiner, which emoji and several scripts need.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const INVISIBLE = /[\x00-\x08\x0e-\x1f\x7f-\x9f]|(?![\u200c\u200d])\p{Cf}/gu

/** One line of peer text with nothing a terminal would act on; line breaks and tabs become spaces. */
export function safeLine (text: string): string {
  return safeLines(text).join(' ')
}

/** Peer text as printable lines: escapes and invisible characters removed, tabs as spaces. */
export function safeLines (text: string): string[] {
  return text.replace(ESCAPES, '').split(BREAKS).map(line => line.replace(INVISIBLE, '').replace(/\t/g, '    '))
}

export interface LayoutOptions {
  /** Put before every line after the first (default four spaces). */
  indent?: string
  /** The terminal's width in columns: longer lines are cut, the rest indented. None: no cutting. */
  width?: number
}

/**
 * `header` (ours: trusted) followed by `body` (the peer's): the body's first line after the header,
 * every other line and every cut piece indented, so nothing the peer wrote starts at column 0.
 */
export function layout (header: string, body: string, options: LayoutOptions = {}): string {
  const indent = options.indent ?? '    '
  const lines = safeLines(body)
  const out: string[] = []
  lines.forEach((line, i) => {
    const prefix = i === 0 ? header : indent
    if (options.width === undefined) { out.push(prefix + line); return }
    out.push(...cut(prefix, line, indent, options.width))
  })
  return out.join('\n')
}

/**
 * Cut `prefix + line` into rows no wider than `width`, every row after the first starting with
 * `indent`. Widths are over-estimated (see columns), never under: a row we think fits always does,
 * so the terminal never wraps one itself and starts peer text at column 0.
 */
function cut (prefix: string, line: string, indent: string, width: number): string[] {
  const rows: string[] = []
  const indentColumns = columns(indent)
  const room = Math.max(width, indentColumns + 8) // a terminal too narrow for anything still gets rows
  let row = prefix
  let used = columns(prefix)
  for (const ch of line) {
    const w = columns(ch)
    if (used + w > room && used > indentColumns) {
      rows.push(row)
      row = indent
      used = indentColumns
    }
    row += ch
    used += w
  }
  rows.push(row)
  return rows
}

/**
 * Columns a string takes, at least: combining marks and joiners none, anything from U+1100 on two
 * (wide scripts and emoji take two; counting two for narrow ones only cuts a little early).
 */
export function columns (text: string): number {
  let n = 0
  for (const ch of text) {
    if (/[\p{M}\u200c\u200d]/u.test(ch)) continue
    n += (ch.codePointAt(0) ?? 0) >= 0x1100 ? 2 : 1
  }
  return n
}
