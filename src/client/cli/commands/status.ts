import type { StatusInfo } from '../../api.js'
import { withSession } from '../context.js'
import { printJson, printLine } from '../output.js'
import type { Command } from './command.js'

/** ` (1 waiting for keys, 2 not reachable yet)`, or '' when nothing says why yet. */
function outboxWhy (w: StatusInfo['outboxWaiting']): string {
  const parts = [...(w.identity > 0 ? [`${w.identity} to a changed identity key`] : []), ...(w.keys > 0 ? [`${w.keys} waiting for keys`] : []), ...(w.route > 0 ? [`${w.route} not reachable yet`] : [])]
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`
}

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
        printLine(`outbox:        ${s.outbox}${outboxWhy(s.outboxWaiting)}`)
        printLine(`prekeys left:  ${s.preKeysLeft}`)
        if (s.downloads !== undefined) printLine(`downloads:     ${s.downloads.dir} (${s.downloads.waiting} waiting)`)
        for (const a of s.addresses) printLine(`  ${a}`)
      }
    })
  }
}
