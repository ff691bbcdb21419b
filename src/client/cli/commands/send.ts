import { resolve } from 'node:path'
import { checkFiles } from '../../attachments/file-check.js'
import { CairnError, InvalidInputError } from '../../../shared/errors.js'
import { requirePositionals } from '../args.js'
import { withSession } from '../context.js'
import { printJson, printLine } from '../output.js'
import { safeLine } from '../safe-text.js'
import { statusLine } from '../progress.js'
import { transferLine } from '../transfer-line.js'
import type { Command } from './command.js'

async function readStdin (): Promise<string> {
  const chunks: Buffer[] = []
  for await (const c of process.stdin) chunks.push(c as Buffer)
  return Buffer.concat(chunks).toString('utf8').replace(/\n$/, '')
}

/** How a group message's or a group file's copies went: the members by route. */
function membersLine (routes: string[]): string {
  const count = (route: string): number => routes.filter(r => r === route).length
  return `${count('direct')} directly, ${count('mailbox')} in mailboxes, ${count('outbox')} in the outbox`
}

export const send: Command = {
  name: 'send',
  usage: 'cairn send TO|@GROUP [TEXT] | cairn send TO|@GROUP --file PATH [--file PATH ...] [TEXT]   (TEXT from standard input when omitted and no file is sent)',
  summary: 'send a message, or files, to a contact name or PeerId, or to a group as @NAME',
  flags: { file: { type: 'string', multiple: true } },
  async run (ctx) {
    const [to, ...words] = requirePositionals(ctx.parsed, ['TO'], this.usage)
    const files = (ctx.parsed.flags.file as string[] | undefined ?? []).map(f => resolve(f))
    const text = words.length > 0 ? words.join(' ') : files.length > 0 ? '' : await readStdin()
    if (text === '' && files.length === 0) throw new InvalidInputError('empty message')
    // every file is checked before the node starts: a bad one costs nothing and sends nothing
    if (files.length > 0) await checkFiles(files, ctx.config.attachments.maxFileBytes, ctx.config.attachments.maxMessageBytes, ctx.config.attachments.chunkBytes)
    const progress = statusLine
    await withSession(ctx, { network: true, progress }, async (session) => {
      if (files.length > 0) {
        progress.show(`sending to ${to}…`)
        // a status line with bytes, rate and time left, in-process or through the daemon (which streams it back)
        const results = await session.api.sendFiles(to as string, files, text, progress.shown ? { onProgress: transferLine(progress) } : {})
        progress.clear()
        if (ctx.parsed.json) printJson(results)
        else {
          for (const r of results) {
            // the error may quote the recipient's refusal: made inert like any peer text
            if (r.members !== undefined && r.error === undefined) printLine(`${r.name} sent to ${to}: ${membersLine(Object.values(r.members).map(m => m.route))} (${r.id})`)
            else if (r.error !== undefined) printLine(`${r.name}: announced to ${to}, but the file did not go: ${safeLine(r.error)} (${r.id})`)
            else if (r.route === 'direct') printLine(`${r.name} delivered to ${to} directly (${r.id})`)
            else if (r.route === 'mailbox') printLine(`${r.name} stored on ${r.replicas ?? 0} mailbox replicas for ${to} (${r.id})`)
            else printLine(`${r.name}: ${to} is unreachable; the message waits in the outbox and the file follows on the next \`cairn sync\` (${r.id})`)
          }
        }
        // every file was tried; one that did not go makes the command fail, after all are reported
        const failed = results.filter(r => r.error !== undefined)
        if (failed.length > 0) throw new CairnError('DELIVERY_FAILED', `${failed.length} of ${results.length} files did not go: ${failed.map(r => r.name).join(', ')}`)
        return
      }
      // direct first, then (if that fails) finding and filling the mailbox replicas: seconds at worst
      progress.show(`sending to ${to}…`)
      const r = await session.api.send(to as string, text)
      progress.clear()
      const members = (r as { members?: Record<string, string> }).members
      if (ctx.parsed.json) printJson({ id: r.id, route: r.route, replicas: r.replicas ?? 0, ...(r.waiting === undefined ? {} : { waiting: r.waiting }), ...(members === undefined ? {} : { members }) })
      else if (members !== undefined) printLine(`sent to ${to}: ${membersLine(Object.values(members))} (${r.id})`)
      else if (r.route === 'direct') printLine(`delivered to ${to} directly (${r.id})`)
      else if (r.route === 'mailbox') printLine(`stored on ${r.replicas ?? 0} mailbox replicas for ${to} (${r.id})`)
      else if (r.waiting === 'keys') printLine(`no keys for ${to} yet: their mailboxes had no prekey bundle of theirs; kept in the outbox, sealed and sent once one is found, on the next \`cairn sync\` or by the daemon (${r.id})`)
      else printLine(`${to} is unreachable; kept in the outbox, sent on the next \`cairn sync\` or by the daemon (${r.id})`)
    }).finally(() => { progress.clear() })
  }
}
