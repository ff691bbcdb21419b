import { resolve } from 'node:path'
import { requirePositionals } from '../args.js'
import { withSession } from '../context.js'
import { printJson, printLine } from '../output.js'
import { statusLine } from '../progress.js'
import { formatBytes, transferLine } from '../transfer-line.js'
import type { Command } from './command.js'

export const save: Command = {
  name: 'save',
  usage: 'cairn save MESSAGE-ID [--out DIR]',
  summary: 'fetch a received file (resuming) and write it into DIR (default: the current directory)',
  flags: { out: { type: 'string' } },
  async run (ctx) {
    const [id] = requirePositionals(ctx.parsed, ['MESSAGE-ID'], this.usage)
    const out = resolve(typeof ctx.parsed.flags.out === 'string' ? ctx.parsed.flags.out : '.')
    const progress = statusLine
    await withSession(ctx, { network: true, progress }, async (session) => {
      progress.show(`fetching ${id}…`)
      // in-process or through the daemon (which streams its progress back), the same status line
      const r = await session.api.save(id as string, out, progress.shown ? { onProgress: transferLine(progress) } : {})
      progress.clear()
      if (ctx.parsed.json) printJson(r)
      else printLine(r.alreadySaved === true ? `already saved: ${r.path} (${formatBytes(r.size)}; its received copy was removed then)` : `saved ${r.path} (${formatBytes(r.size)})`)
    }).finally(() => { progress.clear() })
  }
}
