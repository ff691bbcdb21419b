import type { SyncProgress } from '../../api.js'
import { withSession } from '../context.js'
import { printJson, printLine } from '../output.js'
import { statusLine } from '../progress.js'
import type { Command } from './command.js'

function describe (p: SyncProgress): string {
  switch (p.stage) {
    case 'finding': return 'finding your mailboxes…'
    case 'collecting': return `collecting from ${p.mailboxes} mailbox${p.mailboxes === 1 ? '' : 'es'}: ${p.received} new message${p.received === 1 ? '' : 's'}`
    case 'sending': return `sending ${p.outbox} waiting message${p.outbox === 1 ? '' : 's'}…`
  }
}

export const sync: Command = {
  name: 'sync',
  usage: 'cairn sync',
  summary: 'collect waiting mail and send what the outbox holds, then exit',
  flags: {},
  async run (ctx) {
    const progress = statusLine
    await withSession(ctx, { network: true, progress }, async (session) => {
      // each stage on the status line, in-process or through the daemon (which streams them back)
      const r = await session.api.sync(progress.shown ? { onProgress: p => { progress.show(describe(p)) } } : {})
      progress.clear()
      if (ctx.parsed.json) printJson(r)
      else printLine(`received ${r.received}, sent ${r.sent}`)
      // the result line stays as scripts read it; that no mailbox answered is said on stderr
      if (r.mailboxes !== undefined && r.mailboxes.collected === 0) ctx.log.warn({ mailboxes: r.mailboxes }, r.mailboxes.found === 0 ? 'no mailbox found: is the network reachable?' : 'no mailbox could be collected from; waiting mail stays there for the next sync')
    }).finally(() => { progress.clear() })
  }
}
