import { InvalidInputError } from '../../../shared/errors.js'
import { requirePositionals } from '../args.js'
import { withSession } from '../context.js'
import { printJson, printLine } from '../output.js'
import { statusLine } from '../progress.js'
import type { Command } from './command.js'

async function readStdin (): Promise<string> {
  const chunks: Buffer[] = []
  for await (const c of process.stdin) chunks.push(c as Buffer)
  return Buffer.concat(chunks).toString('utf8').replace(/\n$/, '')
}

export const send: Command = {
  name: 'send',
  usage: 'cairn send TO|@GROUP [TEXT]   (TEXT from standard input when omitted)',
  summary: 'send a message to a contact name or PeerId, or to a group as @NAME',
  flags: {},
  async run (ctx) {
    const [to, ...words] = requirePositionals(ctx.parsed, ['TO'], this.usage)
    const text = words.length > 0 ? words.join(' ') : await readStdin()
    if (text === '') throw new InvalidInputError('empty message')
    const progress = statusLine
    await withSession(ctx, { network: true, progress }, async (session) => {
      // direct first, then (if that fails) finding and filling the mailbox replicas: seconds at worst
      progress.show(`sending to ${to}…`)
      const r = await session.api.send(to as string, text)
      progress.clear()
      const members = (r as { members?: Record<string, string> }).members
      if (ctx.parsed.json) printJson({ id: r.id, route: r.route, replicas: r.replicas ?? 0, ...(members === undefined ? {} : { members }) })
      else if (members !== undefined) {
        const count = (route: string): number => Object.values(members).filter(x => x === route).length
        printLine(`sent to ${to}: ${count('direct')} directly, ${count('mailbox')} in mailboxes, ${count('outbox')} in the outbox (${r.id})`)
      }
      else if (r.route === 'direct') printLine(`delivered to ${to} directly (${r.id})`)
      else if (r.route === 'mailbox') printLine(`stored on ${r.replicas ?? 0} mailbox replicas for ${to} (${r.id})`)
      else printLine(`${to} is unreachable; kept in the outbox, sent on the next \`cairn sync\` or by the daemon (${r.id})`)
    }).finally(() => { progress.clear() })
  }
}
