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
  usage: 'cairn chat NAME|@GROUP',
  summary: 'interactive conversation: type a line to send it, Ctrl-D to leave',
  flags: {},
  async run (ctx) {
    const [name] = requirePositionals(ctx.parsed, ['NAME'], this.usage)
    const session = await openSession(ctx, { network: true })
    const api = session.api
    const contacts = await api.contactList()
    // @GROUP: the group's messages, whoever sent them (an unknown group fails here, exit 2)
    const group = name?.startsWith('@') === true ? await api.groupInfo(name.slice(1)) : undefined
    const peer = group === undefined ? contacts.find(c => c.name === name || c.peerId === name) : undefined
    const peerId = group !== undefined ? undefined : peer?.peerId ?? (await api.contactVerify(name as string, false).catch(() => ({ peerId: name }))).peerId
    const ours = (m: Omit<InboxView, 'fromName' | 'contact'>): boolean => group !== undefined ? m.group?.id === group.id : m.from === peerId && m.group === undefined
    const show = (m: InboxView): void => { if (ours(m)) printLine(formatMessage(m)) }
    for (const m of (await api.inbox()).filter(ours).slice(-20)) show(m)
    const unwatch = session.watch !== undefined
      ? session.watch(show)
      : (() => {
          const messenger = session.client?.messenger
          const listener = (m: Omit<InboxView, 'fromName' | 'contact'>): void => {
            const fromName = contacts.find(c => c.peerId === m.from)?.name ?? null
            show({ ...m, fromName, contact: fromName !== null })
          }
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
