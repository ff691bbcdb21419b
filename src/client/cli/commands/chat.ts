import { createInterface } from 'node:readline'
import type { InboxView } from '../../api.js'
import { describeError } from '../../../shared/errors.js'
import { requirePositionals } from '../args.js'
import { openSession } from '../context.js'
import { printLine } from '../output.js'
import { safeLine } from '../safe-text.js'
import type { Command } from './command.js'
import { formatMessage } from './inbox.js'

export const chat: Command = {
  name: 'chat',
  usage: 'cairn chat NAME',
  summary: 'interactive conversation: type a line to send it, Ctrl-D to leave',
  flags: {},
  async run (ctx) {
    const [name] = requirePositionals(ctx.parsed, ['NAME'], this.usage)
    const session = await openSession(ctx, { network: true })
    const api = session.api
    const peer = (await api.contactList()).find(c => c.name === name || c.peerId === name)
    const peerId = peer?.peerId ?? (await api.contactVerify(name as string, false).catch(() => ({ peerId: name }))).peerId
    const show = (m: InboxView): void => { if (m.from === peerId) printLine(formatMessage(m)) }
    for (const m of (await api.inbox()).filter(m => m.from === peerId).slice(-20)) show(m)
    const unwatch = session.watch !== undefined
      ? session.watch(show)
      : (() => {
          const messenger = session.client?.messenger
          const names = async (): Promise<string | null> => peer?.name ?? null
          const listener = (m: Omit<InboxView, 'fromName' | 'contact'>): void => { void names().then(fromName => { show({ ...m, fromName, contact: fromName !== null }) }) }
          messenger?.on('message', listener)
          return () => { messenger?.off('message', listener) }
        })()
    printLine(`chatting with ${peer?.name ?? name}; type a message and press enter, Ctrl-D to leave`)
    const rl = createInterface({ input: process.stdin, terminal: process.stdin.isTTY })
    // piped input can end while a send is still in flight: prompt only while there is a terminal
    let open = true
    rl.on('close', () => { open = false })
    const prompt = (): void => { if (open && process.stdin.isTTY) rl.prompt() }
    rl.setPrompt('> ')
    prompt()
    for await (const line of rl) {
      const text = line.trim()
      if (text !== '') {
        try {
          const r = await api.send(name as string, text)
          if (r.route === 'outbox') printLine(`  (${peer?.name ?? name} is unreachable: kept in the outbox)`)
          else if (r.route === 'mailbox') printLine(`  (stored at ${r.replicas ?? 0} mailboxes)`)
        } catch (err) {
          printLine(`  not sent: ${safeLine(describeError(err))}`)
        }
      }
      prompt()
    }
    unwatch()
    await session.close()
  }
}
