import { withSession } from '../context.js'
import { printJson, printLine } from '../output.js'
import type { Command } from './command.js'

export const id: Command = {
  name: 'id',
  usage: 'cairn id',
  summary: 'show this identity (addresses when a daemon runs)',
  flags: {},
  async run (ctx) {
    await withSession(ctx, { network: false }, async (session) => {
      const info = await session.api.id()
      if (ctx.parsed.json) printJson(info)
      else {
        printLine(info.peerId)
        printLine(`fingerprint: ${info.fingerprint}`)
        for (const a of info.addresses) printLine(`  ${a}`)
      }
    })
  }
}
