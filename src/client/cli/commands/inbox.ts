import type { InboxView } from '../../api.js'
import { withSession } from '../context.js'
import { printJson, printLine } from '../output.js'
import type { Command } from './command.js'

export function formatMessage (m: InboxView): string {
  const when = new Date(m.sentAt).toISOString().replace('T', ' ').slice(0, 19)
  return `[${when}] ${m.fromName ?? m.from.slice(0, 16)}: ${m.text}`
}

export const inbox: Command = {
  name: 'inbox',
  usage: 'cairn inbox',
  summary: 'list received messages, oldest first',
  flags: {},
  async run (ctx) {
    await withSession(ctx, { network: false }, async (session) => {
      const list = await session.api.inbox()
      if (ctx.parsed.json) printJson(list.map(m => ({ id: m.id, from: m.from, fromName: m.fromName, text: m.text, sentAt: m.sentAt, receivedAt: m.receivedAt, route: m.route })))
      else if (list.length === 0) printLine('no messages')
      else for (const m of list) printLine(formatMessage(m))
    })
  }
}
