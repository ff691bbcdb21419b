import type { InboxView } from '../../api.js'
import { withSession } from '../context.js'
import { printJson, printLine } from '../output.js'
import { layout, safeLine } from '../safe-text.js'
import type { Command } from './command.js'

/** How a sender who is not in the contact book is shown: marked, by full PeerId (what `contact block` takes). */
export const NOT_A_CONTACT = '[not a contact]'

/**
 * One message for a human: a header only we write (time, and the contact's name or a marked
 * PeerId), then the text made safe (safe-text.ts), every line after the first indented; cut to the
 * terminal's width when stdout is one, so no piece of the text starts a row by itself.
 */
export function formatMessage (m: InboxView, width: number | undefined = terminalWidth()): string {
  // the sender's clock: any number, even one no Date can hold
  const sent = new Date(m.sentAt)
  const when = Number.isNaN(sent.getTime()) ? '????-??-?? ??:??:??' : sent.toISOString().replace('T', ' ').slice(0, 19)
  const who = m.contact && m.fromName !== null ? safeLine(m.fromName) : `${NOT_A_CONTACT} ${safeLine(m.from)}`
  // the file name is the sender's text too: made safe like the message
  const file = m.attachment === undefined ? '' : `[file ${safeLine(m.attachment.name)}, ${m.attachment.size} bytes, ${m.attachment.state ?? 'waiting'}; cairn save ${m.id}] `
  // a group message: the group first, and any of this sender's messages that never arrived
  const where = m.group === undefined ? '' : `@${safeLine(m.group.name)} `
  const gap = m.gapBefore === undefined ? '' : `(${m.gapBefore} missing) `
  return layout(`[${when}] ${where}${who}: ${gap}`, file + m.text, width === undefined ? {} : { width })
}

/** stdout's width when it is a terminal that knows its size (a pty may report 0 columns). */
function terminalWidth (): number | undefined {
  return process.stdout.isTTY && process.stdout.columns > 0 ? process.stdout.columns : undefined
}

export const inbox: Command = {
  name: 'inbox',
  usage: 'cairn inbox',
  summary: 'list received messages, oldest first',
  flags: {},
  async run (ctx) {
    await withSession(ctx, { network: false }, async (session) => {
      const list = await session.api.inbox()
      if (ctx.parsed.json) printJson(list.map(m => ({ id: m.id, from: m.from, fromName: m.fromName, contact: m.contact, text: m.text, sentAt: m.sentAt, receivedAt: m.receivedAt, route: m.route, group: m.group ?? null, ...(m.group === undefined ? {} : { seq: m.seq, gapBefore: m.gapBefore ?? 0 }), ...(m.attachment === undefined ? {} : { attachment: { name: m.attachment.name, size: m.attachment.size, mediaType: m.attachment.mediaType, state: m.attachment.state ?? 'waiting' } }) })))
      else if (list.length === 0) printLine('no messages')
      else for (const m of list) printLine(formatMessage(m))
    })
  }
}
