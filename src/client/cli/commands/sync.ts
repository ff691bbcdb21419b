import { withSession } from '../context.js'
import { printJson, printLine } from '../output.js'
import type { Command } from './command.js'

export const sync: Command = {
  name: 'sync',
  usage: 'cairn sync',
  summary: 'collect waiting mail and send what the outbox holds, then exit',
  flags: {},
  async run (ctx) {
    await withSession(ctx, { network: true }, async (session) => {
      const r = await session.api.sync()
      if (ctx.parsed.json) printJson(r)
      else printLine(`received ${r.received}, sent ${r.sent}`)
    })
  }
}
