import type { InboxView } from '../../api.js'
import { shortId } from '../../message-ids.js'
import { groupSeqOf } from '../../inbox.js'
import { shownTime } from '../../shown-time.js'
import { describeError } from '../../../shared/errors.js'
import type { SentView } from '../../messaging/delivery-log.js'
import { formatSent } from '../delivery-line.js'
import { waitingCounts } from '../../messaging/waiting.js'
import { withSession } from '../context.js'
import { printJson, printLine } from '../output.js'
import { layout, safeLine } from '../safe-text.js'
import type { Command } from './command.js'

/** How a sender who is not in the contact book is shown: marked, by full PeerId (what `contact block` takes). */
export const NOT_A_CONTACT = '[not a contact]'

/**
 * One message for a human: a header only we write (time, short id, and the contact's name or a
 * marked PeerId), then the text made safe (safe-text.ts), every line after the first indented; cut
 * to the terminal's width when stdout is one, so no piece of the text starts a row by itself.
 */
export function formatMessage (m: InboxView, width: number | undefined = terminalWidth()): string {
  const who = m.contact && m.fromName !== null ? safeLine(m.fromName) : `${NOT_A_CONTACT} ${safeLine(m.from)}`
  // the file name is the sender's text too: made safe like the message
  const a = m.attachment
  const file = a === undefined
    ? ''
    : a.savedTo !== undefined
      ? `[file ${safeLine(a.name)}, ${a.size} bytes, saved to ${safeLine(a.savedTo)}] `
      : a.state === 'refused'
        ? `[file ${safeLine(a.name)}, ${a.size} bytes, refused: not the file its sender described] `
        : `[file ${safeLine(a.name)}, ${a.size} bytes, ${a.state ?? 'waiting'}; cairn save ${m.id}] `
  // a group message: the group first, and any of this sender's messages that never arrived
  const where = m.group === undefined ? '' : `@${safeLine(m.group.name)} `
  const gap = m.gapBefore === undefined ? '' : `(${m.gapBefore} missing) `
  // the short id is what `delete` and `save` take (message-ids.ts)
  return layout(`[${shownTime(m.sentAt)}] #${shortId(m.id)} ${where}${who}: ${gap}`, file + m.text, width === undefined ? {} : { width })
}

/** stdout's width when it is a terminal that knows its size (a pty may report 0 columns). */
function terminalWidth (): number | undefined {
  return process.stdout.isTTY && process.stdout.columns > 0 ? process.stdout.columns : undefined
}

/** A sent message for `inbox --sent --json`: marked outgoing, with its delivery state. */
function sentJson (v: SentView, toName: string | null): Record<string, unknown> {
  return {
    outgoing: true,
    id: v.id,
    to: v.group === undefined ? v.to : null,
    toName: v.group === undefined ? toName : null,
    text: v.text,
    sentAt: v.sentAt,
    group: v.group ?? null,
    state: v.state,
    replicas: v.replicas,
    // why it is still queued: 1:1, "keys", "identity" or "route" (null when not queued, or nothing tried yet); a group, per reason how many members
    waiting: v.group === undefined ? Object.values(v.waiting ?? {})[0] ?? null : waitingCounts(v),
    ...(v.group === undefined ? {} : { members: v.counts })
  }
}

export const inbox: Command = {
  name: 'inbox',
  usage: 'cairn inbox [--sent]',
  summary: 'list received messages, oldest first (--sent: and the ones you sent, with their delivery state)',
  flags: { sent: { type: 'boolean' } },
  async run (ctx) {
    await withSession(ctx, { network: false }, async (session) => {
      const list = await session.api.inbox()
      const withSent = ctx.parsed.flags.sent === true
      const sent = withSent ? await session.api.sent() : []
      const names = withSent ? new Map((await session.api.contactList()).map(c => [c.peerId, c.name])) : new Map<string, string>()
      const received = list.map(m => ({ at: m.sentAt, json: () => ({ id: m.id, from: m.from, fromName: m.fromName, contact: m.contact, text: m.text, sentAt: m.sentAt, receivedAt: m.receivedAt, route: m.route, group: m.group ?? null, ...(groupSeqOf(m) === undefined ? {} : { seq: m.seq, gapBefore: m.gapBefore ?? 0 }), ...(m.attachment === undefined ? {} : { attachment: { name: m.attachment.name, size: m.attachment.size, mediaType: m.attachment.mediaType, state: m.attachment.state ?? 'waiting' } }) }), line: () => formatMessage(m) }))
      const outgoing = sent.map(v => ({ at: v.sentAt, json: () => sentJson(v, names.get(v.to) ?? null), line: () => formatSent(v, names.get(v.to) ?? null, terminalWidth()) }))
      // both lists are in order already: merged by the sender's clock, received first on a tie
      const all = withSent ? [...received, ...outgoing].sort((a, b) => a.at - b.at) : received
      if (ctx.parsed.json) printJson(all.map(x => x.json()))
      else if (all.length === 0) printLine('no messages')
      else for (const x of all) printLine(x.line())
      // what was shown is read: read receipts are queued (sent on the next sync, or by the daemon),
      // in slices that fit a daemon request; a failure costs the receipts, never the listing
      const shown = list.map(m => ({ from: m.from, id: m.id }))
      for (let i = 0; i < shown.length; i += 1000) {
        await session.api.markRead(shown.slice(i, i + 1000)).catch((err: unknown) => { ctx.log.warn({ err: describeError(err) }, 'read receipts not queued') })
      }
    })
  }
}
