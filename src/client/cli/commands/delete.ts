import { createInterface } from 'node:readline/promises'
import { CairnError, InvalidInputError } from '../../../shared/errors.js'
import type { DeleteResult } from '../../message-deletion.js'
import { withSession } from '../context.js'
import { printJson, printLine } from '../output.js'
import { safeLine } from '../safe-text.js'
import type { Command } from './command.js'

const USAGE = 'cairn delete MESSAGE-ID... | cairn delete --conversation NAME|@GROUP [--yes]'

/** On a terminal: ask before a whole conversation goes. Off one (a script), `--conversation` is the intent. */
async function confirmed (question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr })
  // the end of input (Ctrl-D) is a no
  const closed = new Promise<string>(resolve => rl.once('close', () => { resolve('') }))
  try {
    return /^y(es)?$/i.test((await Promise.race([rl.question(question), closed])).trim())
  } finally {
    rl.close()
  }
}

export const del: Command = {
  name: 'delete',
  usage: USAGE,
  summary: 'delete received and sent messages, by id or a whole conversation (asks first on a terminal, unless --yes)',
  flags: { conversation: { type: 'string' }, yes: { type: 'boolean' } },
  async run (ctx) {
    const ids = ctx.parsed.positionals
    const conversation = ctx.parsed.flags.conversation
    if (typeof conversation === 'string' && ids.length > 0) throw new InvalidInputError(`give message ids or --conversation, not both; usage: ${USAGE}`, 'USAGE')
    if (typeof conversation !== 'string' && ids.length === 0) throw new InvalidInputError(`missing MESSAGE-ID or --conversation; usage: ${USAGE}`, 'USAGE')
    await withSession(ctx, { network: false }, async ({ api }) => {
      let r: DeleteResult
      if (typeof conversation === 'string') {
        const ask = ctx.parsed.flags.yes !== true && process.stdin.isTTY && process.stderr.isTTY
        if (ask) {
          const planned = await api.deleteConversation(conversation, true)
          if (planned.count > 0 && !await confirmed(`delete ${planned.count} message${planned.count === 1 ? '' : 's'} with ${safeLine(conversation)}? [y/N] `)) {
            throw new CairnError('USAGE', 'not confirmed; nothing was deleted')
          }
        }
        r = await api.deleteConversation(conversation, false)
      } else {
        r = await api.deleteMessages(ids)
      }
      if (ctx.parsed.json) printJson(r)
      else printLine(`deleted ${r.count} message${r.count === 1 ? '' : 's'}`)
    })
  }
}
