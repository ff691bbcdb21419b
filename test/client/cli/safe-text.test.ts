import assert from 'node:assert/strict'
import { test } from 'node:test'
import { formatMessage } from '../../../src/client/cli/commands/inbox.js'
import { formatSent } from '../../../src/client/cli/delivery-line.js'
import { columns, layout, safeLine, safeLines } from '../../../src/client/cli/safe-text.js'
import type { InboxView } from '../../../src/client/api.js'
import type { SentView } from '../../../src/client/messaging/delivery-log.js'

/** Nothing a terminal acts on: no C0/C1 control (but newline), no ESC, no format character (but ZWJ/ZWNJ). */
function assertInert (s: string): void {
  // eslint-disable-next-line no-control-regex -- looking for control characters is the point
  assert.doesNotMatch(s, /[\x00-\x09\x0b-\x1f\x7f-\x9f]/, JSON.stringify(s))
  assert.doesNotMatch(s, /(?![\u200c\u200d])\p{Cf}/u, JSON.stringify(s))
}

test('escape sequences go whole: CSI, OSC (BEL or ST), DCS, 8-bit CSI, two-byte escapes', () => {
  const cases: Array<[string, string]> = [
    ['a\x1b[2Jb', 'ab'],
    ['\x1b[31;1mred\x1b[0m', 'red'],
    ['\x1b[?1049h alt screen', ' alt screen'],
    ['x\x1b]0;pwned title\x07y', 'xy'],
    ['x\x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\y', 'xlinky'],
    ['x\x1bP+q544e\x1b\\y', 'xy'],
    ['x\x9b2Jy', 'xy'],
    ['x\x1bcy', 'xy'],
    ['x\x1b(0y', 'xy'],
    ['trailing \x1b', 'trailing '],
    ['x\x1b]unterminated', 'x']
  ]
  for (const [raw, want] of cases) {
    assert.equal(safeLine(raw), want, JSON.stringify(raw))
    assertInert(safeLine(raw))
  }
})

test('controls, bidi overrides and isolates, zero-width characters are removed; joiners and text kept', () => {
  assert.equal(safeLine('a\x00b\x07c\x08d\x7fe\x80f\x9ag'), 'abcdefg')
  assert.equal(safeLine('\u202eevil\u202c \u2066iso\u2069 \u200e\u200f\u061c'), 'evil iso ')
  assert.equal(safeLine('ali\u200bce\ufeff\u2060\u00ad'), 'alice')
  assert.equal(safeLine('tab\there'), 'tab    here')
  // emoji sequences and scripts that need the joiners keep them; ordinary non-ASCII text is untouched
  assert.equal(safeLine('👩\u200d💻 می\u200cخواهم ünïcödé 日本語'), '👩\u200d💻 می\u200cخواهم ünïcödé 日本語')
})

test('every kind of line break starts a new line; a carriage return cannot overwrite one', () => {
  assert.deepEqual(safeLines('a\nb\r\nc\rd\ve\ff\u2028g\u2029h\x85i'), ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'])
  assert.equal(safeLine('one\ntwo'), 'one two')
})

test('layout: lines after the first are indented, so the text never starts a line of its own', () => {
  const forged = 'hi\n[2026-12-01 09:00:00] alice: give me your key\x1b[2J\u202e'
  const out = layout('[2026-12-01 08:59:00] [not a contact] 12D3KooWX: ', forged)
  assert.equal(out, '[2026-12-01 08:59:00] [not a contact] 12D3KooWX: hi\n    [2026-12-01 09:00:00] alice: give me your key')
  assertInert(out)
  for (const line of out.split('\n').slice(1)) assert.match(line, /^ {4}/)
})

test('layout with a width: long lines are cut before the terminal would wrap them, the rest indented', () => {
  // a forged header placed exactly where an 80-column terminal would wrap the line
  const header = '[2026-12-01 08:59:00] bob: '
  const padding = 'x'.repeat(80 - header.length)
  const out = layout(header, padding + '[2026-12-01 09:00:00] alice: send the key', { width: 80 })
  const rows = out.split('\n')
  assert.equal(rows[0], header + padding)
  assert.ok(rows.slice(1).every(r => r.startsWith('    ')), out)
  assert.ok(rows.every(r => columns(r) <= 80), out)
  // wide characters count two columns: a row of them stays within the width too
  const wide = layout('h: ', '日'.repeat(100), { width: 40 })
  assert.ok(wide.split('\n').every(r => columns(r) <= 40), wide)
  assert.equal(wide.replace(/\n {4}/g, ''), 'h: ' + '日'.repeat(100))
  // a terminal narrower than the indent still gets rows, and every character
  assert.equal(layout('h: ', 'abcdefghijklmnopqrstuvwxyz', { width: 2 }).replace(/\n {4}/g, ''), 'h: abcdefghijklmnopqrstuvwxyz')
})

test('formatMessage and formatSent head a message with its short id, as `delete` and `save` take it; a sender who is not a contact is marked, by full PeerId; any sentAt is survived', () => {
  const id = '1a2b3c4d5e6f708192a3b4c5d6e7f809'
  const base: InboxView = { id, from: '12D3KooWStranger', fromName: null, contact: false, text: 'hello\nworld', sentAt: Date.UTC(2026, 11, 1, 9), seq: 1, receivedAt: 0, route: 'direct' }
  assert.equal(formatMessage(base, undefined), '[2026-12-01 09:00:00] #1a2b3c4d [not a contact] 12D3KooWStranger: hello\n    world')
  assert.equal(formatMessage({ ...base, fromName: 'alice', contact: true }, undefined), '[2026-12-01 09:00:00] #1a2b3c4d alice: hello\n    world')
  assert.equal(formatMessage({ ...base, fromName: 'alice', contact: true, group: { id: 'ab'.repeat(16), name: 'pals' } }, undefined), '[2026-12-01 09:00:00] #1a2b3c4d @pals alice: hello\n    world')
  assert.match(formatMessage({ ...base, sentAt: 9e15 }, undefined), /^\[\?{4}-/)
  // a file: how to save it while it can be; a refused one says why instead
  const file = { fileId: 'ab'.repeat(16), name: 'a.pdf', size: 9, mediaType: 'application/pdf' }
  assert.equal(formatMessage({ ...base, text: '', attachment: { ...file, state: 'partial' } }, undefined), `[2026-12-01 09:00:00] #1a2b3c4d [not a contact] 12D3KooWStranger: [file a.pdf, 9 bytes, partial; cairn save ${id}] `)
  assert.equal(formatMessage({ ...base, text: '', attachment: { ...file, state: 'refused' } }, undefined), '[2026-12-01 09:00:00] #1a2b3c4d [not a contact] 12D3KooWStranger: [file a.pdf, 9 bytes, refused: not the file its sender described] ')
  const sent: SentView = { id, to: '12D3KooWBob', text: 'hi', sentAt: base.sentAt, recipients: {}, state: 'delivered', replicas: 0, counts: { total: 1, stored: 1, delivered: 1, read: 0 } }
  assert.equal(formatSent(sent, 'bob'), '[2026-12-01 09:00:00] #1a2b3c4d you → bob (delivered): hi')
})
