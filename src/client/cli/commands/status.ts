import { withSession } from '../context.js'
import { printJson, printLine } from '../output.js'
import type { Command } from './command.js'

export const status: Command = {
  name: 'status',
  usage: 'cairn status',
  summary: 'connections, DHT routing table, outbox and prekeys',
  flags: {},
  async run (ctx) {
    await withSession(ctx, { network: true }, async (session) => {
      const s = await session.api.status()
      if (ctx.parsed.json) printJson(s)
      else {
        printLine(`peer id:       ${s.peerId}`)
        printLine(`reachability:  ${s.reachability}`)
        printLine(`relays:        ${s.relays.length === 0 ? 'none' : s.relays.join(', ')}`)
        printLine(`connections:   ${s.connections}`)
        for (const c of s.connectionList) printLine(`  ${c.direction.padEnd(8)} ${c.remoteAddr}${c.limited ? ' (relayed, limited)' : ''}`)
        printLine(`routing table: ${s.routingTable}`)
        printLine(`outbox:        ${s.outbox}`)
        printLine(`prekeys left:  ${s.preKeysLeft}`)
        if (s.downloads !== undefined) printLine(`downloads:     ${s.downloads.dir} (${s.downloads.waiting} waiting)`)
        for (const a of s.addresses) printLine(`  ${a}`)
      }
    })
  }
}
